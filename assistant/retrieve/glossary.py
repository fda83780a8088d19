"""The bilingual domain glossary (``data/glossary.tsv``): Party organization-building
terms in Vietnamese, their English rendering, and the ways an English question says them.

It serves both directions:

- :func:`concepts` / :func:`vietnamese_terms` / :func:`expand_query`: an English question
  shares only names and numbers with the Vietnamese articles, so keyword search and the
  word-overlap part of evidence scoring see almost nothing ("Who chaired the online
  conference?" vs "chủ trì hội nghị trực tuyến"). The Vietnamese terms of the English
  phrases it contains are added (longest phrase first, a stretch of text used once, so
  "deputy secretary" is not also "secretary"). Dense retrieval keeps the question as is.
- :func:`term_hints`: the "Vietnamese = English" pairs for the terms of a Vietnamese
  sentence, given to the translation model (``answer/translate.py``) so it renders "Ban
  Chấp hành" as "Executive Committee", not "Board of Directors".

The file is domain vocabulary written from the articles and general Party/state
terminology, never from evaluation questions. Columns (tab-separated): Vietnamese
spellings ("|" between them), the canonical English, English variants ("|" between them;
a trailing ``*`` matches any ending).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.data import data_path
from assistant.index.keyword.store import KeywordIndex
from assistant.retrieve.codes import DOCUMENT_TYPES
from assistant.vietnamese import canonical_tones, detect_language, fold, nfc

GLOSSARY_PATH = data_path("glossary.tsv")


@dataclass(frozen=True)
class Entry:
    """One concept: its Vietnamese spellings, canonical English, English variants."""

    vietnamese: tuple[str, ...]
    english: str
    variants: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]


def _compile(phrase: str) -> re.Pattern[str]:
    words = []
    for word in phrase.split():
        stem = word.rstrip("*")
        body = r"[-\s]+".join(re.escape(p) for p in stem.split("-"))
        words.append(body + (r"[\w'-]*" if word.endswith("*") else ""))
    return re.compile(r"(?<![\w-])" + r"[\s-]+".join(words) + r"(?![\w-])")


@lru_cache(maxsize=4)
def load_glossary(path: Path = GLOSSARY_PATH) -> tuple[Entry, ...]:
    """The glossary's entries (file order)."""
    entries: list[Entry] = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in nfc(line).split("\t")]
        if len(cols) != 3 or not all(cols):
            raise ValueError(f"{path}:{line_no}: expected 'vietnamese<TAB>english<TAB>variants'")
        vietnamese = tuple(t.strip() for t in cols[0].split("|") if t.strip())
        variants = tuple(dict.fromkeys(
            " ".join(v.lower().split()) for v in cols[2].split("|") if v.strip()))
        entries.append(Entry(vietnamese, cols[1], variants,
                             tuple(_compile(v) for v in variants)))
    return tuple(entries)


# An abbreviation among a concept's Vietnamese spellings: a word of two or more capitals
# ("TCXDĐ", "BCH" in "BCH Trung ương"); "T.Ư" too.
_ABBREVIATION = re.compile(r"(?<![\w.])(?:[A-ZĐ]{2,}|T\.Ư)(?![\w.])")


@lru_cache(maxsize=4)
def _abbreviated(entries: tuple[Entry, ...]
                 ) -> tuple[re.Pattern[str], dict[str, tuple[int, str]]]:
    """One pattern for every abbreviated spelling, longest first (never inside a document
    code: "08-KL/BTCTW"), and for each spelling its rank in that order and its concept
    written out (the concept's first spelling)."""
    full = {v: e.vietnamese[0] for e in entries for v in e.vietnamese[1:]
            if _ABBREVIATION.search(v) and not _ABBREVIATION.search(e.vietnamese[0])}
    longest = sorted(full, key=len, reverse=True)
    spellings = "|".join(re.escape(v) for v in longest)
    return (re.compile(rf"(?<![\w./-])(?:{spellings})(?![\w/-])"),
            {v: (rank, full[v]) for rank, v in enumerate(longest)})


@lru_cache(maxsize=4096)
def written_out(text: str, entries: tuple[Entry, ...] | None = None) -> str:
    """The written-out spellings of the glossary abbreviations ``text`` uses, so that the
    word overlap of a sentence saying "ngành TCXDĐ" meets a question saying "ngành Tổ
    chức xây dựng Đảng"; "" when it uses none.

    >>> written_out("kỷ niệm 93 năm ngày thành lập ngành TCXDĐ (14/10/1930 - 14/10/2023)")
    'Ngành Tổ chức xây dựng Đảng'
    >>> written_out("Ngành Tổ chức xây dựng Đảng triển khai nhiệm vụ tháng 12")
    ''
    """
    pattern, spelled = _abbreviated(entries or load_glossary())
    # longer spellings first, then in the text's order: the words' order makes bigrams
    found = sorted((spelled[m.group(0)], m.start()) for m in pattern.finditer(nfc(text)))
    return " ".join(dict.fromkeys(full for (_, full), _ in found))


