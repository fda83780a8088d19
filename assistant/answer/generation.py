"""The LLM answer writer: numbered evidence -> streamed answer -> checked answer.

:class:`LLMGenerator` implements the ``Generator`` protocol of ``api.py``:

- :meth:`LLMGenerator.stream` renders ``prompts/answer_system.txt`` and
  ``prompts/answer_user.txt`` with the numbered evidence sentences (delimited as data,
  with anything that looks like our delimiters neutralized) and streams the model's
  tokens;
- :meth:`LLMGenerator.finalize` checks the answer's language (one retry with
  ``prompts/answer_retry_language.txt`` if it is wrong), then checks every sentence
  against the evidence (``grounding.py``), repairs citations and drops unsupported
  sentences. If nothing checkable is left, the answer falls back to the extractive text
  (the evidence itself) with a note, so an answer is never less grounded than that.

Whether to refuse is decided before generation, by the evidence (``evidence.py``).

>>> gen = LLMGenerator(chat_model, settings, name="llamacpp:qwen2.5-coder-0.5b")  # doctest: +SKIP
>>> raw = "".join(gen.stream(question, "en", evidence))                          # doctest: +SKIP
>>> draft = gen.finalize(question, "en", evidence, raw)                          # doctest: +SKIP
>>> draft.text, draft.citations, draft.notes                                     # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.answer.facts import missing_facts
from assistant.answer.grounding import GroundingChecker, markers, split_answer, strip_markers
from assistant.answer.prompts import render
from assistant.answer.result import (
    MORE_EVIDENCE_INTRO,
    Citation,
    Part,
    citation_for,
    compose,
    evidence_line,
    extractive_parts,
    lead_line,
    refusal_parts,
)
from assistant.config import Settings
from assistant.errors import AssistantError, BackendUnavailableError
from assistant.retrieve.evidence import Evidence
from assistant.retrieve.injection import ignored_note, reads_as_instruction
from assistant.vietnamese import content_tokens, detect_language

LANGUAGE_NAMES = {"en": "English", "vi": "Vietnamese (tiếng Việt)"}
# About 340 prompt tokens of Vietnamese (~3.5 characters a token with Qwen2.5's
# tokenizer): keeps time to first token under 8 s on 2 cores with the 0.5B model.
PROMPT_EVIDENCE_CHARS = 1200
# An evidence sentence counts as restated by the answer when the answer holds all its
# facts and at least this share of its content words (else it is quoted after it).
RESTATED_SHARE = 0.7
_DELIMITER = re.compile(r"</?\s*evidence\s*>", re.IGNORECASE)


@dataclass
class Draft:
    """A finished LLM answer: its lines, citations and notes; whether it fell back to
    the evidence, and how many model sentences the grounding check removed."""

    parts: list[Part]
    citations: list[Citation]
    notes: list[str] = field(default_factory=list)
    fallback: bool = False
    removed: int = 0

    @property
    def text(self) -> str:
        return compose(self.parts)


def evidence_block(evidence: Sequence[Evidence]) -> str:
    """Numbered evidence lines for the prompt: ``[n] sentence``.

    Text that imitates the prompt's ``<evidence>`` delimiters is neutralized, so a
    passage cannot close the data block and speak as the user. Titles and dates are left
    out: the small model copied them into answers.
    """
    return "\n".join(
        f"[{e.marker}] " + _DELIMITER.sub("(evidence)", " ".join(reader_text(e).split()))
        for e in evidence
    )


def reader_text(e: Evidence) -> str:
    """The sentence as the reader's language has it: its verified translation, if any."""
    return e.translation if e.translation and e.translation_verified else e.text


def usable_evidence(evidence: Sequence[Evidence]) -> list[Evidence]:
    """``evidence`` without sentences that read as instructions to the model.

    Evidence selection already leaves them out; this second check covers evidence that
    reaches the generator another way (a caller's own list)."""
    return [e for e in evidence if not reads_as_instruction(e.text)]


def prompt_evidence(evidence: Sequence[Evidence], max_chars: int = PROMPT_EVIDENCE_CHARS
                    ) -> list[Evidence]:
    """The best-scored usable evidence sentences that fit ``max_chars`` (at least one),
    in marker order. The grounding check still sees all the usable evidence."""
    chosen: list[Evidence] = []
    used = 0
    for e in sorted(usable_evidence(evidence), key=lambda e: -e.score):
        if chosen and used + len(e.text) > max_chars:
            continue
        chosen.append(e)
        used += len(e.text)
    return sorted(chosen, key=lambda e: e.marker)


