"""Question analysis shared by retrieval and evidence selection.

- :func:`anchors`: the terms a passage must contain for the question to be about it
  (years, quarters, document codes, proper names), so "Ai là Bí thư Tỉnh ủy Cà Mau?"
  is not answered from an article about Kon Tum.
- :func:`is_list_question`: questions that want every item of an enumeration.
- :func:`contains_term`: whole-word containment on normalized text.
"""

from __future__ import annotations

import re

from assistant.vietnamese import STOPWORDS, detect_language, fold, match_normalize, nfc

_LIST_CUES = re.compile(
    r"\b(list|which|what (were|are) the|priorities|tasks|steps|solutions|measures|items|"
    r"cac|nhung|liet ke|gom|bao gom|nhiem vu|giai phap|noi dung)\b"
)
_COUNT_CUE = re.compile(r"\b(\d+|hai|ba|bon|nam|sau|bay|tam|chin|muoi|two|three|four|five|six|"
                        r"seven|eight|nine|ten)\b")
ENUM_ITEM = re.compile(r"^\s*(\(\d{1,2}\)|\d{1,2}[.)]\s|[-–•*+]\s|[a-zđ]\)\s)")
_QUARTER_EN = re.compile(r"\b(?:q([1-4])|(first|second|third|fourth)[- ]quarter)\b", re.I)
_ROMAN = {"1": "i", "2": "ii", "3": "iii", "4": "iv", "first": "i", "second": "ii",
          "third": "iii", "fourth": "iv"}
# A folded Vietnamese syllable: onset, vowel nucleus, coda. Romanized Vietnamese names
# ("Kon Tum", "Ca Mau") match; English words ("September", "Highlands") do not.
_VI_SYLLABLE = re.compile(
    r"^(ngh|ng|gh|gi|kh|ch|nh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(uye|uya|uyu|oai|oay|oao|oeo|uoi|uou|ieu|yeu|uay|uai|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe"
    r"|oi|oo|ua|ue|ui|uo|uu|uy|ye|ya|a|e|i|o|u|y)(ch|ng|nh|c|m|n|p|t)?$"
)
# Titles and institutions written with capitals that are not names (folded phrases,
# longest first). They are cut out of the question before names are looked for.
_VI_TITLES = sorted(
    """
    bo chinh tri|ban bi thu|pho bi thu|bi thu|tinh uy|thanh uy|huyen uy|dang uy|ban to chuc
    |trung uong|thuong truc|ban thuong vu|ban chap hanh|quoc hoi|hoi dong nhan dan
    |uy ban nhan dan|nha nuoc|mat tran to quoc|dai hoi|hoi nghi|nghi quyet|ket luan|quy dinh
    |huong dan|cum thi dua|pho truong ban|truong ban|vu truong|chu tich|uy vien|dang bo
    |dang|tinh|thanh pho|huyen|xa|diem cau|dong chi|nganh|to chuc xay dung dang|khoa|ban
    """.replace("\n", "").split("|"),
    key=len,
    reverse=True,
)


def _name_runs(question: str) -> list[list[str]]:
    """Runs of consecutive capitalized words (space-separated) outside title phrases."""
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[^\W\d_]+", question)]
    folded = [fold(w) for w, _, _ in words]
    skip = [False] * len(words)
    i = 0
    while i < len(words):
        for phrase in _VI_TITLES:
            parts = phrase.split()
            if folded[i : i + len(parts)] == parts and all(
                w[0].isupper() or j > 0 for j, (w, _, _) in enumerate(words[i : i + len(parts)])
            ):
                for j in range(i, i + len(parts)):
                    skip[j] = True
                i += len(parts) - 1
                break
        i += 1
    runs: list[list[str]] = []
    current: list[str] = []
    prev_end = -1
    for k, (w, start, end) in enumerate(words):
        sentence_start = k == 0 or question[:start].rstrip().endswith(("?", ".", "!", ":"))
        capital = w[0].isupper() and not (w.isupper() and len(w) > 1)
        ok = capital and not skip[k] and not sentence_start
        joined = current and question[prev_end:start].strip() == ""
        if ok and (joined or not current):
            current.append(folded[k])
        else:
            if current:
                runs.append(current)
            current = [folded[k]] if ok else []
        prev_end = end
    if current:
        runs.append(current)
    return runs


def anchors(question: str) -> list[str]:
    """Terms the retrieved text must contain for the question to be answerable.

    Years, document codes, quarters ("Q3", "third quarter", "quý III") and proper names:
    capitalized Vietnamese names, and in English questions the capitalized words that
    are romanized Vietnamese syllables ("Dong Thap", "Ca Mau"). Titles and institutions
    ("Phó Bí thư", "Ban Tổ chức") are not anchors.

    >>> anchors("Ai là Bí thư Tỉnh ủy Cà Mau?")
    ['ca mau']
    """
    q = nfc(question)
    english = detect_language(q) == "en"
    found: list[str] = []
    for m in re.finditer(r"\b\d{1,3}-[A-Za-zĐđ]+/[A-Za-zĐđ]+\b", q):
        found.append(match_normalize(m.group(0)))
    for m in re.finditer(r"(?<![\d/.-])(?:19|20)\d{2}(?![\d-])", q):
        found.append(m.group(0))
    for m in _QUARTER_EN.finditer(q):
        found.append("quy " + _ROMAN[(m.group(1) or m.group(2)).lower()])
    for m in re.finditer(r"\bquý\s+([IV]+)\b", q, re.I):
        found.append("quy " + m.group(1).lower())
    for run in _name_runs(q):
        if len(run) == 1 and run[0] in STOPWORDS:  # "In", "Do", "Da" alone are not names
            continue
        words = [w for w in run if not english or _VI_SYLLABLE.match(w)]
        if words and (len(words) >= 2 or len(words[0]) > 3):
            found.append(" ".join(words))
    return list(dict.fromkeys(found))


def contains_term(haystack: str, term: str) -> bool:
    """Whole-word containment on normalized text ("quy ii" is not in "quy iii")."""
    return re.search(r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])", haystack) is not None


def is_list_question(question: str) -> bool:
    f = fold(question)
    return bool(_LIST_CUES.search(f) and (_COUNT_CUE.search(f) or "list" in f or "liet ke" in f
                                          or "nhung" in f or "cac" in f or "which" in f))
