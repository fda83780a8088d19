"""``assistant bench`` runs end to end on a tiny size and writes its JSON (the numbers
themselves are never asserted: they depend on the machine)."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.bench.runner import format_tables
from tests.scale_helpers import cli, cli_env


def test_bench_retrieval_writes_json_and_prints_a_table(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = cli(["bench", "retrieval", "--sizes", "150", "--out", str(out)], cli_env())
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text("utf-8"))
    ret = data["retrieval"]
    assert "stand-in" in ret["vectors"] and "stand-in" in proc.stdout  # labelled as such
    row = ret["sizes"][0]
    assert row["build"]["chunks"] >= 100 and row["build"]["peak_rss_mb"] > 0
    for mode in ("dense", "keyword", "hybrid"):
        assert row["ours"][mode]["n"] == ret["questions"]
        assert 0 < row["ours"][mode]["p50"] <= row["ours"][mode]["p95"]
    assert row["naive"]["chunks"] > 0 and row["naive"]["dense"]["p50"] > 0
    assert 0.0 <= row["ours"]["keyword_top10_overlap_with_full_bm25"] <= 1.0
    assert f"{row['build']['chunks']:>7} |" in proc.stdout


def test_ingest_table_compares_like_with_like() -> None:
    table = format_tables({"ingest": {
        "embedder": "e5", "docs": 2, "chunks": 30, "evidence_units": 70,
        "bare_chunks_only_chunks_per_s": 10.0, "bare_same_texts_chunks_per_s": 5.0,
        "ingest_chunks_per_s": 4.5, "ingest_vs_bare_same_texts": 0.9,
        "ingest_vs_bare_chunks_only": 0.45,
    }})
    assert "same texts as ingest" in table and "0.90x bare on the same texts" in table


def test_serve_bench_table_reports_both_kinds() -> None:
    from assistant.bench.serve import _before, format_table

    assert _before([(0.0, 1.0), (0.0, 5.0)], [(0.5, 3.0)]) == "1/2"
    ms = {"p50": 500.0, "p95": 900.0, "mean": 600.0, "n": 57}
    table = format_table({
        "llm_backend": "llamacpp:qwen2.5-coder-0.5b", "llm_threads": 2, "rounds": 3,
        "cpus": 2, "loadavg_after": [2.0, 2.0, 2.0], "extractive_alone_ms": ms,
        "extractive_with_llm_at_once_ms": ms, "extractive_during_llm_answer_ms": ms,
        "llm_ms": {"p50": 20000.0, "p95": 30000.0, "mean": 25000.0, "n": 3},
        "extractive_back_before_the_llm": "57/57",
    })
    assert "sent 3 s into the LLM answer" in table and "p95   0.90 s" in table
    assert "LLM answer" in table and "57/57" in table
