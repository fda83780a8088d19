"""Evidence -> answer with citations.

The answer types (:class:`Answer`, :class:`Citation`) and the ``extractive`` backend:
the selected evidence sentences, in reading order, each with a ``[n]`` marker pointing to
a :class:`Citation` (doc id, title, date, the quoted sentence and its offsets). LLM
backends (``generation.py``) reuse the same evidence, markers and citations.

Refusal is one sentence in the question's language, with no citations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.retrieve.evidence import Evidence
from assistant.retrieve.hybrid import Passage

REFUSAL = {
    "vi": "Tài liệu không đề cập đến nội dung này.",
    "en": "The documents do not say.",
}
EXTRACTIVE_INTRO = {
    "vi": "Theo tài liệu:",
    "en": "The documents say (quoted in Vietnamese):",
}

# Heads the evidence an LLM answer did not use, quoted after it (generation.py).
MORE_EVIDENCE_INTRO = {
    "vi": "Tài liệu còn ghi:",
    "en": "The documents also say (quoted in Vietnamese):",
}


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
        }


def citation_for(e: Evidence, supported: bool = True) -> Citation:
    return Citation(
        marker=e.marker, doc_id=e.doc_id, title=e.title, date=e.date, quote=e.text,
        start=e.start, end=e.end, supported=supported, publisher=e.publisher,
        chunk_id=e.chunk_id,
    )


def refusal_text(language: str) -> str:
    return REFUSAL.get(language, REFUSAL["en"])


def extractive_text(evidence: list[Evidence], language: str) -> str:
    """The evidence sentences as an answer: one line each, with its marker."""
    lines = [EXTRACTIVE_INTRO.get(language, EXTRACTIVE_INTRO["en"])]
    for e in evidence:
        quote = e.text.strip()
        lines.append(f"- “{quote}” [{e.marker}]" if language == "en" else f"- {quote} [{e.marker}]")
    return "\n".join(lines)
