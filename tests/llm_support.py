"""Helpers for the LLM tests: a deterministic fake chat model and real-model fixtures.

- :class:`ScriptedChatModel`: a small ``BaseChatModel`` that replies with scripted texts
  in order (streamed word by word) and records every prompt it got.
- ``embedded_llama``: one real ``llama_cpp.Llama`` over the packaged GGUF per session
  (shared by the embedded smoke test and the Ollama-like server).
- ``ollama_server``: :class:`tests.ollama_server.OllamaLikeServer` on a loopback port.
- ``openai_server``: a real ``python -m llama_cpp.server`` subprocess on a loopback port.

Test modules import the fixtures they use from here.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from assistant.bench.serve import wait_for_http
from assistant.config import Settings, load_settings
from tests.conftest import stop_process
from tests.ollama_server import OllamaLikeServer


class ScriptedChatModel(BaseChatModel):
    """Replies with ``replies[0]``, then ``replies[1]``, ... (the last one repeats)."""

    replies: list[str]
    prompts: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next(self, messages: list[BaseMessage]) -> str:
        self.prompts.append(messages)
        return self.replies[min(len(self.prompts) - 1, len(self.replies) - 1)]

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any
                  ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(
            content=self._next(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any
                ) -> Iterator[ChatGenerationChunk]:
        for piece in re.findall(r"\S+\s*|\s+", self._next(messages)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


class FunctionChatModel(ScriptedChatModel):
    """Replies with ``reply(messages)``: a deterministic model whose answer depends on
    the prompt (e.g. a fake translator that keeps a sentence's names and numbers)."""

    replies: list[str] = Field(default_factory=list)
    reply: Callable[[list[BaseMessage]], str]

    def _next(self, messages: list[BaseMessage]) -> str:
        self.prompts.append(messages)
        return self.reply(messages)


class SamplingChatModel(ScriptedChatModel):
    """Replies with ``reply(temperature, seed)``: a deterministic stand-in for a model
    whose sampled replies differ by seed (greedy at temperature 0)."""

    replies: list[str] = Field(default_factory=list)
    reply: Callable[[float, int], str]
    temperature: float = 0.0
    seed: int = 0

    def _next(self, messages: list[BaseMessage]) -> str:
        self.prompts.append(messages)
        return self.reply(self.temperature, self.seed)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def model_path() -> Path:
    """The packaged default GGUF (assembled into the user cache once)."""
    from assistant.answer.weights import model_file

    return model_file(load_settings(llm={"backend": "llamacpp"}))


def llm_settings(base: Settings, **llm: Any) -> Settings:
    """``base`` with LLM settings changed (small outputs keep the tests short)."""
    values = {"max_tokens": 40, **llm}
    return base.model_copy(update={"llm": base.llm.model_copy(update=values)})


@pytest.fixture(scope="session")
def embedded_llama() -> Any:
    llama_cpp = pytest.importorskip("llama_cpp")
    return llama_cpp.Llama(model_path=str(model_path()), n_ctx=2048,
                           n_threads=os.cpu_count() or 2, seed=42, verbose=False)


@pytest.fixture(scope="session")
def ollama_server(embedded_llama: Any) -> Iterator[OllamaLikeServer]:
    with OllamaLikeServer(embedded_llama) as server:
        yield server


@pytest.fixture(scope="module")
def openai_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m llama_cpp.server`` over the packaged GGUF; yields its ``/v1`` URL.

    Its (verbose) output goes to a log file: an unread pipe would fill up and block it.
    """
    pytest.importorskip("llama_cpp.server")
    port = free_port()
    log_path = tmp_path_factory.mktemp("openai-server") / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path()),
         "--model_alias", "qwen2.5-coder-0.5b", "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--n_threads", str(os.cpu_count() or 2), "--seed", "42"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_for_http(f"{base}/models", proc, 60, log_path.read_text)
        yield base
    finally:
        stop_process(proc, 10)
        log.close()