@lru_cache(maxsize=4)
def vocabulary(entries: tuple[Entry, ...] | None = None) -> frozenset[str]:
    """Every word of the glossary, both languages, folded and lower-cased ("politburo",
    "mttq"): domain words an English question may use that no translation happens to."""
    words: set[str] = set()
    for e in entries or load_glossary():
        for phrase in (*e.vietnamese, e.english, *e.variants):
            words.update(re.findall(r"[a-z0-9]+", fold(phrase).lower()))
    return frozenset(words)


@lru_cache(maxsize=4)
def _by_variant(entries: tuple[Entry, ...]) -> tuple[tuple[re.Pattern[str], Entry], ...]:
    """Every English variant with its entry, longest variant first."""
    pairs = [(len(v.replace("*", "")), v, p, e)
             for e in entries for v, p in zip(e.variants, e.patterns, strict=True)]
    pairs.sort(key=lambda x: (-x[0], x[1]))
    return tuple((p, e) for _, _, p, e in pairs)


@lru_cache(maxsize=2048)
def concepts(text: str, entries: tuple[Entry, ...] | None = None) -> tuple[tuple[str, ...], ...]:
    """The Vietnamese terms of each domain phrase in English ``text``, one tuple a phrase
    (longest phrase first, each stretch of text used once). Cached: the grounding check
    asks again for the same sentence and question against each evidence sentence."""
    return tuple(entry.vietnamese for _, entry in _phrases(text, entries))


@lru_cache(maxsize=2048)
def _phrases(text: str, entries: tuple[Entry, ...] | None = None
             ) -> tuple[tuple[str, Entry], ...]:
    """Each domain phrase of English ``text`` as written, with its entry: longest phrase
    first, each stretch of text used once, so "deputy secretary" is not also
    "secretary"."""
    lowered = nfc(text).lower().replace("’", "'")
    found: list[tuple[str, Entry]] = []
    for pattern, entry in _by_variant(entries if entries is not None else load_glossary()):
        while (m := pattern.search(lowered)) is not None:
            found.append((m.group(0), entry))
            lowered = lowered[: m.start()] + " " * (m.end() - m.start()) + lowered[m.end():]
    return tuple(found)


def renderings(text: str, entries: tuple[Entry, ...] | None = None
               ) -> tuple[tuple[str, str], ...]:
    """``(phrase as written, canonical English)`` for each domain phrase of English
    ``text`` (as :func:`concepts` finds them). The canonical English is what the
    translations of the articles say, since the translation model is given it as a hint
    ("drawbacks" -> "limitation").

    >>> renderings("Which drawbacks did the Q3 report name?")
    (('drawbacks', 'limitation'), ('report', 'report'), ('q3', 'third quarter'))
    """
    return tuple((written, entry.english) for written, entry in _phrases(text, entries))


def vietnamese_terms(question: str, entries: tuple[Entry, ...] | None = None) -> list[str]:
    """Vietnamese terms for the domain phrases of an English question (none for a
    Vietnamese one)."""
    if detect_language(question) != "en":
        return []
    return list(dict.fromkeys(t for terms in concepts(question, entries) for t in terms))


def expand_query(question: str) -> str:
    """``question`` followed by its Vietnamese terms (unchanged when there are none)."""
    terms = vietnamese_terms(question)
    return f"{question}\n{'; '.join(terms)}" if terms else question


@lru_cache(maxsize=4)
def _vietnamese_patterns(entries: tuple[Entry, ...]
                         ) -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """Every Vietnamese spelling as a whole-syllable pattern, longest first."""
    out = []
    for e in entries:
        for vi in e.vietnamese:
            key = canonical_tones(vi)
            pattern = re.compile(r"(?<![^\W_])" + r"\s+".join(map(re.escape, key.split()))
                                 + r"(?![^\W_])")
            out.append((len(key), pattern, vi, e.english))
    out.sort(key=lambda x: (-x[0], x[2]))
    return tuple((p, vi, en) for _, p, vi, en in out)


@lru_cache(maxsize=4096)
def term_hints(sentence: str, entries: tuple[Entry, ...] | None = None
               ) -> tuple[tuple[str, str], ...]:
    """``(Vietnamese term as written in the sentence, English)`` for the glossary terms
    of a Vietnamese sentence, longest term first, each stretch of text used once.

    >>> dict(term_hints("Ban Tổ chức Tỉnh uỷ")).get("Ban Tổ chức Tỉnh uỷ") is not None
    True
    """
    original = nfc(sentence)
    text = canonical_tones(original)
    if len(text) != len(original):  # lowercasing changed lengths: match on the lowered text
        original = text
    found: list[tuple[int, str, str]] = []
    for pattern, _vi, english in _vietnamese_patterns(
            entries if entries is not None else load_glossary()):
        while (m := pattern.search(text)) is not None:
            found.append((m.start(), original[m.start():m.end()], english))
            text = text[: m.start()] + "\x00" * (m.end() - m.start()) + text[m.end():]
    found.sort()
    return tuple(dict.fromkeys((vi, en) for _, vi, en in found))


