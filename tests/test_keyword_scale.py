"""The keyword index at scale: planned queries re-score exactly like FTS5's bm25(), and
an index file of an older layout is upgraded in place without losing anything."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import assistant.index.keyword.query as keyword_query
import assistant.index.keyword.store as keyword_index
from assistant.api import Assistant
from assistant.bench.synthetic import write_corpus
from assistant.config import Settings
from assistant.vietnamese import keyword_tokens
from tests.conftest import SEEDS, make_settings

QUERIES = [
    "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?",
    "kết nạp đảng viên mới năm 2023",
    "Ban Tổ chức Tỉnh ủy Đồng Tháp tham mưu công tác cán bộ",
    "Hội nghị giao ban trực tuyến quý III",
]


@pytest.fixture(scope="module")
def synthetic_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("kwscale")
    write_corpus(root / "corpus", 40, seed=21, seeds_path=SEEDS)
    settings = make_settings(root / "idx", embeddings={"backend": "hash", "cache": False})
    Assistant.from_settings(settings, require_index=False).ingest(root / "corpus")
    return settings


def test_rescoring_reproduces_fts5_bm25(synthetic_index: Settings) -> None:
    index = Assistant.from_settings(synthetic_index).index
    n = index.n_chunks()
    for query in QUERIES:
        tokens = sorted(set(keyword_tokens(query)))
        df = index.document_frequencies(tokens)
        useful, _ = keyword_query.plan(tokens, df, n)
        fts = index._fts(useful, 25)
        mine = dict(keyword_query.rescore(
            index._token_rows([c for c, _ in fts]), useful, df, n, index._avg_len()))
        assert fts and all(mine[c] == pytest.approx(s, rel=1e-9) for c, s in fts), query


def test_planned_queries_match_the_full_query(
    synthetic_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = Assistant.from_settings(synthetic_index).index
    exact = {q: index.keyword_search(q, 10, exact=True) for q in QUERIES}
    monkeypatch.setattr(keyword_index, "PRUNE_MIN_CHUNKS", 10)  # plan even this small index
    for budget in (10**9, 400):  # nothing cut / most terms cut from the probe
        monkeypatch.setattr(keyword_query, "POSTINGS_BUDGET", budget)
        for q in QUERIES:
            got = index.keyword_search(q, 10)
            full_ids = [c for c, _ in exact[q]]
            assert len(got) == len(full_ids), q
            if budget > 10**8:
                assert [c for c, _ in got] == full_ids, q
            else:  # re-scored exactly (but for terms whose IDF FTS5 clamps to 1e-6): the
                # best chunk survives a probe of rare terms, with its full-query score
                assert got[0][0] == full_ids[0], q
                assert got[0][1] == pytest.approx(exact[q][0][1], rel=1e-4), q


def test_an_older_index_file_is_upgraded_in_place(tmp_path: Path, seeds_copy: Path) -> None:
    settings = make_settings(tmp_path / "idx", embeddings={"backend": "hash", "cache": False})
    bot = Assistant.from_settings(settings, require_index=False)
    bot.ingest(seeds_copy)
    before = bot.index.keyword_search(QUERIES[0], 5)
    bot.index.close()
    db = sqlite3.connect(str(settings.index_path / "keyword.sqlite3"))
    with db:  # make it look like a schema-1 file: no term_df, FTS rowids unrelated
        db.execute("DROP TABLE term_df")
        db.execute("UPDATE chunks_fts SET rowid = rowid + 100000")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
        db.execute("DELETE FROM meta WHERE key IN ('fts_rows', 'fts_tokens')")
    db.close()
    reopened = Assistant.from_settings(settings)
    assert reopened.index.keyword_search(QUERIES[0], 5) == before
    db = sqlite3.connect(str(settings.index_path / "keyword.sqlite3"))
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        assert meta["schema"] == keyword_index.SCHEMA_VERSION
        assert dict(db.execute("SELECT term, doc FROM chunks_vocab")) == dict(
            db.execute("SELECT term, df FROM term_df"))
        linked = db.execute("SELECT COUNT(*) FROM chunks c JOIN chunks_fts f "
                            "ON f.rowid = c.rowid AND f.chunk_id = c.chunk_id").fetchone()[0]
        assert linked == reopened.index.stats()["chunks"] == int(meta["fts_rows"])
    finally:
        db.close()
