"""Question analysis shared by retrieval and evidence selection.

- :func:`anchors`: the terms a passage must contain for the question to be about it
  (years, quarters, document codes, proper names), so "Ai là Bí thư Tỉnh ủy Cà Mau?"
  is not answered from an article about Kon Tum.
- :func:`is_list_question`: questions that want every item of an enumeration.
- :func:`contains_term`: whole-word containment on normalized text.
- :func:`is_multi_document`: questions that ask across the articles.
- :func:`role_asked` / :func:`has_role`: the title a question asks for, so evidence that
  cannot hold it does not count ("Ai là Bí thư Tỉnh ủy X?" needs that exact title);
  counts ("how many") are in ``counts.py``.
"""

from __future__ import annotations

import re

from assistant.retrieve.gazetteer import is_province
from assistant.vietnamese import (
    ROMAN_NUMERALS,
    STOPWORDS,
    VI_SYLLABLE,
    detect_language,
    fold,
    match_normalize,
    nfc,
)

_LIST_CUES = re.compile(
    r"\b(list|which|what (were|are) the|priorities|tasks|steps|solutions|measures|items|"
    r"cac|nhung|liet ke|gom|bao gom|nhiem vu|giai phap|noi dung)\b"
)
# "what weaknesses", "which main tasks", "what kinds of ...": a plural asked for
_PLURAL_ASKED = re.compile(r"\b(?:what|which)\s+(?:(?:kinds?|types?|sorts?) of\s+)?(?:[a-z-]+\s+)?"
                           r"(?!(?:does|is|was|has|this|us)\b)[a-z-]{3,}(?:ies|[^s'u]s)\b")
# "What did the chief ask the boards to concentrate on?": a request's content, often a
# run of clauses
_REQUEST_ASKED = re.compile(r"\bwhat did\b.*\b(?:ask|request|urge|call|direct|instruct)"
                            r"(?:s|ed)?\b")
# "How did Cao Lãnh use IT ...?", "... như thế nào?": the ways, often a colon's run of clauses
_MANNER_ASKED = re.compile(r"\bhow (?:did|do|does|has|have|was|were|is|are)\b"
                           r"|\b(?:nhu the nao|ra sao|bang cach nao)\b")
_COUNT_CUE = re.compile(r"\b(\d+|hai|ba|bon|nam|sau|bay|tam|chin|muoi|two|three|four|five|six|"
                        r"seven|eight|nine|ten)\b")
_MULTI_DOC = re.compile(
    r"\b(across the articles|in the articles|the articles|in both|cac bai viet|cac bai bao"
    r"|ca hai bai"
    r"|compare|comparing|so sanh)\b"
)
# Two named sources or events joined by "and": "the Vinh Phuc article ... and the Kon Tum
# article", "bài về Đồng Tháp ... và bài về Cụm thi đua số III".
_SOURCE = (r"(?:article|report|story|piece|conference|briefing|meeting|review|bai viet|bai bao"
           r"|bai|hoi nghi|bao cao)")
_TWO_SOURCES = re.compile(rf"\b{_SOURCE}\b[^?]{{0,90}}?\b(?:and|va)\s+(?:(?:the|in the|of the"
                          rf"|o|trong|tai)\s+)?[^?]{{0,60}}?\b{_SOURCE}\b")
_WHO_VI = re.compile(r"\b(ai|ten la gi|ten gi|ho ten|ho va ten|ten cua"
                     r"|(?:dong chi|vi|lanh dao) nao)\b")
_WHO_AFTER = re.compile(r"[^?;]{0,80}?\b(?:la ai|ten la gi|ten gi|ho ten la gi|la nguoi nao)\b")
# A secretary or chair of a committee as the subject the question opens with, as in
# English (``english.py``): "Bí thư Tỉnh ủy Vĩnh Phúc đã chỉ đạo gì ...?", "Theo bài
# viết, Phó Bí thư Thường trực Tỉnh ủy Kon Tum đề nghị gì?": the article must name that
# title too. A place name and a verb follow the title.
_SUBJECT_VI = re.compile(
    r"^(?:[^,?;]{0,40},\s*)?((?:pho )?(?:bi thu|chu tich)(?: thuong truc)?"
    r" (?:tinh uy|thanh uy|huyen uy|dang uy))\s+(?:[a-z]+\s+){1,4}?"
    r"(?:da|dang|se|co|noi|phat bieu|chi dao|de nghi|yeu cau|nhan manh|ky|chu tri|giao)\b")
