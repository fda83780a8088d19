"""English -> Vietnamese domain glossary: the Vietnamese words an English question's
answer is written in.

The articles are Vietnamese; an English question shares only names and numbers with
them, so keyword search and the word-overlap part of evidence scoring see almost nothing
("Who chaired the online conference?" has no word in common with "chủ trì hội nghị
trực tuyến"). :func:`expand_query` appends the Vietnamese terms of the domain phrases it
finds (``data/glossary_en_vi.tsv``: Party organization-building vocabulary, longest
phrase first, a phrase consumed once matched so "deputy secretary" is not also
"secretary"). Dense retrieval keeps the original question (e5 is multilingual).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.data import data_path
from assistant.vietnamese import detect_language, nfc

GLOSSARY_PATH = data_path("glossary_en_vi.tsv")


@dataclass(frozen=True)
class Entry:
    phrase: str
    pattern: re.Pattern[str]
    terms: tuple[str, ...]


def _compile(phrase: str) -> re.Pattern[str]:
    words = []
    for word in phrase.split():
        stem = word.rstrip("*")
        body = r"[-\s]+".join(re.escape(p) for p in stem.split("-"))
        words.append(body + (r"[\w'-]*" if word.endswith("*") else ""))
    return re.compile(r"(?<![\w-])" + r"[\s-]+".join(words) + r"(?![\w-])")


@lru_cache(maxsize=4)
def load_glossary(path: Path = GLOSSARY_PATH) -> tuple[Entry, ...]:
    """The glossary's entries, longest English phrase first."""
    entries: list[Entry] = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        english, sep, vietnamese = line.partition("\t")
        terms = tuple(t.strip() for t in nfc(vietnamese).split("|") if t.strip())
        if not sep or not english.strip() or not terms:
            raise ValueError(f"{path}:{line_no}: expected 'english<TAB>vietnamese'")
        phrase = " ".join(english.lower().split())
        entries.append(Entry(phrase, _compile(phrase), terms))
    entries.sort(key=lambda e: (-len(e.phrase.replace("*", "")), e.phrase))
    return tuple(entries)


@lru_cache(maxsize=2048)
def concepts(text: str, entries: tuple[Entry, ...] | None = None) -> tuple[tuple[str, ...], ...]:
    """The Vietnamese terms of each domain phrase in English ``text``, one tuple a phrase
    (longest phrase first, each stretch of text used once). Cached: the grounding check
    asks again for the same sentence and question against each evidence sentence."""
    lowered = nfc(text).lower().replace("’", "'")
    found: list[tuple[str, ...]] = []
    for entry in entries if entries is not None else load_glossary():
        while (m := entry.pattern.search(lowered)) is not None:
            found.append(entry.terms)
            lowered = lowered[: m.start()] + " " * (m.end() - m.start()) + lowered[m.end():]
    return tuple(found)


def vietnamese_terms(question: str, entries: tuple[Entry, ...] | None = None) -> list[str]:
    """Vietnamese terms for the domain phrases of an English question (none for a
    Vietnamese one).

    >>> vietnamese_terms("Who chaired the Central Organization Commission's conference?")
    ['Ban Tổ chức Trung ương', 'hội nghị', 'chủ trì']
    """
    if detect_language(question) != "en":
        return []
    return list(dict.fromkeys(t for terms in concepts(question, entries) for t in terms))


def expand_query(question: str) -> str:
    """``question`` followed by its Vietnamese terms (unchanged when there are none)."""
    terms = vietnamese_terms(question)
    return f"{question}\n{'; '.join(terms)}" if terms else question
