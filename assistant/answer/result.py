"""Evidence -> answer with citations.

The answer types (:class:`Answer`, :class:`Citation`, :class:`Part`) and the
``extractive`` backend: the selected evidence sentences, in reading order, each with a
``[n]`` marker pointing to a :class:`Citation` (doc id, title, date, the quoted sentence
and its offsets). LLM backends (``generation.py``) reuse the same evidence, markers and
citations.

An answer is a list of :class:`Part` lines, and its text is exactly those lines joined
(:func:`compose`). Each part says where it comes from (``kind``) and its language, so
the evaluation can measure what the reader gets: sentences the model wrote, evidence in
the reader's language, or evidence quoted in another language (a fallback).

Refusal is one sentence in the question's language, with no citations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from assistant.retrieve.evidence import Evidence
from assistant.retrieve.hybrid import Passage
from assistant.vietnamese import detect_language, split_sentences

REFUSAL = {
    "vi": "Tài liệu không đề cập đến nội dung này.",
    "en": "The documents do not say.",
}
EXTRACTIVE_INTRO = {
    "vi": "Theo tài liệu:",
    "en": "The documents say:",
}
# ... when some evidence could not be translated and is quoted in its own language.
QUOTED_INTRO = {
    "vi": "Theo tài liệu (câu chưa dịch được trích nguyên văn):",
    "en": "The documents say (sentences not translated are quoted in Vietnamese):",
}
NOT_TRANSLATED = {"vi": "(chưa dịch)", "en": "(not translated)"}

# Heads the evidence an LLM answer did not use, quoted after it (generation.py).
MORE_EVIDENCE_INTRO = {
    "vi": "Tài liệu còn ghi:",
    "en": "The documents also say:",
}


PartKind = Literal["model", "translation", "evidence", "quote", "lead", "refusal"]
# Parts in the reader's language that carry the answer (leads and refusals carry none).
NATIVE_KINDS = frozenset({"model", "translation", "evidence"})


@dataclass
class Part:
    """One line of an answer, as shown.

    ``kind``: ``model`` (written by the LLM, kept by the grounding check),
    ``translation`` (a verified translation of an evidence sentence), ``evidence`` (an
    evidence sentence in the reader's language), ``quote`` (an evidence sentence in
    another language, shown untranslated), ``lead`` (a lead-in line such as "The
    documents say:") or ``refusal``. ``language`` is the language of the line's text.
    """

    kind: PartKind
    text: str
    language: str
    markers: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "language": self.language,
                "markers": list(self.markers)}


def compose(parts: Sequence[Part]) -> str:
    """The answer text: the parts' lines, in order."""
    return "\n".join(p.text for p in parts)


@dataclass
class Citation:
    marker: int
    doc_id: str
    title: str
    date: str
    quote: str
    start: int
    end: int
    supported: bool = True
    publisher: str = ""
    chunk_id: str = ""
    page: int | None = None  # the PDF page the quote starts on (None: not a PDF)
    # The quote in the reader's language, when the source is in another one; the quote
    # itself always stays the exact source span.
    translation: str | None = None
    translation_verified: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation]
    passages: list[Passage]
    refused: bool
    language: str
    backend: str
    timings: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    notes: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    # The LLM's output was unusable and the evidence is shown instead.
    fallback: bool = False
    # Model sentences the grounding check removed.
    removed_sentences: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The ``assistant ask --json`` shape."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "language": self.language,
            "backend": self.backend,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "standalone_question": self.standalone_question,
            "notes": self.notes,
            "parts": [p.to_dict() for p in self.parts],
            "fallback": self.fallback,
            "removed_sentences": self.removed_sentences,
        }


def citation_for(e: Evidence, supported: bool = True) -> Citation:
    return Citation(
        marker=e.marker, doc_id=e.doc_id, title=e.title, date=e.date, quote=e.text,
        start=e.start, end=e.end, supported=supported, publisher=e.publisher,
        chunk_id=e.chunk_id, page=e.page, translation=e.translation or None,
        translation_verified=e.translation_verified,
    )


def refusal_text(language: str) -> str:
    return REFUSAL.get(language, REFUSAL["en"])


def refusal_parts(language: str) -> list[Part]:
    return [Part("refusal", refusal_text(language), language)]


def evidence_line(e: Evidence, language: str) -> Part:
    """One evidence sentence as an answer line with its marker: as written when it is in
    the reader's language, its verified translation when it has one, else quoted
    (“...”) and labelled as not translated."""
    text = " ".join(e.text.split())
    source = detect_language(text)
    if source == language:
        return Part("evidence", f"- {text} [{e.marker}]", source, (e.marker,))
    if e.translation and e.translation_verified:
        # every sentence of a translation carries the marker (each is a claim)
        spans = [s.text.rstrip() for s in split_sentences(e.translation)] or [e.translation]
        marked = " ".join(f"{s} [{e.marker}]" for s in spans)
        return Part("translation", f"- {marked}", language, (e.marker,))
    label = NOT_TRANSLATED.get(language, NOT_TRANSLATED["en"])
    return Part("quote", f"- “{text}” {label} [{e.marker}]", source, (e.marker,))


def lead_line(lines: Sequence[Part], language: str, intro: dict[str, str]) -> Part:
    """The lead-in for evidence lines: ``intro``, or the quoted variant when a line is
    an untranslated quote."""
    quoted = any(p.kind == "quote" for p in lines)
    table = QUOTED_INTRO if quoted and intro is EXTRACTIVE_INTRO else intro
    return Part("lead", table.get(language, table["en"]), language)


def extractive_parts(evidence: Sequence[Evidence], language: str) -> list[Part]:
    """The evidence sentences as an answer: a lead-in line, then one line each."""
    lines = [evidence_line(e, language) for e in evidence]
    return [lead_line(lines, language, EXTRACTIVE_INTRO), *lines]


def extractive_text(evidence: Sequence[Evidence], language: str) -> str:
    """The evidence sentences as an answer: one line each, with its marker."""
    return compose(extractive_parts(evidence, language))
