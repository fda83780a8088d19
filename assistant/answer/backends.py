"""Chat-model backends behind LangChain's ``BaseChatModel``, chosen by settings.

==============  ==============================================================
``llamacpp``    embedded llama-cpp-python over a GGUF (:class:`EmbeddedChatModel`);
                the weights come from registry packages (``weights.py``)
``ollama``      ``langchain_ollama.ChatOllama`` at ``OLLAMA_HOST``
``openai``      ``langchain_openai.ChatOpenAI`` at any OpenAI-compatible base URL
                (vLLM, ``python -m llama_cpp.server``, Ollama's ``/v1``)
``auto``        Ollama when its server answers, else embedded; says which in the notes
``extractive``  no LLM (``make_generator`` is not called for it)
==============  ==============================================================

:func:`make_generator` returns ``(generator, notes)``: an answer writer
(``generation.LLMGenerator``) over the chosen chat model, or ``None`` with a note saying
why the assistant falls back to extractive answers (``auto`` only; an explicitly chosen
backend that cannot work raises :class:`BackendUnavailableError` instead).

The embedded model is our own small ``BaseChatModel`` over
``llama_cpp.Llama.create_chat_completion(stream=True)`` rather than
``langchain_community.ChatLlamaCpp``: same engine, no extra (large, deprecated)
dependency, and the overhead is measured by ``assistant bench llm`` (docs/llm.md).

Heavy imports (llama_cpp, langchain_ollama, langchain_openai) happen only when a
backend is built.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from assistant.config import Settings
from assistant.errors import BackendUnavailableError

if TYPE_CHECKING:
    from assistant.answer.generation import LLMGenerator

DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"
_ROLES = {"system": "system", "human": "user", "ai": "assistant", "user": "user",
          "assistant": "assistant"}


def threads(settings: Settings) -> int:
    """Threads for llama.cpp: the setting, else every core (llama-cpp-python uses half)."""
    return settings.llm.n_threads or max(os.cpu_count() or 1, 1)


class EmbeddedChatModel(BaseChatModel):
    """llama-cpp-python in this process, as a LangChain chat model.

    The GGUF is loaded on first use (``load()``) and generation is serialized with a
    lock (one ``Llama`` context cannot decode two prompts at once). The model's own chat
    template (from the GGUF metadata) formats the messages.

    >>> m = EmbeddedChatModel(model_path="/path/model.gguf")   # doctest: +SKIP
    >>> m.invoke("Say hi").content                             # doctest: +SKIP
    """

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    temperature: float = 0.0
    max_tokens: int = 384
    repeat_penalty: float = 1.1
    seed: int = 42
    _llm: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    _load_lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llamacpp-embedded"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx,
                "temperature": self.temperature}

    def load(self) -> Any:
        """The underlying ``llama_cpp.Llama`` (loaded once, also when two threads ask)."""
        with self._load_lock:
            return self._load()

    def _load(self) -> Any:
        if self._llm is None:
            try:
                import llama_cpp
            except ImportError as exc:
                raise BackendUnavailableError(
                    "llama-cpp-python is not installed: run `make llm` "
                    "(builds it once and installs the model packages)."
                ) from exc
            try:
                self._llm = llama_cpp.Llama(
                    model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads,
                    seed=self.seed, verbose=False,
                )
            except ValueError as exc:
                raise BackendUnavailableError(
                    f"llama.cpp cannot load {self.model_path}: {exc}; point "
                    "ASSISTANT_LLM__MODEL_PATH to a valid GGUF file."
                ) from exc
        return self._llm

    def warm(self, messages: list[BaseMessage] | None = None) -> float:
        """Load the weights and, given ``messages``, evaluate their prompt once; seconds
        taken. llama.cpp keeps the evaluated tokens, so a later prompt that starts the same
        way (the same system message) evaluates only what differs."""
        t0 = time.perf_counter()
        llm = self.load()
        if messages:
            with self._lock:
                llm.create_chat_completion(messages=self._messages(messages), max_tokens=1,
                                           temperature=0.0, seed=self.seed)
        return time.perf_counter() - t0

    def _params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "stop": stop or None,
            "seed": self.seed,
            "repeat_penalty": kwargs.get("repeat_penalty", self.repeat_penalty),
        }

    @staticmethod
    def _messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
        return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)}
                for m in messages]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        llm = self.load()
        with self._lock:
            out = llm.create_chat_completion(
                messages=self._messages(messages), **self._params(stop, kwargs)
            )
        text = out["choices"][0]["message"].get("content") or ""
        usage = out.get("usage") or {}
        return ChatResult(
            generations=[ChatGeneration(message=AIMessage(content=text))],
            llm_output={"usage": usage},
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llm = self.load()
        with self._lock:
            for part in llm.create_chat_completion(
                messages=self._messages(messages), stream=True, **self._params(stop, kwargs)
            ):
                piece = part["choices"][0]["delta"].get("content")
                if not piece:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if run_manager:
                    run_manager.on_llm_new_token(piece, chunk=chunk)
                yield chunk


# --- backends --------------------------------------------------------------------

def ollama_host(settings: Settings) -> str:
    """Ollama's base URL: the setting, else ``OLLAMA_HOST``, else 127.0.0.1:11434.

    >>> ollama_host(load_settings(llm={"ollama_host": "0.0.0.0:11434"}))  # doctest: +SKIP
    'http://0.0.0.0:11434'
    """
    host = settings.llm.ollama_host or os.environ.get("OLLAMA_HOST") or DEFAULT_OLLAMA_HOST
    host = host.strip().rstrip("/")
    if "://" not in host:
        host = "http://" + host
    if host.count(":") == 1:  # scheme only, no port
        host += ":11434"
    return host


def ollama_models(host: str, timeout: float) -> list[str]:
    """Names of the models the Ollama server at ``host`` has (``GET /api/tags``)."""
    try:
        resp = httpx.get(f"{host}/api/tags", timeout=timeout)
        resp.raise_for_status()
        data = resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise BackendUnavailableError(
            f"No Ollama server answers at {host} ({type(exc).__name__}): start it with "
            "`ollama serve` or set OLLAMA_HOST to its address."
        ) from exc
    return [str(m.get("model") or m.get("name")) for m in data.get("models", [])]


def _has_model(available: list[str], wanted: str) -> bool:
    tagged = wanted if ":" in wanted else wanted + ":latest"
    return wanted in available or tagged in available


def make_ollama(settings: Settings, *, probe_timeout: float = 2.0) -> BaseChatModel:
    """``ChatOllama`` for ``settings.llm.ollama_model``, after checking server and model."""
    host = ollama_host(settings)
    model = settings.llm.ollama_model
    if not _has_model(ollama_models(host, probe_timeout), model):
        raise BackendUnavailableError(
            f"The Ollama server at {host} has no model {model!r}: run `ollama pull {model}` "
            "or set ASSISTANT_LLM__OLLAMA_MODEL to a model it has."
        )
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=model, base_url=host, temperature=settings.llm.temperature,
        num_predict=settings.llm.max_tokens, num_ctx=settings.llm.n_ctx, seed=42,
        repeat_penalty=1.1,
        client_kwargs={"timeout": settings.llm.timeout_s},
    )


def make_openai(settings: Settings, *, probe_timeout: float = 3.0) -> BaseChatModel:
    """``ChatOpenAI`` against ``settings.llm.openai_base_url`` (checked with ``GET /models``)."""
    base = (settings.llm.openai_base_url or os.environ.get("OPENAI_BASE_URL") or "").rstrip("/")
    if not base:
        raise BackendUnavailableError(
            "The openai backend needs a server: set ASSISTANT_LLM__OPENAI_BASE_URL "
            "(for example http://127.0.0.1:8000/v1)."
        )
    try:
        resp = httpx.get(
            f"{base}/models", timeout=probe_timeout,
            headers={"Authorization": f"Bearer {settings.llm.openai_api_key}"},
        )
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        raise BackendUnavailableError(
            f"No OpenAI-compatible server answers at {base}/models ({type(exc).__name__}): "
            "start it or fix ASSISTANT_LLM__OPENAI_BASE_URL."
        ) from exc
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm.openai_model, base_url=base, api_key=settings.llm.openai_api_key,
        temperature=settings.llm.temperature, max_tokens=settings.llm.max_tokens,
        timeout=settings.llm.timeout_s, max_retries=0, seed=42,
    )


def make_embedded(settings: Settings) -> EmbeddedChatModel:
    """The embedded chat model; assembles and verifies the packaged GGUF (not loaded yet)."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise BackendUnavailableError(
            "llama-cpp-python is not installed: run `make llm` (builds it once and installs "
            "the model packages)."
        ) from exc
    from assistant.answer.weights import model_file

    path = model_file(settings)
    return EmbeddedChatModel(
        model_path=str(path), n_ctx=settings.llm.n_ctx, n_threads=threads(settings),
        temperature=settings.llm.temperature, max_tokens=settings.llm.max_tokens,
    )


