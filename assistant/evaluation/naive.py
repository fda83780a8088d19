"""The naive baseline for ``assistant eval --pipeline naive``: a plain LangChain RAG.

What differs from ours, and only that: chunking and retrieval.

- chunks: ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` over
  characters (LangChain's tutorial defaults), not token-aware sentence chunks;
- retrieval: dense-only similarity search in a Chroma collection (``langchain-chroma``,
  cosine space), no keyword index and no fusion.

What is deliberately the same, so the comparison measures the retrieval pipeline and
nothing else: the documents' cleaned text (``documents.py`` strips the web boilerplate for
both), the embedding model (multilingual e5 with its ``query:``/``passage:`` roles, same
cache), and everything after retrieval: evidence selection, the refusal thresholds, the
extractive or LLM answerer and the citation checker of :class:`~assistant.api.Assistant`.
The evidence selector reads sentence vectors from the main index; it only ever quotes
sentences that lie wholly inside a retrieved naive chunk.

>>> bot = Assistant.from_settings(settings)                  # doctest: +SKIP
>>> bot.retriever = build_naive_retriever(bot, Path(tmp))     # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import RetrievalSettings
from assistant.index.store import Index, open_chroma_client
from assistant.retrieve.hybrid import Passage, Retriever

if TYPE_CHECKING:
    from assistant.api import Assistant

CHUNK_CHARS = 1000
OVERLAP_CHARS = 200


class NaiveRetriever(Retriever):
    """Dense-only top-k search over character chunks in their own Chroma collection."""

    def __init__(self, index: Index, settings: RetrievalSettings, store: Any) -> None:
        super().__init__(index, settings)
        self.store = store

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: str | None = None,
        vector: list[float] | None = None,
    ) -> list[Passage]:
        """Top-``k`` chunks by cosine similarity (``mode`` is ignored: dense only;
        ``vector`` is the query embedding when the caller already has it)."""
        k = k or self.settings.top_k
        if vector is None:
            vector = self.index.embeddings.embed_query(query)
        # Chroma returns cosine distances here (the collection's space), like index.py.
        hits = self.store.similarity_search_by_vector_with_relevance_scores(vector, k=k)
        out: list[Passage] = []
        for rank, (doc, distance) in enumerate(hits, start=1):
            meta = doc.metadata
            out.append(
                Passage(
                    chunk_id=str(doc.id),
                    doc_id=str(meta["doc_id"]),
                    text=doc.page_content,
                    start=int(meta["start"]),
                    end=int(meta["end"]),
                    score=1.0 - float(distance),
                    title=str(meta.get("title", "")),
                    date=str(meta.get("date", "")),
                    publisher=str(meta.get("publisher", "")),
                    dense=1.0 - float(distance),
                    rank=rank,
                )
            )
        return out


def build_naive_retriever(bot: Assistant, workdir: Path) -> NaiveRetriever:
    """Split the indexed documents with LangChain's splitter and embed them into a fresh
    Chroma collection under ``workdir`` (a local folder even when a Chroma server is
    configured, so the baseline never touches shared data)."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_CHARS, chunk_overlap=OVERLAP_CHARS, add_start_index=True
    )
    chunks: list[LCDocument] = []
    for rec in bot.index.documents():
        source = LCDocument(
            page_content=rec.text,
            metadata={"doc_id": rec.doc_id, "title": rec.title or "", "date": rec.date or "",
                      "publisher": rec.publisher or ""},
        )
        for piece in splitter.split_documents([source]):
            start = int(piece.metadata.pop("start_index"))
            if rec.text[start : start + len(piece.page_content)] != piece.page_content:
                start = rec.text.find(piece.page_content)
            piece.metadata.update(start=start, end=start + len(piece.page_content))
            piece.id = hashlib.sha1(
                f"{rec.doc_id}:{start}:{piece.page_content}".encode()
            ).hexdigest()[:20]
            chunks.append(piece)
    local = bot.settings.model_copy(
        update={"index_path": Path(workdir), "chroma": bot.settings.chroma.model_copy(
            update={"host": None})}
    )
    store = Chroma(
        client=open_chroma_client(local),
        collection_name="naive-" + hashlib.sha1(bot.index.embed_model.encode()).hexdigest()[:12],
        embedding_function=bot.index.embeddings,
        collection_metadata={"hnsw:space": "cosine"},
    )
    if chunks:
        step = 4096  # below Chroma's maximum batch size
        for i in range(0, len(chunks), step):
            part = chunks[i : i + step]
            store.add_documents(part, ids=[str(c.id) for c in part])
    return NaiveRetriever(bot.index, bot.settings.retrieval, store)
