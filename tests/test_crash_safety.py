"""Crash-safe ingest: a real ``assistant ingest`` killed with SIGKILL, then resumed; the
ingest lock. Vectors come from the hash stand-in: what is checked is bookkeeping
(which ids are in Chroma, SQLite and FTS5), which does not depend on the embedder."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.bench.synthetic import write_corpus
from assistant.config import Settings
from assistant.index.hooks import ENV as PAUSE_ENV
from tests.conftest import ROOT, SEEDS, make_settings
from tests.scale_helpers import HASH_ENV, check_consistent, cli, cli_env

PROGRESS = re.compile(r"(\d+)/(\d+)")


def hash_settings(index_path: Path) -> Settings:
    return make_settings(index_path, embeddings={"backend": "hash", "cache": False})


def progress_done(log: Path) -> int:
    """Documents done according to the last progress bar update in ``log``."""
    found = PROGRESS.findall(log.read_text("utf-8", errors="replace"))
    return int(found[-1][0]) if found else -1


def test_sigkill_mid_ingest_then_resume(tmp_path: Path, seeds_copy: Path) -> None:
    """The ingest is stopped by the documented hook (index/hooks.py) at document 40 of 85
    and killed there: deterministic, whatever the machine's speed."""
    write_corpus(seeds_copy, 80, seed=7, seeds_path=SEEDS)
    index = tmp_path / "idx"
    env = cli_env(index, **HASH_ENV)
    paused = index / ".paused"
    log = tmp_path / "ingest.err"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "ingest", "--path", str(seeds_copy)],
            stdout=subprocess.DEVNULL, stderr=err, env={**env, PAUSE_ENV: "40"}, cwd=ROOT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 300
            while not paused.exists():
                assert proc.poll() is None, f"ingest ended before the pause: {log.read_text()}"
                assert time.monotonic() < deadline, "ingest never reached the pause"
                time.sleep(0.05)
            # the lock: a second ingest (or a reset) on the same index is refused
            for args in (["ingest", "--path", str(seeds_copy)], ["ingest", "--reset"]):
                busy = cli(args, {k: v for k, v in env.items() if k != PAUSE_ENV})
                assert busy.returncode == 2, busy.stderr
                assert "Another ingest" in busy.stderr and "wait for it" in busy.stderr
                assert len(busy.stderr.strip().splitlines()) == 1
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    settings = hash_settings(index)
    killed = cli(["ask", "công tác cán bộ", "--json"], env)  # the half-done index answers
    assert killed.returncode == 0, killed.stderr

    resumed = cli(["ingest", "--path", str(seeds_copy)], env)
    assert resumed.returncode == 0, resumed.stderr
    added = int(re.search(r"(\d+) added", resumed.stdout).group(1))  # type: ignore[union-attr]
    assert 45 <= added < 85, resumed.stdout  # it resumed: batches before document 40 stayed
    counts = check_consistent(settings, seeds_copy)
    assert counts["documents"] == 85

    again = cli(["ingest", "--path", str(seeds_copy)], env)
    assert "0 added, 0 updated, 0 removed, 85 unchanged" in again.stdout
    assert check_consistent(settings, seeds_copy) == counts


# Kill exactly at the worst moment: after the vectors of a batch are in Chroma (and the
# stale vectors of updated documents deleted) but before SQLite records anything.
_DIE_BEFORE_SQLITE = """
import os, signal, sys
from assistant.cli import main
from assistant.index.store import Index
from assistant.index.keyword.store import KeywordIndex
Index.batch_chunks = 30
real = KeywordIndex.replace_documents
calls = [0]
def dying(self, items):
    calls[0] += 1
    if calls[0] == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, items)
KeywordIndex.replace_documents = dying
sys.exit(main(["ingest", "--path", sys.argv[1]]))
"""


def test_kill_between_vectors_and_rows_on_update(tmp_path: Path, seeds_copy: Path) -> None:
    """The second batch dies after its Chroma writes: the first is committed, the second
    (two updated documents) has new vectors in Chroma, stale ones gone, old SQLite rows."""
    write_corpus(seeds_copy, 10, seed=8, seeds_path=SEEDS)
    index = tmp_path / "idx"
    env = cli_env(index, **HASH_ENV)
    assert cli(["ingest", "--path", str(seeds_copy)], env).returncode == 0
    settings = hash_settings(index)
    before = check_consistent(settings, seeds_copy)

    # update three documents, remove one, add two
    for name in ("004_1ab51a8452a64f1e.txt", "syn8_000001.txt", "syn8_000007.txt"):
        path = seeds_copy / name
        path.write_text(path.read_text("utf-8").replace("Đảng", "Đảng bộ", 3), "utf-8")
    (seeds_copy / "syn8_000003.txt").unlink()
    write_corpus(seeds_copy / "more", 2, seed=9, seeds_path=SEEDS)

    proc = subprocess.run(
        [sys.executable, "-c", _DIE_BEFORE_SQLITE, str(seeds_copy), "2"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with pytest.raises(AssertionError):  # the kill really left the two halves apart
        check_consistent(settings, seeds_copy)

    resumed = cli(["ingest", "--path", str(seeds_copy)], env)
    assert resumed.returncode == 0, resumed.stderr
    after = check_consistent(settings, seeds_copy)
    assert after["documents"] == before["documents"] - 1 + 2
