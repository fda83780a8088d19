"""Answerability rules: can this evidence hold the answer to this question at all?

Sentence selection (``evidence.py``) scores sentences; these rules refuse where a high
score would mislead. Each is a general property of questions and evidence, never a
list of known questions:

- :func:`anchored`: the question's anchors (years, quarters, months, codes, names) must
  all occur in one document (a Gia Lai question is not answered from a Kon Tum article)
  unless the question asks about several things (:func:`is_multi_part`: "..., and which
  ...", "in both articles"), when each anchor may sit in its own document;
- :func:`can_answer`: the evidence can hold the kind of answer asked for: a count for
  "how many" (about the place asked for, not a cluster or national total), the exact
  title for "who is the <title>" (a Deputy Secretary is not the Secretary), and no other
  year, quarter or month than the one asked for in the sentences that answer;
- :func:`has_content`: a question with no word the corpus or the glossary knows and no
  anchor (emoji, "NEAR(x y)", a stray quote) asks nothing the corpus can answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from assistant.retrieve.glossary import concepts
from assistant.retrieve.hybrid import Passage
from assistant.retrieve.question import (
    anchors,
    contains_term,
    counted_noun,
    has_count,
    has_role,
    is_multi_document,
    role_asked,
    wants_count,
)
from assistant.vietnamese import content_tokens, detect_language, fold, match_normalize, nfc


class Sentence(Protocol):
    """What the rules read of an evidence sentence (``evidence.Evidence`` has it)."""

    doc_id: str
    text: str
    start: int
    end: int
    score: float
    title: str
    date: str
    publisher: str


S = TypeVar("S", bound=Sentence)

_MULTI_PART = re.compile(
    r"\b(?:and|va|con)\b[^?]{0,120}?\b(?:which|what|who|whom|when|where|how|nao|gi|ai"
    r"|bao nhieu)\b|\b(?:both|each|respectively|two articles|ca hai|moi bai|lan luot)\b"
)
_EN_ROLE = re.compile(
    r"\bwho (?:is|was|are|were|heads?|headed)\b.{0,24}?\b(?:the )?((?:permanent |standing )?"
    r"(?:deputy )?(?:party )?(?:secretary|head|chair(?:man|woman|person)?|director))\b"
)
_EN_ROLES = [
    (re.compile(r"(permanent|standing) deputy (party )?secretary"), "pho bi thu thuong truc"),
    (re.compile(r"deputy (party )?secretary"), "pho bi thu"),
    (re.compile(r"secretary"), "bi thu"),
    (re.compile(r"(permanent|standing) deputy head"), "pho truong ban thuong truc"),
    (re.compile(r"deputy head"), "pho truong ban"),
    (re.compile(r"head|director"), "truong ban"),
    (re.compile(r"chair"), "chu tich"),
]
# Words that make a count a total over several places, not one place's figure.
_AGGREGATE = re.compile(r"\b(cum|cac tinh|cac dia phuong|toan quoc|ca nuoc|toan nganh"
                        r"|\d+ tinh|tinh, thanh)\b")
_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})(?![\d])")
_QUARTER = re.compile(r"\bquy (i{1,3}|iv)\b")


def is_multi_part(question: str) -> bool:
    """Whether the question asks about several things (whose anchors may sit in
    different articles): "across the articles", "in both", "..., and which ...".

    >>> is_multi_part("Who chaired it, and which cluster does Kon Tum belong to?")
    True
    >>> is_multi_part("Who attended at the Gia Lai bridge point in Q3 2023?")
    False
    """
    return is_multi_document(question) or bool(_MULTI_PART.search(fold(nfc(question))))


def anchored(question: str, ranked: list[S], passages: Sequence[Passage],
             doc_texts: dict[str, str]) -> tuple[list[S], list[str]]:
    """Keep the candidates from documents that contain every anchor of the question.
    Returns the kept candidates and the anchors no single document holds (empty:
    answerable). Multi-part questions need each anchor somewhere in the results."""
    wanted = anchors(question)
    if not wanted:
        return ranked, []
    texts: dict[str, str] = {}
    for p in passages:
        if p.doc_id not in texts:
            body = doc_texts.get(p.doc_id) or p.text
            texts[p.doc_id] = match_normalize(f"{p.title} {body}")
    if is_multi_part(question):
        everything = " ".join(texts.values())
        return ranked, [a for a in wanted if not contains_term(everything, a)]
    lacking = {d: [a for a in wanted if not contains_term(t, a)] for d, t in texts.items()}
    complete = {d for d, miss in lacking.items() if not miss}
    if not complete:
        fewest = min(lacking.values(), key=len) if lacking else wanted
        return ranked, fewest
    kept = [e for e in ranked if e.doc_id in complete]
    return (kept or ranked), []


def english_role(question: str) -> str | None:
    """The title an English "who is the <title>" question asks about, as the folded
    Vietnamese title ("bi thu" for "Party Secretary"), or None.

    >>> english_role("Who was the Secretary of the Kon Tum Provincial Party Committee?")
    'bi thu'
    >>> english_role("Who chaired the conference?") is None
    True
    """
    m = _EN_ROLE.search(fold(nfc(question)))
    if not m:
        return None
    return next(vi for pattern, vi in _EN_ROLES if pattern.search(m.group(1)))


def _answering(question: str, chosen: Sequence[Sentence]) -> list[Sentence]:
    """The sentences that would carry the answer: those stating a count for "how many",
    else the two best-scored."""
    if wants_count(question):
        noun = counted_noun(question)
        return [e for e in chosen if has_count(e.text, noun)]
    return sorted(chosen, key=lambda e: -e.score)[:2]


def _times(text: str) -> tuple[set[str], set[str]]:
    f = match_normalize(text)
    return set(_YEAR.findall(f)), set(_QUARTER.findall(f))


def can_answer(question: str, chosen: Sequence[Sentence]) -> tuple[bool, str]:
    """Whether ``chosen`` can hold the kind of answer asked for; ``(False, reason)``
    when not."""
    answering = _answering(question, chosen)
    if wants_count(question) and not answering:
        return False, "no count of what is asked"
    role = role_asked(question) or english_role(question)
    if role is not None and not any(has_role(e.text, role) for e in chosen):
        return False, "not the title asked for"
    years, quarters = _times(" ".join(a for a in anchors(question)))
    if answering and (years or quarters):
        said = [_times(f"{e.text} {e.date}") for e in answering]
        if years and all(y and not (y & years) for y, _ in said):
            return False, "another year"
        if quarters and all(q and not (q & quarters) for _, q in said):
            return False, "another quarter"
    places = [a for a in anchors(question) if not a[:1].isdigit() and "/" not in a
              and not a.startswith(("quy ", "thang "))]
    if wants_count(question) and places and not any(
            _about(e, places, chosen) for e in answering):
        return False, "a figure for another scope"
    return True, ""


def _about(e: Sentence, places: Sequence[str], chosen: Sequence[Sentence]) -> bool:
    """A counting sentence is about one of ``places``: it names it; or it gives no total
    over several places and the sentence just before it (among ``chosen``) or its
    article's title names it ("Huyện Tháp Mười ... tinh giản biên chế" + "... đối với 03
    đồng chí")."""
    text = match_normalize(e.text)
    if any(contains_term(text, p) for p in places):
        return True
    if _AGGREGATE.search(text):
        return False
    before = [c for c in chosen if c.doc_id == e.doc_id and 0 <= e.start - c.end <= 2]
    context = " ".join([e.title, e.publisher, *(c.text for c in before)])
    return any(contains_term(match_normalize(context), p) for p in places)


def has_content(question: str, known: set[str]) -> bool:
    """Whether the question has something to look for: an anchor, a domain phrase of the
    glossary, or a content word in ``known`` (the corpus' words among the question's).

    >>> has_content("🙂🙂", set()), has_content("NEAR(x y) AND z*", set())
    (False, False)
    """
    if anchors(question) or (detect_language(question) == "en" and concepts(question)):
        return True
    return bool({t for t in content_tokens(question) if "_" not in t} & known)


def question_words(question: str) -> list[str]:
    """The question's content words to look up in the corpus vocabulary."""
    return sorted(t for t in content_tokens(question) if "_" not in t and not t.isdigit())
