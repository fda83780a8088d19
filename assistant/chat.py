"""Multi-turn conversation: follow-up questions rewritten to stand alone.

``rewrite_question("Còn quý III thì sao?", [("Sáu nhiệm vụ trọng tâm quý I/2021 là gì?",
"...")], None)`` returns ``"Sáu nhiệm vụ trọng tâm quý III/2021 là gì?"``: retrieval then
searches for what the user means, not for the literal follow-up.

- :func:`deterministic_rewrite` (extractive backend, and the fallback): when the
  follow-up names a quarter or a year and the previous question has one, it is swapped
  in; an ordinal ("And the third one?", "Còn mục thứ ba?") asks for that item of the
  previous question; anything else is appended to the previous question.
- With an LLM (``generator.complete``), ``prompts/rewrite_followup.txt`` asks the model
  for a standalone question; its output is used only if it is one plausible line in the
  question's language that keeps the follow-up's quarter/year and invents no number.

Deliberately left out: coreference beyond the previous turn (the last question that
stood alone anchors the topic) and name substitution (too ambiguous without a model).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.vietnamese import ROMAN_NUMERALS, content_tokens, detect_language, fold, nfc

History = Sequence[tuple[str, str]]

_ORDINALS_EN = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "last": -1}
_ORDINALS_VI = {"nhat": 1, "hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7,
                "tam": 8, "chin": 9, "muoi": 10, "cuoi": -1}
_ORD_NAMES_EN = {v: k for k, v in _ORDINALS_EN.items()}
_ORD_NAMES_VI = {1: "thứ nhất", 2: "thứ hai", 3: "thứ ba", 4: "thứ tư", 5: "thứ năm",
                 6: "thứ sáu", 7: "thứ bảy", 8: "thứ tám", 9: "thứ chín", 10: "thứ mười",
                 -1: "cuối cùng"}
_FOLLOW_CUES = re.compile(
    r"^(and|what about|how about|and what about|also|then|so)\b|\b(it|its|that one|this one|"
    r"the same|those|them|they|one)\b|^(con|the con|vay|con ve)\b|\bthi sao\b|\bthe nao\b"
    r"|\b(do|ay|nay|no)\s*\??$"
)
_QUARTER_VI = re.compile(r"\bquý\s+(IV|III|II|I|[1-4])\b", re.IGNORECASE)
_QUARTER_EN = re.compile(r"\b(?:Q([1-4])|(first|second|third|fourth) quarter)\b", re.IGNORECASE)
_ROMAN = {n: roman for roman, n in ROMAN_NUMERALS.items() if n <= 4}
_FROM_ROMAN = {**{roman.lower(): n for n, roman in _ROMAN.items()}, **{str(n): n for n in _ROMAN}}
_WORD_Q = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def is_follow_up(question: str) -> bool:
    """Whether ``question`` leans on the conversation (cue words or too short alone)."""
    f = fold(nfc(question)).strip()
    if _FOLLOW_CUES.search(f) or ordinal(question) is not None:
        return True
    return len(content_tokens(question)) <= 2


def ordinal(question: str) -> int | None:
    """The item number a follow-up asks for ("the third one" -> 3, "mục thứ ba" -> 3)."""
    f = fold(nfc(question))
    m = re.search(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)"
                  r"\s+(one|item|task|point|priority|thing)?", f)
    if m:
        return _ORDINALS_EN[m.group(1)]
    m = re.search(r"\bthu\s+(nhat|hai|ba|tu|nam|sau|bay|tam|chin|muoi)\b|\b(cuoi cung)\b", f)
    if m:
        return _ORDINALS_VI[m.group(1) or "cuoi"]
    m = re.search(r"\b(?:number|item|so|muc)\s+(\d{1,2})\b|#(\d{1,2})\b", f)
    if m:
        return int(m.group(1) or m.group(2))
    return None


def quarter(text: str) -> int | None:
    m = _QUARTER_VI.search(text)
    if m:
        return _FROM_ROMAN[m.group(1).lower()]
    m = _QUARTER_EN.search(text)
    if m:
        return int(m.group(1)) if m.group(1) else _WORD_Q[m.group(2).lower()]
    return None


def _swap_quarter(previous: str, q: int) -> str | None:
    if _QUARTER_VI.search(previous):
        return _QUARTER_VI.sub(lambda m: m.group(0).split()[0] + " " + _ROMAN[q], previous,
                               count=1)
    if _QUARTER_EN.search(previous):
        return _QUARTER_EN.sub(
            lambda m: f"Q{q}" if m.group(1) else f"{_ORD_NAMES_EN[q]} quarter", previous, count=1
        )
    return None


def deterministic_rewrite(question: str, previous: str) -> str:
    """Rewrite ``question`` using the previous standalone question, without a model.

    >>> deterministic_rewrite("Còn quý III thì sao?", "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?")
    'Sáu nhiệm vụ trọng tâm quý III/2021 là gì?'
    >>> deterministic_rewrite("And the third one?", "What were the six Q1 2021 priorities?")
    'What is the third item of: What were the six Q1 2021 priorities?'
    """
    q = nfc(question).strip()
    prev = nfc(previous).strip()
    lang = detect_language(q) if content_tokens(q) else detect_language(prev)
    new_q, new_year = quarter(q), _YEAR.search(q)
    if new_q is not None or new_year:
        out = prev
        if new_q is not None:
            out = _swap_quarter(out, new_q) or out
        if new_year and _YEAR.search(out):
            out = _YEAR.sub(new_year.group(1), out, count=1)
        if out != prev:
            return out
    n = ordinal(q)
    if n is not None:
        if lang == "vi":
            return f"Nội dung {_ORD_NAMES_VI.get(n, f'số {n}')} trong: {prev}"
        return f"What is the {_ORD_NAMES_EN.get(n, f'number {n}')} item of: {prev}"
    return f"{prev} {q}"


def _previous_question(history: History) -> str | None:
    for user, _answer in reversed(list(history)):
        if user and user.strip():
            return user.strip()
    return None


def _plausible(rewrite: str, question: str, history: History) -> bool:
    """Reject model rewrites that are empty, multi-line, in the wrong language, drop the
    follow-up's quarter/year or bring a number that neither the question nor the
    history has."""
    r = rewrite.strip()
    if not r or "\n" in r or len(r) > 400 or len(content_tokens(r)) < 3:
        return False
    if content_tokens(question) and detect_language(r) != detect_language(question):
        return False
    if quarter(question) is not None and quarter(r) != quarter(question):
        return False
    context = question + " " + " ".join(u + " " + a for u, a in history)
    known = set(re.findall(r"\d+", context))
    return all(n in known for n in re.findall(r"\d+", r))


def rewrite_question(question: str, history: History, generator: Any | None) -> str:
    """A standalone form of ``question`` given ``history`` (``(question, answer)`` pairs).

    Questions that already stand alone are returned unchanged.
    """
    previous = _previous_question(history)
    if previous is None or not is_follow_up(question):
        return question
    fallback = deterministic_rewrite(question, previous)
    complete = getattr(generator, "complete", None)
    if generator is None or complete is None:
        return fallback
    from langchain_core.messages import HumanMessage

    from assistant.answer.prompts import render

    turns = "\n".join(f"User: {u}\nAssistant: {_short(a)}" for u, a in list(history)[-3:])
    prompt = render(generator.settings.prompts_path, "rewrite_followup.txt",
                    history=turns, question=question)
    try:
        out = complete([HumanMessage(content=prompt)], max_tokens=80)
    except Exception:  # a rewrite is an optimization: never fail the question for it
        return fallback
    line = out.strip().strip('"“”').splitlines()[0].strip() if out.strip() else ""
    line = re.sub(r"^(standalone question|rewritten question|câu hỏi)\s*:\s*", "", line,
                  flags=re.IGNORECASE)
    return line if _plausible(line, question, history) else fallback


def _short(answer: str, limit: int = 300) -> str:
    flat = " ".join(answer.split())
    return flat if len(flat) <= limit else flat[:limit] + " ..."
