"""``Assistant``: the one object that wires the stages.

    files -> documents -> chunks -> index -> retrieved passages -> evidence
          -> answer (extractive or LLM) with citations -> checked answer

>>> from assistant import Assistant                      # doctest: +SKIP
>>> bot = Assistant.from_settings()                      # doctest: +SKIP
>>> ans = bot.ask("What were the six Q1 2021 priorities?")  # doctest: +SKIP
>>> ans.citations[0].doc_id                              # doctest: +SKIP
'003_95457bacc3751b1b'

``stream()`` yields an :class:`EvidenceEvent` (evidence and citations, before any
generation), then :class:`TokenEvent` pieces of the answer, then the final
:class:`Answer` in a :class:`FinalEvent`. An LLM answer first waits for a slot in the
assistant's :class:`~assistant.answer.queue.GenerationQueue` (shared by every assistant
of a server), yielding a :class:`WaitEvent` with its place while it waits; retrieval,
evidence and extractive answers never wait for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from assistant.answer.queue import GenerationQueue, Ticket
from assistant.answer.result import (
    Answer,
    Citation,
    citation_for,
    compose,
    extractive_parts,
    refusal_parts,
)
from assistant.config import Settings, load_settings
from assistant.errors import InputError
from assistant.index.embeddings import make_embeddings
from assistant.index.store import Index, IngestReport, ProgressFn
from assistant.index.translations import TranslationView
from assistant.retrieve.diacritics import CorpusAccents
from assistant.retrieve.evidence import Evidence, EvidenceResult, EvidenceSelector
from assistant.retrieve.glossary import common_terms
from assistant.retrieve.hybrid import HybridRetriever, Passage, Retriever
from assistant.retrieve.injection import ignored_note
from assistant.vietnamese import detect_language, nfc

if TYPE_CHECKING:
    from assistant.answer.generation import Draft
    from assistant.answer.translate import Translator

# Control characters and lone surrogates (undecodable input) are dropped from questions.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# How often a waiting LLM answer reports its place in line (a WaitEvent).
WAIT_REPORT_S = 0.5


class Generator(Protocol):
    """An LLM answer writer over numbered evidence (see ``generation.py``)."""

    name: str

    def stream(
        self, question: str, language: str, evidence: list[Evidence]
    ) -> Iterator[str]: ...

    def finalize(
        self, question: str, language: str, evidence: list[Evidence], raw: str
    ) -> Draft: ...


@dataclass
class EvidenceEvent:
    evidence: list[Evidence]
    citations: list[Citation]
    passages: list[Passage]
    refused: bool
    language: str
    elapsed_s: float


@dataclass
class TokenEvent:
    text: str


@dataclass
class TranslationEvent:
    """An evidence sentence translated while answering (``marker`` as in the citations)."""

    marker: int
    text: str
    verified: bool


@dataclass
class FinalEvent:
    answer: Answer


@dataclass
class WaitEvent:
    """The answer waits for the LLM: ``place`` 1 is next; ``running`` are being written."""

    place: int
    running: int


StreamEvent = EvidenceEvent | TranslationEvent | WaitEvent | TokenEvent | FinalEvent
History = Sequence[tuple[str, str]]


def clean_question(question: str, max_chars: int) -> str:
    """NFC, control characters removed, whitespace trimmed; reject empty or huge input."""
    if not isinstance(question, str):
        raise InputError("The question must be text.")
    q = _CONTROL.sub(" ", nfc(question)).strip()
    if not q:
        raise InputError("The question is empty: type a question.")
    if len(q) > max_chars:
        raise InputError(
            f"The question is {len(q)} characters long; the limit is {max_chars}: shorten it."
        )
    return q


class Assistant:
    """Retrieval, evidence selection and answering over one index."""

    def __init__(
        self,
        settings: Settings,
        index: Index,
        generator: Generator | None = None,
        backend_notes: Sequence[str] = (),
        translator: Translator | None = None,
        generations: GenerationQueue | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.translations = (
            None if settings.translation.backend == "none"
            else TranslationView.for_settings(index.translations, settings))
        self.retriever = Retriever(index, settings.retrieval, self.translations)
        self.selector = EvidenceSelector(index, settings.answer, self.translations)
        self.accents = CorpusAccents(index)
        self.translator = translator
        self.generator = generator
        checker = getattr(generator, "checker", None)
        if checker is not None and index.exists():
            checker.common_terms = common_terms(index)
        self.backend = generator.name if generator else "extractive"
        self.backend_notes = list(backend_notes)
        # one generation at a time per model unless a server shares a wider queue
        self.generations = generations or GenerationQueue(limit=1, max_waiting=1 << 30)

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        generator: Generator | None = None,
        require_index: bool = True,
        load_llm: bool = True,
    ) -> Assistant:
        """Build everything from settings (env ``ASSISTANT_*`` when ``settings`` is None).

        The LLM backend follows ``settings.llm.backend``; pass ``generator`` to inject one
        (tests use a deterministic fake chat model this way). ``load_llm=False`` skips
        the LLM (for ingest-only use).
        """
        settings = settings or load_settings()
        index = Index(settings, make_embeddings(settings))
        if require_index:
            index.open_existing()
        notes: list[str] = []
        if generator is None and load_llm and settings.llm.backend != "extractive":
            from assistant.answer.backends import make_generator

            # the grounding check reuses the index's embedder (no second model load)
            generator, notes = make_generator(settings, embeddings=index.embeddings)
        translator = None
        if generator is not None and settings.translation.on_demand:
            translator, more = cls.make_translator(settings, index)
            notes += more
        return cls(settings, index, generator, notes, translator)

    @staticmethod
    def make_translator(settings: Settings, index: Index) -> tuple[Translator | None, list[str]]:
        """The on-demand translator (model loaded on first use), or a note why not."""
        from assistant.answer.translate import make_translator
        from assistant.errors import AssistantError

        try:
            return make_translator(settings, index.embeddings), []
        except AssistantError as exc:
            return None, [f"no translation model ({exc}); untranslated evidence is quoted"]

    def warm(self) -> dict[str, float]:
        """Load the answer and translation models now (seconds each), not on the first
        question: ``assistant serve`` does it in the background while the page is up."""
        took: dict[str, float] = {}
        warm = getattr(getattr(self.generator, "model", None), "warm", None)
        if warm is not None:
            took["answer"] = float(warm())
        if self.translator is not None:
            took["translation"] = self.translator.warm()
        return took

    # --- ingest -------------------------------------------------------------------
    def ingest(
        self, path: str | Path | None = None, *, reset: bool = False,
        progress: ProgressFn | None = None,
    ) -> IngestReport:
        if reset:
            self.index.reset()
        return self.index.ingest(path or self.settings.seeds_path, progress=progress)

    def as_retriever(self, k: int | None = None) -> HybridRetriever:
        """This assistant's hybrid search as a LangChain ``BaseRetriever``."""
        return HybridRetriever(retriever=self.retriever, k=k or self.settings.retrieval.top_k)

    # --- answering ----------------------------------------------------------------
    def language_for(self, question: str) -> str:
        forced = self.settings.answer.language
        return forced if forced != "auto" else detect_language(question)

    def standalone(self, question: str, history: History | None) -> str:
        if not history:
            return question
        from assistant.chat import rewrite_question

        return rewrite_question(question, history, self.generator)

    def gather(
        self, question: str, top_k: int | None = None
    ) -> tuple[list[Passage], EvidenceResult, float]:
        """Retrieve passages and select evidence; returns them and the seconds taken."""
        t0 = time.perf_counter()
        question = self.accents.restore(question)  # "bao nhieu dang vien" -> "bao nhiêu đảng viên"
        qvec = self.index.embeddings.embed_query(question)
        passages = self.retriever.search_parts(question, k=top_k, vector=qvec)
        result = self.selector.select(question, passages, qvec)
        return passages, result, time.perf_counter() - t0

    def stream(
        self,
        question: str,
        *,
        top_k: int | None = None,
        history: History | None = None,
        language: str | None = None,
    ) -> Iterator[StreamEvent]:
        """Evidence first, then answer tokens, then the final checked :class:`Answer`."""
        t_start = time.perf_counter()
        q = clean_question(question, self.settings.answer.max_question_chars)
        lang = language or self.language_for(q)
        standalone = self.accents.restore(self.standalone(q, history))
        t_rewrite = time.perf_counter() - t_start
        passages, result, t_retrieve = self.gather(standalone, top_k)
        refused = not result.answerable
        evidence = [] if refused else result.evidence
        self.selector.attach_translations(evidence, lang)
        citations = [citation_for(e) for e in evidence]
        yield EvidenceEvent(evidence, citations, passages, refused, lang,
                            time.perf_counter() - t_start)
        notes = list(self.backend_notes)
        if result.ignored:
            notes.append(ignored_note(result.ignored))
        t_tr = time.perf_counter()
        yield from self._translate_missing(evidence, lang, notes)
        t_translate = time.perf_counter() - t_tr
        if refused and result.reason:
            notes.append(f"refused: {result.reason}")
        if result.missing_anchors:
            shown = (a.split("|")[0] for a in result.missing_anchors)
            notes.append("not found in the documents: " + ", ".join(shown))
        t_gen = time.perf_counter()
        fallback, removed = False, 0
        if refused:
            parts = refusal_parts(lang)
            yield TokenEvent(compose(parts))
        elif self.generator is None:
            parts = extractive_parts(evidence, lang)
            yield TokenEvent(compose(parts))
        else:
            ticket = self.generations.join()
            try:
                yield from self._wait_for(ticket)
                t_gen = time.perf_counter()
                raw_parts: list[str] = []
                for piece in self.generator.stream(standalone, lang, evidence):
                    raw_parts.append(piece)
                    yield TokenEvent(piece)
                draft = self.generator.finalize(standalone, lang, evidence, "".join(raw_parts))
            finally:  # also when the consumer goes away mid-answer
                ticket.leave()
            parts, citations, fallback, removed = (
                draft.parts, draft.citations, draft.fallback, draft.removed)
            notes.extend(draft.notes)
        timings = {
            "rewrite": t_rewrite,
            "retrieve": t_retrieve,
            "translate": t_translate,
            "generate": time.perf_counter() - t_gen,
            "total": time.perf_counter() - t_start,
        }
        yield FinalEvent(
            Answer(
                question=q, text=compose(parts), citations=citations, passages=passages,
                refused=refused, language=lang,
                backend="extractive" if refused or self.generator is None else self.backend,
                timings=timings, standalone_question=standalone, notes=notes,
                parts=parts, fallback=fallback, removed_sentences=removed,
            )
        )

    def _translate_missing(self, evidence: list[Evidence], lang: str, notes: list[str]
                           ) -> Iterator[TranslationEvent | WaitEvent]:
        """Translate, one sentence at a time, the evidence in another language than
        ``lang`` that has no cached attempt (rejected attempts are not retried). The
        results are stored in the cache, so the next question reuses them."""
        if self.translator is None or self.translations is None:
            return
        todo = [e for e in evidence
                if not e.translation and detect_language(e.text) != lang]
        tried = self.translations.lookup([e.text for e in todo], lang)
        todo = [e for e in todo if e.text not in tried]
        if not todo:
            return
        notes.append(f"translated {len(todo)} evidence sentence(s) now")
        ticket = self.generations.join()  # the translation model is LLM work: same line
        try:
            yield from self._wait_for(ticket)
            for e in todo:
                done = self.translator.translate(e.text, detect_language(e.text), lang)
                self.translations.store.own(e.doc_id, e.start, e.end, e.text)
                self.translations.store.put(done.stored(lang))
                if done.verified:
                    e.translation, e.translation_verified = done.text, True
                yield TranslationEvent(e.marker, done.text, done.verified)
        finally:
            ticket.leave()

    def _wait_for(self, ticket: Ticket) -> Iterator[WaitEvent]:
        """Report the place in line until ``ticket`` gets an LLM slot."""
        granted = ticket.wait(0)
        while not granted:
            yield WaitEvent(ticket.place, self.generations.stats()["running"])
            granted = ticket.wait(WAIT_REPORT_S)

    def ask(
        self,
        question: str,
        *,
        top_k: int | None = None,
        history: History | None = None,
        language: str | None = None,
    ) -> Answer:
        """Answer one question (see :meth:`stream` for the incremental form)."""
        final: Answer | None = None
        for event in self.stream(question, top_k=top_k, history=history, language=language):
            if isinstance(event, FinalEvent):
                final = event.answer
        assert final is not None
        return final
