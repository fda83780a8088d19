"""The checkable facts of a sentence: numbers, document codes and names.

Shared by the grounding check (an answer sentence's facts must occur in its evidence)
and anything else that compares two texts by their facts.

>>> f = facts("Đồng chí Mai Văn Chính chủ trì; Kết luận số 01-KL/BTCTW; 20.777 người")
>>> sorted(f["numbers"]), sorted(f["codes"]), sorted(f["names"])
(['20777'], ['01-kl/btctw'], ['mai van chinh'])
"""

from __future__ import annotations

import re

from assistant.vietnamese import STOPWORDS, VI_MARKED, fold, match_normalize

_NUMBER = re.compile(r"\d+(?:[.,]\d{3})*")
# Numbers written in words, shared by the translator's hints and its verifier.
VI_NUMBER_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6,
                   "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
# After "thứ" (an ordinal), "nhất" is 1: "lần thứ nhất" is the first time.
VI_ORDINAL_WORDS = {**VI_NUMBER_WORDS, "nhất": 1}
EN_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
               "twelfth thirteenth fourteenth fifteenth").split()
MONTH_NAMES = ("January February March April May June July August September October "
               "November December").split()
# A document code ("21-NQ/TW"; the articles sometimes write "50- QĐ/TW").
CODE = re.compile(r"\b\d{1,4} ?- ?[A-Za-zĐđ]+(?:/[A-Za-zĐđ]+)+")


def code_key(text: str) -> str:
    """A code (or a text holding codes) compared without spaces around its hyphen:
    "50- QĐ/TW" and "50-QĐ/TW" are the same code."""
    return re.sub(r"(?<=\d) ?- ?(?=\w)", "-", match_normalize(text))


WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Looser than vietnamese.VI_SYLLABLE (any one to three vowels): the shape of a name here.
_VI_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?"
    r"[aeiouy]{1,3}(ch|ng|nh|c|m|n|p|t)?$"
)
_EN_SHORT = frozenset("a an the to in on at of or he she we me be by is it as so no go do".split())


def numbers(text: str, *, min_digits: int = 2) -> set[str]:
    """Numbers written with at least ``min_digits`` digits, without thousands separators
    or leading zeros (``"09/3/2021"`` -> ``{"9", "2021"}``)."""
    return set(number_list(text, min_digits=min_digits))


def number_list(text: str, *, min_digits: int = 1) -> list[str]:
    """Every number of ``text`` in order, repeats kept (``numbers`` without the set)."""
    out = []
    for m in _NUMBER.finditer(text):
        raw = re.sub(r"[.,]", "", m.group(0))
        if len(raw) >= min_digits:
            out.append(raw.lstrip("0") or "0")
    return out


def names(text: str) -> set[str]:
    """Capitalized runs that look like Vietnamese names, folded (``Mai Văn Chính``).

    A run qualifies when it has two or more words (leading function words dropped), every
    word is shaped like a Vietnamese syllable, and two words are not short English words
    or one carries Vietnamese diacritics.
    """
    runs: list[list[str]] = []
    run: list[str] = []
    prev_end = 0
    for m in WORD.finditer(text):
        w = m.group(0)
        if w[:1].isupper():
            if run and not text[prev_end:m.start()].strip():
                run.append(w)
            else:
                if run:
                    runs.append(run)
                run = [w]
            prev_end = m.end()
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    found: set[str] = set()
    for r in runs:
        folded = [fold(x) for x in r]
        # "Tại Hội nghị": "tại" is no name; a one-letter syllable is ("A Pớt", "Y Biêr")
        while folded and folded[0] in STOPWORDS and len(r[0]) > 1:
            folded, r = folded[1:], r[1:]
        if len(folded) < 2 or not all(_VI_SYLLABLE.match(f) for f in folded):
            continue
        plain = [f for f in folded if f not in _EN_SHORT]
        if len(plain) >= 2 or any(VI_MARKED.search(x) for x in r):
            found.add(" ".join(folded))
    return found


def facts(sentence: str) -> dict[str, set[str]]:
    """The checkable facts of a sentence: numbers, codes, names."""
    return {
        "numbers": numbers(CODE.sub(" ", sentence)),
        "codes": {code_key(c) for c in CODE.findall(sentence)},
        "names": names(CODE.sub(" ", sentence)),
    }


def facts_any(sentence: str) -> set[str]:
    """All facts of ``sentence`` in one set (empty when it states none)."""
    return set().union(*facts(sentence).values())


def missing_facts(sentence: str, evidence_text: str) -> list[str]:
    """Facts of ``sentence`` that ``evidence_text`` does not contain."""
    f = facts(sentence)
    ev_numbers = numbers(CODE.sub(" ", evidence_text), min_digits=1)
    ev_norm = " " + code_key(evidence_text) + " "
    missing = sorted(f["numbers"] - ev_numbers)
    missing += [c for c in sorted(f["codes"]) if c not in ev_norm]
    missing += [n for n in sorted(f["names"])
                if not re.search(r"(?<![\w])" + re.escape(n) + r"(?![\w])", ev_norm)]
    return missing