def common_terms(index: KeywordIndex, share: float = 0.3) -> frozenset[str]:
    """Glossary terms (folded) found in more than ``share`` of the index's chunks: too
    common ("thực hiện", "cán bộ") to tie an answer sentence to its evidence."""
    n = index.n_chunks()
    if not n:
        return frozenset()
    keys: dict[str, str] = {}
    for entry in load_glossary():
        for vi in entry.vietnamese:
            syl = fold(vi).split()
            keys[" ".join(syl)] = syl[0] if len(syl) == 1 else "_".join(syl[:2])
    df = index.document_frequencies(sorted(set(keys.values())))
    return frozenset(term for term, key in keys.items() if df.get(key, 0) > share * n)


@lru_cache(maxsize=4096)
def english_patterns(vietnamese: str) -> tuple[re.Pattern[str], ...]:
    """The English variant patterns of the glossary entry of a Vietnamese term."""
    key = canonical_tones(vietnamese)
    for entry in load_glossary():
        if any(canonical_tones(v) == key for v in entry.vietnamese):
            return entry.patterns
    return ()


def glossary_terms(sentence: str) -> list[str]:
    """The Vietnamese glossary terms a sentence contains (for telling names from titles)."""
    return [vi for vi, _ in term_hints(sentence)]


# "What weaknesses ...?", "Which kinds of degeneration ...?": the concept asked for comes
# right after the question word, past a few modifiers
_ASKED_EN = re.compile(
    r"\b(?:what|which)\s+(?:(?:kinds?|types?|sorts?)\s+of\s+|(?:main|key|major|specific"
    r"|notable|particular|other|two|three|four|five|six|seven)\s+){0,2}")
# what may follow the concept asked for: "What weaknesses did ...", "... in the sector's
# work"; not another noun ("What leadership model ...?" asks for a model)
_AFTER_ASKED = re.compile(
    r"\s*(?:[?,]|$|(?:did|does|do|was|were|is|are|has|have|had|in|of|on|at|for|from|among"
    r"|that|which|should|must|could|would|will|can|to|by|with)\b)")
# a question for a document wants one named by number (``codes.asked_document``): the
# word itself ("văn bản", "documents from the Central Committee") answers nothing
_DOCUMENT_WORDS = frozenset({"document", *DOCUMENT_TYPES})


@lru_cache(maxsize=1024)
def asked_concept(question: str) -> tuple[str, ...]:
    """The Vietnamese spellings of the domain concept a question asks for: "What
    weaknesses ...?", "Những hạn chế nào ...?", "... hạn chế gì?"; empty when it asks for
    none (or for no glossary concept).

    >>> asked_concept("What weaknesses did the Q3 2023 report point out?")[0]
    'hạn chế'
    >>> asked_concept("Báo cáo chỉ ra những hạn chế nào?")[0], asked_concept("Who chaired?")
    ('hạn chế', ())
    >>> asked_concept("What leadership model did the district roll out?")  # a model
    ()
    """
    if detect_language(question) == "en":
        lowered = nfc(question).lower().replace("’", "'")
        starts = {m.end() for m in _ASKED_EN.finditer(lowered)}
        found = _phrases(question)
        for written, entry in found:
            if entry.english.split()[-1] not in _DOCUMENT_WORDS and any(
                    lowered.startswith(written, at)
                    and _AFTER_ASKED.match(lowered, at + len(written)) for at in starts):
                return entry.vietnamese
        return ()
    f = fold(question)
    for entry in load_glossary():
        if entry.english.split()[-1] in _DOCUMENT_WORDS:
            continue
        for vi in entry.vietnamese:
            # "những hạn chế (chủ yếu) nào", "hạn chế gì"; not "<subject> là gì"
            if re.search(r"(?<!\w)" + re.escape(fold(vi))
                         + r"(?:\s+(?!la\b)\w+)?\s+(?:nao|gi)(?!\w)", f):
                return entry.vietnamese
    return ()


def names_concept(text: str, translation: str | None, spellings: tuple[str, ...]) -> bool:
    """Whether a sentence (or its English translation) names the concept with these
    Vietnamese ``spellings``.

    >>> names_concept("Tuy đạt được những kết quả tích cực, báo cáo cũng chỉ ra hạn chế",
    ...               None, ("hạn chế",))
    True
    """
    f = fold(text)
    if any(re.search(r"(?<!\w)" + re.escape(fold(vi)) + r"(?!\w)", f) for vi in spellings):
        return True
    low = (translation or "").lower()
    return bool(low) and any(p.search(low) for vi in spellings for p in english_patterns(vi))
