"""Shared fixtures: real Chroma + SQLite indexes in temporary folders, real embeddings.

The product keeps its embedding cache in the data folder beside each index; the tests
share one (``~/.cache/assistant/embeddings.sqlite3``, keyed by model and text, set for
every test and CLI subprocess through ``ASSISTANT_EMBEDDINGS__CACHE_PATH``), so only the
first run on a machine pays for embedding the seeds. ``tests/test_data_dir.py`` checks
the product's default without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.api import Assistant
from assistant.config import Settings, default_cache_dir, load_settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_EMBEDDING_CACHE = "ASSISTANT_EMBEDDINGS__CACHE_PATH"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault(SHARED_EMBEDDING_CACHE,
                          str(default_cache_dir() / "embeddings.sqlite3"))


def make_settings(index_path: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "index_path": index_path,
        "seeds_path": SEEDS,
        "data_dir": index_path.parent / "data",
        "llm": {"backend": "extractive"},
        # no translation model while answering unless a test brings one (a fake or real)
        "translation": {"on_demand": False},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return load_settings(**base)


@pytest.fixture(scope="session")
def seeded_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of an index holding the five seeds (built once per test session)."""
    path = tmp_path_factory.mktemp("seeded") / "vectorstore"
    settings = make_settings(path)
    bot = Assistant.from_settings(settings, require_index=False)
    bot.ingest(SEEDS)
    bot.index.close()
    return settings


@pytest.fixture(scope="session")
def bot(seeded_settings: Settings) -> Assistant:
    """An extractive assistant over the seeded index (shared, read-only)."""
    return Assistant.from_settings(seeded_settings)


@pytest.fixture(scope="session")
def memory_bot(seeded_settings: Settings, tmp_path_factory: pytest.TempPathFactory
               ) -> Assistant:
    """An extractive assistant over a copy of the seeded index with the seeds' translation
    memory imported, as `make run` serves English questions (shared, read-only)."""
    from tests.server_support import index_copy, with_seed_memory

    settings = index_copy(seeded_settings, tmp_path_factory.mktemp("memory"))
    with_seed_memory(settings)
    return Assistant.from_settings(settings)


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    (dest / "SHA256SUMS").unlink()
    return dest


@pytest.fixture()
def fresh_settings(tmp_path: Path) -> Callable[..., Settings]:
    def factory(**overrides: Any) -> Settings:
        return make_settings(tmp_path / "vectorstore", **overrides)

    return factory


def stop_process(proc: subprocess.Popen[Any], timeout: float) -> None:
    """Terminate a test server process; kill it if it does not exit within ``timeout``."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
