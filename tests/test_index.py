"""Incremental, idempotent ingest into real Chroma + SQLite FTS5 in tmp_path."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.config import Settings
from assistant.errors import IndexMissingError
from assistant.index.store import collection_name


def counts(bot: Assistant) -> tuple[set[str], set[str], int]:
    """Chroma ids, SQLite chunk ids and FTS row count of one index."""
    chroma = set(bot.index.store._collection.get(include=[])["ids"])
    db = sqlite3.connect(str(bot.index.db_path))
    sql = {r[0] for r in db.execute("SELECT chunk_id FROM chunks")}
    fts = db.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
    db.close()
    return chroma, sql, int(fts)


def test_ingest_is_idempotent_and_incremental(
    fresh_settings: Callable[..., Settings], seeds_copy: Path
) -> None:
    bot = Assistant.from_settings(fresh_settings(), require_index=False)
    first = bot.ingest(seeds_copy)
    assert len(first.added) == 5 and first.chunks_written > 0
    chroma, sql, fts = counts(bot)
    assert chroma == sql and len(sql) == fts == first.chunks_written

    again = bot.ingest(seeds_copy)
    assert again.added == again.updated == again.removed == []
    assert again.chunks_written == again.chunks_deleted == 0
    assert counts(bot) == (chroma, sql, fts)

    # edit one seed: only its chunks change
    path = seeds_copy / "004_1ab51a8452a64f1e.txt"
    path.write_text(
        path.read_text("utf-8") + "\nMột đoạn mới về công tác cán bộ năm 2019.\n", "utf-8"
    )
    edited = bot.ingest(seeds_copy)
    assert edited.updated == ["004_1ab51a8452a64f1e"] and edited.added == []
    chroma2, sql2, fts2 = counts(bot)
    assert chroma2 == sql2 and len(sql2) == fts2
    untouched = {c for c in sql if not c.startswith("004_")}
    assert untouched <= sql2  # other documents keep their chunks
    assert {c for c in sql2 if c.startswith("004_")} != {c for c in sql if c.startswith("004_")}

    # remove one seed: its chunks go from both indexes
    (seeds_copy / "002_1b16f8de43ebf90c.txt").unlink()
    removed = bot.ingest(seeds_copy)
    assert removed.removed == ["002_1b16f8de43ebf90c"]
    chroma3, sql3, fts3 = counts(bot)
    assert chroma3 == sql3 and len(sql3) == fts3
    assert not any(c.startswith("002_") for c in sql3)
    assert bot.index.stats()["documents"] == 4


def test_chroma_collection_uses_cosine_and_names_the_model(bot: Assistant) -> None:
    col = bot.index.store._collection
    assert col.name == collection_name(bot.index.embed_model)
    assert "multilingual-e5-small" in col.name
    assert (col.metadata or {}).get("hnsw:space") == "cosine" or (
        col.configuration_json.get("hnsw", {}).get("space") == "cosine"
    )


def test_asking_without_an_index_says_to_ingest(fresh_settings: Callable[..., Settings]) -> None:
    with pytest.raises(IndexMissingError, match="assistant ingest"):
        Assistant.from_settings(fresh_settings())


def test_ingesting_a_folder_keeps_documents_indexed_from_elsewhere(
    fresh_settings: Callable[..., Settings], seeds_copy: Path, tmp_path: Path
) -> None:
    bot = Assistant.from_settings(fresh_settings(), require_index=False)
    bot.ingest(seeds_copy)
    upload = tmp_path / "uploads" / "bai_moi.txt"
    upload.parent.mkdir()
    upload.write_text("Bài viết tải lên\n\nHuyện Tân Hồng tổ chức hội nghị mới.", "utf-8")
    assert bot.index.ingest(upload, prune=False).added == ["bai_moi"]
    again = bot.ingest(seeds_copy)  # the seeds folder does not hold the upload
    assert again.removed == []
    assert bot.index.document("bai_moi") is not None
    (seeds_copy / "000_05fb67b8c39478cc.txt").unlink()
    assert bot.ingest(seeds_copy).removed == ["000_05fb67b8c39478cc"]
