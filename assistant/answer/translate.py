"""Translation of evidence sentences into the asker's language, verified before use.

The articles are Vietnamese; many askers read only English. Answering an English reader
with Vietnamese quotes is a fallback; translating the retrieved evidence into the
reader's language first is what works with small models (they translate one sentence
faithfully far more often than they write a faithful answer across languages).

:class:`Translator` renders ``prompts/translate_system.txt`` and
``prompts/translate_user.txt`` with the glossary's term hints for the sentence
(``retrieve/glossary.py``: "Ban Chấp hành = Executive Committee"), asks any LangChain
chat model (the ``translation`` settings: the embedded 1.5B by default), and checks the
reply with :class:`~assistant.answer.verify.TranslationVerifier`. A rejected translation
is retried once with ``prompts/translate_retry.txt`` (naming what was wrong), then, when a
name was lost or an entity or title invented, once with the names masked as ``NAME1``
(``spans.mask_names``), then (long sentences) clause by clause; pre-translation then
samples up to ``translation.samples`` more replies (``sample_temperature``, one seed
each) and keeps the first verified one: at temperature 0 the model repeats its mistake,
a sample often does not. If all fail the attempt is kept as rejected and the reader sees
the original, labelled "not translated". A verified translation that leaves out hinted
terms is sampled the same way by ``assistant translate --repair``
(:meth:`Translator.repair`), and a sample that uses more of them replaces it.
A list marker the model dropped ("(1)") is put back before the check
(:func:`~assistant.answer.spans.restore_marker`).

Vietnamese thousands separators are rewritten the English way before translating
("1.825" -> "1,825"), since small models otherwise write "1, 825".

>>> tr = make_translator(settings, embeddings)                    # doctest: +SKIP
>>> tr.translate("Kết nạp được 20.777 đảng viên mới.", "vi", "en").text   # doctest: +SKIP
'20,777 new Party members were admitted.'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.answer.prompts import render
from assistant.answer.spans import (
    clause_pieces,
    format_hints,
    join_pieces,
    mask_names,
    restore_marker,
    unmask_names,
)
from assistant.answer.verify import (
    TranslationVerifier,
    Verdict,
    as_written,
    clean_translation,
    missing_terms,
    repeats,
)
from assistant.config import Settings
from assistant.errors import AssistantError, BackendUnavailableError
from assistant.index.translations import Stored, translation_identity
from assistant.retrieve.glossary import glossary_terms, term_hints

LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English"}
_THOUSANDS_VI = re.compile(r"(?<=\d)\.(?=\d{3}(?!\d))")


def source_hints(text: str, source: str) -> Sequence[tuple[str, str]]:
    """The glossary's term hints for ``text``: only a Vietnamese source has them."""
    return term_hints(text) if source == "vi" else ()


def prepare_source(text: str, target: str) -> str:
    """The sentence as given to the model: whitespace collapsed; for English, Vietnamese
    thousands separators become commas ("20.777" -> "20,777")."""
    flat = " ".join(text.split())
    return _THOUSANDS_VI.sub(",", flat) if target == "en" else flat


@dataclass
class Translation:
    """The outcome of translating one sentence."""

    source: str
    text: str
    verified: bool
    model: str
    prompt: str
    reasons: list[str] = field(default_factory=list)
    similarity: float | None = None
    vector: np.ndarray | None = None
    attempts: int = 0

    def stored(self, target: str) -> Stored:
        """The cache row of this outcome (accepted or rejected) for ``target``."""
        return Stored(self.source, self.text, self.verified, target, self.model, self.prompt,
                      self.reasons, self.similarity, self.vector)


