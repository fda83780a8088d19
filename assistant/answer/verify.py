"""Deterministic checks of a machine translation against the sentence it translates.

A translation is shown to a reader only when :class:`TranslationVerifier` accepts it.
Every check compares the translation with its source; none trusts the model:

- ``numbers``: every number of the source is in the translation as many times as in the
  source (thousands separators and leading zeros ignored: "20.777" = "20,777", "03" =
  "3"; Roman numerals and ordinal words count as numbers), and the translation has
  no number the source lacks (Roman numerals may become digits or ordinals: "khóa XIII"
  = "13th term", "quý III" = "Q3");
- ``codes``: every document code ("21-NQ/TW") is kept;
- ``names``: every person and place name of the source (capitalized runs of Vietnamese
  syllables that are not a glossary term) is in the translation, with or without
  diacritics;
- ``entities``: every capitalized word of the translation is explained by the source, the
  term hints, or a short list of words English capitalizes anyway (months, "Mr",
  "Party"): "China", "President", "Board of Directors" are rejected when the source and
  hints do not give them;
- ``places``: a place keeps its administrative level ("Huyện Cao Lãnh" is not "City
  Cao Lãnh", see ``places.py``);
- ``time``: no relative time ("this year", "next month") in a translation of a source
  that gives none ("năm nay", "tháng tới", a year): "sớm" (soon) is not "early this
  year";
- ``untranslated``: no hinted term is left in Vietnamese ("Secretary Huyện uỷ"); codes
  and abbreviations may stay as written;
- ``terms``: enough of the hinted terms' English is used;
- ``loop``: no repeated phrase or sentence (small models loop);
- ``length``: the translation's length is in proportion to the source's;
- ``language``: the translation is in the target language;
- ``similarity``: the cosine similarity of the two multilingual e5 vectors is above a
  threshold fitted on a labelled set (``assistant eval calibrate``).

>>> v = TranslationVerifier(min_similarity=0.0)
>>> v.check("Đồng chí A Pớt dự hội nghị.", "Comrade A Pớt attended the conference.").ok
True
>>> v.check("Đồng chí A Pớt dự hội nghị.", "The comrade attended the conference.").reasons
['names: A Pớt']

Deliberately left out: meaning (an accepted translation can still render a word
loosely); the similarity check and the term hints are the guard there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.answer.facts import (
    CODE,
    EN_ORDINALS,
    MONTH_NAMES,
    VI_NUMBER_WORDS,
    VI_ORDINAL_WORDS,
    code_key,
    names,
    number_list,
    numbers,
)
from assistant.answer.places import invented_titles, wrong_levels
from assistant.vietnamese import (
    EN_CAPITALIZED,
    ROMAN_NUMERALS,
    detect_language,
    fold,
    match_normalize,
    nfc,
)

Embed = Callable[[Sequence[str]], np.ndarray]

_ROMAN_TOKEN = re.compile(r"(?<![^\W\d_])(X{0,2}(?:IX|IV|V?I{0,3}))(?![^\W\d_])")
_EN_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, **{w: i for i, w in enumerate(EN_ORDINALS, start=1)},
}
_MONTHS = {m.lower(): i for i, m in enumerate(MONTH_NAMES, start=1)}
# A relative time in an English translation, and the Vietnamese that gives one (folded).
_RELATIVE_TIME_EN = re.compile(r"\b(?:this|next|last|previous|coming|past|current) "
                               r"(?:year|month|quarter|week|term)\b", re.I)
_RELATIVE_TIME_VI = re.compile(r"\b(?:nam|thang|quy|tuan|nhiem ky|khoa) "
                               r"(?:nay|toi|sau|truoc|qua|ke tiep|hien tai)\b")
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.I)
_QUARTER = re.compile(r"\bQ([1-4])\b")
# Words English capitalizes whatever the source says.
ALWAYS_CAPITALIZED = EN_CAPITALIZED | frozenset("i comrade comrades party no q".split())
# Capitalized words a source explains without writing them: "Vietnam" needs "Việt Nam",
# "Communist" needs "Cộng sản" ("The Communist Party of Vietnam has ..." for a sentence
# that names neither invents them).
_EXPLAINED_BY = {"vietnam": "viet nam", "vietnamese": "viet nam", "communist": "cong san"}
# An enumeration marker or bullet ending the text before a word: "(3)", "3.", "-".
_MARKER_END = re.compile(r"(?:^|\s)(?:\(\d{1,2}\)|\d{1,2}[.)]|[-–•*])$")
_CAP_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’][^\W\d_]+)?")
_PREAMBLE = re.compile(
    r"^\s*(?:english|vietnamese|translation|bản dịch|tiếng anh|tiếng việt)\s*"
    r"(?:translation)?\s*:\s*", re.I)


def clean_translation(text: str) -> str:
    """The model's reply without a "Translation:" preamble, surrounding quotes and
    extra lines after the first paragraph."""
    text = nfc(text).strip()
    text = _PREAMBLE.sub("", text)
    text = text.split("\n\n")[0].strip()
    if len(text) > 1 and text[0] in "\"“'" and text[-1] in "\"”'":
        text = text[1:-1].strip()
    return " ".join(text.split())


def _numbers_of(text: str) -> set[str]:
    return numbers(CODE.sub(" ", text), min_digits=1)


def _source_counts(source: str) -> Counter[str]:
    """How many times the source gives each number: digits, then Roman numerals and
    ordinal words ("lần thứ tư") on top, since a translation writes them as numbers."""
    counts = Counter(number_list(CODE.sub(" ", nfc(source))))
    counts.update(_required_list(source))
    return counts


def _derived_numbers(source: str) -> set[str]:
    """Numbers a faithful translation may write that the source spells otherwise: Roman
    numerals ("XIII" -> 13), Vietnamese number words ("hai" -> 2)."""
    out = {str(ROMAN_NUMERALS[m]) for m in _ROMAN_TOKEN.findall(CODE.sub(" ", source))
           if m in ROMAN_NUMERALS}
    words = re.findall(r"[^\W\d_]+", nfc(source).lower())
    out |= {str(VI_NUMBER_WORDS[w]) for w in words if w in VI_NUMBER_WORDS}
    return out


def _required_list(source: str) -> list[str]:
    """Numbers the source writes otherwise that a translation must still give: Roman
    numerals ("khóa XV", "lần thứ XI") and ordinals in words ("lần thứ tư")."""
    body = CODE.sub(" ", nfc(source))
    out = [str(ROMAN_NUMERALS[m]) for m in _ROMAN_TOKEN.findall(body) if m in ROMAN_NUMERALS]
    for m in re.finditer(r"\bthứ\s+([^\W\d_]+)", body.lower()):
        if m.group(1) in VI_ORDINAL_WORDS:
            out.append(str(VI_ORDINAL_WORDS[m.group(1)]))
    return out


def _translation_counts(text: str) -> Counter[str]:
    """Digits, ordinals ("13th"), quarters ("Q3"), number words, Roman numerals and
    months ("January 4" = "04/01") of a translation, each occurrence counted."""
    body = CODE.sub(" ", text)
    counts = Counter(number_list(_ORDINAL.sub(r"\1", _QUARTER.sub(r"\1", body))))
    words = re.findall(r"[a-z]+", body.lower())
    counts.update(str(_EN_NUMBER_WORDS[w]) for w in words if w in _EN_NUMBER_WORDS)
    romans = _ROMAN_TOKEN.findall(re.sub(r"(?<=[IVX])(?:st|nd|rd|th)\b", "", body))
    # "khóa XV" as "XV(th)"
    counts.update(str(ROMAN_NUMERALS[m]) for m in romans if m in ROMAN_NUMERALS)
    counts.update(str(_MONTHS[w]) for w in words if w in _MONTHS)
    return counts


def repeats(text: str, n: int = 4, times: int = 3) -> bool:
    """Whether some run of ``n`` words occurs ``times`` times or more, or a sentence is
    repeated (a small model looping).

    >>> repeats("the plan and the plan and the plan and the plan and more")
    True
    """
    words = re.findall(r"\w+", text.lower())
    grams = Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))
    if grams and max(grams.values()) >= times:
        return True
    sentences = [s.strip().lower() for s in re.split(r"[.;!?]\s+", text) if len(s.split()) >= 4]
    return len(sentences) != len(set(sentences))


def written_in(source: str, translation: str, target: str) -> str:
    """The language of a translation, judged on its lowercase words (names kept from the
    source, "Bình Định", say nothing); a line of names only ("Minh Huệ", a byline) is
    in any language."""
    lowered = " ".join(w for w in translation.split() if not w[:1].isupper())
    if len(re.findall(r"[^\W\d_]{2,}", lowered)) >= 2:
        return detect_language(lowered)
    return target if fold(translation) == fold(source) else detect_language(translation)


def missing_terms(translation: str, hints: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The term hints whose English rendering, or an English variant of the glossary,
    the translation does not use.

    >>> missing_terms("Improving management efficiency.",
    ...               [("biên chế", "staffing"), ("quản lý", "management")])
    [('biên chế', 'staffing')]
    """
    from assistant.retrieve.glossary import english_patterns

    low = translation.lower()
    return [(vi, en) for vi, en in hints
            if en.lower() not in low and not any(p.search(low) for p in english_patterns(vi))]


