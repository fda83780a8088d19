"""Deterministic help for the translator: format hints, clause pieces, masked names.

Three things a small model gets wrong that plain rules get right:

* **Dates and Roman-numeral ordinals.** "Ngày 13-1" came out as "December 13", "khóa X"
  and "lần thứ XI" were dropped. :func:`format_hints` renders them the English way
  ("13-1 = January 13", "khóa X = 10th tenure", "lần thứ XI = 11th") and the prompt lists
  them with the glossary's term hints. They are not glossary terms, so the verifier's
  term-coverage check does not count them; its number check already requires the facts.
* **Long sentences.** A 300-character sentence loses a clause far more often than a
  100-character one. When both attempts on a long sentence are rejected, the translator
  tries :func:`clause_pieces` (cut at ";" and ":", outside brackets and quotes, into
  pieces of a readable length), translates each piece, and
  :func:`join_pieces` puts the English back together. The joined text is verified
  against the whole sentence like any other translation.
* **Names among titles.** "Ủy viên Bộ Chính trị, ..., Trưởng ban Tổ chức Trung ương
  Trương Thị Mai chủ trì hội nghị" came out with her name dropped and "Chairman of the
  Communist Party of Vietnam" in its place, in every sample. With the names replaced by
  tokens (:func:`mask_names`: "... Trung ương NAME1 chủ trì hội nghị") the model keeps
  the token where the name goes and :func:`unmask_names` puts the name back; the result
  is verified against the original sentence like any other translation.

>>> format_hints("Ngày 13-1, Hội nghị Trung ương 4 khóa XII")
(('13-1', 'January 13'), ('Hội nghị Trung ương 4', '4th Central Committee plenum'), \
('khóa XII', '12th tenure'))
>>> [p for p, _ in clause_pieces("Phần một rất dài ở đây nhé các bạn; phần hai cũng dài "
...                               "không kém gì phần một", min_chars=20)]
['Phần một rất dài ở đây nhé các bạn', 'phần hai cũng dài không kém gì phần một']
"""

from __future__ import annotations

import re

from assistant.answer.facts import EN_ORDINALS, MONTH_NAMES, VI_ORDINAL_WORDS

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}
_DATE = re.compile(r"(?<![\d/.,-])(\d{1,2})\s?[/-]\s?(\d{1,2})(?:\s?[/-]\s?(\d{4}))?"
                   r"(?![\d/-]|[.,]\d)")
# Words that put a day/month right after them: "ngày 13-1", "Chiều 28/9", "vào 09/3/2021".
_DATE_CONTEXT = re.compile(r"(?:ngày|sáng|chiều|tối|trưa|đêm|vào|từ|đến|hôm)\s*$", re.I)
_ORDINAL_TERM = re.compile(
    r"\b(khóa|khoá|lần thứ|quý)\s+([IVXL]{1,6})(?![^\W\d_])", re.I)
# "lần thứ tư" (the fourth time): ordinals written as Vietnamese number words. Not a
# bare "thứ hai": after "ngày" that is a weekday (Monday).
_ORDINAL_WORD = re.compile(
    r"\b(lần thứ)\s+(" + "|".join(VI_ORDINAL_WORDS) + r")(?![^\W\d_])", re.I)
# A plenum by its number ("Hội nghị Trung ương 9 khóa XII" was "the 12th plenum"), and a
# document by its type and code ("Quy định số 126-QĐ/TW" was left in Vietnamese).
_PLENUM = re.compile(r"\bHội nghị Trung ương\s+(\d{1,2})(?!\d)")
_DOC_TYPES = {"quy định": "Regulation", "hướng dẫn": "Guidance", "nghị quyết": "Resolution",
              "kết luận": "Conclusion", "chỉ thị": "Directive", "quyết định": "Decision",
              "kế hoạch": "Plan", "đề án": "Project", "thông báo": "Notice"}
_DOC_CODE = re.compile(r"\b(" + "|".join(_DOC_TYPES) + r")\s+(?:số\s+)?(\d{1,4}-[A-ZĐ]{1,6}"
                       r"(?:/[A-ZĐ]{1,8})+)", re.I)
# A list item's marker at the start of a sentence: "(1)", "1)", "a)", "2.".
_MARKER = re.compile(r"^\s*(\(\d{1,2}\)|\d{1,2}\)|[a-zđ]\)|\d{1,2}\.(?=\s))\s*")


