"""Chunks -> index: Chroma (dense) + SQLite FTS5 (keyword), kept in agreement.

Layout under ``settings.index_path`` (default ``vectorstore/``)::

    chroma/            Chroma PersistentClient data (unless a Chroma server is configured)
    keyword.sqlite3    documents, chunks, FTS5 keyword index, evidence-sentence vectors
    .ingest.lock       flock()ed while an ingest or reset runs (released by the kernel
                       when the process dies, so a killed ingest never leaves it stuck)

Ingest is idempotent and incremental, keyed by a signature (content hash + chunking
settings): unchanged files write nothing, a changed file replaces its chunks, a removed
file's chunks are deleted. Per document the order is: embed, upsert its vectors into
Chroma (ids are stable, so a redo overwrites instead of duplicating), delete its stale
vectors, then ONE SQLite transaction that swaps its rows and writes the signature that
marks it done. A crash (even SIGKILL) at any point leaves the document "not done"; the
next ingest first runs :meth:`Index.reconcile` (deletes Chroma vectors SQLite does not
know, marks documents whose vectors are missing as not done), then redoes it.

Readers never take the lock and never write; they see the last committed state of
each document. The Chroma collection name carries the embedding model id, and the
SQLite ``meta`` table records it, so an index built with another model is refused with
a message instead of being mixed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.errors import (
    AssistantError,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    InputError,
)
from assistant.index.chroma import (
    collection_name,
    drop_collections,
    open_chroma_client,
    server_down,
)
from assistant.index.embeddings import model_id
from assistant.index.hooks import pause_here, pause_point
from assistant.index.keyword.store import (
    ChunkRecord,
    DocRecord,
    KeywordIndex,
    PreparedDoc,
    read_meta,
)
from assistant.index.report import IngestReport
from assistant.index.translations import TranslationStore
from assistant.ingest.chunking import chunk_document, evidence_units
from assistant.ingest.documents import SUPPORTED_SUFFIXES, Document, load_documents

__all__ = [
    "ChunkRecord",
    "DocRecord",
    "Index",
    "IngestReport",
    "ProgressFn",
    "collection_name",
    "evidence_units",
    "open_chroma_client",
]

ProgressFn = Callable[[str, int, int], None]
# Part of every document's signature: bump it when chunk contents change for the same
# file and settings (so every document is re-chunked); table layout changes are
# upgrades in place (keyword_schema.py) and need no bump.
SIGNATURE_VERSION = "1"


# Changing how chunk text is embedded changes this, so indexes re-embed on next ingest.
CHUNK_EMBED_FORMAT = "title+text"


def chunk_embedding_text(doc: Document, text: str) -> str:
    """What the dense index embeds for a chunk: the article title, then the chunk."""
    return f"{doc.title}\n{text}" if doc.title else text


class Index(KeywordIndex):
    """The dense + keyword index of one folder. Thread-safe for readers and one writer.

    The SQLite half (documents, chunks, BM25 search, sentence vectors) is inherited from
    :class:`KeywordIndex`; this class adds the Chroma half and the ingest.
    """

    batch_chunks = 256

    def __init__(self, settings: Settings, embeddings: Embeddings, client: Any = None) -> None:
        super().__init__(Path(settings.index_path), model_id(embeddings))
        self.settings = settings
        self.embeddings = embeddings
        self._client = client
        self._store: Any = None
        self.translations = TranslationStore(self.path)  # cached, deleted with documents

    def close(self) -> None:
        super().close()
        self.translations.close()

    # --- opening ------------------------------------------------------------------
    def open_existing(self) -> Index:
        """Open for queries; raise when nothing was ingested or the vectors are gone."""
        if not self.exists():
            raise IndexMissingError(
                f"No index at {self.path}/ yet: run `assistant ingest` first."
            )
        n_chunks = self.stats()["chunks"]
        if n_chunks and self._vector_count() == 0:
            where = (
                f"The Chroma server at {self.settings.chroma.host}:{self.settings.chroma.port}"
                if self.settings.chroma.host
                else f"The vector store {self.path / 'chroma'}"
            )
            raise IndexCorruptError(
                f"{where} holds no vectors for this index while the keyword index holds "
                f"{n_chunks} chunks: run `assistant ingest` to rebuild them."
            )
        return self

    @property
    def store(self) -> Any:
        """The LangChain ``Chroma`` vector store (cosine space, set at creation)."""
        with self._lock:
            if self._store is None:
                from langchain_chroma import Chroma

                if self._client is None:
                    self._client = open_chroma_client(self.settings)
                try:
                    self._store = Chroma(
                        client=self._client,
                        collection_name=collection_name(self.embed_model),
                        embedding_function=self.embeddings,
                        collection_metadata={"hnsw:space": "cosine"},
                    )
                except Exception as exc:
                    raise self._chroma_error(exc) from exc
            return self._store

    def _chroma_error(self, exc: Exception) -> AssistantError:
        if isinstance(exc, AssistantError):
            return exc
        if self.settings.chroma.host:
            return server_down(self.settings)
        return IndexCorruptError(
            f"The vector store at {self.path / 'chroma'} failed ({type(exc).__name__}: "
            f"{exc}): run `assistant ingest --reset` to rebuild it."
        )

    @contextlib.contextmanager
    def _chroma(self) -> Iterator[Any]:
        """The Chroma collection, with its failures turned into one clear sentence."""
        try:
            yield self.store._collection
        except AssistantError:
            raise
        except Exception as exc:
            raise self._chroma_error(exc) from exc

    def _vector_count(self) -> int:
        with self._chroma() as col:
            return int(col.count())

    # --- reading ------------------------------------------------------------------
    def dense_search(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """Cosine similarity search in Chroma; returns (chunk_id, similarity) best first."""
        with self._chroma() as col:
            got = col.query(query_embeddings=[vector], n_results=k, include=["distances"])
        ids, dists = got["ids"][0], (got["distances"] or [[]])[0]
        return [(str(i), 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def _chroma_ids(self, doc_id: str | None = None) -> set[str]:
        with self._chroma() as col:
            if doc_id is None:
                got = col.get(include=[])
            else:
                got = col.get(where={"doc_id": doc_id}, include=[])
        return set(got["ids"])

    def describe(self) -> str:
        s = self.stats()
        return json.dumps({**s, "embed_model": self.embed_model, "path": str(self.path)})

    # --- writing ------------------------------------------------------------------
    @contextlib.contextmanager
    def ingest_lock(self) -> Iterator[None]:
        """Exclusive lock of this index folder; :class:`IndexBusyError` if already held."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path / ".ingest.lock", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                raise IndexBusyError(
                    f"Another ingest (process {holder}) is running on {self.path}/: "
                    "wait for it to finish, then try again."
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def signature(self, doc: Document) -> str:
        c = self.settings.chunking
        raw = (
            f"{doc.content_hash}|{c.size_tokens}|{c.overlap_tokens}|{SIGNATURE_VERSION}"
            f"|{CHUNK_EMBED_FORMAT}"
        )
        return hashlib.sha256(raw.encode()).hexdigest()

    def reconcile(self) -> tuple[int, int]:
        """Make Chroma and SQLite agree after a crash; return how many orphan vectors were
        deleted and how many chunks had no vector (their documents are marked not done)."""
        chroma_ids = self._chroma_ids()
        sql_ids = self.chunk_ids()
        orphans = sorted(chroma_ids - sql_ids)
        with self._chroma() as col:
            for i in range(0, len(orphans), 1000):
                col.delete(ids=orphans[i : i + 1000])
        missing = sql_ids - chroma_ids
        if missing:
            self.mark_dirty(missing)
        return len(orphans), len(missing)

    def remove_document(self, doc_id: str) -> int:
        """Delete one document's chunks from both indexes; return the chunk count."""
        ids = sorted(self._chroma_ids(doc_id))
        with self._chroma() as col:
            if ids:
                col.delete(ids=ids)
        n = max(len(ids), self.delete_document(doc_id))
        self.translations.forget(self.signatures())
        return n

    def prepare(self, doc: Document, old_ids: set[str]) -> PreparedDoc:
        """Chunk and embed one document (chunks and evidence units in one embedder call)."""
        c = self.settings.chunking
        chunks = chunk_document(doc, c.size_tokens, c.overlap_tokens)
        units = evidence_units(doc.text)
        # Chunks are embedded with their article title (context for the dense side);
        # evidence units are embedded alone so they can be quoted and scored as written.
        texts = [chunk_embedding_text(doc, ch.text) for ch in chunks] + [u.text for u in units]
        vectors = self.embeddings.embed_documents(texts) if texts else []
        new_ids = {ch.chunk_id for ch in chunks}
        return PreparedDoc(
            doc, self.signature(doc), chunks, units, vectors[: len(chunks)],
            vectors[len(chunks) :], sorted(old_ids - new_ids),
        )

    def write(self, batch: list[PreparedDoc]) -> None:
        """Write prepared documents: vectors into Chroma (upsert by stable id), stale
        vectors out, then all SQLite rows in one transaction (the commit point).

        Chroma stores ids, vectors, ``doc_id`` and offsets only: texts and titles live in
        SQLite (one copy; Chroma's own full-text index of documents tripled write time).
        """
        chunks = [(it.doc.doc_id, ch, v) for it in batch
                  for ch, v in zip(it.chunks, it.chunk_vectors, strict=True)]
        stale = [i for it in batch for i in it.stale_ids]
        with self._chroma() as col:
            step = 4096  # below Chroma's max batch size
            for i in range(0, len(chunks), step):
                part = chunks[i : i + step]
                col.upsert(
                    ids=[ch.chunk_id for _, ch, _ in part],
                    embeddings=[v for _, _, v in part],
                    metadatas=[{"doc_id": d, "start": ch.start, "end": ch.end}
                               for d, ch, _ in part],
                )
            for i in range(0, len(stale), step):
                col.delete(ids=stale[i : i + step])
        self.replace_documents(batch)
        for it in batch:  # the units a translation can belong to (translations.py)
            text = it.doc.text
            self.translations.link(it.doc.doc_id, [(u.start, u.end, text[u.start:u.end])
                                                   for u in it.units])

    def write_document(self, doc: Document) -> tuple[int, int]:
        """(Re)index one document now; return (chunks written, stale chunks deleted)."""
        item = self.prepare(doc, self.chunk_ids(doc.doc_id))
        self.write([item])
        return len(item.chunks), len(item.stale_ids)

    def ingest(
        self,
        root: str | Path,
        *,
        prune: bool = True,
        progress: ProgressFn | None = None,
    ) -> IngestReport:
        """Bring the index in line with the files under ``root`` (folder or one file).

        With ``prune`` (the default for a folder), documents that were indexed from a file
        under ``root`` and whose file is gone are removed; documents indexed from elsewhere
        (uploads, another folder) are left alone.
        A folder without any readable article is refused (nothing is removed): that is
        almost always a wrong path, not a wish to empty the index. Documents are written
        in batches of about :attr:`batch_chunks` chunks (one Chroma call, one transaction).
        """
        root = Path(root)
        if not root.exists():
            raise IndexMissingError(f"Cannot read {root}: no such file or folder.")
        with self.ingest_lock():
            loaded = load_documents(root)
            if not loaded.documents:
                raise InputError(
                    f"No readable article file ({', '.join(SUPPORTED_SUFFIXES)}) under {root}"
                    f" ({len(loaded.skipped)} skipped): nothing was changed."
                )
            orphans, missing = self.reconcile()
            report = IngestReport(skipped=loaded.skipped, orphans=orphans, missing=missing)
            known = self.signatures()
            todo = [d for d in loaded.documents if known.get(d.doc_id) != self.signature(d)]
            report.unchanged = [d.doc_id for d in loaded.documents if d not in todo]
            batch: list[PreparedDoc] = []
            stop_at = pause_point()  # a test hook (index/hooks.py); None normally
            for i, doc in enumerate(todo):
                if i == stop_at:
                    pause_here(self.path)
                if progress:
                    progress(doc.doc_id, i, len(todo))
                old = self.chunk_ids(doc.doc_id) if doc.doc_id in known else set()
                item = self.prepare(doc, old)
                batch.append(item)
                (report.updated if doc.doc_id in known else report.added).append(doc.doc_id)
                report.chunks_written += len(item.chunks)
                report.chunks_deleted += len(item.stale_ids)
                if sum(len(it.chunks) for it in batch) >= self.batch_chunks:
                    self.write(batch)
                    batch = []
            if batch:
                self.write(batch)
            if progress:
                progress("done", len(todo), len(todo))
            if prune and root.is_dir():
                # unreadable files keep their chunks; a link that now points out of the
                # folder, loops or dangles is gone like a deleted file
                present = {d.doc_id for d in loaded.documents} | loaded.unreadable
                for doc_id in sorted(set(known) - present):
                    if not self._stored_under(doc_id, root, loaded.outside.get(doc_id)):
                        continue  # indexed from elsewhere (e.g. an upload): not ours to prune
                    report.chunks_deleted += self.remove_document(doc_id)
                    report.removed.append(doc_id)
        return report

    def _stored_under(self, doc_id: str, root: Path, link_target: str | None = None) -> bool:
        """Whether the file a document was indexed from lives under ``root``: its folder
        is resolved, the entry itself is not (a symbolic link in ``root`` that now points
        elsewhere is still ``root``'s). ``link_target``: where a link of that name in
        ``root`` points out to (older indexes recorded the target, not the link)."""
        rec = self.document(doc_id)
        if rec is None or not rec.path:
            return True
        entry = Path(rec.path)
        return entry.parent.resolve().is_relative_to(root.resolve()) or rec.path == link_target

    def reset(self) -> None:
        """Delete both indexes (``assistant ingest --reset``); works on a damaged index.

        SQLite goes first (with it, the record of what was done), then the vectors: the
        collections of this model and of the model recorded in the old index; a local
        Chroma folder that cannot be opened is removed whole.
        """
        with self.ingest_lock():
            old_model = read_meta(self.db_path).get("embed_model")
            self.delete_file()
            self.translations.delete_file()
            names = {collection_name(self.embed_model)}
            if old_model:
                names.add(collection_name(old_model))
            self._store = None
            self._client = drop_collections(self.settings, self._client, sorted(names))
