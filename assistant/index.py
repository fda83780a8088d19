"""Chunks -> index: Chroma (dense) + SQLite FTS5 (keyword), kept in agreement.

Layout under ``settings.index_path`` (default ``vectorstore/``)::

    chroma/            Chroma PersistentClient data (unless a Chroma server is configured)
    keyword.sqlite3    documents, chunks, FTS5 keyword index, evidence-sentence vectors
    .ingest.lock       held while an ingest runs

Ingest is idempotent and incremental, keyed by a content hash that also covers the
chunking settings: unchanged files write nothing, a changed file replaces its chunks,
a removed file's chunks are deleted. The SQLite row of a document is written last, in
one transaction, after its vectors are in Chroma; so a crash at any point leaves the
document "dirty" and the next ingest redoes it, and :meth:`Index.reconcile` deletes
orphans on either side. The Chroma collection name carries the embedding model id.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.chunking import Chunk, chunk_document
from assistant.config import Settings
from assistant.documents import Document, load_documents
from assistant.embeddings import model_id
from assistant.errors import (
    BackendUnavailableError,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
)
from assistant.vietnamese import Span, keyword_tokens, split_clauses, split_sentences

SCHEMA_VERSION = "1"
ProgressFn = Callable[[str, int, int], None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT, signature TEXT NOT NULL, title TEXT,
    publisher TEXT, date TEXT, author TEXT, text TEXT NOT NULL, n_chunks INTEGER
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER, start INTEGER,
    end INTEGER, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    chunk_id UNINDEXED, tokens, tokenize = "unicode61 remove_diacritics 0 tokenchars '_-/'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS sentences (
    doc_id TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, vec BLOB,
    PRIMARY KEY (doc_id, start, end)
);
"""


@dataclass
class DocRecord:
    doc_id: str
    path: str
    title: str
    publisher: str
    date: str
    author: str
    text: str
    n_chunks: int


@dataclass
class ChunkRecord:
    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    chunks_deleted: int = 0
    repaired: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped; "
            f"{self.chunks_written} chunks written, {self.chunks_deleted} deleted"
        )