_WHO_EN = re.compile(
    r"\b(who|whom|whose name|name of|full name)\b"
    # "which (Kon Tum) official ...?": up to three words between, none a verb, article or
    # preposition ("which document did the head sign?", "which two manifestations among
    # cadres ...?" ask for other things)
    r"|\bwhich\s+(?:(?!(?:did|does|do|was|were|is|are|has|have|had|the|a|an|of|for|among|in|at|on|from"
    r"|by|with|to|and|or|that)\b)"
    r"[\w'’.-]+\s+){0,3}?(?:officials?|leaders?|persons?|people|comrades?|secretar(?:y|ies)"
    r"|chair(?:man|men|person|woman)?|deputy|deputies|directors?|chiefs?|cadres?|members?)\b"
    r"(?!\s*-|\s+(?:provinces?|boards?|units?|localities|organi[sz]ations?|committees?)\b)")
# Titles a "who" question can ask for (folded), longest first.
_ROLE = re.compile(
    r"(pho )?(bi thu|truong ban|chu tich|giam doc|vu truong)( thuong truc)?"
    r"( (tinh uy|thanh uy|huyen uy|dang uy|trung uong dang|to chuc trung uong|to chuc tinh uy"
    r"|to chuc))?"
)
_EN_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
              "dec"]
_EN_MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?,?\s+((?:19|20)\d{2})\b"
)
_VI_MONTH_YEAR = re.compile(r"\btháng\s+(\d{1,2})(?:\s*/\s*|\s+năm\s+)((?:19|20)\d{2})\b",
                            re.I)
_MONTH_ANCHOR = re.compile(r"^thang (\d{1,2})/((?:19|20)\d{2})$")
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")
ENUM_ITEM = re.compile(r"^\s*(\(\d{1,2}\)|\d{1,2}[.)]\s|[-–•*+]\s|[a-zđ]\)\s)")
_QUARTER_EN = re.compile(r"\b(?:q([1-4])|(first|second|third|fourth)[- ]quarter)\b", re.I)
_ROMAN = {"1": "i", "2": "ii", "3": "iii", "4": "iv", "first": "i", "second": "ii",
          "third": "iii", "fourth": "iv"}
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


# Common Vietnamese family names (general knowledge, folded), and the administrative words
# before a place: "Nguyễn Giờ" is a person, "huyện Tân Hồng" a place.
_SURNAMES = frozenset("""
    nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly mai truong cao
    dinh lam to ha doan luong trinh dao luu ta thai chau quach tang kieu chu giang lai thach
    tong khuc mac lu ong kim tieu
    """.split())
_ADMIN_CUE = re.compile(r"\b(?:tinh|huyen|thanh pho|tp|xa|phuong|thi xa|thi tran|diem cau)\s+$")


def names_person(text: str) -> bool:
    """Whether ``text`` names a person: a capitalized run outside titles of three or four
    Vietnamese syllables, or of two that start with a family name or a one-letter syllable
    ("A Pớt") and follow no administrative word; provinces are places.

    >>> names_person("Bí thư Thành ủy Nguyễn Văn Quảng chủ trì hội nghị tại điểm cầu Đà Nẵng.")
    True
    >>> names_person("Huyện Tân Hồng tổ chức cho đồng chí Bí thư Huyện uỷ gặp gỡ bí thư chi bộ.")
    False
    """
    text = nfc(text)
    folded = fold(text)
    for run in _name_runs(text):
        if not 2 <= len(run) <= 4 or not all(VI_SYLLABLE.match(w) for w in run):
            continue
        name = " ".join(run)
        if is_province(name):
            continue
        if len(run) >= 3:
            return True
        before = [folded[:m.start()] for m in re.finditer(rf"\b{re.escape(name)}\b", folded)]
        if (run[0] in _SURNAMES or len(run[0]) == 1) and not all(
                _ADMIN_CUE.search(b) for b in before):
            return True
    return False