def make_chat_model(settings: Settings) -> tuple[BaseChatModel, str, list[str]]:
    """The chat model for ``settings.llm.backend``: ``(model, backend name, notes)``."""
    backend = settings.llm.backend
    if backend == "ollama":
        return make_ollama(settings), f"ollama:{settings.llm.ollama_model}", []
    if backend == "openai":
        return make_openai(settings), f"openai:{settings.llm.openai_model}", []
    if backend == "llamacpp":
        return make_embedded(settings), f"llamacpp:{_embedded_name(settings)}", []
    if backend == "auto":
        try:
            model = make_ollama(settings, probe_timeout=0.5)
        except BackendUnavailableError:
            note = f"auto: no Ollama at {ollama_host(settings)}; using the embedded model"
            embedded = make_embedded(settings)
            return embedded, f"llamacpp:{_embedded_name(settings)}", [note]
        return model, f"ollama:{settings.llm.ollama_model}", [
            f"auto: using Ollama at {ollama_host(settings)}"
        ]
    raise BackendUnavailableError(f"unknown LLM backend {backend!r}")


def _embedded_name(settings: Settings) -> str:
    if settings.llm.model_path is not None:
        return os.path.basename(str(settings.llm.model_path))
    return settings.llm.model


def make_generator(
    settings: Settings, embeddings: Embeddings | None = None
) -> tuple[LLMGenerator | None, list[str]]:
    """The answer writer for ``settings.llm.backend`` and notes about the choice.

    ``auto`` never fails: with no Ollama and no llama-cpp-python (or no weights) it
    returns ``(None, [note])`` and the assistant answers extractively. ``embeddings``
    (the index's embedder) is shared with the grounding check.
    """
    from assistant.answer.generation import LLMGenerator
    from assistant.errors import ModelFileError

    if settings.llm.backend == "extractive":
        return None, []
    try:
        model, name, notes = make_chat_model(settings)
    except (BackendUnavailableError, ModelFileError) as exc:
        if settings.llm.backend != "auto":
            raise
        return None, [f"auto: no LLM available ({exc}); answering extractively"]
    return LLMGenerator(model, settings, name=name, embeddings=embeddings), notes
