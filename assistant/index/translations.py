"""Cached translations of evidence sentences, searchable in their own language.

One SQLite file per index folder (``translations.sqlite3``, write-ahead log):

- ``translations``: one row per (source sentence, target language, model, prompt
  version): the translation, whether the verifier accepted it (rejected attempts are
  kept too, so they are not retried on every question), its reasons, its e5 vector;
- ``owners``: which evidence units (document, start, end) carry that sentence, so a
  translation points to the exact source span and goes away with its document;
- ``translations_fts``: FTS5 with the Porter stemmer over the accepted translations, so
  an English question's words ("joined the Party") meet the English of a Vietnamese
  sentence ("admitted ... new Party members").

Keys are the SHA-256 of the NFC source sentence, so an unchanged sentence in an edited
document keeps its translation, and only new sentences need translating.

>>> store = TranslationStore(Path(tmp))                             # doctest: +SKIP
>>> store.link("003_x", [(0, 25, "Kết nạp 20.777 đảng viên.")])      # doctest: +SKIP
>>> store.put(Stored("Kết nạp 20.777 đảng viên.", "Admitted 20,777 members.",
...                  True, "en", model, prompt))                      # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexCorruptError
from assistant.vietnamese import nfc

PROMPT_FILES = ("translate_system.txt", "translate_user.txt", "translate_retry.txt")

_STATEMENTS = [
    """CREATE TABLE IF NOT EXISTS translations (
        sha TEXT NOT NULL, target TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL,
        source TEXT NOT NULL, text TEXT NOT NULL, verified INTEGER NOT NULL,
        reasons TEXT NOT NULL DEFAULT '', similarity REAL, vec BLOB,
        PRIMARY KEY (sha, target, model, prompt))""",
    """CREATE TABLE IF NOT EXISTS owners (
        doc_id TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, sha TEXT NOT NULL,
        PRIMARY KEY (doc_id, start, end))""",
    "CREATE INDEX IF NOT EXISTS owners_sha ON owners(sha)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS translations_fts USING fts5(
        text, tokenize = "porter unicode61 remove_diacritics 2")""",
]


def translation_identity(settings: Settings) -> tuple[str, str]:
    """``(model, prompt version)`` that cached translations are keyed by: the translation
    backend and model, and a hash of the translation prompts (editing a prompt makes
    earlier translations stale)."""
    t, llm = settings.translation, settings.llm
    if t.backend == "ollama":
        model = f"ollama:{t.ollama_model or llm.ollama_model}"
    elif t.backend == "openai":
        model = f"openai:{t.openai_model or llm.openai_model}"
    else:
        model = f"llamacpp:{t.model_path.name if t.model_path else t.model}"
    h = hashlib.sha256()
    for name in PROMPT_FILES:
        path = Path(settings.prompts_path) / name
        h.update(path.read_bytes() if path.exists() else b"")
    return model, h.hexdigest()[:12]


def sentence_key(text: str) -> str:
    """The cache key of a source sentence: SHA-256 of its whitespace-collapsed NFC form."""
    return hashlib.sha256(" ".join(nfc(text).split()).encode("utf-8")).hexdigest()


@dataclass
class Stored:
    """One translation attempt as cached."""

    source: str
    text: str
    verified: bool
    target: str
    model: str
    prompt: str
    reasons: list[str] = field(default_factory=list)
    similarity: float | None = None
    vec: np.ndarray | None = None