def collection_name(embed_model: str) -> str:
    """Chroma collection name for an embedding model (3-63 safe characters)."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embed_model).strip("-._")
    name = f"chunks-{slug}"
    if len(name) > 60:
        name = name[:48] + "-" + hashlib.sha1(embed_model.encode()).hexdigest()[:8]
    return name


def open_chroma_client(settings: Settings) -> Any:
    """PersistentClient at ``index_path/chroma``, or HttpClient when a host is set."""
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
    cfg = settings.chroma
    if cfg.host:
        try:
            client = chromadb.HttpClient(
                host=cfg.host, port=cfg.port, ssl=cfg.ssl, settings=client_settings
            )
            client.heartbeat()
        except Exception as exc:
            raise BackendUnavailableError(
                f"Cannot reach the Chroma server at {cfg.host}:{cfg.port}: start it "
                f"(chroma run --path DIR --port {cfg.port}) or unset ASSISTANT_CHROMA__HOST."
            ) from exc
        return client
    path = settings.index_path / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=client_settings)
    except Exception as exc:
        raise IndexCorruptError(
            f"The vector store at {path} cannot be opened ({type(exc).__name__}): "
            "run `assistant ingest --reset` to rebuild it."
        ) from exc


def evidence_units(text: str) -> list[Span]:
    """Sentence/clause spans used as evidence candidates (and given vectors at ingest)."""
    units: list[Span] = []
    for sent in split_sentences(text):
        units.extend(split_clauses(sent))
    return units


class Index:
    """The dense + keyword index of one folder. Thread-safe for readers and one writer."""

    def __init__(self, settings: Settings, embeddings: Embeddings, client: Any = None) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.embed_model = model_id(embeddings)
        self.path = Path(settings.index_path)
        self.db_path = self.path / "keyword.sqlite3"
        self._client = client
        self._store: Any = None
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None

    # --- opening ------------------------------------------------------------------
    def exists(self) -> bool:
        return self.db_path.exists()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                db = sqlite3.connect(str(self.db_path), check_same_thread=False, timeout=60)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA busy_timeout=60000")
                db.executescript(_SCHEMA)
                self._check_meta(db)
            except sqlite3.DatabaseError as exc:
                raise IndexCorruptError(
                    f"The keyword index {self.db_path} is damaged ({exc}): "
                    "run `assistant ingest --reset` to rebuild it."
                ) from exc
            self._db = db
        return self._db

    def _check_meta(self, db: sqlite3.Connection) -> None:
        rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if not rows:
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("schema", SCHEMA_VERSION), ("embed_model", self.embed_model)],
            )
            db.commit()
            return
        if rows.get("embed_model") != self.embed_model:
            raise IndexCorruptError(
                f"The index at {self.path} was built with the embedding model "
                f"{rows.get('embed_model')!r}, but the settings use {self.embed_model!r}: "
                "run `assistant ingest --reset` or change the embedding settings back."
            )

    def open_existing(self) -> Index:
        """Open for queries; raise :class:`IndexMissingError` when nothing was ingested."""
        if not self.exists():
            raise IndexMissingError(
                f"No index at {self.path}/ yet: run `assistant ingest` first."
            )
        self._connect()
        return self

    @property
    def store(self) -> Any:
        """The LangChain ``Chroma`` vector store (cosine space, set at creation)."""
        if self._store is None:
            from langchain_chroma import Chroma

            if self._client is None:
                self._client = open_chroma_client(self.settings)
            self._store = Chroma(
                client=self._client,
                collection_name=collection_name(self.embed_model),
                embedding_function=self.embeddings,
                collection_metadata={"hnsw:space": "cosine"},
            )
        return self._store

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- reading ------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        db = self._connect()
        with self._lock:
            docs = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return {"documents": int(docs), "chunks": int(chunks)}

    def documents(self) -> list[DocRecord]:
        db = self._connect()
        with self._lock:
            rows = db.execute(
                "SELECT doc_id, path, title, publisher, date, author, text, n_chunks "
                "FROM documents ORDER BY doc_id"
            ).fetchall()
        return [DocRecord(*r) for r in rows]

    def document(self, doc_id: str) -> DocRecord | None:
        db = self._connect()
        with self._lock:
            row = db.execute(
                "SELECT doc_id, path, title, publisher, date, author, text, n_chunks "
                "FROM documents WHERE doc_id = ?",
                (doc_id,),
            ).fetchone()
        return DocRecord(*row) if row else None

    def chunks(self, ids: list[str]) -> dict[str, ChunkRecord]:
        db = self._connect()
        out: dict[str, ChunkRecord] = {}
        with self._lock:
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                marks = ",".join("?" * len(part))
                for row in db.execute(
                    f"SELECT chunk_id, doc_id, start, end, text FROM chunks "
                    f"WHERE chunk_id IN ({marks})",
                    part,
                ):
                    out[row[0]] = ChunkRecord(*row)
        return out

    def keyword_search(self, query: str, k: int) -> list[tuple[str, float]]:
        """BM25 over Vietnamese-aware tokens; returns (chunk_id, score) best first."""
        tokens = sorted(set(keyword_tokens(query)))
        if not tokens:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        db = self._connect()
        with self._lock:
            rows = db.execute(
                "SELECT chunk_id, -bm25(chunks_fts) AS s FROM chunks_fts "
                "WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT ?",
                (match, k),
            ).fetchall()
        return [(r[0], float(r[1])) for r in rows]

    def known_terms(self, terms: list[str]) -> set[str]:
        """The subset of keyword-index ``terms`` that occur in at least one chunk."""
        if not terms:
            return set()
        db = self._connect()
        marks = ",".join("?" * len(terms))
        with self._lock:
            rows = db.execute(
                f"SELECT term FROM chunks_vocab WHERE term IN ({marks})", terms
            ).fetchall()
        return {r[0] for r in rows}

    def dense_search(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """Cosine similarity search in Chroma; returns (chunk_id, similarity) best first."""
        try:
            hits = self.store.similarity_search_by_vector_with_relevance_scores(vector, k=k)
        except BackendUnavailableError:
            raise
        except Exception as exc:
            if self.settings.chroma.host:
                raise BackendUnavailableError(
                    f"The Chroma server at {self.settings.chroma.host}:"
                    f"{self.settings.chroma.port} did not answer: is it running?"
                ) from exc
            raise IndexCorruptError(
                f"The vector store at {self.path} failed ({type(exc).__name__}: {exc}): "
                "run `assistant ingest --reset` to rebuild it."
            ) from exc
        return [(str(doc.id), 1.0 - float(dist)) for doc, dist in hits]

    def sentence_vectors(self, doc_id: str) -> list[tuple[int, int, np.ndarray]]:
        db = self._connect()
        with self._lock:
            rows = db.execute(
                "SELECT start, end, vec FROM sentences WHERE doc_id = ? ORDER BY start", (doc_id,)
            ).fetchall()
        return [(s, e, np.frombuffer(v, dtype=np.float32)) for s, e, v in rows if v is not None]

    # --- writing ------------------------------------------------------------------
    @contextlib.contextmanager
    def ingest_lock(self) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path / ".ingest.lock", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusyError(
                    f"Another ingest is running on {self.path}/: wait for it to finish."
                ) from None
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            yield
        finally:
            os.close(fd)

    def signature(self, doc: Document) -> str:
        c = self.settings.chunking
        raw = f"{doc.content_hash}|{c.size_tokens}|{c.overlap_tokens}|{SCHEMA_VERSION}"
        return hashlib.sha256(raw.encode()).hexdigest()

    def _signatures(self) -> dict[str, str]:
        db = self._connect()
        with self._lock:
            return dict(db.execute("SELECT doc_id, signature FROM documents").fetchall())

    def _chroma_ids(self, doc_id: str | None = None) -> set[str]:
        col = self.store._collection
        if doc_id is None:
            got = col.get(include=[])
        else:
            got = col.get(where={"doc_id": doc_id}, include=[])
        return set(got["ids"])

    def reconcile(self) -> int:
        """Make Chroma and SQLite agree after a crash; return how many items were fixed."""
        db = self._connect()
        chroma_ids = self._chroma_ids()
        with self._lock:
            sql_ids = {r[0] for r in db.execute("SELECT chunk_id FROM chunks")}
        orphans = sorted(chroma_ids - sql_ids)
        if orphans:
            for i in range(0, len(orphans), 1000):
                self.store.delete(ids=orphans[i : i + 1000])
        missing = sql_ids - chroma_ids
        if missing:
            with self._lock, db:
                marks = ",".join("?" * len(missing))
                db.execute(
                    f"UPDATE documents SET signature = '' WHERE doc_id IN "
                    f"(SELECT DISTINCT doc_id FROM chunks WHERE chunk_id IN ({marks}))",
                    sorted(missing),
                )
        return len(orphans) + len(missing)

    def remove_document(self, doc_id: str) -> int:
        """Delete one document's chunks from both indexes; return the chunk count."""
        ids = sorted(self._chroma_ids(doc_id))
        if ids:
            self.store.delete(ids=ids)
        db = self._connect()
        with self._lock, db:
            n = db.execute("SELECT COUNT(*) FROM chunks WHERE doc_id = ?", (doc_id,)).fetchone()[0]
            db.execute(
                "DELETE FROM chunks_fts WHERE chunk_id IN "
                "(SELECT chunk_id FROM chunks WHERE doc_id = ?)",
                (doc_id,),
            )
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return max(len(ids), int(n))

    def write_document(self, doc: Document) -> tuple[int, int]:
        """(Re)index one document; return (chunks written, stale chunks deleted)."""
        c = self.settings.chunking
        chunks = chunk_document(doc, c.size_tokens, c.overlap_tokens)
        new_ids = [ch.chunk_id for ch in chunks]
        stale = sorted(self._chroma_ids(doc.doc_id) - set(new_ids))
        if stale:
            self.store.delete(ids=stale)
        meta = doc.metadata()
        self.store.add_texts(
            texts=[ch.text for ch in chunks],
            metadatas=[{**meta, "chunk_id": ch.chunk_id, "start": ch.start, "end": ch.end}
                       for ch in chunks],
            ids=new_ids,
        )
        units = evidence_units(doc.text)
        vectors = self.embeddings.embed_documents([u.text for u in units]) if units else []
        self._write_rows(doc, chunks, units, vectors)
        return len(chunks), len(stale)

    def _write_rows(
        self, doc: Document, chunks: list[Chunk], units: list[Span], vectors: list[list[float]]
    ) -> None:
        db = self._connect()
        with self._lock, db:
            db.execute(
                "DELETE FROM chunks_fts WHERE chunk_id IN "
                "(SELECT chunk_id FROM chunks WHERE doc_id = ?)",
                (doc.doc_id,),
            )
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
            db.execute("DELETE FROM sentences WHERE doc_id = ?", (doc.doc_id,))
            header = f"{doc.title} {doc.author}"
            db.executemany(
                "INSERT INTO chunks (chunk_id, doc_id, idx, start, end, text) VALUES (?,?,?,?,?,?)",
                [(ch.chunk_id, doc.doc_id, ch.index, ch.start, ch.end, ch.text) for ch in chunks],
            )
            db.executemany(
                "INSERT INTO chunks_fts (chunk_id, tokens) VALUES (?, ?)",
                [(ch.chunk_id, " ".join(keyword_tokens(ch.text + " " + header)))
                 for ch in chunks],
            )
            db.executemany(
                "INSERT OR REPLACE INTO sentences (doc_id, start, end, vec) VALUES (?,?,?,?)",
                [(doc.doc_id, u.start, u.end, np.asarray(v, dtype=np.float32).tobytes())
                 for u, v in zip(units, vectors, strict=True)],
            )
            db.execute(
                "INSERT OR REPLACE INTO documents (doc_id, path, signature, title, publisher, "
                "date, author, text, n_chunks) VALUES (?,?,?,?,?,?,?,?,?)",
                (doc.doc_id, doc.path, self.signature(doc), doc.title, doc.publisher,
                 doc.date, doc.author, doc.text, len(chunks)),
            )

    def ingest(
        self,
        root: str | Path,
        *,
        prune: bool = True,
        progress: ProgressFn | None = None,
    ) -> IngestReport:
        """Bring the index in line with the files under ``root`` (folder or one file).

        With ``prune`` (the default for a folder), documents whose file is gone are removed.
        """
        root = Path(root)
        if not root.exists():
            raise IndexMissingError(f"Cannot read {root}: no such file or folder.")
        with self.ingest_lock():
            report = IngestReport(repaired=self.reconcile())
            loaded = load_documents(root)
            report.skipped = loaded.skipped
            known = self._signatures()
            todo = [d for d in loaded.documents if known.get(d.doc_id) != self.signature(d)]
            report.unchanged = [d.doc_id for d in loaded.documents if d not in todo]
            for i, doc in enumerate(todo):
                if progress:
                    progress(doc.doc_id, i, len(todo))
                written, deleted = self.write_document(doc)
                (report.updated if doc.doc_id in known else report.added).append(doc.doc_id)
                report.chunks_written += written
                report.chunks_deleted += deleted
            if progress:
                progress("done", len(todo), len(todo))
            if prune and root.is_dir():
                present = {d.doc_id for d in loaded.documents} | {
                    Path(p).stem for p, _ in loaded.skipped
                }
                for doc_id in sorted(set(known) - present):
                    report.chunks_deleted += self.remove_document(doc_id)
                    report.removed.append(doc_id)
        return report

    def reset(self) -> None:
        """Delete both indexes (used by ``assistant ingest --reset``)."""
        with self.ingest_lock():
            with contextlib.suppress(Exception):
                self.store.delete_collection()
            self._store = None
            self.close()
            for suffix in ("", "-wal", "-shm"):
                p = Path(str(self.db_path) + suffix)
                if p.exists():
                    p.unlink()

    def describe(self) -> str:
        s = self.stats()
        return json.dumps({**s, "embed_model": self.embed_model, "path": str(self.path)})