def term_coverage(translation: str, hints: Sequence[tuple[str, str]]) -> float | None:
    """Share of the term hints the translation uses (:func:`missing_terms`); None
    without hints."""
    if not hints:
        return None
    return (len(hints) - len(missing_terms(translation, hints))) / len(hints)


def untranslated_terms(translation: str, hints: Sequence[tuple[str, str]]) -> list[str]:
    """The hinted Vietnamese terms that the translation still writes in Vietnamese
    ("Secretary Huyện uỷ", "Tỉnh ủy Kon Tum"): the reader cannot read them, and a model
    that copies a term has usually not understood the clause around it. Codes
    ("08-KL/BTCTW") and abbreviations ("TCXDĐ") kept as written do not count.

    >>> untranslated_terms("Comrade Secretary Huyện uỷ met the cells.",
    ...                    [("Huyện uỷ", "District Party Committee")])
    ['Huyện uỷ']
    >>> untranslated_terms("The District Party Committee met.",
    ...                    [("Huyện uỷ", "District Party Committee")])
    []
    """
    text = " " + fold(CODE.sub(" ", translation)) + " "  # "08-KL/BTCTW" is a code
    out = []
    for vi, en in sorted(hints, key=lambda h: -len(h[0])):  # "Huyện uỷ" before "Huyện"
        key = fold(vi)
        if vi.rstrip(".").isupper():  # an abbreviation ("TCXDĐ") may be kept as written
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(key) + r"(?!\w)")
        if key and key != fold(en) and pattern.search(text):
            out.append(vi)
            text = pattern.sub(" ", text)
    return out


