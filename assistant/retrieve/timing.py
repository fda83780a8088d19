"""When a sentence is about: the years and quarters it (or the start of its sentence or
paragraph) names, and the question's own years and quarters.

The answerability rules (``rules.py``) refuse when the sentences that answer are about
another year or quarter than the one asked; evidence selection (``evidence.py``) prefers
a sentence about the asked year to a slightly better-scored one about another
(:func:`dated_as_asked`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TypeVar

from assistant.retrieve.question import anchors
from assistant.retrieve.sentences import Sentence
from assistant.vietnamese import fold, match_normalize, nfc

S = TypeVar("S", bound=Sentence)

YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d])")
QUARTER = re.compile(r"\bquy (i{1,3}|iv)\b")
_QUARTER_YEAR = re.compile(r"\bquy (i{1,3}|iv)\s*(?:/|-|nam)\s*((?:19|20)\d{2})\b")
# A sentence about the asked year displaces a better one about another year from another
# article when it scores within this of the best (chosen on calib, dev, g and j).
YEAR_MARGIN = 0.05
WHICH_YEAR = re.compile(r"\b(nam nao|which year|what year|for which year|nam bao nhieu)\b")


# An article's opening: its header, title, date line and first sentence ("Chiều 28/9, Ban
# Tổ chức Trung ương tổ chức Hội nghị ..."): what the whole article is about.
OPENING_CHARS = 400


def opening(text: str) -> str:
    """The opening of an article's ``text`` (its first ``OPENING_CHARS`` characters)."""
    return text[:OPENING_CHARS]


def sentence_start(e: Sentence, doc_texts: dict[str, str] | None) -> str:
    """The text from the start of the sentence holding ``e`` (a clause) up to ``e``."""
    text = (doc_texts or {}).get(e.doc_id, "")
    if not text or text[e.start:e.end] != e.text:
        return ""
    begin = max(text.rfind(". ", 0, e.start) + 2, text.rfind("\n", 0, e.start) + 1, 0)
    return text[begin:e.start]


def paragraph_start(e: Sentence, doc_texts: dict[str, str] | None) -> str:
    """The text from the start of the paragraph holding ``e`` up to ``e``."""
    text = (doc_texts or {}).get(e.doc_id, "")
    if not text or text[e.start:e.end] != e.text:
        return ""
    return text[text.rfind("\n", 0, e.start) + 1:e.start]


def times(e: Sentence, context: str = "", asked: Collection[str] = ()
          ) -> tuple[set[str], set[str]]:
    """The years and quarters a sentence names, with the ``context`` before it. When it
    gives one of the ``asked`` quarters with its year ("Trong quý III/2023, ... Hội nghị
    ... năm 2022"), that year is the sentence's: the other year belongs to something
    else."""
    f = match_normalize(f"{context} {e.text}")
    years, quarters = set(YEAR.findall(f)), set(QUARTER.findall(f))
    paired = {y for q, y in _QUARTER_YEAR.findall(f) if q in asked}
    return paired or years, quarters


def own_times(e: Sentence, doc_texts: dict[str, str] | None,
              asked: Collection[str] = ()) -> tuple[set[str], set[str]]:
    """The years and quarters ``e`` is about: its own (with the start of its sentence),
    else its paragraph's ("Chiều 3/12 ... tháng 12 năm 2018. Đồng chí ... chủ trì hội
    nghị." is about 2018), else its article's opening's (:func:`opening`)."""
    years, quarters = times(e, context=sentence_start(e, doc_texts), asked=asked)
    if not years:
        years = times(e, context=paragraph_start(e, doc_texts))[0]
    if not years:
        years = set(YEAR.findall(match_normalize(opening((doc_texts or {}).get(e.doc_id, "")))))
    return years, quarters


def asked_times(question: str) -> tuple[set[str], set[str]]:
    """The years and quarters the question's anchors name; none for a question that asks
    for the year ("Năm nào ...?")."""
    if WHICH_YEAR.search(fold(nfc(question))):
        return set(), set()
    joined = match_normalize(" ".join(anchors(question)))
    return set(YEAR.findall(joined)), set(QUARTER.findall(joined))


def dated_as_asked(question: str, ranked: list[S], doc_texts: dict[str, str],
                   margin: float = YEAR_MARGIN) -> list[S]:
    """``ranked`` (best first) without the sentences about another year than the question
    asks from the articles that have no sentence about the asked year within ``margin``
    of the best, when the best sentence is about another year and another article has
    one: "What should be encouraged in 2022?" is answered from the January 2022
    conference's directions ("năm 2022 có ý nghĩa quan trọng, ... khuyến khích, bảo vệ cán
    bộ ..."), not from a 2023 briefing that also names 2022. Within one article the asked
    year may date its event ("What did they sign at their December 2023 meeting?" - "...
    ký kết giao ước thi đua năm 2024"): nothing is dropped from an article that has a
    close sentence about the asked year."""
    years, _ = asked_times(question)
    if not years or not ranked:
        return ranked
    dated: dict[int, set[str]] = {}  # worked out only when the best one is off-year

    def about(e: S) -> set[str]:
        if id(e) not in dated:
            dated[id(e)] = own_times(e, doc_texts)[0]
        return dated[id(e)]

    def other(e: S) -> bool:
        return bool(about(e)) and not about(e) & years

    if not other(ranked[0]):
        return ranked
    best = ranked[0].score
    asked_docs = {e.doc_id for e in ranked
                  if e.score >= best - margin and about(e) & years}
    if not asked_docs or ranked[0].doc_id in asked_docs:
        return ranked
    return [e for e in ranked if e.doc_id in asked_docs or not other(e)]
