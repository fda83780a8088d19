"""What the chat page does, without Gradio: answering turns, backends, uploads, feedback.

:class:`ChatService` holds the one :class:`~assistant.index.Index` of the process (one
Chroma client) and one :class:`~assistant.api.Assistant` per (backend, model) pair, built
on first use and shared by every browser session; an ``Assistant`` serializes its own
model's generations. :mod:`assistant.ui.app` wires these methods to Gradio events.

Only the backends and models the server allows (``settings.server.backends`` /
``models``; by default the configured ones, and extractive) can be chosen; LLM answers of
every assistant share one :class:`~assistant.answer.queue.GenerationQueue`.

Everything written lives in the data folder (``settings.data_path``, beside the index):
uploaded articles are copied to ``uploads/`` and indexed from there (so they survive
restarts); :meth:`ChatService.restore_uploads` re-adds them at start-up, because
``assistant ingest`` of ``seeds/`` prunes documents that are not in that folder.
Feedback is appended to ``feedback.jsonl``, one JSON object a line; uploads in transit
wait in ``tmp/``.

>>> svc = ChatService(load_settings(llm={"backend": "extractive"}))  # doctest: +SKIP
>>> svc.assistant("extractive", "qwen2.5-coder-0.5b").ask("Sáu nhiệm vụ...?")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer.queue import GenerationQueue
from assistant.answer.translate import Translator
from assistant.api import Assistant, Generator
from assistant.config import Settings
from assistant.errors import AssistantError, IndexMissingError, InputError, NotAllowedError
from assistant.index.embeddings import make_embeddings
from assistant.index.store import Index
from assistant.ingest.documents import SUPPORTED_KINDS, SUPPORTED_SUFFIXES, read_document
from assistant.ui.backends import model_label

log = logging.getLogger(__name__)

BACKENDS = ["auto", "llamacpp", "ollama", "openai", "extractive"]
RATINGS = ("up", "down")
UploadProgress = Callable[[float, str], None]
# Builds the answer writer of a backend (``answer.backends.make_generator``; tests pass
# one over a deterministic fake chat model).
GeneratorFactory = Callable[[Settings, Any], tuple["Generator | None", list[str]]]


@dataclass
class Turn:
    """One question and what the page shows for it (and keeps for follow-ups/feedback)."""

    question: str
    html: str = ""
    answer: str = ""
    standalone: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    backend: str = ""
    language: str = ""
    refused: bool = False
    error: bool = False
    seconds: float = 0.0


def safe_stem(name: str) -> str:
    """A file stem usable as a ``doc_id``: letters, digits, ``.``, ``_``, ``-``."""
    stem = re.sub(r"[^\w.-]+", "_", Path(name).stem, flags=re.UNICODE).strip("._")
    return stem[:80] or "document"


def allowed_backends(settings: Settings) -> list[str]:
    """Backends a client may choose: ``server.backends``, else the configured one and
    extractive (which loads nothing)."""
    chosen = settings.server.backends or [settings.llm.backend, "extractive"]
    return list(dict.fromkeys(chosen))


def allowed_models(settings: Settings) -> list[str]:
    """Embedded models a client may choose: the configured one and ``server.models``."""
    return list(dict.fromkeys([settings.llm.model, *settings.server.models]))


class ChatService:
    """The page's state shared by all sessions: index, assistants, uploads, feedback."""

    def __init__(self, settings: Settings, index: Index | None = None,
                 generator_factory: GeneratorFactory | None = None) -> None:
        self.settings = settings
        self.index = index or Index(settings, make_embeddings(settings))
        data = settings.data_path.absolute()
        self.uploads = data / "uploads"
        self.feedback_path = data / "feedback.jsonl"
        self.tmp = data / "tmp"
        self.backends = allowed_backends(settings)
        self.models = allowed_models(settings)
        self._translator: Translator | None = None
        self.generations = GenerationQueue(settings.server.llm_concurrency,
                                           settings.server.llm_queue)
        self._generator_factory = generator_factory
        self._assistants: dict[tuple[str, str], Assistant] = {}
        self._build_lock = threading.Lock()
        self._feedback_lock = threading.Lock()

    # --- assistants ---------------------------------------------------------------
    def settings_for(self, backend: str, model: str) -> Settings:
        llm = self.settings.llm.model_copy(update={"backend": backend, "model": model})
        return self.settings.model_copy(update={"llm": llm})

    def assistant(self, backend: str | None = None, model: str | None = None) -> Assistant:
        """The (cached) assistant for a backend and model; builds the LLM on first use.

        An explicitly chosen backend that cannot work raises
        :class:`BackendUnavailableError`; ``auto`` falls back to extractive with a note.
        """
        backend = backend or self.settings.llm.backend
        model = model or self.settings.llm.model
        self.check_allowed(backend, model)
        key = self._key(backend, model)
        with self._build_lock:
            bot = self._assistants.get(key)
            if bot is None:
                bot = self._build(backend, model)
                self._assistants[key] = bot
        return bot

    def warm(self, log: Callable[[str], None]) -> threading.Thread:
        """Load the default backend's models in a background thread (the page is usable
        meanwhile; a question that comes first waits for the load it needs anyway)."""
        def run() -> None:
            try:
                took = self.assistant().warm()
            except AssistantError as exc:
                log(f"warning: {exc}")
                return
            if took:
                log("models loaded: " + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()))

        thread = threading.Thread(target=run, name="warm-models", daemon=True)
        thread.start()
        return thread

    def check_allowed(self, backend: str, model: str) -> None:
        """:class:`NotAllowedError` for a backend or model this server does not offer."""
        if backend not in self.backends:
            raise NotAllowedError(
                f"The backend {backend!r} is not enabled on this server; choose one of: "
                f"{', '.join(self.backends)}."
            )
        if backend in ("auto", "llamacpp") and model not in self.models:
            raise NotAllowedError(
                f"The model {model!r} is not enabled on this server; choose one of: "
                f"{', '.join(self.models)}."
            )

    @staticmethod
    def _key(backend: str, model: str) -> tuple[str, str]:
        return backend, model if backend in ("auto", "llamacpp") else ""

    def _build(self, backend: str, model: str) -> Assistant:
        settings = self.settings_for(backend, model)
        if backend == "extractive":
            return Assistant(settings, self.index)
        if self._generator_factory is not None:
            generator, notes = self._generator_factory(settings, self.index.embeddings)
        else:
            from assistant.answer.backends import make_generator

            # ``auto`` never raises (falls back to extractive with a note); others may
            generator, notes = make_generator(settings, embeddings=self.index.embeddings)
        translator = None
        if generator is not None and settings.translation.on_demand:
            if self._translator is None:  # one translation model for every backend
                self._translator, more = Assistant.make_translator(settings, self.index)
                notes = [*notes, *more]
            translator = self._translator
        return Assistant(settings, self.index, generator, notes, translator=translator,
                         generations=self.generations)

    def check_index(self) -> None:
        """Raise :class:`IndexMissingError` when there is nothing to search."""
        if not self.index.exists():
            raise IndexMissingError(
                f"No index at {self.index.path}/ yet: run `assistant ingest` "
                "(or upload articles in the Documents tab)."
            )
        if self.index.stats()["documents"] == 0:
            raise IndexMissingError(
                "The index is empty: run `assistant ingest` or upload articles "
                "in the Documents tab."
            )

    def doc_text(self, doc_id: str) -> str | None:
        doc = self.index.document(doc_id)
        return doc.text if doc else None

    def status(self, backend: str | None = None, model: str | None = None) -> str:
        """One Markdown line: index size, which backend and model answer."""
        backend = backend or self.settings.llm.backend
        if self.index.exists():
            s = self.index.stats()
            size = f"Index: **{s['documents']}** documents · **{s['chunks']}** chunks"
        else:
            size = "No index yet: run `assistant ingest` or upload articles"
        bot = self._assistants.get(self._key(backend, model or self.settings.llm.model))
        if bot is None:
            who = f"answers: {backend} (loads on the first question)"
        else:
            chosen = f"auto → {bot.backend}" if backend == "auto" else bot.backend
            who = f"answers: **{chosen}**"
            label = model_label(bot.settings, bot.backend)
            if label:
                who += f" ({label})"
        return f"{size} · {who} · embeddings: {self.index.embed_model}"

    # --- documents ----------------------------------------------------------------
    def documents_rows(self) -> list[list[Any]]:
        """Rows for the documents table: id, title, province, date, chunks, source."""
        if not self.index.exists():
            return []
        up = self.uploads.resolve()
        rows = []
        for d in self.index.documents():
            source = "upload" if Path(d.path).resolve().parent == up else "corpus"
            rows.append([d.doc_id, d.title, d.publisher, d.date, d.n_chunks, source])
        return rows

    def _is_upload(self, doc_id: str) -> Path | None:
        doc = self.index.document(doc_id)
        if doc is None:
            return None
        path = Path(doc.path)
        return path if path.resolve().parent == self.uploads.resolve() else None

    def add_files(self, paths: Sequence[str | Path], progress: UploadProgress | None = None
                  ) -> list[str]:
        """Validate, copy to ``uploads/`` and index each file; one message line per file.

        A bad file (type, empty, binary, not UTF-8, no text, clashing id) changes nothing.
        """
        lines: list[str] = []
        n = max(1, len(paths))
        for i, raw in enumerate(paths):
            src = Path(raw)
            name = src.name
            if progress:
                progress(i / n, f"reading {name}")
            if src.suffix.lower() not in SUPPORTED_SUFFIXES:
                lines.append(f"✗ {name}: not a {SUPPORTED_KINDS} file; nothing was changed.")
                continue
            doc_id = safe_stem(name)
            try:
                read_document(src)
            except (OSError, ValueError) as exc:
                lines.append(f"✗ {name}: cannot be used ({exc}); nothing was changed.")
                continue
            existing = self.index.document(doc_id) if self.index.exists() else None
            if existing is not None and self._is_upload(doc_id) is None:
                lines.append(f"✗ {name}: the corpus already has a document {doc_id}; "
                             "rename the file. Nothing was changed.")
                continue
            self.uploads.mkdir(parents=True, exist_ok=True)
            dest = self.uploads / f"{doc_id}{src.suffix.lower()}"
            for old in self.uploads.glob(f"{doc_id}.*"):
                if old != dest:
                    old.unlink()
            shutil.copyfile(src, dest)

            def report(doc: str, done: int, total: int, i: int = i, name: str = name) -> None:
                if progress and total:
                    progress((i + done / total) / n, f"indexing {name}")

            try:
                rep = self.index.ingest(dest, prune=False, progress=report)
            except AssistantError as exc:
                lines.append(f"✗ {name}: {exc}")
                continue
            if rep.skipped:
                dest.unlink(missing_ok=True)
                lines.append(f"✗ {name}: {rep.skipped[0][1]}; nothing was changed.")
            elif rep.added or rep.updated:
                verb = "added" if rep.added else "updated"
                lines.append(f"✓ {name}: {verb} as {doc_id} ({rep.chunks_written} chunks).")
            else:
                lines.append(f"✓ {name}: already indexed as {doc_id}, unchanged.")
        if progress:
            progress(1.0, "done")
        return lines

    def remove(self, doc_id: str) -> str:
        """Remove one document from both indexes (and its uploaded file); a message."""
        doc_id = (doc_id or "").strip()
        if not doc_id:
            return "Choose a document to remove."
        if not self.index.exists() or self.index.document(doc_id) is None:
            return f"There is no document {doc_id} in the index."
        upload = self._is_upload(doc_id)
        with self.index.ingest_lock():
            chunks = self.index.remove_document(doc_id)
        if upload is not None:
            upload.unlink(missing_ok=True)
            return f"Removed {doc_id} ({chunks} chunks) and its uploaded file."
        return (f"Removed {doc_id} ({chunks} chunks). It is part of the corpus folder, so the "
                "next `assistant ingest` adds it back.")

    def restore_uploads(self) -> list[str]:
        """Re-index uploaded files that are missing from the index (after a seeds ingest)."""
        if not self.uploads.is_dir() or not any(self.uploads.iterdir()):
            return []
        with contextlib.suppress(AssistantError):
            rep = self.index.ingest(self.uploads, prune=False)
            return rep.added + rep.updated
        return []

    # --- feedback -----------------------------------------------------------------
    def record_feedback(self, turn: Turn, rating: str, **extra: Any) -> dict[str, Any]:
        """Append one feedback line (question, answer, citations, rating) to the JSONL.

        Only ``up`` and ``down`` are recorded (a crafted queue call cannot write its own
        text), and only for an answer the session was given.
        """
        if rating not in RATINGS or turn.error or not turn.answer:
            raise InputError("Feedback is a thumbs up or down on an answer.")
        record = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "rating": rating,
            **{k: v for k, v in asdict(turn).items() if k not in ("html", "error")},
            **extra,
        }
        self.feedback_path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False)
        with self._feedback_lock, self.feedback_path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return record
