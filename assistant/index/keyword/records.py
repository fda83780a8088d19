"""The rows of the keyword index as Python values: what is read back and what is written.

- :class:`DocRecord`: one ``documents`` row (text, metadata, page starts of a PDF);
- :class:`ChunkRecord`: one ``chunks`` row;
- :class:`PreparedDoc`: one document ready to write (chunks, evidence units, vectors).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from assistant.ingest.chunking import Chunk
from assistant.ingest.documents import Document, page_at
from assistant.vietnamese import Span

DOC_COLUMNS = "doc_id, path, title, publisher, date, author, text, n_chunks, pages"


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
    # (page number, start offset) pairs of a PDF; stored as JSON text (NULL: not paged).
    pages: list[tuple[int, int]] | str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.pages, str):
            self.pages = [(int(n), int(s)) for n, s in json.loads(self.pages)]

    def page_at(self, offset: int) -> int | None:
        """The page holding ``text[offset]`` (PDFs), else None."""
        return page_at(self.pages, offset) if isinstance(self.pages, list) else None


def pages_json(doc: Document) -> str | None:
    """How a document's page starts are stored (None when it has no pages)."""
    return json.dumps(doc.pages) if doc.pages else None


@dataclass
class PreparedDoc:
    """One document ready to write: its chunks and evidence units with their vectors."""

    doc: Document
    signature: str
    chunks: list[Chunk]
    units: list[Span]
    chunk_vectors: list[list[float]]
    unit_vectors: list[list[float]]
    stale_ids: list[str] = field(default_factory=list)


@dataclass
class ChunkRecord:
    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
