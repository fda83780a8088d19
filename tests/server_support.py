"""Helpers for the server tests: private index copies, a gated fake LLM, raw Gradio calls.

- :func:`index_copy`: a private copy of the seeded index (so a test may write to it);
- :func:`with_seed_memory`: the seeds' translation memory imported into an index;
- :class:`GatedChatModel`: a deterministic fake chat model (a small class, not a mock)
  whose first token waits until the test opens its gate, so a test can hold an LLM
  answer "in progress" for as long as it needs, without timing;
- :func:`gated_generators`: a ``ChatService`` generator factory over that model through
  the real ``LLMGenerator`` (prompts, grounding check), counting the backends it built;
- :func:`gradio_call`: one event through Gradio's queue API as any HTTP client can send
  it (``fn_index``, no page), returning the HTTP status and the event's output.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.config import Settings
from tests.conftest import make_settings

LLM_REPLY = "Sáu nhiệm vụ trọng tâm quý I/2021 đã được triển khai [1]."


def index_copy(seeded: Settings, root: Path, **overrides: Any) -> Settings:
    """Settings of a private copy of the seeded index under ``root`` (data in ``root``)."""
    dest = root / "vectorstore"
    shutil.copytree(seeded.index_path, dest)
    return make_settings(dest, **{"data_dir": root / "data", **overrides})


def with_seed_memory(settings: Settings) -> tuple[int, int]:
    """Import the seeds' translation memory into the index of ``settings``, as `make run`
    does (`assistant translate --import`); returns ``(entries taken, verified)``."""
    from assistant.answer.memory import import_translations
    from assistant.api import Assistant
    from assistant.data import data_path

    bot = Assistant.from_settings(settings, load_llm=False)
    try:
        return import_translations(bot.index, settings, data_path("seed_translations.jsonl"),
                                   bot.index.embeddings)
    finally:
        bot.index.close()


class GatedChatModel(BaseChatModel):
    """Replies :data:`LLM_REPLY`, word by word; the first word waits for ``gate``."""

    gate: Any
    entered: Any

    @property
    def _llm_type(self) -> str:
        return "gated"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any
                  ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=LLM_REPLY))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any
                ) -> Iterator[ChatGenerationChunk]:
        self.entered.release()
        assert self.gate.wait(120), "the test never opened the gate"
        for piece in re.findall(r"\S+\s*", LLM_REPLY):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


class Gate:
    """The gate of a :class:`GatedChatModel` and the LLM backends a service built."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.entered = threading.Semaphore(0)  # one release per generation started
        self.built: list[str] = []

    def factory(self, settings: Settings, embeddings: Any) -> tuple[Any, list[str]]:
        from assistant.answer.generation import LLMGenerator

        self.built.append(settings.llm.backend)
        model = GatedChatModel(gate=self.open, entered=self.entered)
        return LLMGenerator(model, settings, name="llamacpp:gated", embeddings=embeddings), []


def gradio_call(url: str, fn_index: int, data: list[Any], session: str,
                event_data: Any = None, **kwargs: Any) -> tuple[int, Any]:
    """Join Gradio's queue for event ``fn_index`` and read its result (or the refusal)."""
    body = {"data": data, "fn_index": fn_index, "session_hash": session,
            "event_data": event_data, "trigger_id": None}
    r = httpx.post(url + "gradio_api/queue/join", json=body, timeout=30, **kwargs)
    if r.status_code != 200:
        return r.status_code, r.text
    with httpx.stream("GET", url + "gradio_api/queue/data", params={"session_hash": session},
                      timeout=60, **kwargs) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return 200, msg.get("output")
    return 0, None


def fn_index(url: str, name: str, **kwargs: Any) -> int:
    """The ``fn_index`` of the page event whose function is ``name`` (hidden ones too)."""
    deps = httpx.get(url + "config", timeout=30, **kwargs).json()["dependencies"]
    return next(i for i, d in enumerate(deps) if d.get("api_name") == name)