# A numbered emulation cluster ("Cluster III", "Emulation Cluster No. 3", "Cụm thi đua số
# III"): its number is an anchor written the articles' way, "cum thi dua so iii".
_CLUSTER = re.compile(r"\b(?:cluster|cụm thi đua)\s+(?:no\.?\s*|number\s+|số\s+|#)?"
                      r"([ivx]{1,4}|\d{1,2})\b", re.I)
_ROMAN_OF = {value: roman.lower() for roman, value in ROMAN_NUMERALS.items()}


def _cluster_anchor(number: str) -> str:
    n = number.lower()
    if n.isdigit():
        n = _ROMAN_OF.get(int(n), n)
    return f"cum thi dua so {n}"


def anchors(question: str) -> list[str]:
    """Terms the retrieved text must contain for the question to be answerable.

    Years, document codes, quarters ("Q3", "third quarter", "quý III") and proper names:
    capitalized Vietnamese names, and in English questions the capitalized words that
    are romanized Vietnamese syllables ("Dong Thap", "Ca Mau"). Titles and institutions
    ("Phó Bí thư", "Ban Tổ chức") are not anchors.

    >>> anchors("Ai là Bí thư Tỉnh ủy Cà Mau?")
    ['ca mau']
    >>> anchors("Which province headed Emulation Cluster No. 3 in 2024?")
    ['2024', 'cum thi dua so iii']
    """
    q = nfc(question)
    english = detect_language(q) == "en"
    found: list[str] = []
    for m in re.finditer(r"\b\d{1,3}-[A-Za-zĐđ]+/[A-Za-zĐđ]+\b", q):
        found.append(match_normalize(m.group(0)))
    for month, year in _month_years(q):  # "December 2018", "tháng 12/2018"
        found.append(f"thang {month}/{year}")
    for m in _YEAR_RANGE.finditer(q):  # "2022-2026": a term of office, one anchor
        found.append(f"{m.group(1)}-{m.group(2)}")
    for m in re.finditer(r"(?<![\d.–-])(?<!\d/)(?:19|20)\d{2}(?![\d–-])", q):
        found.append(m.group(0))
    for m in _QUARTER_EN.finditer(q):
        found.append("quy " + _ROMAN[(m.group(1) or m.group(2)).lower()])
    for m in re.finditer(r"\bquý\s+([IV]+)\b", q, re.I):
        found.append("quy " + m.group(1).lower())
    for m in _CLUSTER.finditer(q):
        found.append(_cluster_anchor(m.group(1)))
    for run in _name_runs(q):
        if len(run) == 1 and run[0] in STOPWORDS:  # "In", "Do", "Da" alone are not names
            continue
        words = [w for w in run if not english or VI_SYLLABLE.match(w)]
        if words and (len(words) >= 2 or len(words[0]) > 3):
            found.append(" ".join(words))
    return list(dict.fromkeys(found))


def contains_term(haystack: str, term: str) -> bool:
    """Whole-word containment on normalized text ("quy ii" is not in "quy iii"); a
    hyphen matches any dash with or without spaces ("2021-2026" in "2021 - 2026").

    A month anchor (``"thang 12/2018"``) is found when the year occurs and the month is
    written in any of the articles' ways: "tháng 12", "03/12", "12/2018" (articles give a
    day and month and leave the year to their date line: "Chiều 28/9"), not with another
    year of its own.

    >>> [contains_term(t, "thang 1/2022") for t in ["04/01/2023 ... 2022", "13-1 ... 2022"]]
    [False, True]
    """
    month = _MONTH_ANCHOR.match(term)
    if month:
        m, year = int(month.group(1)), month.group(2)
        said = re.search(
            rf"(?<![a-z0-9])(?:thang 0?{m}|\d{{1,2}}[/-]0?{m}(?:[/-]{year})?|0?{m}[/-]{year})"
            r"(?![0-9]|[/-]\d)",  # "04/01/2023" is January of 2023 only
            haystack,
        )
        return said is not None and contains_term(haystack, year)
    body = re.escape(term).replace(r"\-", r"\s*[-–]\s*")
    return re.search(r"(?<![a-z0-9])" + body + r"(?![a-z0-9])", haystack) is not None


