"""Data in one place: feedback, uploads and the embedding cache (questions included) go
to the data folder beside the index, whatever the working directory and home folder are.

Reproduced on the previous main first: ``feedback.jsonl`` went to ``./data/`` under the
working directory and every question's embedding to ``~/.cache/assistant/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.ui.service import ChatService, Turn
from tests.conftest import SEEDS, SHARED_EMBEDDING_CACHE
from tests.test_ui import ARTICLE
from tests.ui_support import CARD_QUESTION, Q1_DOC


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_everything_written_lives_beside_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd, home, index = tmp_path / "cwd", tmp_path / "home", tmp_path / "srv" / "index"
    cwd.mkdir()
    home.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv(SHARED_EMBEDDING_CACHE)  # the product's default, not the tests'
    # the stand-in embedder: this checks where things go, not what they mean
    settings = load_settings(index_path=index, llm={"backend": "extractive"},
                             embeddings={"backend": "hash"})
    assert settings.data_path == index / "data"

    svc = ChatService(settings)
    svc.index.ingest(SEEDS / f"{Q1_DOC}.txt", prune=False)
    answer = svc.assistant("extractive").ask(CARD_QUESTION)
    svc.record_feedback(Turn(question=CARD_QUESTION, answer=answer.text), "up")
    article = tmp_path / "lao_cai.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert svc.add_files([article])[0].startswith("✓")

    assert files_under(cwd) == [] and files_under(home) == []
    written = files_under(index / "data")
    for name in ("feedback.jsonl", "uploads/lao_cai.txt", "cache/embeddings.sqlite3"):
        assert name in written, written
    # a copy pointed at a temporary index (what `assistant eval` does) keeps the data folder
    copy = settings.model_copy(update={"index_path": tmp_path / "eval-tmp"})
    assert copy.data_path == index / "data"
    assert load_settings(index_path=tmp_path / "other").data_path == tmp_path / "other" / "data"