class Translator:
    """Translate and verify single sentences with a chat model."""

    def __init__(self, model: BaseChatModel, settings: Settings, *, name: str,
                 verifier: TranslationVerifier, embeddings: Embeddings | None = None) -> None:
        self.model = model
        self.settings = settings
        self.name = name
        self.verifier = verifier
        self.embeddings = embeddings
        self.prompt = translation_identity(settings)[1]
        # Called with every attempt (``assistant translate --log``): the raw material of
        # the labelled set the verifier is calibrated on.
        self.log: Callable[[dict[str, Any]], None] | None = None

    def messages(self, text: str, source: str, target: str,
                 hints: Sequence[tuple[str, str]]) -> list[BaseMessage]:
        src, tgt = LANGUAGE_NAMES.get(source, source), LANGUAGE_NAMES.get(target, target)
        terms = ""
        if source == "vi" and target == "en":  # dates and ordinals, rendered by rule
            written = {vi for vi, _ in hints}
            hints = [*hints, *(h for h in format_hints(text) if h[0] not in written)]
        if hints:
            terms = "Terms (use these translations):\n" + "\n".join(
                f"- {vi} = {en}" for vi, en in hints) + "\n\n"
        prompts = self.settings.prompts_path
        return [
            SystemMessage(content=render(prompts, "translate_system.txt",
                                         source_language=src, target_language=tgt)),
            HumanMessage(content=render(prompts, "translate_user.txt", terms=terms,
                                        source_language=src, target_language=tgt,
                                        text=prepare_source(text, target))),
        ]

    def warm(self) -> float:
        """Load an embedded model and evaluate the system prompt now; seconds (0: none)."""
        warm = getattr(self.model, "warm", None)
        return float(warm(self.messages("Hội nghị.", "vi", "en", []))) if warm else 0.0

    def sampler(self, seed: int) -> BaseChatModel:
        """The translation model sampling at ``translation.sample_temperature`` with
        ``seed`` (reproducible): a copy of the model's settings. Samples follow the greedy
        attempts, which have loaded an embedded model, and the copy shares its weights."""
        return self.model.model_copy(update={
            "temperature": self.settings.translation.sample_temperature, "seed": seed})

    def complete(self, messages: list[BaseMessage], model: BaseChatModel | None = None) -> str:
        """The model's reply; stops early when it starts looping."""
        from assistant.answer.generation import is_connection_error

        pieces: list[str] = []
        try:
            for i, chunk in enumerate((model or self.model).stream(messages)):
                pieces.append(chunk.content if isinstance(chunk.content, str)
                              else str(chunk.content))
                if i % 16 == 15 and repeats("".join(pieces), n=4, times=4):
                    break
        except AssistantError:
            raise
        except ValueError as exc:
            if "no generation chunks" not in str(exc).lower():
                raise
        except Exception as exc:
            if is_connection_error(exc):
                raise BackendUnavailableError(
                    f"The translation model {self.name} stopped answering "
                    f"({type(exc).__name__}): check its server or set "
                    "ASSISTANT_TRANSLATION__BACKEND=none."
                ) from exc
            raise
        return "".join(pieces)

    def reply(self, text: str, messages: list[BaseMessage],
              model: BaseChatModel | None = None) -> str:
        """The model's cleaned translation of ``text``, its list marker kept."""
        return restore_marker(text, clean_translation(self.complete(messages, model)))

    def translate(self, text: str, source: str = "vi", target: str = "en", *,
                  split: bool = True, samples: int = 0, repair: bool = False) -> Translation:
        """Translate one sentence; verified, with one firmer retry when rejected, then
        with the names masked (a name lost, an entity invented), then (``split``, long
        sentences) clause by clause, then (``samples``) up to that many
        sampled attempts at ``translation.sample_temperature``, the first verified one
        taken, and (``repair``) a verified one that leaves out hinted terms sampled again
        (:meth:`repair`) (pre-translation only: each costs a full generation)."""
        hints = source_hints(text, source)
        messages = self.messages(text, source, target, hints)
        reply = self.reply(text, messages)
        verdict = self.verifier.check(text, reply, hints, target)
        self._record(text, hints, 1, reply, verdict)
        attempts = 1
        if not verdict.ok:
            keep = self._keep(text, hints)
            retry = [*messages, AIMessage(content=reply or "(empty)"), HumanMessage(
                content=render(self.settings.prompts_path, "translate_retry.txt",
                               problems="; ".join(verdict.reasons), keep=keep,
                               target_language=LANGUAGE_NAMES.get(target, target)))]
            second = self.reply(text, retry)
            attempts = 2
            again = self.verifier.check(text, second, hints, target)
            self._record(text, hints, 2, second, again)
            if again.ok or not reply:
                reply, verdict = second, again
            if not verdict.ok and re.search(r"^(names|entities|titles)", "\n".join(
                    verdict.reasons), re.M):  # a name lost among titles: mask it
                masked, tokens = mask_names(text, [as_written(text, n) for n in
                                                   self.verifier.source_names(text, hints)])
                if tokens:
                    third = unmask_names(self.reply(masked, self.messages(
                        masked, source, target, term_hints(masked))), tokens)
                    attempts += 1
                    check = self.verifier.check(text, third, hints, target)
                    self._record(text, hints, attempts, third, check)
                    if check.ok:
                        reply, verdict = third, check
            pieces = clause_pieces(text) if split and not verdict.ok else []
            if len(pieces) > 1:
                parts = [self.translate(p, source, target, split=False) for p, _ in pieces]
                attempts += sum(p.attempts for p in parts)
                joined = join_pieces([p.text for p in parts], pieces)
                whole = self.verifier.check(text, joined, hints, target)
                self._record(text, hints, 3, joined, whole)
                if whole.ok:
                    reply, verdict = joined, whole
            for seed in range(1, samples + 1):
                if verdict.ok:
                    break
                sampled = self.reply(text, messages, self.sampler(seed))
                attempts += 1
                check = self.verifier.check(text, sampled, hints, target)
                self._record(text, hints, attempts, sampled, check)
                if check.ok:
                    reply, verdict = sampled, check
        done = Translation(text, reply, verdict.ok, self.name, self.prompt, verdict.reasons,
                           verdict.similarity, self._vector(reply, verdict), attempts)
        better = self.repair(text, reply, source, target) if repair and verdict.ok else None
        return better or done

    def repair(self, text: str, current: str, source: str = "vi",
               target: str = "en") -> Translation | None:
        """A better translation than ``current`` when it leaves out hinted terms ("biên
        chế" with no "staffing": usually a clause lost): up to ``translation.samples``
        sampled replies (asked again at temperature 0, the model repeats itself), the
        verified one that leaves out the fewest, when fewer than ``current``; else None.
        Pre-translation only: each sample costs a generation."""
        hints = source_hints(text, source)
        lost = missing_terms(current, hints)
        messages = self.messages(text, source, target, hints)
        best = None
        for seed in range(1, self.settings.translation.samples + 1):
            if not lost:
                break
            reply = self.reply(text, messages, self.sampler(seed))
            verdict = self.verifier.check(text, reply, hints, target)
            self._record(text, hints, 0, reply, verdict)  # attempt 0: a repair
            left = missing_terms(reply, hints)
            if verdict.ok and len(left) < len(lost):
                best, lost = Translation(text, reply, True, self.name, self.prompt, [],
                                         verdict.similarity, self._vector(reply, verdict),
                                         seed), left
        return best

    def _record(self, text: str, hints: Sequence[tuple[str, str]], attempt: int, reply: str,
                verdict: Verdict) -> None:
        if self.log is not None:
            self.log({"source": text, "hints": [list(h) for h in hints], "attempt": attempt,
                      "translation": reply, "ok": verdict.ok, "reasons": verdict.reasons,
                      "similarity": verdict.similarity, "model": self.name,
                      "prompt": self.prompt})

    def _keep(self, text: str, hints: Sequence[tuple[str, str]]) -> str:
        """What the retry prompt insists on: names, numbers and codes of the source."""
        from assistant.answer.facts import facts

        f = facts(text)
        ordinals = re.findall(r"(?:khóa|khoá|lần thứ|quý|thứ)\s+(?:[IVX]+\b|[^\W\d_]+)", text)
        keep = [*sorted(f["codes"]), *sorted(f["numbers"]), *dict.fromkeys(ordinals),
                *(as_written(text, n) for n in sorted(self.verifier.source_names(text, hints)))]
        return ", ".join(keep) if keep else "every name, number and date"

    def _vector(self, reply: str, verdict: Verdict) -> np.ndarray | None:
        if not verdict.ok or self.embeddings is None:
            return None
        return np.asarray(self.embeddings.embed_documents([reply])[0], dtype=np.float32)


