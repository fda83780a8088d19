"""Document codes in questions and evidence ("21-NQ/TW", "Quy định số 50-QĐ/TW").

- :func:`coded_sentences`: for "which conclusions (numbered KL/BTCTW) ...?", a sentence
  quoting each code of that family;
- :func:`asked_document`: for "which resolution ...?" / "nghị quyết nào ...?", the test
  a sentence must pass to name a document of that type by its number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from assistant.retrieve.sentences import Quoted
from assistant.vietnamese import fold, nfc

# A document-code family a question asks about without a number: "KL/BTCTW", "NQ/TW".
_CODE_FAMILY = re.compile(r"(?<![\w-])([A-ZĐ]{1,5}/[A-ZĐ]{2,10})(?![\w/])")
CODE_EXTRA = 3

# Document types: the English and (folded) Vietnamese words, and the code's type letters
# ("21-NQ/TW" is a resolution, "50-QĐ/TW" a regulation or decision).
DOCUMENT_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "resolution": (("resolution", "nghi quyet"), "NQ"),
    "regulation": (("regulation", "quy dinh"), "QĐ"),
    "decision": (("decision", "quyet dinh"), "QĐ"),
    "conclusion": (("conclusion", "ket luan"), "KL"),
    "directive": (("directive", "chi thi"), "CT"),
    "guidance": (("guidance", "guideline", "huong dan"), "HD"),
    "project": (("project", "scheme", "de an"), "ĐA"),
    "plan": (("plan", "ke hoach"), "KH"),
}
_TYPE_WORDS = "|".join(w for words, _ in DOCUMENT_TYPES.values() for w in words)
# "Which resolution ...", "what Politburo regulation ...", "theo nghị quyết nào", "kết
# luận số mấy"
_ASKED_EN = re.compile(rf"\b(?:which|what)\s+(?:[\w-]+\s+){{0,2}}({_TYPE_WORDS})s?\b")
_ASKED_VI = re.compile(
    rf"\b({_TYPE_WORDS})\b(?:\s+[\w/-]+){{0,3}}?\s+(?:nao|so may|so bao nhieu)\b")


S = TypeVar("S", bound=Quoted)


def asked_document(question: str) -> Callable[[Quoted], bool] | None:
    """For a question asking which document of a type ("Which resolution were the
    efforts based on?"), the test a sentence passes when it names one by number: a code
    of that type ("21-NQ/TW") or the type word with a number ("Nghị quyết số 21",
    "Nghị quyết 18", "Nghị quyết Trung ương 6"); None for other questions."""
    f = fold(nfc(question))
    m = _ASKED_EN.search(f) or _ASKED_VI.search(f)
    if m is None:
        return None
    letters = next(code for words, code in DOCUMENT_TYPES.values() if m.group(1) in words)
    vi_words = "|".join(w for words, code in DOCUMENT_TYPES.values() if code == letters
                        for w in words if " " in w)
    numbered = re.compile(rf"\b\d{{1,3}}\s?-\s?{fold(letters)}/"
                          rf"|\b(?:{vi_words})\s+(?:trung uong\s+)?(?:so\s+)?\d")
    return lambda e: bool(numbered.search(fold(nfc(e.text))))


def coded_sentences(question: str, candidates: list[S]) -> list[S]:
    """For "which conclusions (numbered KL/BTCTW) ...?": the best of ``candidates`` (best
    first) quoting each code of that family ("08-KL/BTCTW"), at most ``CODE_EXTRA``."""
    families = {m.group(1).upper() for m in _CODE_FAMILY.finditer(nfc(question))}
    if not families:
        return []
    pattern = re.compile(r"\b\d{1,3}-(" + "|".join(map(re.escape, families)) + r")\b", re.I)
    quoted: set[str] = set()
    out: list[S] = []
    for e in candidates:
        codes = {m.group(0).upper() for m in pattern.finditer(e.text)} - quoted
        if codes and len(out) < CODE_EXTRA:
            out.append(e)
            quoted |= codes
    return out
