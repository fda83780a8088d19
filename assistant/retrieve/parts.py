"""A question in several parts, split into its parts: "Who chaired the Da Nang bridge
point, and which emulation cluster is the city in?" asks two things, each of which may be
answered by a sentence the whole question does not score best. Evidence selection
(``evidence.py``) looks for the best sentence of each part as well.

Parts are split where the question itself separates them: a second sentence, a ";", or
", and" / ", và" / ", còn" before a clause of its own. A part must have a few words of
its own ("..., and when?" stays one question: its date rule covers it).
"""

from __future__ import annotations

import re

from assistant.retrieve.question import anchors
from assistant.vietnamese import content_tokens, nfc

# where a question separates its parts: the end of a sentence, ";", ", and ..."
_SPLIT = re.compile(r"(?<=[?.!])\s+(?=[A-ZÀ-Ỹ])|\s*;\s*|,\s+(?:and|but|và|còn|nhưng)\s+",
                    re.IGNORECASE)
# "and" between two halves that may each name their own anchors; "cả A lẫn B" and "A
# cũng như B" are Vietnamese for "both A and B" and "A as well as B" ("lẫn nhau": "each
# other")
_AND = re.compile(r"\s(?:and|và|as well as|cũng như|lẫn(?!\s+nhau))\s", re.IGNORECASE)
# words of a part, besides which it is too short to search on its own
MIN_PART_WORDS = 4


def question_parts(question: str) -> list[str]:
    """The parts of ``question`` (at least two), or [] when it is one question.

    >>> question_parts("Who chaired the Da Nang bridge point, and which cluster is it in?")
    ['Who chaired the Da Nang bridge point', 'which cluster is it in?']
    >>> question_parts("Kon Tum shows up in two articles. In what role does it appear?")
    ['Kon Tum shows up in two articles.', 'In what role does it appear?']
    >>> question_parts("Who chaired the conference, and when?")
    []
    """
    parts = [p.strip() for p in _SPLIT.split(nfc(question).strip()) if p and p.strip()]
    parts = [p for p in parts if len(p.split()) >= MIN_PART_WORDS]
    return parts if len(parts) >= 2 else anchored_halves(question)


def anchored_halves(question: str) -> list[str]:
    """The two halves of a question that "and"/"và" joins when each names an anchor (a
    date, a quarter, a name) the other does not: "Hội nghị giao ban quý III/2023 và hội
    nghị tổng kết Cụm thi đua số III diễn ra ngày nào?" asks about two events. [] when
    no such split has a few words on each side.

    >>> anchored_halves("Hội nghị giao ban quý III/2023 và tổng kết Cụm thi đua số III ngày nào?")
    ['Hội nghị giao ban quý III/2023', 'tổng kết Cụm thi đua số III ngày nào?']
    >>> anchored_halves("Quy hoạch được nêu cả trong nhiệm vụ năm 2022 lẫn trong kế hoạch "
    ...                 "quý I/2021 của Đồng Tháp?")
    ['Quy hoạch được nêu cả trong nhiệm vụ năm 2022', 'trong kế hoạch quý I/2021 của Đồng Tháp?']
    >>> anchored_halves("Ban Tổ chức và Ủy ban Kiểm tra họp tháng 12/2018 ở đâu?")
    []
    >>> anchored_halves("What did Kon Tum and Gia Lai report in 2023?")
    []
    """
    sides = _AND.split(nfc(question).strip())
    for i in range(1, len(sides)):
        left, right = " ".join(sides[:i]).strip(), " ".join(sides[i:]).strip()
        a, b = set(anchors(left)), set(anchors(right))
        if a - b and b - a and min(len(left.split()), len(right.split())) >= MIN_PART_WORDS \
                and _own_words(left) and _own_words(right):
            return [left, right]
    return []


def _own_words(half: str) -> set[str]:
    """The content words of ``half`` besides its anchors' ("What did Kon Tum" has none:
    it is the subject of the other half, not a question of its own)."""
    def words(text: str) -> set[str]:
        return {t for t in content_tokens(text) if "_" not in t}

    return words(half) - words(" ".join(anchors(half)))
