"""Evaluation harness: gold questions -> the real :class:`~assistant.api.Assistant` ->
metrics, reports and a regression gate (``assistant eval``).

    assistant eval [--gold PATH] [--split test|calib|all] [--subset FILE] [--backend NAME]
                   [--top-k K] [--mode M] [--out DIR] [--json] [--baseline FILE] [--check]
                   [--save-baseline FILE] [--pipeline default|naive] [--index DIR]
                   [--chunk-size N] [--limit N]

``--split`` picks the questions (``test`` by default: thresholds are fitted on ``calib``
only, so ``test`` is what is reported and gated); ``all`` also reports each split and the
calib - test gap. ``--subset FILE`` runs only the question ids listed in FILE (one a
line; the LLM gate's fixed subset is ``eval/llm_gate.txt``).

By default the seeds are ingested into a temporary index (local Chroma even when a Chroma
server is configured; embeddings come from the on-disk cache, so this takes seconds) and
the index is deleted afterwards; ``--index DIR`` uses an existing index as it is. Every
question goes through ``Assistant.ask`` (timed end to end); ``doc_mrr@10`` additionally
asks the retriever for its top 10, because the answer keeps only ``top_k`` passages.
Metrics are defined in :mod:`assistant.evaluation.metrics`, gold validation in
:mod:`assistant.evaluation.gold`, reports in :mod:`assistant.evaluation.report`.

The gate (``--baseline FILE --check``) compares the ``metrics`` of this run with those of
a previous report (``eval/baseline.json``) and exits 1 naming every metric that got worse
by more than its tolerance (:data:`TOLERANCE`: 0.02 absolute for every quality metric;
``false_refusal_rate`` is worse when it rises). Latency is gated loosely, since machines
differ: only a run slower than both 3x the baseline and the baseline + 1 s fails.

>>> settings = load_settings(llm={"backend": "extractive"})          # doctest: +SKIP
>>> report = run_eval(settings, "eval/gold.jsonl", progress=False)   # doctest: +SKIP
>>> sorted(report)                                                   # doctest: +SKIP
['by_language', 'by_type', 'config', 'counts', 'metrics', 'questions', 'timing']
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import InputError
from assistant.evaluation.gold import GoldItem, check_sources, load_gold, select_split
from assistant.evaluation.metrics import (
    LOWER_IS_BETTER,
    METRICS,
    MRR_K,
    aggregate,
    breakdown,
    score_question,
)
from assistant.evaluation.report import text_summary, write_report

TOLERANCE: dict[str, float] = {m: 0.02 for m in METRICS if not m.startswith("latency")}
TOLERANCE["removed_sentences"] = 0.25  # a mean count per answer, not a share
LATENCY_FACTOR = 3.0
LATENCY_SLACK_S = 1.0
# Run settings that make two reports comparable; a difference is reported as a warning.
COMPARABLE = ("pipeline", "backend", "top_k", "mode", "chunking", "embed_model",
              "gold_sha256", "split", "subset", "questions")


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_questions(bot: Any, items: list[GoldItem], progress: bool) -> list[dict[str, Any]]:
    """Ask every question of ``items`` and score each answer (one report row each)."""
    from tqdm import tqdm

    rows: list[dict[str, Any]] = []
    llm = bot.generator is not None
    for item in tqdm(items, desc="eval", unit="q", file=sys.stderr, disable=not progress):
        t0 = time.perf_counter()
        answer = bot.ask(item.question)
        latency = time.perf_counter() - t0
        ranked = bot.retriever.search(item.question, k=MRR_K) if item.answerable else []
        row = score_question(item, answer, ranked, latency, llm=llm)
        row["split"], row["trap"] = item.split, item.trap
        rows.append(row)
    return rows


def read_subset(path: str | Path) -> list[str]:
    """Question ids, one a line (``#`` comments and blank lines skipped)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"Cannot read the subset file {path} ({exc.strerror}).") from None
    ids = [ln.split("#", 1)[0].strip() for ln in lines]
    return [i for i in ids if i]


def choose_questions(items: list[GoldItem], split: str, subset: list[str] | None
                     ) -> list[GoldItem]:
    """The split's questions, restricted to ``subset`` ids when given (all must exist)."""
    chosen = select_split(items, split)
    if subset is None:
        return chosen
    known = {i.id for i in chosen}
    unknown = [i for i in subset if i not in known]
    if unknown:
        raise InputError(f"Subset ids not in the {split} split: {', '.join(unknown[:5])}.")
    wanted = set(subset)
    return [i for i in chosen if i.id in wanted]


def run_eval(
    settings: Settings,
    gold_path: str | Path,
    *,
    pipeline: str = "default",
    use_index: bool = False,
    limit: int | None = None,
    progress: bool = True,
    split: str = "test",
    subset: list[str] | None = None,
) -> dict[str, Any]:
    """Run the gold questions and return the report (the ``--json`` object).

    ``use_index`` opens ``settings.index_path`` as it is; otherwise ``settings.seeds_path``
    is ingested into a temporary index. ``pipeline="naive"`` swaps in the plain LangChain
    retriever of :mod:`assistant.evaluation.naive`; everything after retrieval stays the same.
    """
    from assistant.api import Assistant

    gold_path = Path(gold_path)
    all_items = load_gold(gold_path)
    items = choose_questions(all_items, split, subset)
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        if use_index:
            bot = Assistant.from_settings(settings)
            where = str(settings.index_path)
        else:
            # Local Chroma even when a server is configured: never touch shared data.
            settings = settings.model_copy(update={
                "index_path": Path(tmp) / "vectorstore",
                "chroma": settings.chroma.model_copy(update={"host": None}),
            })
            bot = Assistant.from_settings(settings, require_index=False)
            if progress:
                print(f"ingesting {settings.seeds_path} into a temporary index", file=sys.stderr)
            bot.ingest(settings.seeds_path)
            where = "temporary"
        t_ingest = time.perf_counter() - t_start
        try:
            check_sources(gold_path, all_items, [d.doc_id for d in bot.index.documents()])
            if pipeline == "naive":
                from assistant.evaluation.naive import (
                    CHUNK_CHARS,
                    OVERLAP_CHARS,
                    build_naive_retriever,
                )

                bot.retriever = build_naive_retriever(bot, Path(tmp) / "naive")
                chunking = f"{CHUNK_CHARS}/{OVERLAP_CHARS} characters (RecursiveCharacter)"
                mode = "dense"
            else:
                c = settings.chunking
                chunking = f"{c.size_tokens}/{c.overlap_tokens} tokens (sentences)"
                mode = settings.retrieval.mode
            selected = items[:limit] if limit else items
            t_questions = time.perf_counter()
            rows = run_questions(bot, selected, progress)
            questions_s = time.perf_counter() - t_questions
        finally:
            bot.index.close()
    overall = aggregate(rows)
    return {
        "config": {
            "pipeline": pipeline,
            "backend": bot.backend,
            "llm_model": None if bot.backend == "extractive" else settings.llm.model,
            "top_k": settings.retrieval.top_k,
            "mode": mode,
            "chunking": chunking,
            "embed_model": bot.index.embed_model,
            "gold": str(gold_path),
            "gold_sha256": _file_sha256(gold_path),
            "split": split,
            "subset": None if subset is None else len(subset),
            "questions": len(rows),
            "index": where,
        },
        "metrics": overall["metrics"],
        "counts": overall["counts"],
        "by_language": breakdown(rows, lambda r: str(r["lang"])),
        "by_type": breakdown(rows, lambda r: str(r["type"])),
        "by_split": breakdown(rows, lambda r: str(r["split"])),
        "by_trap": breakdown([r for r in rows if r["trap"]], lambda r: str(r["trap"])),
        "timing": {
            "ingest_s": round(t_ingest, 2),
            "questions_s": round(questions_s, 2),
            "total_s": round(time.perf_counter() - t_start, 2),
        },
        "questions": rows,
    }


# --- baseline comparison ---------------------------------------------------------------


def allowed_limit(metric: str, baseline: float, tolerance: float | None = None) -> float:
    """The worst value of ``metric`` that still passes the gate against ``baseline``
    (``tolerance`` overrides the metric's own)."""
    if metric.startswith("latency"):
        return max(LATENCY_FACTOR * baseline, baseline + LATENCY_SLACK_S)
    tol = TOLERANCE.get(metric, 0.02) if tolerance is None else tolerance
    return baseline + tol if metric in LOWER_IS_BETTER else baseline - tol


def compare(current: dict[str, Any], baseline: dict[str, Any],
            only: list[str] | None = None, tolerance: float | None = None
            ) -> list[dict[str, Any]]:
    """One row per metric of the baseline (or of ``only``): values, delta, the passing
    limit, regressed? A metric the baseline has but this run lacks (``None``) counts as a
    regression. The LLM gate checks three metrics with a wider ``tolerance`` (one
    question of 20 moves a share by 0.05)."""
    rows: list[dict[str, Any]] = []
    for metric in METRICS:
        base = baseline.get(metric)
        if base is None or (only is not None and metric not in only):
            continue
        cur = current.get(metric)
        limit = allowed_limit(metric, float(base), tolerance)
        if cur is None:
            regressed = True
        elif metric in LOWER_IS_BETTER:
            regressed = float(cur) > limit + 1e-9
        else:
            regressed = float(cur) < limit - 1e-9
        rows.append({
            "metric": metric,
            "baseline": base,
            "current": cur,
            "delta": None if cur is None else round(float(cur) - float(base), 4),
            "limit": round(limit, 4),
            "regressed": regressed,
        })
    return rows


def describe_regression(row: dict[str, Any]) -> str:
    """One line naming the metric, both values and the limit it crossed."""
    if row["current"] is None:
        return f"{row['metric']}: {row['baseline']} -> no value in this run"
    worse = "rose" if row["metric"] in LOWER_IS_BETTER else "dropped"
    return (
        f"{row['metric']}: {row['baseline']} -> {row['current']} ({worse} by "
        f"{abs(row['delta']):.4f}; limit {row['limit']})"
    )


def load_baseline(path: str | Path) -> dict[str, Any]:
    """A previous report (``report.json`` or ``eval/baseline.json``)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"Baseline {path} does not exist: create it with "
                         f"`assistant eval --save-baseline {path}`.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"Baseline {path} is not a readable JSON report ({exc}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise InputError(f"Baseline {path} has no 'metrics' object: is it an eval report?")
    return data


def baseline_view(report: dict[str, Any]) -> dict[str, Any]:
    """The committed-baseline form of a report: settings, metrics, breakdowns and one
    short line per question; no answer texts and no per-question latencies, so that
    ``git diff eval/baseline.json`` shows what a change did and little else."""

    def facts(row: dict[str, Any], where: str) -> str:
        fs = row["key_facts"]
        return f"{sum(f[where] for f in fs)}/{len(fs)}" if fs else "-"

    return {
        "regenerate": "assistant eval --backend extractive --split test "
                      "--save-baseline eval/baseline.json",
        "config": report["config"],
        "metrics": report["metrics"],
        "counts": report["counts"],
        "by_language": report["by_language"],
        "by_type": report["by_type"],
        "by_split": report.get("by_split", {}),
        "by_trap": report.get("by_trap", {}),
        "questions": [
            {"id": r["id"], "score": r["score"], "refused": r["refused"],
             "facts": facts(r, "in_answer"), "facts@5": facts(r, "in_passages"),
             "gold_rank@10": r["gold_rank@10"]}
            for r in report["questions"]
        ],
    }


def dump_baseline(view: dict[str, Any]) -> str:
    """JSON text of a baseline view with one line per question (readable diffs)."""
    head = {k: v for k, v in view.items() if k != "questions"}
    lines = [json.dumps(q, ensure_ascii=False) for q in view.get("questions", [])]
    text = json.dumps(head, ensure_ascii=False, indent=1)
    return text[:-2] + ',\n "questions": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"


def config_differences(current: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Run settings that differ between two reports (they make metrics less comparable)."""
    a, b = current.get("config", {}), baseline.get("config", {})
    return [f"{k}: baseline {b.get(k)!r}, now {a.get(k)!r}"
            for k in COMPARABLE if k in b and a.get(k) != b.get(k)]


# --- CLI ---------------------------------------------------------------------------------


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """``assistant eval``: run, report, compare; 1 when ``--check`` finds a regression."""
    if args.check and not args.baseline:
        raise InputError("--check needs --baseline FILE (e.g. eval/baseline.json).")
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1.")
    baseline = load_baseline(args.baseline) if args.baseline else None
    if args.chunk_size:
        if args.index:
            print("note: --chunk-size is ignored with --index (the index is used as built)",
                  file=sys.stderr)
        settings = settings.model_copy(update={"chunking": settings.chunking.model_copy(
            update={"size_tokens": args.chunk_size})})
    subset = read_subset(args.subset) if args.subset else None
    report = run_eval(
        settings, args.gold, pipeline=args.pipeline, use_index=bool(args.index),
        limit=args.limit, progress=True, split=args.split, subset=subset,
    )
    failed: list[dict[str, Any]] = []
    if baseline is not None:
        only = [m.strip() for m in args.gate.split(",")] if args.gate else None
        unknown = [m for m in only or [] if m not in METRICS]
        if unknown:
            raise InputError(f"Unknown metric(s) for --gate: {', '.join(unknown)}.")
        report["comparison"] = compare(report["metrics"], baseline["metrics"], only,
                                       args.tolerance)
        failed = [r for r in report["comparison"] if r["regressed"]]
        for diff in config_differences(report, baseline):
            print(f"warning: run settings differ from the baseline: {diff}", file=sys.stderr)
    if args.out:
        json_path, md_path = write_report(report, Path(args.out))
        print(f"wrote {json_path} and {md_path}", file=sys.stderr)
    if getattr(args, "save_baseline", None):
        path = Path(args.save_baseline)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_baseline(baseline_view(report)), encoding="utf-8")
        print(f"wrote baseline {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(text_summary(report))
    print(f"eval took {report['timing']['total_s']:.1f} s", file=sys.stderr)
    if args.check:
        if failed:
            print(f"REGRESSION against {args.baseline}:", file=sys.stderr)
            for row in failed:
                print(f"  {describe_regression(row)}", file=sys.stderr)
            return 1
        print(f"check passed: no metric fell beyond its tolerance ({args.baseline})",
              file=sys.stderr)
    return 0
