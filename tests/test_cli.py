"""The CLI as users run it: real subprocesses, JSON output, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from tests.conftest import ROOT


def run(
    args: list[str], settings: Settings | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "ASSISTANT_LLM__BACKEND": "extractive", **env}
    if settings is not None:
        full_env["ASSISTANT_INDEX_PATH"] = str(settings.index_path)
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=300,
    )


def test_ask_json_has_the_documented_shape(seeded_settings: Settings) -> None:
    proc = run(["ask", "What were the six Q1 2021 priorities?", "--json"], seeded_settings)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"answer", "refused", "language", "backend", "citations", "passages", "timings"} <= set(
        data
    )
    assert data["refused"] is False and data["language"] == "en" and data["backend"] == "extractive"
    cite = data["citations"][0]
    assert {"marker", "doc_id", "title", "quote", "start", "end", "supported"} <= set(cite)
    assert {"doc_id", "chunk_id", "score", "text"} <= set(data["passages"][0])
    assert sum(c["doc_id"].startswith("003_") for c in data["citations"]) >= 6


@pytest.mark.parametrize(
    ("question", "needle"),
    [("", "empty"), ("   ", "empty"), ("x" * 4001, "limit is 4000")],
)
def test_bad_questions_exit_nonzero_with_one_line(
    seeded_settings: Settings, question: str, needle: str
) -> None:
    proc = run(["ask", question], seeded_settings)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_no_index_says_run_ingest(tmp_path: Path) -> None:
    proc = run(["ask", "Ai chủ trì?"], ASSISTANT_INDEX_PATH=str(tmp_path / "none"))
    assert proc.returncode == 2
    assert "assistant ingest" in proc.stderr and "Traceback" not in proc.stderr


def test_ingest_unreadable_path_is_a_clear_error(tmp_path: Path) -> None:
    proc = run(
        ["ingest", "--path", str(tmp_path / "missing")], ASSISTANT_INDEX_PATH=str(tmp_path / "idx")
    )
    assert proc.returncode == 2
    assert "missing" in proc.stderr and "Traceback" not in proc.stderr


def test_ingest_twice_reports_nothing_changed(tmp_path: Path, seeds_copy: Path) -> None:
    env = {"ASSISTANT_INDEX_PATH": str(tmp_path / "idx")}
    first = run(["ingest", "--path", str(seeds_copy)], **env)
    assert first.returncode == 0, first.stderr
    assert "5 added" in first.stdout
    second = run(["ingest", "--path", str(seeds_copy)], **env)
    assert "0 added, 0 updated, 0 removed, 5 unchanged" in second.stdout
    assert "0 chunks written, 0 deleted" in second.stdout
