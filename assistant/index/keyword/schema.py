"""The SQLite layout of the keyword index, its in-place upgrade, and row building.

Tables (schema 3):

- ``documents``, ``chunks``: the texts and metadata (chunk offsets into the document;
  ``documents.pages``: where each page of a PDF starts, JSON, added in place to older
  schema-3 files);
- ``chunks_fts``: FTS5 over Vietnamese-aware tokens; its rowid IS the ``chunks`` rowid,
  so a document's FTS rows are deleted by rowid (schema 1 matched on an unindexed
  column: a full scan per document, quadratic on big ingests);
- ``term_df``: document frequency of every token, kept in the same transactions, so the
  query side knows each term's rarity without scanning posting lists;
- ``sentences``: evidence-unit vectors; ``meta``: schema version, embedding model and
  the FTS row and token totals (BM25's average length, for re-scoring outside FTS5).

Opening an older file upgrades it in place, in one transaction, from the chunk texts
(no re-embedding).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from assistant.vietnamese import keyword_tokens

SCHEMA_VERSION = "3"

_STATEMENTS = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS documents (
        doc_id TEXT PRIMARY KEY, path TEXT, signature TEXT NOT NULL, title TEXT,
        publisher TEXT, date TEXT, author TEXT, text TEXT NOT NULL, n_chunks INTEGER,
        pages TEXT)""",
    """CREATE TABLE IF NOT EXISTS chunks (
        chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER, start INTEGER,
        end INTEGER, text TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
        chunk_id UNINDEXED, tokens,
        tokenize = "unicode61 remove_diacritics 0 tokenchars '_-/'")""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row')",
    """CREATE TABLE IF NOT EXISTS term_df (
        term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS sentences (
        doc_id TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, vec BLOB,
        PRIMARY KEY (doc_id, start, end))""",
]
TABLES = {"meta", "documents", "chunks", "chunks_fts", "chunks_vocab", "term_df", "sentences"}


def read_meta(db_path: Path) -> dict[str, str]:
    """The ``meta`` table of an index file, or ``{}`` when it is missing or unreadable."""
    if not db_path.exists():
        return {}
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return {}


def chunk_tokens(text: str, title: str, author: str) -> list[str]:
    """The keyword-index tokens of one chunk (its text plus the document's header)."""
    return keyword_tokens(f"{text} {title} {author}")


def ensure_schema(db: sqlite3.Connection, embed_model: str) -> None:
    """Create a new file's tables, or upgrade an older file in place (one transaction).

    Only writes when something is missing: opening a current file is read-only.
    """
    have = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    meta = dict(db.execute("SELECT key, value FROM meta")) if "meta" in have else {}
    if have >= TABLES and meta.get("schema") == SCHEMA_VERSION and _has_pages(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        have = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        meta = dict(db.execute("SELECT key, value FROM meta")) if "meta" in have else {}
        if meta and meta.get("schema") != SCHEMA_VERSION:
            _drop_keyword_tables(db)
        for statement in _STATEMENTS:
            db.execute(statement)
        if meta and meta.get("schema") != SCHEMA_VERSION:
            _rebuild_keyword_tables(db)
        if not _has_pages(db):
            db.execute("ALTER TABLE documents ADD COLUMN pages TEXT")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('embed_model', ?)", (embed_model,))
        db.execute("INSERT OR IGNORE INTO meta VALUES ('fts_rows', '0')")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('fts_tokens', '0')")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _has_pages(db: sqlite3.Connection) -> bool:
    return any(r[1] == "pages" for r in db.execute("PRAGMA table_info(documents)"))


def _drop_keyword_tables(db: sqlite3.Connection) -> None:
    for name in ("chunks_vocab", "chunks_fts", "term_df"):
        db.execute(f"DROP TABLE IF EXISTS {name}")
    db.execute("DELETE FROM meta WHERE key IN ('fts_rows', 'fts_tokens')")


def _rebuild_keyword_tables(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT c.rowid, c.chunk_id, c.text, COALESCE(d.title, ''), COALESCE(d.author, '') "
        "FROM chunks c LEFT JOIN documents d USING (doc_id)"
    ).fetchall()
    df: Counter[str] = Counter()
    fts = []
    n_tokens = 0
    for rowid, chunk_id, text, title, author in rows:
        tokens = chunk_tokens(text, title, author)
        df.update(set(tokens))
        n_tokens += len(tokens)
        fts.append((rowid, chunk_id, " ".join(tokens)))
    db.executemany("INSERT INTO chunks_fts (rowid, chunk_id, tokens) VALUES (?,?,?)", fts)
    db.executemany("INSERT INTO term_df (term, df) VALUES (?, ?)", df.items())
    db.execute("INSERT INTO meta VALUES ('fts_rows', ?)", (str(len(fts)),))
    db.execute("INSERT INTO meta VALUES ('fts_tokens', ?)", (str(n_tokens),))


def apply_df(db: sqlite3.Connection, delta: Counter[str], rows: int, tokens: int) -> None:
    """Add ``delta`` to ``term_df`` (negative counts for deleted chunks) and ``rows`` /
    ``tokens`` to the FTS totals."""
    for key, value in (("fts_rows", rows), ("fts_tokens", tokens)):
        db.execute(
            "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + ? AS TEXT) WHERE key = ?",
            (value, key),
        )
    changes = [(t, n) for t, n in delta.items() if n]
    db.executemany(
        "INSERT INTO term_df (term, df) VALUES (?, ?) "
        "ON CONFLICT (term) DO UPDATE SET df = df + excluded.df",
        changes,
    )
    db.executemany(
        "DELETE FROM term_df WHERE term = ? AND df <= 0", [(t,) for t, n in changes if n < 0]
    )


def doc_frequencies(tokens: Iterable[str]) -> tuple[Counter[str], int, int]:
    """For token strings (one per chunk): how many contain each token, how many strings,
    how many tokens in all."""
    df: Counter[str] = Counter()
    rows = total = 0
    for token_string in tokens:
        split = token_string.split()
        df.update(set(split))
        rows += 1
        total += len(split)
    return df, rows, total
