"""Helpers for the scale and fault tests: CLI subprocesses, a loopback Chroma server,
and a full consistency check of both indexes against what the chunker expects."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from assistant.config import Settings
from assistant.index.embeddings import make_embeddings
from assistant.index.store import Index, open_chroma_client
from assistant.ingest.chunking import chunk_document, evidence_units
from assistant.ingest.documents import load_documents
from tests.conftest import ROOT, stop_process

CHROMA = Path(sys.executable).parent / "chroma"
# The stand-in embedder: the crash tests check bookkeeping, not meaning, and must not
# pay for (or pollute the cache with) real embeddings of synthetic text.
HASH_ENV = {"ASSISTANT_EMBEDDINGS__BACKEND": "hash", "ASSISTANT_EMBEDDINGS__CACHE": "false"}


def cli_env(index_path: Path | None = None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "ASSISTANT_LLM__BACKEND": "extractive", **extra}
    if index_path is not None:
        env["ASSISTANT_INDEX_PATH"] = str(index_path)
    return env


def cli(
    args: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``assistant ARGS`` as a user would, capturing text output."""
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout,
    )


def cli_popen(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    """A real ``chroma run`` on 127.0.0.1 serving ``path``; yields its port."""
    port = free_port()
    log = open(path.parent / f"chroma-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not start: {(path.parent / log.name)}")
            time.sleep(0.2)
        yield port
    finally:
        stop_process(proc, 20)
        log.close()


def check_consistent(settings: Settings, folder: Path) -> dict[str, int]:
    """Assert both indexes hold exactly the chunks the chunker makes for ``folder``.

    No duplicate, no missing chunk and no orphan in Chroma, the SQLite chunk table or
    the FTS5 table; document frequencies equal FTS5's own vocabulary; every document
    marked done with its current signature; its evidence-sentence vectors all present.
    Returns the counts.
    """
    index = Index(settings, make_embeddings(settings), client=open_chroma_client(settings))
    try:
        docs = load_documents(folder).documents
        c = settings.chunking
        expected = [ch.chunk_id for d in docs for ch in chunk_document(d, c.size_tokens,
                                                                        c.overlap_tokens)]
        assert len(expected) == len(set(expected))
        chroma_ids = index.store._collection.get(include=[])["ids"]
        db = sqlite3.connect(str(index.db_path))
        try:
            sql_ids = [r[0] for r in db.execute("SELECT chunk_id FROM chunks")]
            fts_ids = [r[0] for r in db.execute("SELECT chunk_id FROM chunks_fts")]
            sigs = dict(db.execute("SELECT doc_id, signature FROM documents"))
            n_sent = dict(db.execute("SELECT doc_id, COUNT(*) FROM sentences GROUP BY doc_id"))
            vocab = dict(db.execute("SELECT term, doc FROM chunks_vocab"))
            term_df = dict(db.execute("SELECT term, df FROM term_df"))
        finally:
            db.close()
        for name, ids in (("chroma", chroma_ids), ("sqlite", sql_ids), ("fts", fts_ids)):
            dupes = [i for i, n in Counter(ids).items() if n > 1]
            assert not dupes, f"duplicates in {name}: {dupes[:3]}"
            assert set(ids) == set(expected), (
                f"{name}: {len(set(expected) - set(ids))} missing, "
                f"{len(set(ids) - set(expected))} orphans"
            )
        assert term_df == vocab, "term_df disagrees with the FTS5 vocabulary"
        assert sigs == {d.doc_id: index.signature(d) for d in docs}
        assert n_sent == {
            d.doc_id: len({(u.start, u.end) for u in evidence_units(d.text)}) for d in docs
        }
        return {"documents": len(docs), "chunks": len(expected)}
    finally:
        index.close()
