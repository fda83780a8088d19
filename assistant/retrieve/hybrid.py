"""Question -> retrieved passages: keyword (BM25 over Vietnamese-aware tokens) fused
with dense (multilingual e5 in Chroma).

Modes (``settings.retrieval.mode``): ``hybrid`` (default), ``dense``, ``keyword``.
Fusion (``settings.retrieval.fusion``): ``rrf`` (reciprocal rank fusion, default, chosen
by measurement: see README) or ``weighted`` (min-max normalized scores). The English
side of a cross-lingual question is carried by the dense retriever; the keyword side
still catches numbers, codes and names.

:class:`HybridRetriever` exposes the same search as a LangChain ``BaseRetriever``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.config import RetrievalSettings
from assistant.index.store import Index
from assistant.index.translations import TranslationView
from assistant.retrieve.glossary import expand_query, renderings
from assistant.retrieve.parts import question_parts
from assistant.retrieve.question import anchors, contains_term
from assistant.vietnamese import (
    content_tokens,
    detect_language,
    english_stems,
    match_normalize,
)

# Passages each part of a question in parts adds to the whole question's top-k.
PART_PASSAGES = 2


@dataclass
class Passage:
    """A retrieved chunk with its provenance and scores."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    score: float
    title: str = ""
    date: str = ""
    publisher: str = ""
    dense: float | None = None
    keyword: float | None = None
    rank: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "score": round(self.score, 6),
            "dense": None if self.dense is None else round(self.dense, 6),
            "keyword": None if self.keyword is None else round(self.keyword, 6),
            "title": self.title,
            "date": self.date,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


def rrf(
    rankings: list[list[str]], k: int = 60, weights: list[float] | None = None
) -> dict[str, float]:
    """Reciprocal rank fusion: ``sum(w / (k + rank))`` over the rankings (rank from 1)."""
    scores: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[i]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return scores


def weighted(
    dense: list[tuple[str, float]], keyword: list[tuple[str, float]], dense_weight: float
) -> dict[str, float]:
    """Min-max normalize each list and mix: ``w * dense + (1 - w) * keyword``."""

    def norm(hits: list[tuple[str, float]]) -> dict[str, float]:
        if not hits:
            return {}
        vals = [s for _, s in hits]
        lo, hi = min(vals), max(vals)
        span = (hi - lo) or 1.0
        return {i: (s - lo) / span for i, s in hits}

    d, kw = norm(dense), norm(keyword)
    return {
        i: dense_weight * d.get(i, 0.0) + (1 - dense_weight) * kw.get(i, 0.0)
        for i in set(d) | set(kw)
    }