def _month_years(question: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for m in _EN_MONTH_YEAR.finditer(question):
        out.append((_EN_MONTHS.index(m.group(1).lower()[:3]) + 1, m.group(2)))
    for m in _VI_MONTH_YEAR.finditer(question):
        out.append((int(m.group(1)), m.group(2)))
    return [(month, year) for month, year in out if 1 <= month <= 12]


def is_multi_document(question: str) -> bool:
    """"Across the articles, ...", "Theo các bài viết, ...", "the X article and the Y
    article": the answer spans documents.

    >>> is_multi_document("What do the Vinh Phuc article and the Kon Tum report say?")
    True
    >>> is_multi_document("Who spoke for Gia Lai at the Q3 2023 online review conference?")
    False
    """
    f = fold(question)
    return bool(_MULTI_DOC.search(f) or _TWO_SOURCES.search(f))


def role_asked(question: str) -> str | None:
    """The title a Vietnamese "who" question asks about, folded ("bi thu tinh uy" in
    "Bí thư Tỉnh ủy Vĩnh Phúc năm 2018 là ai?"), or None.

    >>> role_asked("Ai đang là Phó Bí thư Thường trực Tỉnh ủy Đồng Tháp?")
    'pho bi thu thuong truc tinh uy'
    >>> role_asked("Bí thư Tỉnh ủy Vĩnh Phúc đã chỉ đạo gì sau hội nghị?")
    'bi thu tinh uy'
    """
    f = fold(nfc(question))
    subject = _SUBJECT_VI.match(f)
    if subject and not _WHO_AFTER.match(f[subject.end(1):]):
        return subject.group(1)
    if not _WHO_VI.search(f):
        return None
    for m in _ROLE.finditer(f):
        # the title is what is asked ("Ai là <title>?", "<title> ... là ai?"), not a word
        # of the question's other parts ("Ai nói chuyện ... của phó bí thư đảng ủy xã?")
        if re.search(r"\bai\s+(?:dang\s+|hien\s+|tung\s+)?(?:la|giu chuc|lam)\s+$", f[:m.start()]) \
                or _WHO_AFTER.match(f[m.end():]):
            return m.group(0)
    return None


def asks_person(question: str) -> bool:
    """"Ai ...?", "... tên là gì?", "Who ...?", "the name of ...": a person is the answer.

    >>> asks_person("Bí thư Huyện ủy Tân Hồng tên là gì?"), asks_person("Which board led?")
    (True, False)
    """
    f = fold(nfc(question))
    return bool((_WHO_EN if detect_language(question) == "en" else _WHO_VI).search(f))


def has_role(text: str, role: str) -> bool:
    """``text`` names the title ``role`` itself, not its deputy ("phó bí thư" is not
    "bí thư")."""
    f = fold(nfc(text))
    for m in re.finditer(r"(?<![a-z])" + re.escape(role) + r"(?![a-z])", f):
        if role.startswith("pho ") or not f[: m.start()].endswith("pho "):
            return True
    return False


def titles(text: str) -> list[str]:
    """The titles ``text`` names, folded ("pho bi thu thuong truc tinh uy"); "Ban Bí
    thư" is the Secretariat, no one's title."""
    f = fold(nfc(text))
    return [m.group(0).strip() for m in _ROLE.finditer(f) if not f[:m.start()].endswith("ban ")]


def is_list_question(question: str) -> bool:
    """Questions that want every item: "What were the six priorities?", "Liệt kê ...",
    "Những nhiệm vụ nào ...", and "what/which" with a plural ("What weaknesses did the
    review point out?")."""
    f = fold(question)
    cued = _LIST_CUES.search(f) and (_COUNT_CUE.search(f) or "list" in f or "liet ke" in f
                                     or "nhung" in f or "cac" in f or "which" in f)
    return bool(cued or _PLURAL_ASKED.search(f) or _REQUEST_ASKED.search(f)
                or _MANNER_ASKED.search(f))
