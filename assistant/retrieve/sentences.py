"""The evidence types: one quotable sentence (:class:`Evidence`) and the outcome of
evidence selection (:class:`EvidenceResult`); and what the question rules read of a
sentence, from the least to the most (:class:`Quoted`, :class:`Translated`,
:class:`Sentence`; ``Evidence`` has all of it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Quoted(Protocol):
    """A sentence's text (the document codes it names: ``codes.py``)."""

    @property
    def text(self) -> str: ...


class Translated(Quoted, Protocol):
    """A sentence and its translation (the figures and places it names:
    ``near_miss.py``)."""

    @property
    def translation(self) -> str: ...


class Sentence(Translated, Protocol):
    """A sentence where it sits and how it scored (the answerability rules:
    ``rules.py``)."""

    @property
    def doc_id(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def title(self) -> str: ...
    @property
    def date(self) -> str: ...
    @property
    def publisher(self) -> str: ...


@dataclass
class Evidence:
    """One quotable sentence: ``doc_text[start:end] == text``."""

    doc_id: str
    start: int
    end: int
    text: str
    score: float
    dense: float
    lexical: float
    title: str = ""
    date: str = ""
    publisher: str = ""
    chunk_id: str = ""
    marker: int = 0
    # The sentence in the reader's language when it is written in another one: the
    # cached translation, and whether the verifier accepted it (answer/translate.py).
    translation: str = ""
    translation_verified: bool = False
    page: int | None = None  # the PDF page the sentence starts on


@dataclass
class EvidenceResult:
    evidence: list[Evidence]
    answerable: bool
    best_score: float
    missing_anchors: list[str]
    # For calibration: the best sentence's lead over off-topic text, and whether the
    # rules other than the score thresholds (anchors, counts, titles) let it through.
    contrast: float = 0.0
    rules_ok: bool = False
    reason: str = ""  # why it is refused (for notes and reports)
    # Sentences of the retrieved passages left out because they read as instructions.
    ignored: int = 0


def same_paragraph(a: Evidence, b: Evidence) -> bool:
    """Units are trimmed, so one separating character (a space or a single line break)
    means the same paragraph; a blank line leaves a wider gap."""
    return 0 <= b.start - a.end <= 1