def make_verifier(settings: Settings, embeddings: Embeddings | None) -> TranslationVerifier:
    """The verifier with the settings' (calibrated) thresholds."""
    def embed(texts: Sequence[str]) -> np.ndarray:
        assert embeddings is not None
        return np.asarray(embeddings.embed_documents(list(texts)), dtype=np.float32)

    t = settings.translation
    return TranslationVerifier(
        embed=embed if embeddings is not None else None, min_similarity=t.min_similarity,
        min_length_ratio=t.min_length_ratio, max_length_ratio=t.max_length_ratio,
        glossary_terms=glossary_terms, min_term_coverage=t.min_term_coverage)


def translation_settings(settings: Settings) -> Settings:
    """``settings`` with the LLM fields replaced by the translation model's."""
    t, llm = settings.translation, settings.llm
    return settings.model_copy(update={"llm": llm.model_copy(update={
        "backend": t.backend, "model": t.model, "model_path": t.model_path,
        "ollama_model": t.ollama_model or llm.ollama_model,
        "openai_model": t.openai_model or llm.openai_model,
        "max_tokens": t.max_tokens, "temperature": 0.0,
    })})


def make_translator(settings: Settings, embeddings: Embeddings | None = None,
                    model: BaseChatModel | None = None) -> Translator | None:
    """The translator of ``settings.translation`` (None when its backend is ``none``).

    ``model`` injects a chat model (tests use a deterministic fake one)."""
    if settings.translation.backend == "none":
        return None
    name = translation_identity(settings)[0]
    if model is None:
        from assistant.answer.backends import make_chat_model

        model, _, _ = make_chat_model(translation_settings(settings))
    return Translator(model, settings, name=name,
                      verifier=make_verifier(settings, embeddings), embeddings=embeddings)
