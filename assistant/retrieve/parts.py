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

from assistant.vietnamese import nfc

# where a question separates its parts: the end of a sentence, ";", ", and ..."
_SPLIT = re.compile(r"(?<=[?.!])\s+(?=[A-ZÀ-Ỹ])|\s*;\s*|,\s+(?:and|but|và|còn|nhưng)\s+",
                    re.IGNORECASE)
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
    return parts if len(parts) >= 2 else []
