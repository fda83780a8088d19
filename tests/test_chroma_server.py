"""Chroma server mode: a real ``chroma run`` on loopback gives the same passages and
answers as the embedded client; a server that is down is one clear sentence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.config import Settings
from assistant.errors import BackendUnavailableError
from tests.conftest import SEEDS, make_settings
from tests.scale_helpers import chroma_server, cli, cli_env, free_port

QUESTIONS = [
    "What were the six Q1 2021 priorities?",
    "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?",
    "Năm 2023 cả nước kết nạp bao nhiêu đảng viên mới?",
    "Ai chủ trì hội nghị giao ban trực tuyến quý III năm 2023?",
]


def same_results(a: Assistant, b: Assistant) -> None:
    for q in QUESTIONS:
        pa, pb = a.retriever.search(q), b.retriever.search(q)
        assert [p.chunk_id for p in pa] == [p.chunk_id for p in pb], q
        assert [round(p.score, 6) for p in pa] == [round(p.score, 6) for p in pb], q
        aa, ab = a.ask(q), b.ask(q)
        assert (aa.text, aa.refused) == (ab.text, ab.refused), q
        assert [c.doc_id for c in aa.citations] == [c.doc_id for c in ab.citations], q


def test_server_mode_matches_the_embedded_client(tmp_path: Path, bot: Assistant) -> None:
    index = tmp_path / "idx"
    with chroma_server(tmp_path / "server-data") as port:
        settings = make_settings(index, chroma={"host": "127.0.0.1", "port": port})
        remote = Assistant.from_settings(settings, require_index=False)
        report = remote.ingest(SEEDS)
        assert len(report.added) == 5
        assert not (index / "chroma").exists()  # vectors went to the server
        assert remote.index.store._collection.count() == remote.index.stats()["chunks"]
        same_results(bot, remote)
    # the server stops under a running assistant: one clear sentence, host and port
    with pytest.raises(BackendUnavailableError, match=f"127.0.0.1:{port}"):
        remote.ask(QUESTIONS[0])


def test_an_embedded_index_moves_to_a_server_as_is(
    tmp_path: Path, seeded_settings: Settings, bot: Assistant
) -> None:
    """docs/scale.md: serve the embedded ``chroma/`` folder, keep keyword.sqlite3."""
    moved = tmp_path / "moved"
    shutil.copytree(seeded_settings.index_path, moved)
    with chroma_server(moved / "chroma") as port:
        env = cli_env(moved, ASSISTANT_CHROMA__HOST="127.0.0.1", ASSISTANT_CHROMA__PORT=str(port))
        again = cli(["ingest"], env)  # incremental: nothing to redo on the server
        assert again.returncode == 0, again.stderr
        assert "0 added, 0 updated, 0 removed, 5 unchanged" in again.stdout
        settings = make_settings(moved, chroma={"host": "127.0.0.1", "port": port})
        same_results(bot, Assistant.from_settings(settings))


def test_server_down_is_one_clear_sentence(tmp_path: Path, seeded_settings: Settings) -> None:
    port = free_port()  # nothing listens there
    settings = seeded_settings.model_copy(
        update={"chroma": seeded_settings.chroma.model_copy(
            update={"host": "127.0.0.1", "port": port})}
    )
    with pytest.raises(BackendUnavailableError, match=f"Chroma server at 127.0.0.1:{port}"):
        Assistant.from_settings(settings)
    env = cli_env(
        seeded_settings.index_path,
        ASSISTANT_CHROMA__HOST="127.0.0.1", ASSISTANT_CHROMA__PORT=str(port),
    )
    for args in (["ask", "Ai chủ trì hội nghị?"], ["ingest", "--path", str(SEEDS)]):
        proc = cli(args, env)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr
