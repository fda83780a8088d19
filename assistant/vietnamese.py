"""Vietnamese-aware text handling shared by every stage.

- :func:`nfc` / :func:`fold`: Unicode NFC; diacritic folding with ``đ`` -> ``d``.
- :func:`match_normalize`: the gold-set normalization of DESIGN.md (fold, lowercase,
  collapse whitespace, drop thousands separators: ``20.777`` -> ``20777``).
- :func:`syllables` / :func:`keyword_tokens`: syllable tokens for the keyword index
  (exact syllables, folded syllables and folded syllable bigrams such as ``dang_vien``).
- :func:`split_sentences`: sentence spans with offsets into the text; cuts only at
  whitespace, so a syllable is never split.
- :func:`detect_language`: deterministic vi/en detection.

Deliberately left out: word segmentation into multi-syllable words (bigrams cover
compounds well enough for retrieval, and need no model).
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

_WS = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")
_WORD = re.compile(r"[^\W_]+(?:[-/][^\W_]+)*", re.UNICODE)
# A letter only Vietnamese writes with (a tone or vowel mark, or đ).
VI_MARKED = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
    re.IGNORECASE,
)


# Roman numerals as the articles write them (terms "khóa XIII", quarters "quý IV",
# emulation clusters "Cụm thi đua số III"), with their values.
ROMAN_NUMERALS: dict[str, int] = {
    "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
    "X": 10, "XI": 11, "XII": 12, "XIII": 13, "XIV": 14, "XV": 15, "XVI": 16, "XVII": 17,
    "XVIII": 18, "XIX": 19, "XX": 20}


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (Vietnamese files often mix NFC and NFD)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase and strip diacritics; ``đ``/``Đ`` become ``d``.

    >>> fold("Đảng viên")
    'dang vien'
    """
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d"))


_OLD_TONES = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_OLD_TONE = re.compile("(" + "|".join(_OLD_TONES) + r")(?![^\W\d_])")


def canonical_tones(text: str) -> str:
    """Lowercase NFC with the tone mark of open "oa", "oe", "uy" syllables on the first
    vowel, so the two spellings the articles mix compare equal ("Tỉnh uỷ" = "Tỉnh ủy",
    "hoà" = "hòa"; "hoàn" is spelled one way only).

    >>> canonical_tones("Tỉnh uỷ") == canonical_tones("Tỉnh ủy")
    True
    """
    return _OLD_TONE.sub(lambda m: _OLD_TONES[m.group(1)], nfc(text).lower())


def match_normalize(text: str) -> str:
    """Normalization for all answer/key-fact matching (DESIGN.md).

    >>> match_normalize("Kết nạp  20.777 đảng viên")
    'ket nap 20777 dang vien'
    """
    folded = fold(nfc(text))
    folded = _THOUSANDS.sub("", folded)
    return _WS.sub(" ", folded).strip()


def syllables(text: str) -> list[str]:
    """Lowercased NFC syllables (and codes such as ``01-kl/btctw``) in reading order."""
    return [m.group(0) for m in _WORD.finditer(nfc(text).lower())]


def keyword_tokens(text: str, *, bigrams: bool = True) -> list[str]:
    """Tokens for the keyword index: exact + folded syllables and folded bigrams.

    >>> keyword_tokens("Đảng viên")
    ['đảng', 'dang', 'viên', 'vien', 'dang_vien']
    """
    out: list[str] = []
    folded_seq: list[str] = []
    for syl in syllables(_THOUSANDS.sub("", nfc(text))):
        f = fold(syl)
        out.append(syl)
        if f != syl:
            out.append(f)
        if "-" in f or "/" in f:
            out.extend(p for p in re.split(r"[-/]", f) if p)
        folded_seq.append(f)
    if bigrams:
        out.extend(f"{a}_{b}" for a, b in itertools.pairwise(folded_seq))
    return out


# Function words that carry no topic (folded forms; both languages).
STOPWORDS = frozenset(
    """
    la gi nao ai dau bao nhieu khi nhu the sao va cua cac
    nhung duoc trong cho voi co khong da nay theo ve tai mot nguoi
    thi ma de do hay hoac tu den ra vao len nam ngay the
    a an of and or in on at to for is are was were
    what which who whom whose when where why how did does do many much
    with by from that this these those there their it its be been has
    have had as about list name give tell please according did were was
    """.split()
)


_STEMMERS = threading.local()


def _english_stemmer() -> Any:
    """This thread's Snowball stemmer. A stemmer object keeps the word it is working on,
    so one shared between threads mixes words up (the server answers questions in
    parallel threads; a shared one raised IndexError under load)."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return stemmer


def english_stems(text: str) -> set[str]:
    """Porter2-stemmed English content words ("admitted" and "admission" share
    "admi..."; "joined" -> "join"), stopwords and one-letter words left out.

    >>> sorted(english_stems("How many people joined the Party?"))
    ['join', 'parti', 'peopl']
    """
    words = [w for w in re.findall(r"[a-z]+", fold(nfc(text))) if len(w) > 1]
    return set(_english_stemmer().stemWords([w for w in words if w not in STOPWORDS]))


def content_tokens(text: str) -> set[str]:
    """Folded syllables and bigrams of ``text`` without stopwords."""
    toks = set()
    for t in keyword_tokens(text):
        if "_" in t:
            a, b = t.split("_", 1)
            if a in STOPWORDS and b in STOPWORDS:
                continue
            toks.add(t)
        else:
            f = fold(t)
            if f not in STOPWORDS and len(f) > 1:
                toks.add(f)
    return toks


# --- sentences ---------------------------------------------------------------------

_ABBREVIATIONS = {
    "tp", "t.ư", "tw", "th.s", "ths", "ts", "pgs", "gs", "bs", "ks", "mr", "mrs", "dr",
    "st", "no", "vs", "e.g", "i.e", "etc", "q", "p", "tr", "t.h",
}
# Sentence end: . ! ? … (optionally followed by closing quotes/brackets) then whitespace.
_SENT_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+")
_ENUM_START = re.compile(r"(?<=[:;.])\s+(?=\(\d{1,2}\)\s)")


@dataclass(frozen=True)
class Span:
    """A piece of text with its offsets: ``source[start:end] == text``."""

    start: int
    end: int
    text: str


def trim_span(source: str, start: int, end: int) -> Span | None:
    """``source[start:end]`` without surrounding whitespace, or None if nothing is left."""
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return Span(start, end, source[start:end])


def _is_boundary(source: str, dot_end: int, next_start: int) -> bool:
    """Decide whether the punctuation before ``dot_end`` really ends a sentence."""
    if next_start >= len(source):
        return True
    before = source[:dot_end].rstrip("\"”’)]")
    last_word = re.search(r"(\S+)$", before)
    if last_word:
        word = last_word.group(1).rstrip(".!?…").lower()
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            return False
        if re.fullmatch(r"\d{1,3}", word) and before.endswith("."):
            # "1. " list numbering or an ordinal: not a boundary when followed by lowercase
            return not source[next_start].islower()
    nxt = source[next_start]
    return nxt.isupper() or nxt.isdigit() or nxt in "\"“‘(['-–•*"


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split ``text[start:end]`` into sentence spans (offsets are into ``text``).

    Boundaries: line breaks, sentence punctuation followed by an upper-case letter,
    digit or quote, and enumeration items such as ``(2) ...``. Cuts happen only at
    whitespace, never inside a syllable.

    >>> [s.text for s in split_sentences("Ngày 13-1, hội nghị họp. Đồng chí A phát biểu.")]
    ['Ngày 13-1, hội nghị họp.', 'Đồng chí A phát biểu.']
    """
    stop = len(text) if end is None else end
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text[start:stop]):
        ls, le = start + line.start(), start + line.end()
        cuts = [ls]
        segment = text[ls:le]
        for m in _SENT_END.finditer(segment):
            if _is_boundary(text, ls + m.start(), ls + m.end()):
                cuts.append(ls + m.end())
        for m in _ENUM_START.finditer(segment):
            cuts.append(ls + m.end())
        cuts = [*sorted(set(cuts)), le]
        for a, b in itertools.pairwise(cuts):
            span = trim_span(text, a, b)
            if span is not None:
                spans.append(span)
    return spans


def split_clauses(span: Span, max_chars: int = 320) -> list[Span]:
    """Split a long sentence at ``;`` so evidence can quote the part that answers.

    Short sentences come back unchanged.
    """
    if len(span.text) <= max_chars:
        return [span]
    parts: list[Span] = []
    cursor = span.start
    for m in re.finditer(r";\s+", span.text):
        cut = span.start + m.end()
        piece = _trim_span(span, cursor, cut)
        if piece is not None:
            parts.append(piece)
        cursor = cut
    tail = _trim_span(span, cursor, span.end)
    if tail is not None:
        parts.append(tail)
    return parts or [span]


def _trim_span(span: Span, a: int, b: int) -> Span | None:
    local = trim_span(span.text, a - span.start, b - span.start)
    if local is None:
        return None
    return Span(span.start + local.start, span.start + local.end, local.text)


# --- language ----------------------------------------------------------------------

# A folded Vietnamese syllable: onset, vowel nucleus, coda. Romanized Vietnamese names
# ("Kon Tum", "Ca Mau") match; English words ("September", "Highlands") do not.
VI_SYLLABLE = re.compile(
    r"^(ngh|ng|gh|gi|kh|ch|nh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(uye|uya|uyu|oai|oay|oao|oeo|uoi|uou|ieu|yeu|uay|uai|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe"
    r"|oi|oo|ua|ue|ui|uo|uu|uy|ye|ya|a|e|i|o|u|y)(ch|ng|nh|c|m|n|p|t)?$"
)
# Words English capitalizes that name no thing: months, weekdays, personal titles. The
# translation verifier (no invented entity) and the unknown-name rule (no name the
# articles lack) both let them pass.
EN_CAPITALIZED = frozenset(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday mr mrs ms
    """.split()
)
_EN_WORDS = frozenset(
    """
    the a an of and or in on at to for is are was
    were what which who whom whose when where why how did does do many
    much with by from that this these those there their it its be been
    has have had as about list name give tell please according
    """.split()
)
_VI_WORDS = frozenset(
    """
    và của là các những được trong cho với có không đã này theo
    về tại một người gì nào bao nhiêu ai đâu khi sao thế nhiệm
    vụ năm ngày quý tỉnh đảng
    """.split()
)
# The same function words typed without diacritics ("bao nhieu dang vien"), leaving out
# those that are English words too ("the", "to").
_VI_WORDS_FOLDED = frozenset(
    """
    va cua la cac nhung duoc trong cho voi co khong da nay theo ve tai mot nguoi gi nao
    bao nhieu ai dau khi sao nhiem vu nam ngay quy tinh dang nhu thi hay cung ra vao
    """.split()
)


def detect_language(text: str) -> str:
    """Return ``"vi"`` or ``"en"`` deterministically (diacritics and function words).

    Text inside quotation marks is ignored, so an English answer quoting a Vietnamese
    source still counts as English.

    >>> detect_language("What were the six Q1 2021 priorities?")
    'en'
    >>> detect_language("Sáu nhiệm vụ trọng tâm quý I/2021 là gì?")
    'vi'
    >>> detect_language("Who chaired the meeting in Buôn Ma Thuột?")
    'en'
    """
    unquoted = re.sub(r"“[^”]*”|\"[^\"]*\"", " ", nfc(text))
    words = syllables(unquoted)
    if not words:
        return "vi" if VI_MARKED.search(text) else "en"
    en_hits = sum(1 for w in words if w in _EN_WORDS)
    # in English ("Will it rain in Buôn Ma Thuột tomorrow?") a Vietnamese name keeps its
    # diacritics: capitalized words are no sign of Vietnamese when English function
    # words are there
    names = ({w.lower() for w in re.findall(r"[^\W\d_]+", unquoted) if w[:1].isupper()}
             if en_hits >= 2 else set())
    marked = sum(1 for w in words if VI_MARKED.search(w) and w not in names)
    vi_hits = sum(1 for w in words if w in _VI_WORDS) + marked
    if marked / len(words) >= 0.2:
        return "vi"
    if not marked and _unaccented_vietnamese(words):
        return "vi"
    return "en" if en_hits >= vi_hits else "vi"


def _unaccented_vietnamese(words: list[str]) -> bool:
    """Vietnamese typed without diacritics ("ngay thanh lap nganh la ngay nao"): nearly
    every word is a Vietnamese syllable, and Vietnamese function words outnumber English
    ones. English rarely passes both ("What is the population of Vietnam?"). Four or more
    words that are all Vietnamese syllables and none an English word are Vietnamese too,
    function words or not ("cach lam banh xeo mien Nam ngon")."""
    plain = [w for w in words if w.isalpha()]
    if len(plain) < 3:
        return False
    valid = sum(1 for w in plain if VI_SYLLABLE.match(w) and w not in _EN_WORDS)
    vi_hits = sum(1 for w in plain if w in _VI_WORDS_FOLDED)
    en_hits = sum(1 for w in plain if w in _EN_WORDS)
    if len(plain) >= 4 and valid == len(plain) and not en_hits:
        return True
    return valid >= 0.85 * len(plain) and vi_hits >= 1 and vi_hits > en_hits