class TranslationStore:
    """The translation cache of one index folder. Thread-safe (one connection, locked)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / "translations.sqlite3"
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None

    @contextlib.contextmanager
    def _sql(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._db is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=60)
                try:
                    db.execute("PRAGMA busy_timeout=60000")
                    db.execute("PRAGMA journal_mode=WAL")
                    for statement in _STATEMENTS:
                        db.execute(statement)
                    db.commit()
                except sqlite3.DatabaseError as exc:
                    db.close()
                    raise self._damaged(exc) from exc
                self._db = db
            try:
                if write:
                    with self._db:
                        yield self._db
                else:
                    yield self._db
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from exc

    def _damaged(self, exc: sqlite3.DatabaseError) -> IndexCorruptError:
        return IndexCorruptError(
            f"The translation cache {self.path} is damaged ({exc}): delete it and run "
            "`assistant translate` to rebuild it."
        )

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- reading --------------------------------------------------------------------
    def get_many(self, texts: Iterable[str], target: str, model: str, prompt: str
                 ) -> dict[str, Stored]:
        """Cached attempts for these source sentences (keyed by the given text)."""
        keys = {sentence_key(t): t for t in texts}
        out: dict[str, Stored] = {}
        items = list(keys)
        with self._sql() as db:
            for i in range(0, len(items), 400):
                part = items[i:i + 400]
                marks = ",".join("?" * len(part))
                rows = db.execute(
                    f"SELECT sha, source, text, verified, reasons, similarity, vec "
                    f"FROM translations WHERE target = ? AND model = ? AND prompt = ? "
                    f"AND sha IN ({marks})", [target, model, prompt, *part]).fetchall()
                for sha, source, text, verified, reasons, sim, vec in rows:
                    out[keys[sha]] = Stored(
                        source, text, bool(verified), target, model, prompt,
                        [r for r in reasons.split("; ") if r], sim,
                        None if vec is None else np.frombuffer(vec, dtype=np.float32))
        return out

    def search(self, query: str, k: int, target: str, model: str, prompt: str
               ) -> list[tuple[str, int, int, float]]:
        """Evidence units whose accepted translation matches ``query`` (Porter-stemmed
        BM25): ``(doc_id, start, end, score)``, best first."""
        words = [w for w in "".join(c if c.isalnum() else " " for c in query).split()
                 if len(w) > 1]
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        with self._sql() as db:
            rows = db.execute(
                "SELECT o.doc_id, o.start, o.end, -bm25(translations_fts) AS s "
                "FROM translations_fts f JOIN translations t ON t.rowid = f.rowid "
                "JOIN owners o ON o.sha = t.sha "
                "WHERE translations_fts MATCH ? AND t.target = ? AND t.model = ? "
                "AND t.prompt = ? AND t.verified = 1 ORDER BY s DESC LIMIT ?",
                (match, target, model, prompt, k)).fetchall()
        return [(d, int(s), int(e), float(sc)) for d, s, e, sc in rows]

    def knows(self, word: str, target: str, model: str, prompt: str, *,
              as_name: bool = False) -> bool:
        """Whether some accepted translation contains ``word`` (Porter-stemmed); with
        ``as_name``, capitalized inside a sentence, as a name or title is ("the Provincial
        Party Committee"): a common word ("State laws") does not make "Land Law" a name
        the articles give."""
        if not word.isalnum():
            return False
        name = re.compile(r"(?<=\s)(?<![.!?:;]\s)" + re.escape(word[:1].upper() + word[1:]))
        with self._sql() as db:
            rows = db.execute(
                "SELECT t.text FROM translations_fts f JOIN translations t "
                "ON t.rowid = f.rowid WHERE translations_fts MATCH ? AND t.target = ? "
                "AND t.model = ? AND t.prompt = ? AND t.verified = 1",
                ('"' + word + '"', target, model, prompt))
            # read lazily: the first translation that will do ends the search
            return any(not as_name or name.search(text) for (text,) in rows)

    def unit_vectors(self, doc_id: str, target: str, model: str, prompt: str
                     ) -> dict[tuple[int, int], np.ndarray]:
        """The vectors of the accepted translations of a document's evidence units."""
        with self._sql() as db:
            rows = db.execute(
                "SELECT o.start, o.end, t.vec FROM owners o JOIN translations t "
                "ON t.sha = o.sha WHERE o.doc_id = ? AND t.target = ? AND t.model = ? "
                "AND t.prompt = ? AND t.verified = 1 AND t.vec IS NOT NULL",
                (doc_id, target, model, prompt)).fetchall()
        return {(int(s), int(e)): np.frombuffer(v, dtype=np.float32) for s, e, v in rows}

    def counts(self, target: str, model: str, prompt: str) -> dict[str, int]:
        """How many units are translated, rejected, or not tried yet."""
        with self._sql() as db:
            units = db.execute("SELECT COUNT(*) FROM owners").fetchone()[0]
            row = db.execute(
                "SELECT COALESCE(SUM(t.verified), 0), COUNT(t.sha) FROM owners o JOIN "
                "translations t ON t.sha = o.sha AND t.target = ? AND t.model = ? "
                "AND t.prompt = ?", (target, model, prompt)).fetchone()
        return {"units": int(units), "verified": int(row[0]), "rejected": int(row[1] - row[0]),
                "pending": int(units - row[1])}

    # --- writing --------------------------------------------------------------------
    def put(self, item: Stored) -> None:
        """Store one attempt (replacing an earlier one for the same key)."""
        sha = sentence_key(item.source)
        vec = None if item.vec is None else np.asarray(item.vec, dtype=np.float32).tobytes()
        with self._sql(write=True) as db:
            old = db.execute(
                "SELECT rowid FROM translations WHERE sha=? AND target=? AND model=? AND "
                "prompt=?", (sha, item.target, item.model, item.prompt)).fetchone()
            if old:
                db.execute("DELETE FROM translations_fts WHERE rowid = ?", old)
                db.execute("DELETE FROM translations WHERE rowid = ?", old)
            cur = db.execute(
                "INSERT INTO translations (sha, target, model, prompt, source, text, verified, "
                "reasons, similarity, vec) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (sha, item.target, item.model, item.prompt, nfc(item.source), item.text,
                 int(item.verified), "; ".join(item.reasons), item.similarity, vec))
            if item.verified:
                db.execute("INSERT INTO translations_fts (rowid, text) VALUES (?, ?)",
                           (cur.lastrowid, item.text))

    def link(self, doc_id: str, units: Iterable[tuple[int, int, str]]) -> None:
        """Record the evidence units of a document: ``(start, end, text)`` each
        (replaces the document's earlier units)."""
        rows = [(doc_id, s, e, sentence_key(t)) for s, e, t in units]
        with self._sql(write=True) as db:
            db.execute("DELETE FROM owners WHERE doc_id = ?", (doc_id,))
            db.executemany("INSERT OR REPLACE INTO owners VALUES (?,?,?,?)", rows)

    def own(self, doc_id: str, start: int, end: int, text: str) -> None:
        """Record one evidence unit (``text`` at ``start:end`` of a document)."""
        with self._sql(write=True) as db:
            db.execute("INSERT OR REPLACE INTO owners VALUES (?,?,?,?)",
                       (doc_id, start, end, sentence_key(text)))

    def forget(self, keep_docs: Iterable[str]) -> int:
        """Drop the units of documents not in ``keep_docs`` and the translations no unit
        carries any more; return how many translations were deleted."""
        keep = set(keep_docs)
        with self._sql(write=True) as db:
            docs = {r[0] for r in db.execute("SELECT DISTINCT doc_id FROM owners")}
            for doc in docs - keep:
                db.execute("DELETE FROM owners WHERE doc_id = ?", (doc,))
            gone = db.execute(
                "SELECT rowid FROM translations WHERE sha NOT IN (SELECT sha FROM owners)"
            ).fetchall()
            db.executemany("DELETE FROM translations_fts WHERE rowid = ?", gone)
            db.executemany("DELETE FROM translations WHERE rowid = ?", gone)
        return len(gone)

    def delete_file(self) -> None:
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)


@dataclass
class TranslationView:
    """The cache as one reader sees it: the configured model and prompt version only."""

    store: TranslationStore
    model: str
    prompt: str

    @classmethod
    def for_settings(cls, store: TranslationStore, settings: Settings) -> TranslationView:
        model, prompt = translation_identity(settings)
        return cls(store, model, prompt)

    def lookup(self, texts: Iterable[str], target: str) -> dict[str, Stored]:
        return self.store.get_many(texts, target, self.model, self.prompt)

    def search(self, query: str, k: int, target: str) -> list[tuple[str, int, int, float]]:
        return self.store.search(query, k, target, self.model, self.prompt)

    def vectors(self, doc_id: str, target: str) -> dict[tuple[int, int], np.ndarray]:
        return self.store.unit_vectors(doc_id, target, self.model, self.prompt)

    def knows(self, word: str, target: str = "en", *, as_name: bool = False) -> bool:
        return self.store.knows(word, target, self.model, self.prompt, as_name=as_name)