def roman(value: str) -> int | None:
    """The integer of a Roman numeral up to L ("XIV" -> 14), None if it is not one."""
    total, prev = 0, 0
    for ch in reversed(value.upper()):
        n = _ROMAN_VALUES.get(ch)
        if n is None:
            return None
        total, prev = (total - n, prev) if n < prev else (total + n, n)
    return total or None


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_hints(text: str) -> tuple[tuple[str, str], ...]:
    """``(span as written, English rendering)`` for the dates, Roman-numeral ordinals,
    ordinal words ("lần thứ tư" = "fourth (4th)"), numbered plenums ("Hội nghị Trung ương
    9" = "9th Central Committee plenum") and typed document codes ("Quy định số
    126-QĐ/TW" = "Regulation No. 126-QĐ/TW") of a Vietnamese sentence, in text order.

    >>> format_hints("theo Quy định số 126-QĐ/TW")
    (('Quy định số 126-QĐ/TW', 'Regulation No. 126-QĐ/TW'),)
    """
    found: list[tuple[int, str, str]] = []
    for m in _DATE.finditer(text):
        day, month = int(m.group(1)), int(m.group(2))
        year = m.group(3)
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        if year is None and not _DATE_CONTEXT.search(text[max(0, m.start() - 8):m.start()]):
            continue  # "10/13 xã" is a share, not a date
        english = f"{MONTH_NAMES[month - 1]} {day}" + (f", {year}" if year else "")
        found.append((m.start(), m.group(0), english))
    for m in _ORDINAL_TERM.finditer(text):
        n = roman(m.group(2))
        if n is None:
            continue
        word = m.group(1).lower()
        if word == "quý":
            if n > 4:
                continue
            english = f"{EN_ORDINALS[n - 1]} quarter"
        else:
            english = ordinal(n) + (" tenure" if word in ("khóa", "khoá") else "")
        found.append((m.start(), m.group(0), english))
    for m in _ORDINAL_WORD.finditer(text):
        n = VI_ORDINAL_WORDS[m.group(2).lower()]
        found.append((m.start(), m.group(0), f"{EN_ORDINALS[n - 1]} ({ordinal(n)})"))
    for m in _PLENUM.finditer(text):
        found.append((m.start(), m.group(0),
                      f"{ordinal(int(m.group(1)))} Central Committee plenum"))
    for m in _DOC_CODE.finditer(text):
        found.append((m.start(), m.group(0), f"{_DOC_TYPES[m.group(1).lower()]} No. "
                                              f"{m.group(2)}"))
    found.sort()
    return tuple(dict.fromkeys((span, en) for _, span, en in found))


def _cuts(text: str, marks: str) -> list[int]:
    """Positions just after a mark in ``marks`` followed by a space, outside (), [] and
    quotes."""
    depth, quoted, out = 0, False, []
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in "“”\"":
            quoted = ch == "“" or (ch == '"' and not quoted)
        elif ch in marks and not depth and not quoted and text[i + 1:i + 2] == " ":
            out.append(i + 1)
    return out


def _split(text: str, marks: str, min_chars: int) -> list[tuple[str, str]]:
    """``(piece, separator after it)``; a piece shorter than ``min_chars`` joins the
    next one, and a short last piece joins the one before."""
    pieces: list[tuple[str, str]] = []
    start = 0
    for cut in [*_cuts(text, marks), len(text) + 1]:
        piece = text[start:cut - 1].strip() if cut <= len(text) else text[start:].strip()
        if cut <= len(text) and len(piece) < min_chars:
            continue
        sep = text[cut - 1] if cut <= len(text) else ""
        pieces.append((piece, sep))
        start = cut
    if len(pieces) > 1 and len(pieces[-1][0]) < min_chars:
        (prev, psep), (last, sep) = pieces[-2], pieces[-1]
        pieces[-2:] = [(f"{prev}{psep} {last}", sep)]
    return pieces


def clause_pieces(text: str, min_chars: int = 60) -> list[tuple[str, str]]:
    """The sentence cut into clauses for separate translation, at ";" and ":" only.
    One piece means "do not split".

    Commas are not cut: in these articles a comma as often separates the items of a
    list ("các địa phương, đơn vị khẩn trương hoàn thành") as clauses, and translating
    "đơn vị khẩn trương hoàn thành" alone gave "The unit committed to completing"."""
    return _split(text.strip(), ";:", min_chars)


def join_pieces(translations: list[str], pieces: list[tuple[str, str]]) -> str:
    """The English pieces joined with the source's separators (";", ":"); a full stop
    ending a piece inside the sentence is dropped."""
    parts = [english.strip().rstrip(".") + sep if sep else english.strip()
             for english, (_, sep) in zip(translations, pieces, strict=True)]
    return " ".join(parts)


def restore_marker(source: str, translation: str) -> str:
    """``translation`` starting with the list marker of ``source`` ("(1)", "2.", "a)")
    when the model dropped it: the marker is the item's number in its enumeration, and
    a reader of "the six priorities" needs it.

    >>> restore_marker("(1) Chuẩn bị thực hiện quy trình rà soát.", "Prepare the review.")
    '(1) Prepare the review.'
    >>> restore_marker("(4) Tổ chức hội nghị.", "(4) Hold a conference.")
    '(4) Hold a conference.'
    >>> restore_marker("Tổ chức hội nghị.", "Hold a conference.")
    'Hold a conference.'
    """
    m = _MARKER.match(source)
    if not m or not translation.strip():
        return translation
    marker = m.group(1)
    body = translation.lstrip()
    if body.startswith(marker):
        return translation
    return f"{marker} {body}"


def mask_names(text: str, names: list[str]) -> tuple[str, dict[str, str]]:
    """``text`` with each of ``names`` (as written, longest first) replaced by a token
    ``NAME1``, ``NAME2``, ...; and the tokens' names.

    >>> mask_names("Đồng chí Mai Văn Chính chủ trì hội nghị.", ["Mai Văn Chính"])
    ('Đồng chí NAME1 chủ trì hội nghị.', {'NAME1': 'Mai Văn Chính'})
    """
    tokens: dict[str, str] = {}
    for name in sorted(set(names), key=len, reverse=True):
        if name and name in text:
            token = f"NAME{len(tokens) + 1}"
            text = text.replace(name, token)
            tokens[token] = name
    return text, tokens


def unmask_names(translation: str, tokens: dict[str, str]) -> str:
    """Put the names back where the translation kept their tokens.

    >>> unmask_names("Comrade NAME1 chaired the conference.", {"NAME1": "Mai Văn Chính"})
    'Comrade Mai Văn Chính chaired the conference.'
    """
    for token, name in tokens.items():
        translation = re.sub(rf"\b{token}\b", name, translation)
    return translation
