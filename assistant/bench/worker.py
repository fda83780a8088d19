"""One benchmark step per process, so each peak RSS belongs to that step alone.

``python -m assistant.bench.worker STEP --size N --workdir DIR`` prints one JSON object
on its last stdout line. Steps:

- ``build``: write a synthetic corpus of about N chunks and ingest it (hash stand-in
  vectors: real embedding of 100k chunks takes hours here);
- ``query``: open that index and time ``Retriever.search`` in dense, keyword and
  hybrid (fused) mode over the gold questions;
- ``naive``: build the naive LangChain pipeline of ``assistant/evaluation/naive.py`` (character
  splitter 1000/200, dense-only Chroma) over the same documents and time its search.

Called by :mod:`assistant.bench.runner`; not a user command.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings, load_settings

QUESTIONS_FILE = Path(__file__).resolve().parents[2] / "eval" / "gold.jsonl"
FALLBACK_QUESTIONS = [
    "What were the six Q1 2021 priorities?",
    "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?",
    "Năm 2023 cả nước kết nạp bao nhiêu đảng viên mới?",
    "Ai chủ trì hội nghị giao ban trực tuyến quý III năm 2023?",
]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 / p95 / mean of latencies given in seconds, reported in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, math.ceil(0.95 * len(ms)) - 1)]
    return {"p50": round(statistics.median(ms), 2), "p95": round(p95, 2),
            "mean": round(statistics.fmean(ms), 2), "n": len(ms)}


def questions() -> list[str]:
    if not QUESTIONS_FILE.exists():
        return FALLBACK_QUESTIONS
    rows = [json.loads(line) for line in QUESTIONS_FILE.read_text("utf-8").splitlines()
            if line.strip()]
    return [str(r["question"]) for r in rows] or FALLBACK_QUESTIONS


def timed(fn: Callable[[str], object], qs: list[str], warmup: int = 5) -> dict[str, float]:
    for q in qs[:warmup]:
        fn(q)
    samples = []
    for q in qs:
        t0 = time.perf_counter()
        fn(q)
        samples.append(time.perf_counter() - t0)
    return percentiles(samples)


def standin_settings(workdir: Path) -> Settings:
    return load_settings(
        index_path=workdir / "index",
        embeddings={"backend": "hash", "cache": False},
        chroma={"host": None},
        llm={"backend": "extractive"},
    )


def chunks_per_doc(settings: Settings, seeds: Path) -> float:
    """Average chunk count of a synthetic article (measured on a sample)."""
    from assistant.bench.synthetic import synthetic_documents
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.documents import parse_document

    c = settings.chunking
    counts = [
        len(chunk_document(parse_document(f"{i}.txt", text), c.size_tokens, c.overlap_tokens))
        for i, text in synthetic_documents(40, seed=999, seeds_path=seeds)
    ]
    return statistics.fmean(counts)


def du_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def step_build(size: int, workdir: Path, seeds: Path) -> dict[str, Any]:
    from assistant.api import Assistant
    from assistant.bench.synthetic import write_corpus

    settings = standin_settings(workdir)
    n_docs = max(1, math.ceil(size / chunks_per_doc(settings, seeds)))
    t0 = time.perf_counter()
    write_corpus(workdir / "corpus", n_docs, seed=size, seeds_path=seeds)
    t_write = time.perf_counter() - t0
    bot = Assistant.from_settings(settings, require_index=False)
    t0 = time.perf_counter()
    report = bot.ingest(workdir / "corpus")
    elapsed = time.perf_counter() - t0
    return {
        "docs": n_docs, "chunks": report.chunks_written, "write_corpus_s": round(t_write, 1),
        "ingest_s": round(elapsed, 1),
        "ingest_chunks_per_s": round(report.chunks_written / elapsed, 1),
        "disk_mb": du_mb(workdir / "index"), "peak_rss_mb": peak_rss_mb(),
    }


def step_query(size: int, workdir: Path, seeds: Path) -> dict[str, Any]:
    from assistant.api import Assistant

    bot = Assistant.from_settings(standin_settings(workdir))
    qs = questions()
    out: dict[str, Any] = {}
    for mode in ("dense", "keyword", "hybrid"):

        def search(q: str, mode: str = mode) -> object:
            return bot.retriever.search(q, k=5, mode=mode)

        out[mode] = timed(search, qs)
    out["chunks"] = bot.index.stats()["chunks"]
    out["peak_rss_mb"] = peak_rss_mb()  # before the exact queries below
    out["keyword_top10_overlap_with_full_bm25"] = keyword_overlap(bot.index, qs)
    return out


def keyword_overlap(index: Any, qs: list[str]) -> float:
    """Mean share of the full BM25 query's top 10 that the pruned query also returns."""
    shares = []
    for q in qs:
        full = {cid for cid, _ in index.keyword_search(q, 10, exact=True)}
        if full:
            pruned = {cid for cid, _ in index.keyword_search(q, 10)}
            shares.append(len(full & pruned) / len(full))
    return round(statistics.fmean(shares), 3) if shares else 1.0