def as_written(source: str, folded: str) -> str:
    """The spelling in ``source`` of a folded name ("a pot" -> "A Pớt").

    >>> as_written("có đồng chí A Pớt - Phó Bí thư", "a pot")
    'A Pớt'
    """
    words = folded.split()
    tokens = list(re.finditer(r"[^\W\d_]+", source))
    for i in range(len(tokens) - len(words) + 1):
        run = tokens[i:i + len(words)]
        if [fold(m.group(0)) for m in run] == words:
            return source[run[0].start():run[-1].end()]
    return folded


@dataclass
class Verdict:
    """Whether a translation is accepted, and why not."""

    ok: bool
    reasons: list[str] = field(default_factory=list)
    similarity: float | None = None


@dataclass
class TranslationVerifier:
    """Check translations against their sources (see the module doc for the checks).

    ``embed`` gives passage vectors (the index's e5 embedder); without it the
    similarity check is skipped. Thresholds come from settings (calibrated)."""

    embed: Embed | None = None
    min_similarity: float = 0.85
    min_length_ratio: float = 0.5
    max_length_ratio: float = 2.2
    glossary_terms: Callable[[str], Iterable[str]] | None = None
    # Share of the hinted terms whose English (or an English variant) the translation
    # uses: a translation that drops or garbles them has usually lost a clause.
    min_term_coverage: float = 0.0

    def check(self, source: str, translation: str, hints: Iterable[tuple[str, str]] = (),
              target: str = "en") -> Verdict:
        source, translation = nfc(source), clean_translation(translation)
        hints = list(hints)
        reasons: list[str] = []
        if not translation:
            return Verdict(False, ["empty"])
        # Counted, not a set: "lần thứ tư ... 15/4/2021" needs two 4s, and "April" alone
        # must not stand for the ordinal; "(1) ... A1" needs the list number too.
        found = _translation_counts(translation)
        missing = sorted(_source_counts(source) - found)
        added = sorted(set(found) - _numbers_of(source) - _derived_numbers(source))
        if missing:
            reasons.append("numbers: missing " + ", ".join(missing))
        if added:
            reasons.append("numbers: added " + ", ".join(added))
        norm_t = " " + match_normalize(translation) + " "
        codes = [code_key(c) for c in CODE.findall(source)]
        lost_codes = [c for c in codes if c not in " " + code_key(translation) + " "]
        if lost_codes:
            reasons.append("codes: " + ", ".join(lost_codes))
        lost_names = [n for n in sorted(self.source_names(source, hints))
                      if not re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", norm_t)]
        if lost_names:
            reasons.append("names: " + ", ".join(as_written(source, n) for n in lost_names))
        invented = self.unexplained_capitals(source, translation, hints)
        if invented:
            reasons.append("entities: " + ", ".join(invented))
        titles = invented_titles(source, translation)
        if titles:
            reasons.append("titles: " + ", ".join(titles))
        levels = [f"{as_written(source, name)} ({level})"
                  for name, level in wrong_levels(source, translation)]
        if levels:
            reasons.append("places: " + ", ".join(levels))
        when = _RELATIVE_TIME_EN.findall(translation) if target == "en" else []
        # "năm 2022 ... this year" refers back to a year the source names
        if when and not _RELATIVE_TIME_VI.search(match_normalize(source)) and not re.search(
                r"(?<!\d)(?:19|20)\d{2}(?!\d)", source):
            reasons.append("time: added " + ", ".join(when))
        left = untranslated_terms(translation, hints)
        if left:
            reasons.append("untranslated: " + ", ".join(left))
        coverage = term_coverage(translation, hints)
        if coverage is not None and coverage < self.min_term_coverage:
            reasons.append(f"terms: {coverage:.2f} of the hinted terms used")
        if repeats(translation):
            reasons.append("loop")
        ratio = len(translation) / max(len(source), 1)
        if not self.min_length_ratio <= ratio <= self.max_length_ratio:
            reasons.append(f"length: {ratio:.2f} of the source")
        if written_in(source, translation, target) != target:
            reasons.append(f"language: not {target}")
        similarity = None
        if self.embed is not None:
            vecs = np.asarray(self.embed([source, translation]), dtype=np.float32)
            similarity = float(vecs[0] @ vecs[1])
            if similarity < self.min_similarity:
                reasons.append(f"similarity: {similarity:.3f}")
        return Verdict(not reasons, reasons, similarity)

    def source_names(self, source: str, hints: Sequence[tuple[str, str]]) -> set[str]:
        """Person and place names of the source: capitalized Vietnamese runs that are
        not (part of) a term with a hint or a glossary term."""
        terms = [fold(vi) for vi, _ in hints]
        if self.glossary_terms is not None:
            terms += [fold(t) for t in self.glossary_terms(source)]
        out = set()
        for name in names(source):
            covered = any(re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", t) or
                          re.search(r"(?<!\w)" + re.escape(t) + r"(?!\w)", name)
                          for t in terms if t)
            if not covered:
                out.add(name)
        return out

    @staticmethod
    def unexplained_capitals(source: str, translation: str,
                             hints: Sequence[tuple[str, str]]) -> list[str]:
        """Capitalized words of the translation (not opening a sentence) that the
        source, the hints and :data:`ALWAYS_CAPITALIZED` do not explain."""
        known = {fold(w) for w in re.findall(r"[^\W\d_]+", source)}
        known |= {fold(w) for _, en in hints for w in re.findall(r"[^\W\d_]+", en)}
        known |= {w.lower() for w in ROMAN_NUMERALS}
        folded = fold(source)
        known |= {w for w, vi in _EXPLAINED_BY.items() if vi in folded}
        out: list[str] = []
        for m in _CAP_WORD.finditer(translation):
            word = m.group(0)
            before = _MARKER_END.sub("", translation[:m.start()].rstrip())
            if not word[:1].isupper() or not before or before[-1] in ".!?:;\"“(":
                continue  # a sentence (or list item: "(3) Implementing") starts here
            key = fold(word.split("'")[0].split("’")[0])
            if key in known or key in ALWAYS_CAPITALIZED or key.rstrip("s") in known:
                continue
            if re.sub(r"(st|nd|rd|th)$", "", key) in known:  # "XVth" for "khóa XV"
                continue
            out.append(word)
        return list(dict.fromkeys(out))
