"""Places keep their administrative level, and people their titles, in a translation
(checks of :class:`~assistant.answer.verify.TranslationVerifier`).

The articles name places with their level: "tỉnh Đồng Tháp" (province), "Huyện Cao
Lãnh" (district), "TP. Buôn Ma Thuột" (city). Two places may share a name at different
levels (Cao Lãnh district and Cao Lãnh city are both in article 003), so a translation
that writes "City Cao Lãnh" for Huyện Cao Lãnh names the wrong place, with every name
and number kept.
"""

from __future__ import annotations

import itertools
import re

from assistant.vietnamese import fold

# Administrative levels (folded Vietnamese -> English): a place keeps its level in the
# translation. "Huyện Cao Lãnh" is Cao Lãnh district; "Cao Lãnh City" is another place.
_VI_LEVELS = {"tinh": "province", "huyen": "district", "thanh pho": "city", "tp": "city",
              "xa": "commune", "phuong": "ward", "thi tran": "township", "thi xa": "town"}
_EN_LEVELS = {"province": "province", "provinces": "province", "provincial": "province",
              "district": "district", "districts": "district", "city": "city",
              "cities": "city", "municipal": "city", "commune": "commune",
              "communes": "commune", "ward": "ward", "wards": "ward", "township": "township",
              "townships": "township", "town": "town", "towns": "town"}
_VI_LEVEL = re.compile(r"(?<!\w)(thành phố|thị trấn|thị xã|tỉnh|huyện|xã|phường|TP\.?)\s+",
                       re.IGNORECASE)
# The first three words after a level word, only spaces between them.
_NAME_WORDS = re.compile(r"[\W\d_]*([^\W\d_]+(?:\s+[^\W\d_]+){0,2})")


def place_levels(source: str) -> list[tuple[str, str]]:
    """``(folded place name, level)`` for each "<level word> <Name>" of a Vietnamese
    sentence ("Huyện Cao Lãnh" -> ("cao lanh", "district")); "Tỉnh ủy" (a committee,
    lowercase after the level word) is not a place."""
    out = []
    for m in _VI_LEVEL.finditer(source):
        head = _NAME_WORDS.match(source, m.end())
        words = list(itertools.takewhile(lambda w: w[:1].isupper(),
                                         head.group(1).split() if head else []))
        if words:
            out.append((fold(" ".join(words)), _VI_LEVELS[fold(m.group(1)).rstrip(".")]))
    return out


def _levels_beside(words: list[str], start: int, end: int) -> set[str]:
    """The administrative levels written right beside the name ``words[start:end]``:
    "City X", "the city of X", "X district"; not "X (Province of Y)", which is Y's."""
    out = set()
    if start >= 1 and words[start - 1] in _EN_LEVELS:
        out.add(_EN_LEVELS[words[start - 1]])
    elif start >= 2 and words[start - 1] == "of" and words[start - 2] in _EN_LEVELS:
        out.add(_EN_LEVELS[words[start - 2]])
    if end < len(words) and words[end] in _EN_LEVELS and \
            (end + 1 == len(words) or words[end + 1] != "of"):
        out.add(_EN_LEVELS[words[end]])
    return out


def wrong_levels(source: str, translation: str) -> list[tuple[str, str]]:
    """``(folded place name, its level)`` for the places of the source that the
    translation gives another administrative level (a level word right before or after
    the name, none of them the source's).

    >>> wrong_levels("Huyện Cao Lãnh có 05 loại hình sinh hoạt chi bộ.",
    ...              "City Cao Lãnh has 5 types of Party cells.")
    [('cao lanh', 'district')]
    >>> wrong_levels("Huyện Cao Lãnh có 05 loại hình.", "Cao Lanh district has 5 types.")
    []
    """
    words = re.findall(r"[a-z0-9]+", fold(translation))
    out = []
    for name, level in place_levels(source):
        parts = name.split()
        for i in range(len(words) - len(parts) + 1):
            if words[i:i + len(parts)] != parts:
                continue
            near = _levels_beside(words, i, i + len(parts))
            if near and level not in near:
                out.append((name, level))
                break
    return list(dict.fromkeys(out))


# English titles that only a source giving the title explains (folded Vietnamese):
# "Chairmen of the Municipal Party Committee" for "Bí thư Thành ủy" gives the wrong post.
_TITLES = {r"chairm[ae]n|chairwom[ae]n|chairpersons?|presidents?": ("chu tich",),
           r"ministers?": ("bo truong",), r"governors?": ("chu tich", "thong doc")}


def invented_titles(source: str, translation: str) -> list[str]:
    """Titles the translation gives that the source does not ("Chairman" with no "Chủ
    tịch"; "chaired" for "chủ trì" is a verb, not a title).

    >>> invented_titles("Bí thư Thành ủy Nguyễn Văn Quảng chủ trì hội nghị.",
    ...                 "Chairman of the Municipal Party Committee Nguyễn Văn Quảng chaired.")
    ['Chairman']
    >>> invented_titles("Bí thư Thành ủy Quảng và Trưởng ban Tổ chức Thành ủy Vĩnh chủ trì.",
    ...                 "Secretary Quảng and Secretary of the Organization Commission Vĩnh.")
    ['Secretary']
    """
    folded = fold(source)
    out = []
    for pattern, vi in _TITLES.items():
        if any(v in folded for v in vi):
            continue
        out += [m.group(0) for m in re.finditer(rf"\b(?:{pattern})\b", translation, re.I)]
    # more secretaries than the source has "bí thư" ("Secretary of the Organization
    # Commission" for its Trưởng ban)
    secretaries = re.findall(r"\bsecretar(?:y|ies)\b", translation, re.I)
    if len(secretaries) > len(re.findall(r"\bbi thu\b", folded)):
        out.append(secretaries[-1])
    return list(dict.fromkeys(out))
