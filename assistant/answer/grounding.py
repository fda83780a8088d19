"""Check every sentence of a generated answer against the evidence it cites.

A sentence is *supported* by a set of evidence sentences when

1. every **fact** in it occurs in that evidence: numbers of two or more digits (leading
   zeros and thousands separators ignored, so ``09/3`` matches ``9 March``), document
   codes (``01-KL/BTCTW``) and personal or place names (capitalized runs of Vietnamese
   syllables, compared diacritic-folded); and
2. it says what the evidence says: the share of its content syllables found in the
   evidence (folded, see :func:`assistant.vietnamese.content_tokens`) is at least
   ``min_lexical``, **or** the cosine similarity of its multilingual e5 vector to the
   best cited sentence is at least ``min_dense`` (this carries English answers over
   Vietnamese evidence). Both thresholds are calibrated on the gold set (docs/llm.md).
   An English sentence that passes on similarity alone must also carry a fact the
   question did not give, or have half of its new domain phrases (``glossary.py``) in
   the evidence in Vietnamese.

The cited markers are tried first; when they fail (or the sentence cites nothing) the
single evidence sentence that supports it best is searched, then the best pair of
sentences from one document, and the markers are repaired. Unsupported sentences are
removed (``mode="remove"``, the default) or kept with a visible ``(unverified)`` tag and
``supported=False`` citations (``mode="mark"``).

Deliberately left out: entailment models (none small enough ships offline) — a sentence
that reuses the evidence's words and facts to say something else can still pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from assistant.answer.facts import WORD, facts_any, missing_facts
from assistant.answer.result import Citation, citation_for
from assistant.retrieve.evidence import Evidence
from assistant.retrieve.glossary import concepts, glossary_terms
from assistant.retrieve.question import contains_term
from assistant.vietnamese import (
    content_tokens,
    fold,
    match_normalize,
    nfc,
    split_sentences,
)

# Calibrated on eval/gold.jsonl (docs/llm.md, "Grounding thresholds"): gold reference
# sentences vs their own evidence (accept) and vs another question's evidence (reject).
# English sentences over Vietnamese evidence score lower, hence one threshold a language.
MIN_LEXICAL = 0.5
MIN_DENSE = {"en": 0.835, "vi": 0.88}
UNVERIFIED = {"en": "(unverified)", "vi": "(chưa kiểm chứng)"}

_SAYS_NOTHING = "(repeats the question or an earlier sentence)"
_PLACEHOLDER_MARKER = re.compile(r"\s*\[(?:n|N|\.\.\.|…)\]")
_MARKER_GROUP = re.compile(r"\s*\[(\d{1,2}(?:\s*[-,–]\s*\d{1,2})*)\]")
_BULLET = re.compile(r"^\s*(?:[-–•*+]|\d{1,2}[.)]|\(\d{1,2}\))\s+")
Embed = Callable[[Sequence[str]], np.ndarray]


def markers(sentence: str) -> list[int]:
    """The evidence numbers a sentence cites: ``[1]``, ``[1][2]``, ``[1, 3]``, ``[2-4]``."""
    out: list[int] = []
    for m in _MARKER_GROUP.finditer(sentence):
        for part in re.split(r"\s*,\s*", m.group(1)):
            if re.search(r"[-–]", part):
                a, b = (int(x) for x in re.split(r"\s*[-–]\s*", part))
                out.extend(range(a, b + 1) if 0 < b - a < 10 else [a, b])
            else:
                out.append(int(part))
    return list(dict.fromkeys(out))


def strip_markers(sentence: str) -> str:
    return _MARKER_GROUP.sub("", sentence).strip()


_YEAR = re.compile(r"(?:19|20)\d{2}")


def shares_anchor(sentence: str, evidence: str, common: frozenset[str] = frozenset()) -> bool:
    """Whether ``sentence`` carries something checkable from ``evidence``: a number, name
    or code (already required to occur there), or a domain term of the glossary that
    both contain (in either language). "We will focus on implementing a comprehensive
    plan" carries none and says nothing the reader can check.

    >>> shares_anchor("We will focus on implementing a comprehensive plan.",
    ...               "Thực hiện tốt công tác đào tạo, bồi dưỡng cán bộ.")
    False
    >>> shares_anchor("Cadre training was carried out well.",
    ...               "Thực hiện tốt công tác đào tạo, bồi dưỡng cán bộ.")
    True
    """
    if facts_any(sentence):
        return True
    evidence_terms = {fold(t) for t in glossary_terms(evidence)} - common
    evidence_norm = match_normalize(evidence)
    for terms in concepts(sentence):  # English phrases -> their Vietnamese terms
        if any(fold(t) not in common and (fold(t) in evidence_terms or contains_term(
                evidence_norm, match_normalize(t))) for t in terms):
            return True
    if evidence_terms & {fold(t) for t in glossary_terms(sentence)}:
        return True  # the same Vietnamese term
    shared = set(concepts(evidence)) & set(concepts(sentence))  # the same English phrase
    return any(fold(t) not in common for terms in shared for t in terms)


@dataclass
class SentenceCheck:
    """The verdict on one answer sentence."""

    text: str
    line: int
    bullet: bool
    cited: list[int]
    used: list[int]
    supported: bool
    lexical: float = 0.0
    dense: float = 0.0
    missing: list[str] = field(default_factory=list)


@dataclass
class CheckedAnswer:
    text: str
    citations: list[Citation]
    notes: list[str]
    sentences: list[SentenceCheck]
    removed: int = 0

    @property
    def supported_count(self) -> int:
        return sum(1 for s in self.sentences if s.supported)


def split_answer(text: str) -> list[tuple[int, bool, str]]:
    """Answer text -> ``(line number, is list item, sentence)`` for every sentence."""
    out: list[tuple[int, bool, str]] = []
    for line_no, line in enumerate(nfc(text).splitlines()):
        bullet = _BULLET.match(line)
        body = line[bullet.end():] if bullet else line
        # A marker group right after the full stop belongs to the sentence before it.
        body = re.sub(r"([.!?])((?:\s*\[[\d,\s–-]+\])+)", r"\2\1", body)
        for span in split_sentences(body):
            if strip_markers(span.text).strip(" .;:-"):
                out.append((line_no, bool(bullet), span.text))
    return out


class GroundingChecker:
    """Check and repair the citations of an answer against numbered evidence."""

    def __init__(
        self,
        embed_query: Embed | None = None,
        embed_documents: Embed | None = None,
        *,
        min_lexical: float = MIN_LEXICAL,
        min_dense: dict[str, float] | None = None,
        mode: Literal["remove", "mark"] = "remove",
        anchor_english: bool = True,
    ) -> None:
        self.embed_query = embed_query
        self.embed_documents = embed_documents
        self.min_lexical = min_lexical
        self.min_dense = dict(MIN_DENSE if min_dense is None else min_dense)
        self.mode = mode
        self.anchor_english = anchor_english
        # Glossary terms too common in the corpus to tie a sentence to its evidence
        # ("thực hiện" = implement); set from the index (glossary.common_terms).
        self.common_terms: frozenset[str] = frozenset()

    def _score(self, sentence: str, group: list[Evidence], dense: float, language: str,
               asked: set[str], asked_facts: set[str], question: str
               ) -> tuple[bool, float, list[str]]:
        body = " ".join(e.text for e in group)
        joined = body + " " + " ".join(f"{e.title} {e.date}" for e in group)
        # Figures must be in the cited sentences themselves (a "18 years" must not pass on
        # an "18" of the title or date line); a year may come from the date line.
        missing = missing_facts(sentence, joined)
        missing += [n for n in missing_facts(sentence, body)
                    if n not in missing and n.isdigit() and not _YEAR.fullmatch(n)]
        # Words taken from the question prove nothing: judge what the sentence adds.
        stoks = content_tokens(sentence) - asked
        etoks = content_tokens(joined)
        lexical = len(stoks & etoks) / len(stoks) if stoks else 1.0
        min_dense = self.min_dense.get(language, max(self.min_dense.values()))
        ok = not missing and shares_anchor(sentence, body, self.common_terms) and (
            lexical >= self.min_lexical
            or (dense >= min_dense and (language != "en" or self._anchored_en(
                sentence, joined, question, asked_facts)))
        )
        return ok, lexical, missing

    @staticmethod
    def _new_capitalized(sentence: str, question: str) -> set[str]:
        """Folded capitalized words of ``sentence`` (not its first word) that the question
        does not contain."""
        words = WORD.findall(sentence)[1:]
        asked = {fold(w) for w in WORD.findall(question)}
        return {fold(w) for w in words if w[:1].isupper() and fold(w) not in asked}

    def _anchored_en(self, sentence: str, evidence_text: str, question: str,
                     asked_facts: set[str]) -> bool:
        """An English sentence passed on embedding similarity alone must also be tied to
        the evidence: a fact the question did not give (already checked to occur there),
        a capitalized word the question did not give found there, or at least half of
        the domain phrases (``glossary.py``) it adds to the question's found there in
        Vietnamese. e5 scores any fluent Party-work English
        close to any of these articles ("Developing a comprehensive budget to allocate
        resources" vs "Thực hiện đầy đủ, kịp thời chính sách cán bộ"), so similarity
        alone proves little."""
        if not self.anchor_english:
            return True
        if facts_any(sentence) - asked_facts:
            return True
        if self._new_capitalized(sentence, question) & content_tokens(evidence_text):
            return True  # a name the question did not give, found in the evidence ("Zalo")
        asked_phrases = set(concepts(question))
        phrases = [c for c in concepts(sentence) if c not in asked_phrases
                   and not all(fold(t) in self.common_terms for t in c)]
        haystack = match_normalize(evidence_text)
        found = sum(
            1 for terms in phrases
            if any(contains_term(haystack, match_normalize(t)) for t in terms)
        )
        return bool(phrases) and 2 * found >= len(phrases)

    def check(self, answer: str, evidence: list[Evidence], language: str,
              question: str = "") -> CheckedAnswer:
        """Check every sentence of ``answer``; ``question`` words count as no support.

        Sentences that only restate the question, or repeat an earlier sentence, are
        dropped as saying nothing.
        """
        by_marker = {e.marker: e for e in evidence}
        asked = content_tokens(question) if question else set()
        asked_facts = facts_any(question) if question else set()
        pieces = split_answer(_PLACEHOLDER_MARKER.sub("", answer))
        seen: set[str] = set()
        bodies = [strip_markers(s) for _, _, s in pieces]
        sims = self._similarities(bodies, evidence)
        checks: list[SentenceCheck] = []
        for i, (line_no, bullet, sentence) in enumerate(pieces):
            body = bodies[i]
            cited = [m for m in markers(sentence) if m in by_marker]
            row = sims[i] if sims is not None else None

            def dense_of(ms: list[int], row: np.ndarray | None = row) -> float:
                if row is None or not ms:
                    return 0.0
                return max(float(row[evidence.index(by_marker[m])]) for m in ms)

            check = SentenceCheck(body, line_no, bullet, markers(sentence), [], False)
            key = " ".join(sorted(content_tokens(body)))
            # unigrams: a reordered restatement makes new bigrams but says nothing new
            words = {t for t in content_tokens(body) if "_" not in t}
            adds = (words - asked) or (facts_any(body) - asked_facts)
            if key in seen or not adds:
                check.missing = [_SAYS_NOTHING]
                checks.append(check)
                continue
            seen.add(key)
            if cited:
                d = dense_of(cited)
                ok, lex, miss = self._score(body, [by_marker[m] for m in cited], d, language,
                                             asked, asked_facts, question)
                check.lexical, check.dense, check.missing = lex, d, miss
                if ok:
                    check.used, check.supported = cited, True
            if not check.supported:
                best: tuple[float, int] | None = None
                for e in evidence:
                    d = dense_of([e.marker])
                    ok, lex, _ = self._score(body, [e], d, language, asked, asked_facts,
                                             question)
                    if ok and (best is None or lex + d > best[0]):
                        best = (lex + d, e.marker)
                if best is not None:
                    check.used, check.supported = [best[1]], True
                    check.missing = []
            if not check.supported:
                pair = self._best_pair(body, evidence, dense_of, language, asked, asked_facts,
                                       question)
                if pair is not None:
                    check.used, check.supported, check.missing = pair, True, []
            checks.append(check)
        return self._render(checks, evidence, language)

    def _best_pair(self, body: str, evidence: list[Evidence],
                   dense_of: Callable[[list[int]], float], language: str, asked: set[str],
                   asked_facts: set[str], question: str) -> list[int] | None:
        """Two sentences of one document that support ``body`` together, or None: a
        sentence often joins the subject of one evidence sentence to the figure of the
        next ("Huyện Tháp Mười ... tinh giản biên chế" + "... đối với 03 đồng chí")."""
        best: tuple[float, list[int]] | None = None
        for i, first in enumerate(evidence):
            for second in evidence[i + 1:]:
                if second.doc_id != first.doc_id:
                    continue
                pair = [first.marker, second.marker]
                d = dense_of(pair)
                ok, lex, _ = self._score(body, [first, second], d, language, asked,
                                         asked_facts, question)
                if ok and (best is None or lex + d > best[0]):
                    best = (lex + d, pair)
        return None if best is None else best[1]

    def _similarities(self, bodies: list[str], evidence: list[Evidence]) -> np.ndarray | None:
        if self.embed_query is None or self.embed_documents is None or not bodies or not evidence:
            return None
        q = np.asarray(self.embed_query(bodies), dtype=np.float32)
        d = np.asarray(self.embed_documents([e.text for e in evidence]), dtype=np.float32)
        return np.asarray(q @ d.T)

    def _render(self, checks: list[SentenceCheck], evidence: list[Evidence],
                language: str) -> CheckedAnswer:
        by_marker = {e.marker: e for e in evidence}
        lines: dict[int, str] = {}
        support: dict[int, bool] = {}
        removed = 0
        for c in checks:
            if c.supported:
                marks = "".join(f"[{m}]" for m in c.used)
                for m in c.used:
                    support[m] = True
            elif self.mode == "mark" and c.missing[:1] != [_SAYS_NOTHING]:
                shown = [m for m in c.cited if m in by_marker]
                marks = "".join(f"[{m}]" for m in shown)
                marks = (marks + " " + UNVERIFIED.get(language, UNVERIFIED["en"])).strip()
                for m in shown:
                    support.setdefault(m, False)
            else:
                removed += 1
                continue
            body = c.text.rstrip()
            end = body[-1] if body[-1:] in (".", "!", "?", ";", ":") else ""
            body = body[: len(body) - len(end)].rstrip()
            sentence = f"{body} {marks}{end or ('' if c.bullet else '.')}"
            if c.line in lines:
                lines[c.line] += " " + sentence
            else:
                lines[c.line] = ("- " if c.bullet else "") + sentence
        notes: list[str] = []
        if removed:
            notes.append(f"removed {removed} answer sentence(s) the evidence does not support")
        repaired = sum(1 for c in checks if c.supported and c.used != c.cited)
        if repaired:
            notes.append(f"repaired the citations of {repaired} sentence(s)")
        citations = [citation_for(by_marker[m], supported=ok) for m, ok in sorted(support.items())]
        return CheckedAnswer("\n".join(lines.values()), citations, notes, checks, removed)
