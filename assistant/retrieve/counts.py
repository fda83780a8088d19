"""Count questions: whether a question asks "how many" (:func:`wants_count`), what it
counts (:func:`counted_noun`), and whether a sentence states such a count
(:func:`has_count`: "20.777 đảng viên", not a year, a date or a document code)."""

from __future__ import annotations

import re

from assistant.vietnamese import detect_language, fold, nfc

_COUNT_QUESTION = {
    "en": re.compile(r"\b(how many|how much|what total|total number|what number of)\b"),
    "vi": re.compile(r"\b(bao nhiêu|mấy)\b"),
}
# "khóa mấy", "lần thứ mấy", "số mấy": an ordinal or a number asked for, not a count.
_ORDINAL_VI = re.compile(
    r"\b(khóa|khoá|thứ|số|lần|nhiệm kỳ|quý|năm|tháng|ngày)\s+(mấy|bao nhiêu)\b")
# Numbers that are not counts: years, dates, times, codes ("21-NQ/TW", "số 50"), terms.
_NOT_A_COUNT = re.compile(
    r"\b\d{1,2}[/.-](?:0?[1-9]|1[0-2])(?:[/.-]\d{2,4})?\b|\b\d{1,2}:\d{2}\b|\b(?:19|20)\d{2}\b"
    r"|\b\d+-[^\W\d_]+/[^\W\d_]+\b|\b[Ss]ố\s+\d+\b|\b[XVI]+\b"
)
_COUNTED = re.compile(r"\b(bao nhiêu|mấy)\s+(?:(?:lượt|người|con)\s+)?(\w+)")
# The subject of "<subject> ... là bao nhiêu?" past time phrases and words for "number".
_SUBJECT_COUNTED = re.compile(
    r"^(?:(?:nam|trong nam|quy|thang|tai|o)\s+[\w/]+,?\s+)*(?:tong so|so luong|con so|so|tong)?"
    r"\s*([a-z]+)\b[^?]*\b(?:la|duoc|co|bang)\s+(?:bao nhieu|may)\s*\??\s*$")
# Counter words that make a number a count when it follows what it counts ("... 757 lượt").
_COUNTER = r"(?:luot|nguoi|truong hop|dong chi|tap the|ca nhan|don vi)\b"
_LIST_MARKER = re.compile(r"^\s*(\(\d{1,2}\)|\d{1,2}[.)]\s)")
# Vietnamese number words, matched with their diacritics ("sáu" = six; folded it would be
# "sau" = after) and read as a digit before the text is folded.
_COUNT_WORD = re.compile(r"(?<![^\W\d_])(hai|ba|bốn|sáu|bảy|tám|chín|mười|trăm|nghìn|ngàn)"
                         r"(?![^\W\d_])")


def wants_count(question: str) -> bool:
    """"How many ...?", "... bao nhiêu ...?", "mấy ...?"."""
    lang = detect_language(question)
    text = nfc(question).lower() if lang == "vi" else fold(question)
    if lang == "vi":
        text = _ORDINAL_VI.sub(" ", text)
    return bool(_COUNT_QUESTION[lang].search(text))


def counted_noun(question: str) -> str | None:
    """The folded first syllable of what a Vietnamese question counts ("dang" in "bao
    nhiêu đảng viên mới", "gia" in "Giá cà phê ... là bao nhiêu?"), or None (English
    questions: the evidence is Vietnamese).

    >>> counted_noun("Giá cà phê tại Đắk Lắk cuối năm 2023 là bao nhiêu?")
    'gia'
    """
    if detect_language(question) != "vi":
        return None
    m = _COUNTED.search(nfc(question).lower())
    if m:
        return fold(m.group(2))
    # "Giá cà phê ... là bao nhiêu?": what is counted is the question's subject
    m = _SUBJECT_COUNTED.match(fold(nfc(question)))
    return m.group(1) if m else None


def has_count(text: str, noun: str | None = None) -> bool:
    """True when ``text`` states a count: a number that is not a year, a date, a
    document code or a list marker ("20.777 đảng viên", "05 loại hình", "hai năm"),
    followed within four words by ``noun`` when one is given, or preceded by it within
    ten words when a counter word follows the number ("đã luân chuyển, điều động, bổ
    nhiệm ... 757 lượt").

    >>> has_count("kết nạp được 20.777 đảng viên mới;", "dang"), has_count("ngày 09/3/2021")
    (True, False)
    >>> has_count("(5) Xây dựng Kế hoạch theo Nghị quyết số 21-NQ/TW năm 2021")
    False
    >>> has_count("tinh giản biên chế đối với 03 đồng chí", "dang")
    False
    >>> has_count("tinh giản biên chế đối với 03 đồng chí", "can")
    True
    """
    t = _NOT_A_COUNT.sub(" ", _LIST_MARKER.sub(" ", nfc(text)))
    t = fold(_COUNT_WORD.sub("9", t.lower()))
    if noun is None:
        return bool(re.search(r"\d", t))
    count = r"\d[\d.,/]*"
    # officials ("cán bộ") are counted as comrades too ("03 đồng chí thuộc diện ...")
    alike = r"(?:can|dong chi)" if noun == "can" else re.escape(noun)
    return bool(re.search(count + r"(?:\s+\S+){0,3}?\s+" + alike + r"\b", t)
                or re.search(rf"\b{alike}(?:\s+\S+){{0,10}}?\s+{count}\s+{_COUNTER}", t))
