"""Retrieved passages -> evidence: the sentences that answer the question, and whether
the corpus answers it at all.

Each candidate sentence (or clause of a long sentence) that a retrieved passage holds or
touches (a sentence may straddle two chunks) is
scored by cosine similarity between the question and the sentence (multilingual e5,
vectors computed at ingest) plus the share of the question's content words it contains
(folded syllables and bigrams, so diacritics and ``đ`` don't matter). The best sentence
and those close to it are kept, in reading order. For list questions an enumeration
("(1) ... (2) ...", "- ...") that the best sentences belong to is kept whole.

A sentence that reads as an instruction to the model (``injection.py``) is never a
candidate: the result counts them (``EvidenceResult.ignored``) so the answer can say so.

Refusal is decided here, from the evidence, never by an LLM: the best sentence must
score above a threshold calibrated on the gold set, it must be closer to the question
than generic off-topic sentences are (``background.py``), and the question's anchors
(years, quarters, codes, proper names) must occur in the retrieved text. A question that
names something no article or translation holds (an acronym, a capitalized foreign
word: "GDP", "FIFA World Cup") is refused whatever its other words score.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.config import AnswerSettings
from assistant.index.keyword.query import idf
from assistant.index.keyword.records import DocRecord
from assistant.index.store import Index
from assistant.index.translations import TranslationView
from assistant.retrieve import glossary
from assistant.retrieve.background import BACKGROUND
from assistant.retrieve.codes import asked_document, coded_sentences
from assistant.retrieve.content import has_content, question_words
from assistant.retrieve.counts import wants_count
from assistant.retrieve.english import unknown_names
from assistant.retrieve.expand import add_following, expand_enumeration, with_byline
from assistant.retrieve.glossary import asked_concept, names_concept, vietnamese_terms, vocabulary
from assistant.retrieve.hybrid import Passage
from assistant.retrieve.injection import reads_as_instruction
from assistant.retrieve.parts import question_parts
from assistant.retrieve.question import anchors, asks_person, is_list_question
from assistant.retrieve.rules import (
    anchored,
    asks_author,
    can_answer,
    home_documents,
    is_multi_part,
    lacking_anchors,
    role_sentences,
    titled_people,
    wanted_sentence,
)
from assistant.retrieve.sentences import Evidence, EvidenceResult
from assistant.retrieve.timing import dated_as_asked, opening
from assistant.vietnamese import content_tokens, detect_language, english_stems

# Weight of the question-word overlap next to the cosine similarity (calibrated on
# eval/gold.jsonl plus out-of-domain questions; see README, "Refusal").
LEXICAL_WEIGHT = 0.3
# A question word the sentence lacks but its article's opening has (``timing.opening``:
# "Cụm thi đua số III" for every clause of the cluster's report) counts at this share of
# its weight: the sentence that says it still outranks one that only inherits it.
OPENING_SHARE = 0.5
# Weight of a question word the corpus lacks, as a share of the mean known word's weight
# (English questions only, see EvidenceSelector.question_weights).
UNKNOWN_SHARE = 0.5
# A sentence of the kind the question needs (a count, a date) joins the evidence when
# it scores within this of the best one.
KIND_MARGIN = 0.25
# Beside a whole enumeration, other sentences stay only within this of the best score.
LIST_MARGIN = 0.02


class EvidenceSelector:
    """Pick evidence sentences from retrieved passages; decide answerability."""

    def __init__(self, index: Index, settings: AnswerSettings,
                 translations: TranslationView | None = None) -> None:
        self.index = index
        self.settings = settings
        self.translations = translations
        self._background: np.ndarray | None = None

    def background_similarity(self, qvec: np.ndarray) -> float:
        """Cosine similarity of the question to the closest off-topic sentence."""
        if self._background is None:
            vecs = self.index.embeddings.embed_documents(list(BACKGROUND))
            self._background = np.asarray(vecs, dtype=np.float32)
        return float((self._background @ qvec).max())

    def question_weights(self, question: str) -> tuple[dict[str, float], float]:
        """Weight of each question word in the word-overlap score, and the total weight
        the overlap is divided by.

        Vietnamese questions: every content word counts 1. English questions share only
        names and numbers with the articles, so their domain phrases are translated
        (``glossary.py``) and words are weighted by rarity (BM25 IDF over the chunks):
        a glossary word found everywhere ("hội nghị") proves little. English words the
        corpus lacks still count, at ``UNKNOWN_SHARE`` of the mean weight, so a question
        about something else does not score high on one shared word."""
        toks = content_tokens(question)
        if detect_language(question) != "en":
            return dict.fromkeys(toks, 1.0), float(len(toks))
        toks |= content_tokens(" ".join(vietnamese_terms(question)))
        df = self.index.document_frequencies(sorted(toks))
        n = max(self.index.n_chunks(), 1)
        weights = {t: idf(n, df[t]) for t in toks if t in df}
        mean = sum(weights.values()) / len(weights) if weights else 1.0
        unknown = UNKNOWN_SHARE * mean * (len(toks) - len(weights))
        return weights, sum(weights.values()) + unknown

    def document_records(self, passages: list[Passage]) -> dict[str, DocRecord | None]:
        """The record (text, page starts) of each document the passages come from (one
        read each)."""
        records: dict[str, DocRecord | None] = {}
        for p in passages:
            if p.doc_id not in records:
                records[p.doc_id] = self.index.document(p.doc_id)
        return records

    def document_texts(self, passages: list[Passage]) -> dict[str, str]:
        """The full text of each document the passages come from (one read each)."""
        return {d: r.text if r else "" for d, r in self.document_records(passages).items()}

    def candidates(
        self, passages: list[Passage], qvec: np.ndarray, question: str,
        texts: dict[str, str] | None = None, ignored: set[tuple[str, int]] | None = None,
    ) -> list[Evidence]:
        """Every sentence of the passages, scored; those that read as instructions to
        the model are left out (and added to ``ignored`` as ``(doc_id, start)``)."""
        out = self._candidates(passages, qvec, question, texts, ignored)
        self._use_translations(out, qvec, question)
        return out

    def _use_translations(self, cands: list[Evidence], qvec: np.ndarray, question: str) -> None:
        """Attach the cached translations of sentences written in another language than
        the question's, and score those sentences on their translation too: the mean of
        the question's similarity to the original and to the translation (when higher
        than the original's alone), and the higher word overlap. An English question
        meets "joined the Party" in the English of "kết nạp ... đảng viên" rather than
        across languages only."""
        lang = detect_language(question)
        foreign = [e for e in cands if detect_language(e.text) != lang]
        if self.translations is None or not foreign:
            return
        cached = self.translations.lookup([e.text for e in foreign], lang)
        stems = english_stems(question) if lang == "en" else set()
        vectors: dict[str, dict[tuple[int, int], np.ndarray]] = {}
        for e in foreign:
            hit = cached.get(e.text)
            if hit is None or not hit.verified:
                continue
            e.translation, e.translation_verified = hit.text, True
            if e.doc_id not in vectors:
                vectors[e.doc_id] = self.translations.vectors(e.doc_id, lang)
            vec = vectors[e.doc_id].get((e.start, e.end))
            # the mean of the two views of the sentence: one bad view (a loose
            # translation, a weak cross-lingual match) cannot carry it alone
            dense = (float(np.dot(qvec, vec)) + e.dense) / 2 if vec is not None else e.dense
            lexical = len(stems & english_stems(hit.text)) / len(stems) if stems else 0.0
            if dense > e.dense or lexical > e.lexical:
                gain = max(dense, e.dense) - e.dense
                gain += LEXICAL_WEIGHT * (max(lexical, e.lexical) - e.lexical)
                e.dense, e.lexical = max(dense, e.dense), max(lexical, e.lexical)
                e.score += gain

    def part_sentences(self, question: str, passages: list[Passage], texts: dict[str, str],
                       cands: list[Evidence]) -> list[Evidence]:
        """For a question in parts (``parts.py``), the best sentence of each part, scored
        on the part alone, and the best of the kind it needs (a count, a date) near it:
        "..., and which emulation cluster is the city in?" is answered by a sentence the
        whole question, about a chair, scores low. A part with no anchor ("..., and what
        post did he hold?") is searched with the anchors of the parts before it."""
        same = {(e.doc_id, e.start): e for e in cands}
        out: list[Evidence] = []
        for i, part in enumerate(parts := question_parts(question)):
            if i and not anchors(part):  # "the city's", "he": the names said before it
                part = " ".join([part, *anchors(" ".join(parts[:i]))])
            pvec = np.asarray(self.index.embeddings.embed_query(part), dtype=np.float32)
            scored = sorted(self.candidates(passages, pvec, part, texts), key=lambda e: -e.score)
            if not scored:
                continue
            picks = [scored[0]]
            kind = wanted_sentence(part)
            if kind is not None and not kind(scored[0]):
                picks += [e for e in scored if kind(e)
                          and e.score >= scored[0].score - KIND_MARGIN][:1]
            out += [same[k] for e in picks if (k := (e.doc_id, e.start)) in same
                    and same[k] not in out]
            if kind is not None and wants_count(part) and not any(kind(e) for e in out):
                # the count the part asks for, from its best article if not retrieved
                extra = self.article_sentence(part, pvec, scored[0], scored[0].score, kind,
                                              texts, [*cands, *out])
                out += [extra] if extra is not None else []
        return out

    def has_content(self, question: str) -> bool:
        """The question has a word the corpus (or its translations) knows, an anchor or a
        domain phrase (see :func:`assistant.retrieve.content.has_content`)."""
        words = question_words(question)
        known = self.index.known_terms(words)
        if self.translations is not None and detect_language(question) == "en":
            known |= {w for w in words if w not in known and self.translations.knows(w)}
        return has_content(question, known)

    def unknown_names(self, question: str) -> list[str]:
        """The acronyms and capitalized words of the question that neither the articles,
        the glossary nor their translations contain, the translations only where they
        capitalize the word too (see :func:`assistant.retrieve.english.unknown_names`)."""

        def knows(word: str) -> bool:
            return word in vocabulary() or bool(self.index.known_terms([word])) or (
                self.translations is not None and self.translations.knows(word, as_name=True))

        return unknown_names(question, knows)

    def attach_translations(self, evidence: list[Evidence], lang: str) -> None:
        """Give each sentence not in ``lang`` its cached, verified translation."""
        todo = [e for e in evidence if not e.translation and detect_language(e.text) != lang]
        if self.translations is None or not todo:
            return
        cached = self.translations.lookup([e.text for e in todo], lang)
        for e in todo:
            hit = cached.get(e.text)
            if hit is not None and hit.verified:
                e.translation, e.translation_verified = hit.text, True

    def _candidates(
        self, passages: list[Passage], qvec: np.ndarray, question: str,
        texts: dict[str, str] | None = None, ignored: set[tuple[str, int]] | None = None,
    ) -> list[Evidence]:
        weights, total = self.question_weights(question)
        seen: set[tuple[str, int, int]] = set()
        out: list[Evidence] = []
        vec_cache: dict[str, list[tuple[int, int, np.ndarray]]] = {}
        leads: dict[str, set[str]] = {}
        texts = texts if texts is not None else self.document_texts(passages)
        for rank, p in enumerate(passages):
            doc_text = texts[p.doc_id]
            if p.doc_id not in vec_cache:
                vec_cache[p.doc_id] = self.index.sentence_vectors(p.doc_id)
                lead = opening(doc_text)
                leads[p.doc_id] = content_tokens(f"{lead} {glossary.written_out(lead)}")
            for start, end, vec in vec_cache[p.doc_id]:
                if end <= p.start or start >= p.end or (p.doc_id, start, end) in seen:
                    continue
                seen.add((p.doc_id, start, end))
                text = doc_text[start:end]
                if reads_as_instruction(text):
                    if ignored is not None:
                        ignored.add((p.doc_id, start))
                    continue
                dense = float(np.dot(qvec, vec))
                stoks = content_tokens(f"{text} {glossary.written_out(text)}")
                lexical = sum(w if t in stoks else OPENING_SHARE * w for t, w in weights.items()
                              if t in stoks or t in leads[p.doc_id]) / (total or 1.0)
                prior = 0.01 * (len(passages) - rank) / max(len(passages), 1)
                out.append(Evidence(
                    doc_id=p.doc_id, start=start, end=end, text=text,
                    score=dense + LEXICAL_WEIGHT * lexical + prior, dense=dense, lexical=lexical,
                    title=p.title, date=p.date, publisher=p.publisher, chunk_id=p.chunk_id))
        return out

    def select(
        self, question: str, passages: list[Passage], qvec: list[float] | np.ndarray
    ) -> EvidenceResult:
        q = np.asarray(qvec, dtype=np.float32)
        if not self.has_content(question):
            return EvidenceResult([], False, 0.0, [], reason="nothing to look for")
        records = self.document_records(passages)
        texts = {d: r.text if r else "" for d, r in records.items()}
        ignored: set[tuple[str, int]] = set()
        cands = self.candidates(passages, q, question, texts, ignored)
        if not cands:
            return EvidenceResult([], False, 0.0, [], ignored=len(ignored))
        by_score = sorted(cands, key=lambda e: -e.score)
        cfg = self.settings
        multi = is_multi_part(question)
        lacking = lacking_anchors(question, passages, texts)
        ranked, missing = anchored(question, by_score, lacking)
        ranked = dated_as_asked(question, ranked, texts)
        missing += [n for n in self.unknown_names(question) if n not in missing]
        best = ranked[0]
        lang = detect_language(question)
        threshold = cfg.min_score_en if lang == "en" else cfg.min_score_vi
        contrast = max(e.dense for e in ranked[:5]) - self.background_similarity(q)
        scores_ok = best.score >= threshold and contrast >= cfg.min_background_contrast
        # A document contributes only if its own best sentence is close to the best one.
        margin = cfg.document_margin if multi else cfg.single_document_margin
        doc_best: dict[str, float] = {}
        for e in ranked:
            doc_best.setdefault(e.doc_id, e.score)
        docs = {d for d, sc in doc_best.items() if sc >= best.score - margin}
        ranked = [e for e in ranked if e.doc_id in docs]
        close = [e for e in ranked if e.score >= best.score - cfg.evidence_margin]
        chosen = ranked[: max(len(close), cfg.min_evidence)][: cfg.max_evidence]
        if multi:  # an anchor that only a dropped article holds: that article's best sentence
            for a in anchors(question):
                if all(a in lacking.get(e.doc_id, [a]) for e in chosen):
                    chosen += [e for e in by_score if a not in lacking.get(e.doc_id, [a])][:1]
        if cfg.window:
            chosen = add_following(chosen, cands, ranked[: cfg.window])
        if asks_author(question):  # the byline is the answer: a short line, rarely retrieved
            chosen = with_byline(self.index, chosen, records)
        # sentences of a kind the question needs (a count, a date) or names (a code family,
        # a title of each place), from every article for a multi-part question
        pool = by_score if multi else ranked
        kind = wanted_sentence(question)
        home = home_documents(lacking)
        person = asks_person(question)
        if kind is not None and not any(kind(e) for e in chosen):
            # from the chosen articles first; a count of what is asked from any retrieved one
            more = by_score if wants_count(question) else []
            within = [e for e in [*pool, *more]
                      if kind(e) and e.score >= best.score - KIND_MARGIN and e not in chosen]
            extra = None
            if person:  # the person of the best sentence of the articles
                # holding every anchor first, from a chunk not retrieved if need be
                top = next((e for e in ranked if e.doc_id in home), best)
                extra = next((e for e in within if e.doc_id == top.doc_id), None) or \
                    self.article_sentence(question, q, top, best.score, kind, texts, chosen)
            extra = extra or next(iter(within), None)
            if extra is None and asked_document(question) is not None:  # "which resolution
                # ...?" with no numbered one retrieved: the best article's, as for a person
                extra = self.article_sentence(question, q, best, best.score, kind, texts, chosen)
            chosen = [*chosen, extra] if extra is not None else chosen
        if kind is not None and multi:  # about two events: the kind from each article
            for doc in dict.fromkeys(e.doc_id for e in chosen):
                # a person from an article that lacks the question's anchors is someone else
                if person and doc not in home:
                    continue
                if not any(kind(e) for e in chosen if e.doc_id == doc):
                    extra = next((e for e in pool if e.doc_id == doc and kind(e)
                                  and e.score >= best.score - KIND_MARGIN), None)
                    chosen = [*chosen, extra] if extra is not None else chosen
        near = [e for e in pool if e.score >= best.score - KIND_MARGIN]
        asked = asked_concept(question)  # "What weaknesses ...?" wants a sentence naming them
        if asked and not any(names_concept(e.text, e.translation, asked) for e in chosen):
            chosen += [e for e in near if names_concept(e.text, e.translation, asked)][:1]
        coded = coded_sentences(question, near)
        chosen += [e for e in coded if e not in chosen]
        chosen += role_sentences(question, chosen, near)
        chosen += [e for e in self.part_sentences(question, passages, texts, cands)
                   if e not in chosen]
        titled = titled_people(question, chosen, by_score)
        chosen += titled
        fits, reason = can_answer(question, chosen, texts)
        rules_ok = not missing and fits
        answerable = scores_ok and rules_ok
        if is_list_question(question):
            chosen, in_lists = expand_enumeration(self.index, chosen, cands, ignored)
            if in_lists:  # the enumeration is the answer: keep only the best sentences beside it
                chosen = [
                    e
                    for e in chosen
                    if (e.doc_id, e.start) in in_lists or e.score >= best.score - LIST_MARGIN
                    or e in coded or e in titled
                ]
        chosen.sort(key=lambda e: (self._doc_order(e, passages), e.start))
        self.attach_translations(chosen, lang)
        for i, e in enumerate(chosen, start=1):
            e.marker = i
            rec = records.get(e.doc_id)
            e.page = rec.page_at(e.start) if rec else None
        return EvidenceResult(chosen, answerable, best.score, missing, contrast, rules_ok,
                              reason or ("" if scores_ok else "evidence too weak"),
                              len(ignored))

    def article_sentence(self, question: str, qvec: np.ndarray, best: Evidence,
                         floor: float, kind: Callable[[Evidence], bool],
                         texts: dict[str, str], chosen: list[Evidence]) -> Evidence | None:
        """The best-scored sentence of ``kind`` anywhere in ``best``'s article, within
        ``KIND_MARGIN`` of the ``floor`` score: "Who gave the concluding remarks ...?" is
        answered by "Kết luận Hội nghị, đồng chí ..." in a chunk the rest of the question
        outranked. None when the article has no such sentence. Used for a person, a
        numbered document ("Which resolution ...?") and a part's count, not for dates: a
        date from elsewhere in the article answered an unanswerable question."""
        text = texts.get(best.doc_id, "")
        if not text:
            return None
        whole = Passage(chunk_id=f"{best.doc_id}:article", doc_id=best.doc_id, text=text,
                        start=0, end=len(text), score=0.0, title=best.title,
                        date=best.date, publisher=best.publisher)
        taken = {(e.doc_id, e.start) for e in chosen}
        found = sorted(self.candidates([whole], qvec, question, texts), key=lambda e: -e.score)
        return next((e for e in found if kind(e) and e.score >= floor - KIND_MARGIN
                     and (e.doc_id, e.start) not in taken), None)

    @staticmethod
    def _doc_order(e: Evidence, passages: list[Passage]) -> int:
        for i, p in enumerate(passages):
            if p.doc_id == e.doc_id:
                return i
        return len(passages)

