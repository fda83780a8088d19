"""Retrieved passages -> evidence: the sentences that answer the question, and whether
the corpus answers it at all.

Each candidate sentence (or clause of a long sentence) inside a retrieved passage is
scored by cosine similarity between the question and the sentence (multilingual e5,
vectors computed at ingest) plus the share of the question's content words it contains
(folded syllables and bigrams, so diacritics and ``đ`` don't matter). The best sentence
and those close to it are kept, in reading order. For list questions an enumeration
("(1) ... (2) ...", "- ...") that the best sentences belong to is kept whole.

Refusal is decided here, from the evidence, never by an LLM: the best sentence must
score above a threshold calibrated on the gold set, and the question's anchors (numbers,
years, quarters, codes, proper names) must occur in the retrieved text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.config import AnswerSettings
from assistant.index import Index
from assistant.retrieval import Passage
from assistant.vietnamese import fold, keyword_tokens, match_normalize, nfc

# Function words that carry no topic (folded forms; both languages).
STOPWORDS = frozenset(
    """
    la gi nao ai dau bao nhieu khi nhu the sao va cua cac nhung duoc trong cho voi co khong
    da nay theo ve tai mot nguoi thi ma de do hay hoac tu den ra vao len nam ngay
    the a an of and or in on at to for is are was were what which who whom whose when where
    why how did does do many much with by from that this these those there their it its be
    been has have had as about list name give tell please according did were was
    """.split()
)


@dataclass
class Evidence:
    """One quotable sentence: ``doc_text[start:end] == text``."""

    doc_id: str
    start: int
    end: int
    text: str
    score: float
    dense: float
    lexical: float
    title: str = ""
    date: str = ""
    publisher: str = ""
    chunk_id: str = ""
    marker: int = 0


@dataclass
class EvidenceResult:
    evidence: list[Evidence]
    answerable: bool
    best_score: float
    missing_anchors: list[str]


_LIST_CUES = re.compile(
    r"\b(list|which|what (were|are) the|priorities|tasks|steps|solutions|measures|items|"
    r"cac|nhung|liet ke|gom|bao gom|nhiem vu|giai phap|noi dung)\b"
)
_COUNT_CUE = re.compile(r"\b(\d+|hai|ba|bon|nam|sau|bay|tam|chin|muoi|two|three|four|five|six|"
                        r"seven|eight|nine|ten)\b")
_ENUM_ITEM = re.compile(r"^\s*(\(\d{1,2}\)|\d{1,2}[.)]\s|[-–•*+]\s|[a-zđ]\)\s)")
_QUARTER_EN = re.compile(r"\b(?:q([1-4])|(first|second|third|fourth) quarter)\b", re.I)
_ROMAN = {"1": "i", "2": "ii", "3": "iii", "4": "iv", "first": "i", "second": "ii",
          "third": "iii", "fourth": "iv"}
# Capitalized English words that are not names (they are common in questions here).
_NOT_NAMES = frozenset(
    """
    what which who whom whose when where why how did does do the a an in on at of for and or
    is are was were party central committee commission organization organisation department
    conference meeting resolution conclusion politburo secretariat secretary province
    provincial city district national vietnam vietnamese communist q1 q2 q3 q4 i ii iii iv
    according list name give tell please many much between after before during standing
    deputy head chairman member members board people council congress term plenum regulation
    guidance guideline plan decision scheme project article emulation cluster region
    """.split()
)


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


def anchors(question: str) -> list[str]:
    """Terms the answer text must contain for the question to be answerable.

    Numbers (4-digit years and multi-digit figures), document codes, quarters
    ("Q3"/"quý III") and proper names written with capitals.
    """
    q = nfc(question)
    found: list[str] = []
    for m in re.finditer(r"\b\d{1,2}-[A-Za-zĐđ]+/[A-Za-zĐđ]+\b", q):
        found.append(match_normalize(m.group(0)))
    for m in re.finditer(r"(?<![\d/.-])\d{4}(?![\d/-])", q):
        found.append(m.group(0))
    for m in _QUARTER_EN.finditer(q):
        found.append("quy " + _ROMAN[(m.group(1) or m.group(2)).lower()])
    for m in re.finditer(r"\bquý\s+([IV]+)\b", q, re.I):
        found.append("quy " + m.group(1).lower())
    # Proper names: runs of capitalized words not at the start of the question.
    words = re.findall(r"[\wÀ-ỹ]+", q)
    run: list[str] = []
    for i, w in enumerate(words + ["."]):
        is_name = (
            i > 0 and i < len(words) and w[:1].isupper() and not w.isupper()
            and fold(w) not in _NOT_NAMES and fold(w) not in STOPWORDS
        )
        if is_name:
            run.append(w)
        else:
            if run and (len(run) >= 2 or detect_proper(run[0])):
                found.append(match_normalize(" ".join(run)))
            run = []
    return list(dict.fromkeys(found))


def detect_proper(word: str) -> bool:
    """A single capitalized word counts as a name if it is not a common English word."""
    return len(word) > 2 and fold(word) not in _NOT_NAMES


def is_list_question(question: str) -> bool:
    f = fold(question)
    return bool(_LIST_CUES.search(f) and (_COUNT_CUE.search(f) or "list" in f or "liet ke" in f
                                          or "nhung" in f or "cac" in f or "which" in f))


class EvidenceSelector:
    """Pick evidence sentences from retrieved passages; decide answerability."""

    def __init__(self, index: Index, settings: AnswerSettings) -> None:
        self.index = index
        self.settings = settings

    def candidates(self, passages: list[Passage], qvec: np.ndarray, question: str) -> list[Evidence]:
        qtoks = content_tokens(question)
        seen: set[tuple[str, int, int]] = set()
        out: list[Evidence] = []
        vec_cache: dict[str, list[tuple[int, int, np.ndarray]]] = {}
        texts: dict[str, str] = {}
        for rank, p in enumerate(passages):
            if p.doc_id not in vec_cache:
                vec_cache[p.doc_id] = self.index.sentence_vectors(p.doc_id)
                rec = self.index.document(p.doc_id)
                texts[p.doc_id] = rec.text if rec else ""
            doc_text = texts[p.doc_id]
            for start, end, vec in vec_cache[p.doc_id]:
                if start < p.start or end > p.end or (p.doc_id, start, end) in seen:
                    continue
                seen.add((p.doc_id, start, end))
                text = doc_text[start:end]
                dense = float(np.dot(qvec, vec))
                stoks = content_tokens(text)
                lexical = len(qtoks & stoks) / len(qtoks) if qtoks else 0.0
                prior = 0.01 * (len(passages) - rank) / max(len(passages), 1)
                out.append(
                    Evidence(
                        doc_id=p.doc_id, start=start, end=end, text=text,
                        score=dense + 0.15 * lexical + prior, dense=dense, lexical=lexical,
                        title=p.title, date=p.date, publisher=p.publisher, chunk_id=p.chunk_id,
                    )
                )
        return out

    def select(
        self, question: str, passages: list[Passage], qvec: list[float] | np.ndarray
    ) -> EvidenceResult:
        q = np.asarray(qvec, dtype=np.float32)
        cands = self.candidates(passages, q, question)
        if not cands:
            return EvidenceResult([], False, 0.0, [])
        ranked = sorted(cands, key=lambda e: -e.score)
        best = ranked[0]
        haystack = match_normalize(" ".join(p.text + " " + p.title for p in passages))
        missing = [a for a in anchors(question) if a not in haystack]
        answerable = best.score >= self.settings.min_evidence_score and not missing
        margin = 0.04
        chosen = [e for e in ranked if e.score >= best.score - margin][: self.settings.max_evidence]
        if is_list_question(question):
            chosen = self._expand_enumeration(chosen, cands)
        chosen.sort(key=lambda e: (self._doc_order(e, passages), e.start))
        for i, e in enumerate(chosen, start=1):
            e.marker = i
        return EvidenceResult(chosen, answerable, best.score, missing)

    @staticmethod
    def _doc_order(e: Evidence, passages: list[Passage]) -> int:
        for i, p in enumerate(passages):
            if p.doc_id == e.doc_id:
                return i
        return len(passages)

    def _expand_enumeration(self, chosen: list[Evidence], cands: list[Evidence]) -> list[Evidence]:
        """Keep a whole enumeration (intro sentence + every item) when a chosen sentence
        belongs to one, reading the items from the whole document (an enumeration may
        straddle chunks)."""
        keep = {(e.doc_id, e.start): e for e in chosen}
        template = {e.doc_id: e for e in cands}
        for doc_id in {e.doc_id for e in chosen}:
            rec = self.index.document(doc_id)
            if rec is None:
                continue
            units = [(s, e) for s, e, _ in self.index.sentence_vectors(doc_id)]
            items = [i for i, (s, e) in enumerate(units) if _ENUM_ITEM.match(rec.text[s:e])]
            blocks: list[list[int]] = []
            for i in items:
                if blocks and i - blocks[-1][-1] <= 3:
                    blocks[-1].append(i)
                else:
                    blocks.append([i])
            for block in blocks:
                if len(block) < 2:
                    continue
                lo, hi = max(block[0] - 1, 0), block[-1]
                span_lo, span_hi = units[lo][0], units[hi][1]
                if not any(e.doc_id == doc_id and span_lo <= e.start < span_hi for e in chosen):
                    continue
                base = template[doc_id]
                for s, e in units[lo : hi + 1]:
                    keep.setdefault(
                        (doc_id, s),
                        Evidence(
                            doc_id=doc_id, start=s, end=e, text=rec.text[s:e], score=base.score,
                            dense=0.0, lexical=0.0, title=base.title, date=base.date,
                            publisher=base.publisher, chunk_id=base.chunk_id,
                        ),
                    )
        return list(keep.values())
