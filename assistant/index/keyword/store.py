"""The SQLite half of the index: documents, chunks, the FTS5 keyword index and the
evidence-sentence vectors, in one file (``keyword.sqlite3``) with a write-ahead log.

:class:`KeywordIndex` is the base of :class:`assistant.index.Index`, which adds the
Chroma half and the ingest that keeps both in agreement. Everything a document owns
(chunks, FTS rows, sentence vectors, the ``documents`` row with its signature) is
written or deleted in ONE transaction, so a crash leaves either the old or the new
state of that document, never a mix.

Readers never write: opening an existing file only reads its schema and meta, so
queries run beside an ingest in another process (WAL: readers see the last commit).
SQLite failures become :class:`IndexCorruptError` / :class:`IndexBusyError` with one
sentence that says what to do; the raw ``sqlite3`` exception stays chained.

Keyword queries on big indexes are planned and re-scored: see
:mod:`assistant.index.keyword.query`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from assistant.errors import IndexBusyError, IndexCorruptError
from assistant.index.keyword.query import PRUNE_MIN_CHUNKS, RESCORE_CANDIDATES, plan, rescore
from assistant.index.keyword.records import (
    DOC_COLUMNS,
    ChunkRecord,
    DocRecord,
    PreparedDoc,
    pages_json,
)
from assistant.index.keyword.schema import (
    SCHEMA_VERSION,
    apply_df,
    chunk_tokens,
    doc_frequencies,
    ensure_schema,
    read_meta,
)
from assistant.vietnamese import keyword_tokens

__all__ = ["SCHEMA_VERSION", "ChunkRecord", "DocRecord", "KeywordIndex", "PreparedDoc",
           "read_meta"]

class KeywordIndex:
    """Documents, chunks and the BM25 keyword index of one index folder.

    Thread-safe: one connection, serialized by a lock (SQLite calls are short).
    """

    def __init__(self, path: Path, embed_model: str) -> None:
        self.path = Path(path)
        self.db_path = self.path / "keyword.sqlite3"
        self.embed_model = embed_model
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._writes = 0  # own commits (PRAGMA data_version only sees other connections')
        self._n_cache: tuple[tuple[int, int], int] | None = None

    # --- opening ------------------------------------------------------------------
    def exists(self) -> bool:
        return self.db_path.exists()

    def _connect(self) -> sqlite3.Connection:
        with self._lock:
            if self._db is None:
                self._db = self._open()
            return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(self.db_path), check_same_thread=False, timeout=60)
        try:
            db.execute("PRAGMA busy_timeout=60000")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            ensure_schema(db, self.embed_model)
            self._check_meta(db)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise self._translate(exc) from exc
        except BaseException:
            db.close()
            raise
        return db

    def _check_meta(self, db: sqlite3.Connection) -> None:
        rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if rows.get("embed_model") != self.embed_model:
            raise IndexCorruptError(
                f"The index at {self.path} was built with the embedding model "
                f"{rows.get('embed_model')!r}, but the settings use {self.embed_model!r}: "
                "run `assistant ingest --reset` or change the embedding settings back."
            )

    def _translate(self, exc: sqlite3.DatabaseError) -> Exception:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return IndexBusyError(
                f"The keyword index {self.db_path} stayed locked by another process: "
                "try again when the running ingest has finished."
            )
        return IndexCorruptError(
            f"The keyword index {self.db_path} is damaged ({exc}): "
            "run `assistant ingest --reset` to rebuild it."
        )

    @contextlib.contextmanager
    def _sql(self) -> Iterator[sqlite3.Connection]:
        """The connection, locked, with SQLite errors turned into user-facing ones."""
        db = self._connect()
        with self._lock:
            try:
                yield db
            except sqlite3.DatabaseError as exc:
                raise self._translate(exc) from exc

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: committed on success, rolled back on any error."""
        with self._sql() as db, db:
            self._writes += 1
            yield db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- reading ------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        with self._sql() as db:
            docs = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return {"documents": int(docs), "chunks": int(chunks)}

    def documents(self) -> list[DocRecord]:
        with self._sql() as db:
            rows = db.execute(f"SELECT {DOC_COLUMNS} FROM documents ORDER BY doc_id").fetchall()
        return [DocRecord(*r) for r in rows]

    def document(self, doc_id: str) -> DocRecord | None:
        with self._sql() as db:
            row = db.execute(
                f"SELECT {DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,)
            ).fetchone()
        return DocRecord(*row) if row else None

    def chunks(self, ids: list[str]) -> dict[str, ChunkRecord]:
        out: dict[str, ChunkRecord] = {}
        with self._sql() as db:
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

    def keyword_search(self, query: str, k: int, exact: bool = False) -> list[tuple[str, float]]:
        """BM25 over Vietnamese-aware tokens; returns (chunk_id, score) best first.

        On a big index the query is planned (see :mod:`assistant.index.keyword.query`);
        ``exact`` runs the full FTS5 query anyway.
        """
        tokens = sorted(set(keyword_tokens(query)))
        if not tokens:
            return []
        n = self.n_chunks()
        if exact or n < PRUNE_MIN_CHUNKS:
            return self._fts(tokens, k)
        df = self.document_frequencies(tokens)
        useful, probe = plan(tokens, df, n)
        if probe == useful:  # nothing cut but IDF-clamped terms: FTS5 scores exactly
            return self._fts(useful, k)
        candidates = [cid for cid, _ in self._fts(probe, max(k, RESCORE_CANDIDATES))]
        return rescore(self._token_rows(candidates), useful, df, n, self._avg_len())[:k]

    def _fts(self, terms: list[str], k: int) -> list[tuple[str, float]]:
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        with self._sql() as db:
            rows = db.execute(
                "SELECT chunk_id, -bm25(chunks_fts) AS s FROM chunks_fts "
                "WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT ?",
                (match, k),
            ).fetchall()
        return [(r[0], float(r[1])) for r in rows]

    def _token_rows(self, chunk_ids: list[str]) -> list[tuple[str, str]]:
        """(chunk_id, stored FTS token string) of these chunks."""
        if not chunk_ids:
            return []
        marks = ",".join("?" * len(chunk_ids))
        with self._sql() as db:
            return db.execute(
                f"SELECT c.chunk_id, f.tokens FROM chunks c JOIN chunks_fts f "
                f"ON f.rowid = c.rowid WHERE c.chunk_id IN ({marks})",
                chunk_ids,
            ).fetchall()

    def _avg_len(self) -> float:
        """Average FTS row length in tokens (BM25's avgdl)."""
        with self._sql() as db:
            meta = dict(db.execute(
                "SELECT key, value FROM meta WHERE key IN ('fts_rows', 'fts_tokens')"
            ).fetchall())
        rows = int(meta.get("fts_rows", 0))
        return int(meta.get("fts_tokens", 0)) / rows if rows else 0.0

    def document_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many chunks contain each term (terms absent from the index are left out)."""
        out: dict[str, int] = {}
        with self._sql() as db:
            for i in range(0, len(terms), 500):
                part = terms[i : i + 500]
                marks = ",".join("?" * len(part))
                out.update(db.execute(
                    f"SELECT term, df FROM term_df WHERE term IN ({marks})", part
                ).fetchall())
        return out

    def n_chunks(self) -> int:
        """Chunk count, cached until this or another connection commits."""
        with self._sql() as db:
            key = (int(db.execute("PRAGMA data_version").fetchone()[0]), self._writes)
            if self._n_cache is None or self._n_cache[0] != key:
                n = int(db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
                self._n_cache = (key, n)
            return self._n_cache[1]

    def known_terms(self, terms: list[str]) -> set[str]:
        """The subset of keyword-index ``terms`` that occur in at least one chunk."""
        return set(self.document_frequencies(terms))

    def sentence_vectors(self, doc_id: str) -> list[tuple[int, int, np.ndarray]]:
        with self._sql() as db:
            rows = db.execute(
                "SELECT start, end, vec FROM sentences WHERE doc_id = ? ORDER BY start", (doc_id,)
            ).fetchall()
        return [(s, e, np.frombuffer(v, dtype=np.float32)) for s, e, v in rows if v is not None]

    def chunk_ids(self, doc_id: str | None = None) -> set[str]:
        """Chunk ids in SQLite (of one document, or all)."""
        with self._sql() as db:
            if doc_id is None:
                return {r[0] for r in db.execute("SELECT chunk_id FROM chunks")}
            return {
                r[0] for r in db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))
            }

    def signatures(self) -> dict[str, str]:
        with self._sql() as db:
            return dict(db.execute("SELECT doc_id, signature FROM documents").fetchall())

    # --- writing (each call is one transaction) -------------------------------------
    def replace_documents(self, items: list[PreparedDoc]) -> None:
        """Swap the rows of these documents for new ones, in ONE transaction that also
        writes each ``documents`` row (with the signature that marks it done)."""
        chunk_rows, fts_rows, sentence_rows, doc_rows = [], [], [], []
        for it in items:  # build rows first: hold the lock only for the writes
            doc = it.doc
            chunk_rows += [(ch.chunk_id, doc.doc_id, ch.index, ch.start, ch.end, ch.text)
                           for ch in it.chunks]
            fts_rows += [(" ".join(chunk_tokens(ch.text, doc.title, doc.author)), ch.chunk_id)
                         for ch in it.chunks]
            sentence_rows += [
                (doc.doc_id, u.start, u.end, np.asarray(v, dtype=np.float32).tobytes())
                for u, v in zip(it.units, it.unit_vectors, strict=True)
            ]
            doc_rows.append((doc.doc_id, doc.path, doc.title, doc.publisher, doc.date,
                             doc.author, doc.text, it.signature, len(it.chunks),
                             pages_json(doc)))
        delta, n_rows, n_tokens = doc_frequencies(tokens for tokens, _ in fts_rows)
        with self._transaction() as db:
            for it in items:
                _, gone, gone_rows, gone_tokens = self._delete_rows(db, it.doc.doc_id)
                delta.subtract(gone)
                n_rows -= gone_rows
                n_tokens -= gone_tokens
            db.executemany(
                "INSERT INTO chunks (chunk_id, doc_id, idx, start, end, text) VALUES (?,?,?,?,?,?)",
                chunk_rows,
            )
            db.executemany(
                "INSERT INTO chunks_fts (rowid, chunk_id, tokens) "
                "SELECT rowid, chunk_id, ? FROM chunks WHERE chunk_id = ?",
                fts_rows,
            )
            apply_df(db, delta, n_rows, n_tokens)
            db.executemany(
                "INSERT OR REPLACE INTO sentences (doc_id, start, end, vec) VALUES (?,?,?,?)",
                sentence_rows,
            )
            db.executemany(
                "INSERT INTO documents (doc_id, path, title, publisher, date, author, text, "
                "signature, n_chunks, pages) VALUES (?,?,?,?,?,?,?,?,?,?)",
                doc_rows,
            )

    def delete_document(self, doc_id: str) -> int:
        """Delete a document and everything it owns; return its chunk count."""
        with self._transaction() as db:
            n, removed, rows, tokens = self._delete_rows(db, doc_id)
            apply_df(db, Counter({t: -c for t, c in removed.items()}), -rows, -tokens)
            return n

    @staticmethod
    def _delete_rows(
        db: sqlite3.Connection, doc_id: str
    ) -> tuple[int, Counter[str], int, int]:
        """Delete a document's rows; return its chunk count and, for the statistics,
        its FTS rows' document frequencies, row count and token count."""
        rowids = [r[0] for r in db.execute("SELECT rowid FROM chunks WHERE doc_id = ?",
                                            (doc_id,))]
        removed: Counter[str] = Counter()
        rows = tokens = 0
        for i in range(0, len(rowids), 500):
            part = rowids[i : i + 500]
            marks = ",".join("?" * len(part))
            df, n_rows, n_tokens = doc_frequencies(r[0] for r in db.execute(
                f"SELECT tokens FROM chunks_fts WHERE rowid IN ({marks})", part))
            removed += df
            rows += n_rows
            tokens += n_tokens
            db.execute(f"DELETE FROM chunks_fts WHERE rowid IN ({marks})", part)
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return len(rowids), removed, rows, tokens

    def mark_dirty(self, chunk_ids: Iterable[str]) -> None:
        """Force the documents owning ``chunk_ids`` to be re-indexed by the next ingest."""
        ids = sorted(chunk_ids)
        with self._transaction() as db:
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                marks = ",".join("?" * len(part))
                db.execute(
                    f"UPDATE documents SET signature = '' WHERE doc_id IN "
                    f"(SELECT DISTINCT doc_id FROM chunks WHERE chunk_id IN ({marks}))",
                    part,
                )

    def delete_file(self) -> None:
        """Remove the SQLite file and its WAL (used by reset; works on a damaged file)."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.db_path) + suffix)
            p.unlink(missing_ok=True)