def is_connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` (from httpx, openai or ollama) means the server is unreachable."""
    names = {type(e).__name__ for e in _chain(exc)}
    return bool(names & {"ConnectError", "ConnectTimeout", "APIConnectionError",
                         "APITimeoutError", "ReadTimeout", "RemoteProtocolError"})


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


class RepetitionGuard:
    r"""Detects a model repeating a line it already wrote (0.5B models loop at T=0).

    >>> g = RepetitionGuard()
    >>> [g.feed(p) for p in ["- item one [1]\n", "- item two [2]\n", "- item one [1]\n"]]
    [False, False, True]
    """

    def __init__(self) -> None:
        self.buffer = ""
        self.seen: set[str] = set()

    def feed(self, piece: str) -> bool:
        self.buffer += piece
        *done, self.buffer = self.buffer.split("\n")
        for line in done:
            key = " ".join(line.split()).lower()
            if len(key) < 8:
                continue
            if key in self.seen:
                return True
            self.seen.add(key)
        return False


class LLMGenerator:
    """Answers from numbered evidence with a LangChain chat model, then checks them."""

    def __init__(
        self,
        model: BaseChatModel,
        settings: Settings,
        *,
        name: str,
        embeddings: Embeddings | None = None,
        mode: Literal["remove", "mark"] = "remove",
        max_evidence_chars: int = PROMPT_EVIDENCE_CHARS,
    ) -> None:
        self.model = model
        self.max_evidence_chars = max_evidence_chars
        self.settings = settings
        self.name = name
        self._embeddings = embeddings
        a = settings.answer
        self.checker = GroundingChecker(
            self._embed_queries, self._embed_documents, mode=mode,
            min_lexical=a.grounding_min_lexical,
            min_dense={"en": a.grounding_min_dense_en, "vi": a.grounding_min_dense_vi})

    # --- embeddings for the grounding check (the index's own, when api.py hands them) --
    def use_embeddings(self, embeddings: Embeddings) -> None:
        """Share the index's embedder (avoids loading a second copy)."""
        self._embeddings = embeddings

    def _embedder(self) -> Embeddings:
        if self._embeddings is None:
            from assistant.index.embeddings import make_embeddings

            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    def _embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        emb = self._embedder()
        return np.asarray([emb.embed_query(t) for t in texts], dtype=np.float32)

    def _embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._embedder().embed_documents(list(texts)), dtype=np.float32)

    # --- prompts ----------------------------------------------------------------------
    def messages(self, question: str, language: str, evidence: Sequence[Evidence]
                 ) -> list[BaseMessage]:
        """The system + user messages for one answer (rendered from ``prompts/``)."""
        lang = LANGUAGE_NAMES.get(language, "English")
        prompts = self.settings.prompts_path
        return [
            SystemMessage(content=render(prompts, "answer_system.txt")),
            HumanMessage(content=render(
                prompts, "answer_user.txt",
                evidence=evidence_block(prompt_evidence(evidence, self.max_evidence_chars)),
                question=" ".join(question.split()), language_name=lang,
            )),
        ]

    # --- generation -------------------------------------------------------------------
    def stream_messages(self, messages: list[BaseMessage], **kwargs: Any) -> Iterator[str]:
        """Stream text pieces from the chat model; unreachable servers -> one sentence."""
        guard = RepetitionGuard()
        try:
            for chunk in self.model.stream(messages, **kwargs):
                piece = chunk.content if isinstance(chunk.content, str) else str(chunk.content)
                if piece:
                    yield piece
                    if guard.feed(piece):
                        break  # a small model looping on one line: stop paying for it
        except AssistantError:
            raise
        except ValueError as exc:
            if "no generation chunks" not in str(exc).lower():
                raise  # LangChain raises this when a model streams nothing: an empty answer
        except Exception as exc:
            if is_connection_error(exc):
                raise BackendUnavailableError(
                    f"The {self.name} server stopped answering ({type(exc).__name__}): check "
                    "that it is running (OLLAMA_HOST / ASSISTANT_LLM__OPENAI_BASE_URL)."
                ) from exc
            if "not found" in str(exc).lower() and self.name.startswith("ollama:"):
                model = self.name.split(":", 1)[1]
                raise BackendUnavailableError(
                    f"Ollama does not have the model {model!r}: run `ollama pull {model}`."
                ) from exc
            raise

    def complete(self, messages: list[BaseMessage], **kwargs: Any) -> str:
        """The whole reply to ``messages`` as one string."""
        return "".join(self.stream_messages(messages, **kwargs))

    def stream(self, question: str, language: str, evidence: list[Evidence]) -> Iterator[str]:
        """Stream the first answer attempt (checked later by :meth:`finalize`)."""
        yield from self.stream_messages(self.messages(question, language, evidence))

    def finalize(
        self, question: str, language: str, evidence: list[Evidence], raw: str
    ) -> Draft:
        """Language check (one retry), grounding check and citation repair."""
        notes: list[str] = []
        usable = usable_evidence(evidence)
        if len(usable) < len(evidence):
            notes.append(ignored_note(len(evidence) - len(usable)))
            evidence = usable  # never quoted, not even in the fallback
        if not evidence:
            return Draft(refusal_parts(language), [], notes)
        text = raw.strip()
        if _wordy(text) and answer_language(text) != language:
            lang = LANGUAGE_NAMES.get(language, "English")
            retry = [
                *self.messages(question, language, evidence),
                AIMessage(content=text),
                HumanMessage(content=render(self.settings.prompts_path,
                                            "answer_retry_language.txt", language_name=lang)),
            ]
            second = self.complete(retry).strip()
            if second and answer_language(second) == language:
                notes.append(f"retried once: the first answer was not in {lang}")
                text = second
            else:
                notes.append(f"the model did not answer in {lang}, even when asked again")
        # Judge the model's sentences against what it read: the translations, when the
        # evidence is in another language; cite the source spans themselves.
        originals = {e.marker: e for e in evidence}
        seen = [replace(e, text=reader_text(e)) for e in evidence]
        checked = self.checker.check(text, seen, language, question=question)
        checked.citations = [citation_for(originals[c.marker], c.supported)
                             for c in checked.citations]
        notes.extend(checked.notes)
        if not checked.text.strip() or (
            _wordy(checked.text) and answer_language(checked.text) != language
        ):
            notes.append("no checkable answer from the model: showing the evidence instead")
            return Draft(extractive_parts(evidence, language),
                         [citation_for(e) for e in evidence], notes, fallback=True,
                         removed=checked.removed)
        parts = [
            Part("model", line, answer_language(line) if _wordy(line) else language,
                 tuple(markers(line)))
            for line in checked.text.splitlines() if line.strip()
        ]
        parts, citations, added = complete_answer(parts, checked.citations, evidence, language)
        if added:
            notes.append(f"quoted {added} evidence sentence(s) the answer did not restate")
        return Draft(parts, citations, notes, removed=checked.removed)


def complete_answer(
    parts: list[Part], citations: list[Citation], evidence: Sequence[Evidence], language: str
) -> tuple[list[Part], list[Citation], int]:
    """Append, quoted verbatim with their markers under a lead-in line
    (``MORE_EVIDENCE_INTRO``), the evidence sentences the checked answer does not
    restate: those it does not cite, and those it cites but shortens (it leaves out one
    of their numbers, names or codes, or under ``RESTATED_SHARE`` of their words).

    A small model drops list items, names and figures that the evidence holds ("- Phát
    triển Đảng [7]" for a sentence that lists four tasks); quoting what it left out keeps
    the answer complete without trusting the model for it (the quotes are the evidence
    itself, so they are supported by construction). An English answer restates no
    Vietnamese sentence word for word, so all its evidence follows it, quoted."""
    cited = {c.marker for c in citations}
    if any(detect_language(e.text) != language for e in evidence):
        # Another language: the short answer, then every evidence sentence as the reader
        # can read it (verified translation, else the quote labelled not translated).
        lines = [evidence_line(e, language) for e in evidence]
        lead = lead_line(lines, language, MORE_EVIDENCE_INTRO)
        extra = [citation_for(e) for e in evidence if e.marker not in cited]
        merged = sorted([*citations, *extra], key=lambda c: c.marker)
        return [*parts, lead, *lines], merged, len(lines)
    plain = strip_markers(compose(parts))
    said = {t for t in content_tokens(plain) if "_" not in t}

    def restated(e: Evidence) -> bool:
        words = {t for t in content_tokens(e.text) if "_" not in t}
        share = len(words & said) / len(words) if words else 1.0
        return share >= RESTATED_SHARE and not missing_facts(e.text, plain)

    missing = [e for e in evidence if e.marker not in cited or not restated(e)]
    if not missing:
        return parts, citations, 0
    lead = Part("lead", MORE_EVIDENCE_INTRO.get(language, MORE_EVIDENCE_INTRO["en"]), language)
    extra = [citation_for(e) for e in missing if e.marker not in cited]
    merged = sorted([*citations, *extra], key=lambda c: c.marker)
    return [*parts, lead, *(evidence_line(e, language) for e in missing)], merged, len(missing)


def _wordy(text: str) -> bool:
    """Whether ``text`` has words to tell a language by ("20.777 [7]." has none)."""
    return len(re.findall(r"[^\W\d_]{2,}", re.sub(r"\[[^\]]*\]", " ", text))) >= 2


def answer_language(text: str) -> str:
    """The language of an answer, ignoring ``[n]`` markers, quoted source text and
    capitalized words (Vietnamese names inside an English answer are not Vietnamese).

    >>> answer_language("Mai Văn Chính chaired it [5].")
    'en'
    >>> answer_language("Đồng chí Mai Văn Chính chủ trì hội nghị [1].")
    'vi'
    """
    bodies = " ".join(re.sub(r"\[\d[\d,\s–-]*\]", " ", s) for _, _, s in split_answer(text))
    bodies = re.sub(r"“[^”]*”|\"[^\"]*\"", " ", bodies)
    lowered = " ".join(w for w in bodies.split() if not w[:1].isupper())
    if len(re.findall(r"[^\W\d_]+", lowered)) >= 2:
        return detect_language(lowered)
    return detect_language(bodies or text)
