"""Near misses that name something else than what was asked: a numbered name given only
with another number ("Vụ Địa phương II" for "Department I"), a sentence about another
place than the one asked for ("Huyện Cao Lãnh có 05 loại hình ..." in an article about
Đồng Tháp), a phrase dated with another year than the asked one ("tổng kết công tác xây
dựng Đảng năm 2022" for "... năm 2023"), and a person asked for an event of one month from
an article about an event of another (:func:`other_month`). The answerability rules
(``rules.py``) refuse on them. :func:`place_anchors` tells which anchors are places."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.retrieve.gazetteer import is_province
from assistant.retrieve.question import anchors, contains_term
from assistant.retrieve.sentences import Sentence, Translated
from assistant.retrieve.timing import opening, paragraph_start
from assistant.vietnamese import detect_language, fold, match_normalize, nfc

# Words right before a place name: an administrative level, or the Party committee of that
# level ("Tỉnh ủy Bình Định" is Bình Định's); and right after it, in English. "phuong" is
# a ward ("phường"), not the "phương" of "địa phương" (localities), once folded.
_PLACE_CUE = (r"(?:tinh|thanh pho|tp|huyen|xa|phuong|thi xa|tinh uy|thanh uy|huyen uy"
              r"|province|city|district|commune|in|at)")
_PLACE_AFTER = r"(?:province|city|district|provincial|municipal|district-level)"
# A Roman numeral after the word it numbers: "Vụ Địa phương II", "Department I", "khóa XII".
_NUMBERED = re.compile(r"([^\W\d_]+)\s+(X{0,3}(?:IX|IV|V?I{1,3}|V)|X{1,3})(?![\w/-])")
# A place the sentence names with its level: "Huyện Cao Lãnh", "thành phố Buôn Ma Thuột".
_LEVELLED_PLACE = re.compile(r"\b(?:[Hh]uyện|[Tt]hành phố|TP\.|[Tt]hị xã|[Xx]ã|[Pp]hường|[Qq]uận"
                             r"|[Tt]ỉnh)\s+((?:[A-ZĐ][^\W\d_]*\s?){1,3})")


def other_places(text: str, places: Sequence[str]) -> list[str]:
    """The places ``text`` names with their level that are none of ``places``.

    >>> other_places("Huyện Cao Lãnh có 05 loại hình sinh hoạt chi bộ", ["dong thap"])
    ['cao lanh']
    """
    named = [match_normalize(m.group(1)).strip() for m in _LEVELLED_PLACE.finditer(nfc(text))]
    return [n for n in named if n and not any(contains_term(n, p) or contains_term(p, n)
                                              for p in places)]


def numbered(text: str, english: bool = False) -> set[tuple[str, str]]:
    """The ``(word, numeral)`` pairs of a text, folded: "Vụ Địa phương II" gives ("phuong",
    "ii"). In English the word must be capitalized inside a sentence ("Department I", not
    "can I" or "Can I").

    >>> sorted(numbered("Vụ trưởng Vụ Địa phương II, khóa XIII"))
    [('khoa', 'xiii'), ('phuong', 'ii')]
    >>> sorted(numbered("Can I ask who directs Department I, as I asked?", english=True))
    [('department', 'i')]
    """
    text = nfc(text)
    return {(fold(m.group(1)).lower(), m.group(2).lower()) for m in _NUMBERED.finditer(text)
            if not english or (m.group(1)[:1].isupper()  # and not a sentence's first word
                               and text[:m.start()].rstrip()[-1:] not in ("", ".", "?", "!"))}


def other_number(question: str, answering: Sequence[Translated]) -> str:
    """A numbered name the question asks about ("Department I") that the answering
    sentences give only with another number ("Vụ Địa phương II"): the name, else ""."""
    english = detect_language(question) == "en"
    asked = numbered(question, english)
    if not asked or not answering:
        return ""
    given = set().union(*(numbered(e.translation if english else e.text, english)
                          for e in answering))
    for m in _NUMBERED.finditer(nfc(question)):
        word, n = fold(m.group(1)).lower(), m.group(2).lower()
        others = {o for w, o in given if w == word}
        if (word, n) in asked and others and n not in others:
            return m.group(0)  # as the question writes it
    return ""


# A year a Vietnamese phrase ends with: "... xây dựng Đảng năm 2022" gives ("dung dang",
# "2022"), folded; the two syllables before "năm" name what the year is of.
_PHRASE_YEAR = re.compile(r"([a-z]+ [a-z]+) nam ((?:19|20)\d\d)\b")


def other_year(question: str, answering: Sequence[str]) -> str:
    """A year the (Vietnamese) question gives a phrase ("tổng kết công tác tổ chức xây
    dựng Đảng năm 2023") that the answering text (its sentences, with the paragraph
    before each) gives that phrase only with another year ("... xây dựng Đảng năm
    2022"), and no other words of the question with the asked one: the phrase as asked,
    else "".

    >>> said = ["Hội nghị toàn quốc tổng kết công tác xây dựng Đảng năm 2021"]
    >>> other_year("Hội nghị tổng kết công tác xây dựng Đảng năm 2022 do ai chủ trì?", said)
    'dung dang nam 2022'
    >>> other_year("Hội nghị tổng kết công tác xây dựng Đảng năm 2021 do ai chủ trì?", said)
    ''
    >>> other_year("Hội nghị tổng kết công tác xây dựng Đảng năm 2022 do ai chủ trì?",
    ...            [*said, "triển khai nhiệm vụ năm 2022"])
    'dung dang nam 2022'
    >>> other_year("Hội nghị tổng kết công tác xây dựng Đảng năm 2022 do ai chủ trì?",
    ...            [*said, "hội nghị tổng kết năm 2022"])
    ''
    >>> other_year("Hội nghị tổng kết công tác xây dựng Đảng năm 2022 do ai chủ trì?",
    ...            [*said, "ong tac năm 2022"])  # not "cong tac": whole syllables only
    'dung dang nam 2022'
    """
    if detect_language(question) == "en" or not answering:
        return ""
    folded = fold(nfc(question)).lower()
    asked = set(_PHRASE_YEAR.findall(folded))
    given = {pair for t in answering for pair in _PHRASE_YEAR.findall(fold(nfc(t)).lower())}
    for phrase, year in sorted(asked):
        others = {y for p, y in given if p == phrase}
        # the asked year given to other words of the question ("Cụm thi đua số III năm
        # 2023" asked, "Cụm thi đua số III năm 2024" and "công tác thi đua năm 2023"
        # said) is the asker's loose dating of the same thing
        loose = any(y == year and re.search(rf"\b{p}\b", folded) for p, y in given)
        if others and year not in others and not loose:
            return f"{phrase} nam {year}"
    return ""


def place_anchors(question: str) -> list[str]:
    """The anchors the question names as places ("tỉnh Kon Tum", "in Tháp Mười", "Gia
    Lai province", "Tỉnh ủy Quảng Trị", "the Quang Tri provincial board"); person names
    ("Trương Thị Mai") are not places.

    >>> place_anchors("How many did Truong Thi Mai urge in Kon Tum province?")
    ['kon tum']
    >>> place_anchors("Ban Tổ chức Tỉnh ủy Bình Định cử bao nhiêu lượt cán bộ?")
    ['binh dinh']
    >>> place_anchors("How many new members did Gia Lai admit?")
    ['gia lai']
    >>> place_anchors("Các địa phương Cụm thi đua số III kết nạp bao nhiêu đảng viên?")
    []
    """
    folded = match_normalize(question)
    return [a for a in anchors(question) if not a[:1].isdigit() and "/" not in a
            and not a.startswith(("quy ", "thang "))
            and (is_province(a)
                 or re.search(rf"(?<!dia )\b{_PLACE_CUE}\s+{re.escape(a)}\b", folded)
                 or re.search(rf"\b{re.escape(a)}(?:'s)?\s+{_PLACE_AFTER}\b", folded))]


# A day and month written in an article's opening (``timing.opening``).
_DAY_MONTH = re.compile(r"\b\d{1,2}[/-]\d{1,2}\b")


def other_month(question: str, people: Sequence[Sentence],
                doc_texts: dict[str, str] | None) -> str:
    """A month the question dates the event with ("Who chaired the conference held in
    January 2023?") when the sentences naming the people are in articles that open dated
    in another month ("Chiều 28/9, ... tổ chức Hội nghị") and neither they nor their
    paragraph give the asked month: the person belongs to the article's own event, not to
    another one it mentions ("ngày 04/01/2023 Hội nghị toàn quốc ..."). The month, else "".
    """
    months = [a for a in anchors(question) if a.startswith("thang ")]
    if len(months) != 1 or not people:  # two months: two events
        return ""
    for e in people:
        lead = match_normalize(opening((doc_texts or {}).get(e.doc_id, "")))
        own = match_normalize(f"{paragraph_start(e, doc_texts)} {e.text}")
        if not _DAY_MONTH.search(lead) or any(
                contains_term(own, m) or contains_term(lead, m) for m in months):
            return ""
    return months[0]
