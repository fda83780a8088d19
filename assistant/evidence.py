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
from assistant.vietnamese import (
    STOPWORDS,
    content_tokens,
    detect_language,
    fold,
    match_normalize,
    nfc,
)

# Weight of the question-word overlap next to the cosine similarity (calibrated on
# eval/gold.jsonl plus out-of-domain questions; see README, "Refusal").
LEXICAL_WEIGHT = 0.3


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
_QUARTER_EN = re.compile(r"\b(?:q([1-4])|(first|second|third|fourth)[- ]quarter)\b", re.I)
_ROMAN = {"1": "i", "2": "ii", "3": "iii", "4": "iv", "first": "i", "second": "ii",
          "third": "iii", "fourth": "iv"}
# A folded Vietnamese syllable: onset, vowel nucleus, coda. Romanized Vietnamese names
# ("Kon Tum", "Ca Mau") match; English words ("September", "Highlands") do not.
_VI_SYLLABLE = re.compile(
    r"^(ngh|ng|gh|gi|kh|ch|nh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(uye|uya|uyu|oai|oay|oao|oeo|uoi|uou|ieu|yeu|uay|uai|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe"
    r"|oi|oo|ua|ue|ui|uo|uu|uy|ye|ya|a|e|i|o|u|y)(ch|ng|nh|c|m|n|p|t)?$"
)
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
        ok = capital and not skip[k] and not sentence_start and folded[k] not in STOPWORDS
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


def anchors(question: str) -> list[str]:
    """Terms the retrieved text must contain for the question to be answerable.

    Years, document codes, quarters ("Q3", "third quarter", "quý III") and proper names:
    capitalized Vietnamese names, and in English questions the capitalized words that
    are romanized Vietnamese syllables ("Dong Thap", "Ca Mau"). Titles and institutions
    ("Phó Bí thư", "Ban Tổ chức") are not anchors.

    >>> anchors("Ai là Bí thư Tỉnh ủy Cà Mau?")
    ['ca mau']
    """
    q = nfc(question)
    english = detect_language(q) == "en"
    found: list[str] = []
    for m in re.finditer(r"\b\d{1,3}-[A-Za-zĐđ]+/[A-Za-zĐđ]+\b", q):
        found.append(match_normalize(m.group(0)))
    for m in re.finditer(r"(?<![\d/.-])(?:19|20)\d{2}(?![\d-])", q):
        found.append(m.group(0))
    for m in _QUARTER_EN.finditer(q):
        found.append("quy " + _ROMAN[(m.group(1) or m.group(2)).lower()])
    for m in re.finditer(r"\bquý\s+([IV]+)\b", q, re.I):
        found.append("quy " + m.group(1).lower())
    for run in _name_runs(q):
        words = [w for w in run if not english or _VI_SYLLABLE.match(w)]
        if words and (len(words) >= 2 or len(words[0]) > 3):
            found.append(" ".join(words))
    return list(dict.fromkeys(found))


def contains_term(haystack: str, term: str) -> bool:
    """Whole-word containment on normalized text ("quy ii" is not in "quy iii")."""
    return re.search(r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])", haystack) is not None


def is_list_question(question: str) -> bool:
    f = fold(question)
    return bool(_LIST_CUES.search(f) and (_COUNT_CUE.search(f) or "list" in f or "liet ke" in f
                                          or "nhung" in f or "cac" in f or "which" in f))


class EvidenceSelector:
    """Pick evidence sentences from retrieved passages; decide answerability."""

    def __init__(self, index: Index, settings: AnswerSettings) -> None:
        self.index = index
        self.settings = settings

    def candidates(
        self, passages: list[Passage], qvec: np.ndarray, question: str
    ) -> list[Evidence]:
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
                        score=dense + LEXICAL_WEIGHT * lexical + prior,
                        dense=dense,
                        lexical=lexical,
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
        missing = [a for a in anchors(question) if not contains_term(haystack, a)]
        lang = detect_language(question)
        threshold = (
            self.settings.min_score_en if lang == "en" else self.settings.min_score_vi
        )
        answerable = best.score >= threshold and not missing
        cfg = self.settings
        close = [e for e in ranked if e.score >= best.score - cfg.evidence_margin]
        chosen = ranked[: max(len(close), cfg.min_evidence)][: cfg.max_evidence]
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