def step_naive(size: int, workdir: Path, seeds: Path) -> dict[str, Any]:
    from assistant.api import Assistant

    try:
        import assistant.evaluation.naive  # noqa: F401
    except ImportError:
        return {"error": "assistant/evaluation/naive.py is missing"}
    bot = Assistant.from_settings(standin_settings(workdir))
    t0 = time.perf_counter()
    naive = build_naive_in_batches(bot, workdir / "naive")
    build_s = time.perf_counter() - t0
    bot.index.close()  # the naive search reads Chroma only
    qs = questions()
    lat = timed(lambda q: naive.search(q, k=5), qs)
    return {"chunks": int(naive.store._collection.count()), "build_s": round(build_s, 1),
            "dense": lat, "disk_mb": du_mb(workdir / "naive"), "peak_rss_mb": peak_rss_mb()}


def build_naive_in_batches(bot: Any, workdir: Path) -> Any:
    """``naive.build_naive_retriever``, adding to Chroma in batches: its single
    ``add_documents`` call exceeds Chroma's max batch size (5461) beyond ~5k chunks.
    Same splitter, ids, metadata and :class:`~assistant.naive.NaiveRetriever` search."""
    import hashlib

    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.evaluation.naive import CHUNK_CHARS, OVERLAP_CHARS, NaiveRetriever
    from assistant.index.store import open_chroma_client

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_CHARS, chunk_overlap=OVERLAP_CHARS, add_start_index=True)
    client = open_chroma_client(bot.settings.model_copy(update={"index_path": workdir}))
    store = Chroma(client=client, collection_name="naive-bench",
                   embedding_function=bot.index.embeddings,
                   collection_metadata={"hnsw:space": "cosine"})
    batch: list[LCDocument] = []
    for rec in bot.index.documents():
        source = LCDocument(page_content=rec.text, metadata={
            "doc_id": rec.doc_id, "title": rec.title or "", "date": rec.date or "",
            "publisher": rec.publisher or ""})
        for piece in splitter.split_documents([source]):
            start = int(piece.metadata.pop("start_index"))
            piece.metadata.update(start=start, end=start + len(piece.page_content))
            piece.id = hashlib.sha1(
                f"{rec.doc_id}:{start}:{piece.page_content}".encode()).hexdigest()[:20]
            batch.append(piece)
        if len(batch) >= 4000:
            store.add_documents(batch, ids=[str(c.id) for c in batch])
            batch = []
    if batch:
        store.add_documents(batch, ids=[str(c.id) for c in batch])
    return NaiveRetriever(bot.index, bot.settings.retrieval, store)


STEPS = {"build": step_build, "query": step_query, "naive": step_naive}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m assistant.bench.worker")
    p.add_argument("step", choices=sorted(STEPS))
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--workdir", type=Path, required=True)
    p.add_argument("--seeds", type=Path, default=Path("seeds"))
    args = p.parse_args(argv)
    result = STEPS[args.step](args.size, args.workdir, args.seeds)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
