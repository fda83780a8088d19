"""Eval reports: ``report.json`` (the ``--json`` object) and a readable ``report.md``.

``report.md`` holds the run settings, the metrics (beside the baseline when one was
given), the per-language and per-type tables, every question worst first, and the
details (question, missed key facts, answer) of each question that lost points.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import METRICS, worst_first


def fmt(value: Any) -> str:
    """A metric value for a table: 3 decimals, ``-`` for None."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def metrics_table(groups: dict[str, dict[str, Any]]) -> str:
    """Metrics as rows, one column per group (e.g. ``{"en": agg, "vi": agg}``)."""
    names = list(groups)
    rows = [[m, *(fmt(groups[g]["metrics"].get(m)) for g in names)] for m in METRICS]
    rows.append(["questions", *(groups[g]["counts"]["questions"] for g in names)])
    return table(["metric", *names], rows)


def _facts_line(row: dict[str, Any], where: str = "in_answer") -> str:
    facts = row["key_facts"]
    if not facts:
        return "-"
    return f"{sum(f[where] for f in facts)}/{len(facts)}"


def _missed(row: dict[str, Any]) -> list[str]:
    return [" / ".join(f["alternatives"]) for f in row["key_facts"] if not f["in_answer"]]


def render_markdown(report: dict[str, Any], max_answer_chars: int = 600) -> str:
    """The human-readable report."""
    cfg, timing = report["config"], report["timing"]
    out = [
        "# Eval report",
        "",
        f"Pipeline **{cfg['pipeline']}**, backend **{cfg['backend']}**, top-k {cfg['top_k']}, "
        f"mode {cfg['mode']}, chunks {cfg['chunking']}, embeddings `{cfg['embed_model']}`; "
        f"{cfg['questions']} questions from `{cfg['gold']}`; index: {cfg['index']}. "
        f"Run time {timing['total_s']} s (ingest {timing['ingest_s']} s, "
        f"questions {timing['questions_s']} s).",
        "",
        "## Metrics",
        "",
    ]
    comparison = report.get("comparison")
    if comparison:
        by_metric = {r["metric"]: r for r in comparison}
        rows = []
        for m in METRICS:
            r = by_metric.get(m)
            cur = report["metrics"].get(m)
            if r is None:
                rows.append([m, fmt(cur), "-", "-", "-", ""])
                continue
            delta = "-" if r["delta"] is None else f"{r['delta']:+.3f}"
            rows.append([m, fmt(cur), fmt(r["baseline"]), delta, fmt(r["limit"]),
                         "**REGRESSED**" if r["regressed"] else "ok"])
        out.append(table(["metric", "now", "baseline", "delta", "limit", "gate"], rows))
    else:
        out.append(table(["metric", "value"],
                         [[m, fmt(report["metrics"].get(m))] for m in METRICS]))
    counts = report["counts"]
    out += [
        "",
        f"Counted: {counts['questions']} questions ({counts['answerable']} answerable), "
        f"{counts['key_facts']} key facts, {counts['citations']} citations, "
        f"{counts['answer_sentences']} answer sentences.",
        "",
        "## By language",
        "",
        metrics_table(report["by_language"]),
        "",
        "## By type",
        "",
        metrics_table(report["by_type"]),
        *(["", "## By split (thresholds are fitted on calib)", "",
           metrics_table(report["by_split"])] if len(report.get("by_split", {})) > 1 else []),
        *(["", "## Unanswerable questions by kind of near miss", "",
           metrics_table(report["by_trap"])] if report.get("by_trap") else []),
        "",
        "## Questions, worst first",
        "",
        "score: 0 when the refuse/answer decision is wrong, else the share of key facts in "
        "the answer (1 for a correctly refused question). facts: anywhere in the answer; "
        "native: in lines in the question's language; model: in sentences the LLM wrote; "
        "facts@5: in the top-5 passages; rank: first gold-source passage in the top 10.",
        "",
    ]
    ordered = worst_first(report["questions"])
    q_rows = []
    for r in ordered:
        decision = ("refused" if r["refused"] else "answered") + (
            "" if r["decision_ok"] else " (wrong)")
        q_rows.append([r["id"], r["lang"], r["type"], f"{r['score']:.2f}", decision,
                       _facts_line(r), _facts_line(r, "in_native"),
                       _facts_line(r, "in_model") if r.get("llm") else "-",
                       _facts_line(r, "in_passages"), "yes" if r.get("fallback") else "",
                       fmt(r["gold_rank@10"]), len(r["citations"]), f"{r['latency_s']:.3f}"])
    out.append(table(["id", "lang", "type", "score", "decision", "facts", "native", "model",
                      "facts@5", "fallback", "rank", "citations", "latency s"], q_rows))
    out += ["", "## Details of the questions that lost points", ""]
    lost = [r for r in ordered if r["score"] < 1]
    if not lost:
        out.append("None.")
    for r in lost:
        answer = r["answer"]
        if len(answer) > max_answer_chars:
            answer = answer[:max_answer_chars] + " …"
        out += [f"### {r['id']} ({r['lang']}, {r['type']}, score {r['score']:.2f})", "",
                f"**Q:** {r['question']}", ""]
        if not r["decision_ok"]:
            expected = "answered" if r["answerable"] else "refused"
            out += [f"Wrong decision: expected it to be {expected}.", ""]
        missed = _missed(r)
        if missed:
            out += ["Missed key facts: " + "; ".join(f"`{m}`" for m in missed), ""]
        out += ["```text", answer, "```", ""]
    return "\n".join(out).rstrip() + "\n"


def write_report(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.md`` into ``out_dir`` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "report.json"
    md_path = out_dir / "report.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    md_path.write_text(render_markdown(report), encoding="utf-8")
    return json_path, md_path


def text_summary(report: dict[str, Any]) -> str:
    """Terminal output: the metrics, overall, per split (when there are two) and per
    language."""
    splits = report.get("by_split", {})
    groups = {"all": {"metrics": report["metrics"], "counts": report["counts"]},
              **(splits if len(splits) > 1 else {}), **report["by_language"]}
    names = list(groups)
    width = max(len(m) for m in METRICS)
    lines = [f"{'metric':<{width}}  " + "  ".join(f"{n:>7}" for n in names)]
    for m in METRICS:
        lines.append(f"{m:<{width}}  " + "  ".join(
            f"{fmt(groups[n]['metrics'].get(m)):>7}" for n in names))
    lines.append(f"{'questions':<{width}}  " + "  ".join(
        f"{groups[n]['counts']['questions']:>7}" for n in names))
    return "\n".join(lines)