class Retriever:
    """Hybrid search over one :class:`Index`."""

    def __init__(self, index: Index, settings: RetrievalSettings,
                 translations: TranslationView | None = None) -> None:
        self.index = index
        self.settings = settings
        self.translations = translations

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: str | None = None,
        vector: list[float] | None = None,
    ) -> list[Passage]:
        """Top-``k`` passages for ``query``; ``mode`` overrides the configured one.

        ``vector`` is the query embedding when the caller already has it.
        """
        cfg = self.settings
        k = k or cfg.top_k
        mode = mode or cfg.mode
        n = max(cfg.candidates, k)
        dense_hits: list[tuple[str, float]] = []
        kw_hits: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            if vector is None:
                vector = self.index.embeddings.embed_query(query)
            dense_hits = self.index.dense_search(vector, n)
        words = expand_query(query)  # English questions get the domain's Vietnamese words
        tr_hits: list[tuple[str, float]] = []
        if mode in ("hybrid", "keyword"):
            kw_hits = self.index.keyword_search(words, n)
            tr_hits = self.translated_search(query, n)
        if mode == "dense":
            fused = dict(dense_hits)
        elif mode == "keyword":
            fused = dict(kw_hits) if not tr_hits else rrf(
                [[i for i, _ in kw_hits], [i for i, _ in tr_hits]], cfg.rrf_k,
                [self.keyword_weight(words), 1.0])
        elif cfg.fusion == "weighted":
            fused = weighted(dense_hits, kw_hits, cfg.dense_weight)
        else:
            lists = [[i for i, _ in dense_hits], [i for i, _ in kw_hits]]
            weights = [1.0, self.keyword_weight(words)]
            if tr_hits:
                lists.append([i for i, _ in tr_hits])
                weights.append(1.0)
            fused = rrf(lists, cfg.rrf_k, weights)
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        if cfg.anchor_rescue and mode != "dense":
            ranked = self._rescue_anchors(query, ranked)
        records = self.index.chunks([cid for cid, _ in ranked])
        dense_map, kw_map = dict(dense_hits), dict(kw_hits)
        docs = {}
        out: list[Passage] = []
        for rank, (cid, score) in enumerate(ranked, start=1):
            rec = records.get(cid)
            if rec is None:  # present in Chroma but not (yet) in SQLite: skip
                continue
            if rec.doc_id not in docs:
                docs[rec.doc_id] = self.index.document(rec.doc_id)
            doc = docs[rec.doc_id]
            out.append(
                Passage(
                    chunk_id=cid,
                    doc_id=rec.doc_id,
                    text=rec.text,
                    start=rec.start,
                    end=rec.end,
                    score=score,
                    title=doc.title if doc else "",
                    date=doc.date if doc else "",
                    publisher=doc.publisher if doc else "",
                    dense=dense_map.get(cid),
                    keyword=kw_map.get(cid),
                    rank=rank,
                )
            )
        return out


    def search_parts(self, query: str, k: int | None = None,
                     vector: list[float] | None = None) -> list[Passage]:
        """The top-``k`` passages for ``query`` and, for a question in parts
        (``parts.py``: "Who chaired ..., and which cluster is the city in?"), the best
        ``PART_PASSAGES`` of each part that the whole question did not bring, after them:
        a part the rest of the question outweighs still finds its passage."""
        passages = self.search(query, k=k, vector=vector)
        for part in question_parts(query):
            have = {p.chunk_id for p in passages}
            passages += [p for p in self.search(part, k=PART_PASSAGES)
                         if p.chunk_id not in have]
        return passages

    def _rescue_anchors(
        self, query: str, ranked: list[tuple[str, float]]
    ) -> list[tuple[str, float]]:
        """Make room for a passage holding each question anchor (a name, year, code)
        that none of the ranked passages contains but the corpus does.

        A rescued passage replaces the lowest-ranked one, so ``k`` stays the same.
        """
        wanted = anchors(query)
        if not wanted or not ranked:
            return ranked
        records = self.index.chunks([cid for cid, _ in ranked])
        text = match_normalize(" ".join(r.text for r in records.values()))
        out = list(ranked)
        protected = max(1, len(out) // 2)  # never displace the top half
        for term in wanted:
            if contains_term(text, term) or len(out) <= protected:
                continue
            present = {c for c, _ in out}
            hits = [cid for cid, _ in self.index.keyword_search(term, 10) if cid not in present]
            found = self.index.chunks(hits)  # one lookup for all candidates
            for cid in hits:
                rec = found.get(cid)
                if rec is not None and contains_term(match_normalize(rec.text), term):
                    # insert below the protected top, drop the last
                    out = [*out[:protected], (cid, out[-1][1]), *out[protected:-1]]
                    text += " " + match_normalize(rec.text)
                    protected += 1
                    break
        return out

    def translated_search(self, query: str, n: int) -> list[tuple[str, float]]:
        """Chunks ranked by keyword search over the verified translations of their
        sentences into the question's language (English questions over Vietnamese
        articles: stemmed English against English). Empty without translations."""
        if self.translations is None or detect_language(query) != "en":
            return []
        # the glossary's English for the question's domain phrases that the question
        # words otherwise: the translation model was given it as the term's rendering
        # ("shortcomings" finds "limitations"). Not for anchors ("Q3" -> "third
        # quarter"): they select, and every article's opening names its quarter.
        asked = english_stems(query)
        extra = dict.fromkeys(w for _, r in renderings(query) if not anchors(r)
                              for w in r.split() if not english_stems(w) & asked)
        hits = self.translations.search(f"{query} {' '.join(extra)}", n, "en")
        spans: dict[str, list[tuple[str, int, int]]] = {}
        best: dict[str, float] = {}
        for doc_id, start, end, score in hits:
            if doc_id not in spans:
                ids = sorted(self.index.chunk_ids(doc_id))
                spans[doc_id] = [(r.chunk_id, r.start, r.end)
                                 for r in self.index.chunks(ids).values()]
            for cid, c_start, c_end in spans[doc_id]:
                if c_start <= start and end <= c_end:
                    best[cid] = max(best.get(cid, 0.0), score)
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def keyword_weight(self, query: str) -> float:
        """Trust in the keyword ranking: the share of the question's content words that
        occur in the corpus. An English question about Vietnamese text shares few words
        with it (numbers, names), so its keyword ranking counts for less."""
        terms = sorted(t for t in content_tokens(query) if "_" not in t)
        if not terms:
            return 0.0
        return len(self.index.known_terms(terms)) / len(terms)


class HybridRetriever(BaseRetriever):
    """LangChain ``BaseRetriever`` over :class:`Retriever`, for users' own chains.

    >>> docs = HybridRetriever(retriever=bot.retriever).invoke("Q1 2021")  # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Retriever
    k: int = 5
    mode: str | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        return [
            LCDocument(
                page_content=p.text,
                id=p.chunk_id,
                metadata={k: v for k, v in p.to_dict().items() if k != "text" and v is not None},
            )
            for p in self.retriever.search(query, k=self.k, mode=self.mode)
        ]
