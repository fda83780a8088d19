"""The OpenAI-compatible endpoint: ``POST /v1/chat/completions`` and ``GET /v1/models``.

Any OpenAI client (the ``openai`` package, LangChain's ``ChatOpenAI``, open-webui,
LibreChat, Continue) can ask. The *model* is the backend that answers: ``GET /v1/models``
lists the ones this server allows (``extractive``, ``llamacpp``, ...; ``llamacpp:MODEL``
for another allowed embedded model). The last user message is the question; earlier
user/assistant turns are the conversation a follow-up is read in. System messages and
sampling parameters are ignored: the server's settings and checks decide.

The answer text carries ``[n]`` markers; the citations (``Citation.to_dict()``: doc_id,
title, quote, start, end, supported, ...) are in the extra field ``citations`` of the
response, and of the last chunk of a stream, next to ``assistant`` (refused, language,
backend, notes).

Streaming sends the *checked* answer: with an LLM the words arrive once the answer has
been written and checked (the page shows the draft as it is written); until then the
stream sends SSE comments (``: waiting for the language model, place 2``), which
clients ignore, so the connection stays open.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from assistant.answer.result import Answer
from assistant.api import EvidenceEvent, FinalEvent, StreamEvent, TranslationEvent, WaitEvent
from assistant.errors import AssistantError
from assistant.server.rest import ApiError
from assistant.ui.service import ChatService

_WORDS = re.compile(r"\S+\s*|\s+")


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content
                           if p.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[Message]
    stream: bool = False


def conversation(messages: list[Message]) -> tuple[str, list[tuple[str, str]]]:
    """The question (last user message) and the earlier (question, answer) pairs."""
    turns = [(m.role, m.text()) for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user":
        raise ApiError(400, "The last message must be the user's question.")
    history: list[tuple[str, str]] = []
    pending: str | None = None
    for role, text in turns[:-1]:
        if role == "user":
            pending = text
        elif pending is not None:
            history.append((pending, text))
            pending = None
    return turns[-1][1], history


def model_ids(svc: ChatService) -> list[str]:
    """The ``model`` names a client may send: the allowed backends (and other models)."""
    ids = list(svc.backends)
    for backend in ("llamacpp", "auto"):
        if backend in svc.backends:
            ids += [f"{backend}:{m}" for m in svc.models[1:]]
    return ids


def extras(answer: Answer) -> dict[str, Any]:
    return {"citations": [c.to_dict() for c in answer.citations],
            "assistant": {"refused": answer.refused, "language": answer.language,
                          "backend": answer.backend, "notes": answer.notes,
                          "timings": {k: round(v, 4) for k, v in answer.timings.items()}}}


def _chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None = None,
           **extra: Any) -> str:
    body = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "delta": delta,
                                         "finish_reason": finish}], **extra}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def sse(events: Iterator[StreamEvent], first: StreamEvent, cid: str, model: str
        ) -> Iterator[str]:
    """The stream: role, waiting comments, the checked answer in pieces, citations, DONE."""
    try:
        yield _chunk(cid, model, {"role": "assistant", "content": ""})
        event: StreamEvent | None = first
        while event is not None:
            if isinstance(event, WaitEvent):
                yield f": waiting for the language model, place {event.place}\n\n"
            elif isinstance(event, EvidenceEvent):
                yield f": {len(event.citations)} evidence sentences found\n\n"
            elif isinstance(event, TranslationEvent):
                yield f": evidence [{event.marker}] translated\n\n"
            elif isinstance(event, FinalEvent):
                for piece in _WORDS.findall(event.answer.text):
                    yield _chunk(cid, model, {"content": piece})
                yield _chunk(cid, model, {}, "stop", **extras(event.answer))
            event = next(events, None)
    except AssistantError as exc:
        error = {"message": str(exc), "type": type(exc).__name__, "code": 503}
        yield f"data: {json.dumps({'error': error}, ensure_ascii=False)}\n\n"
    finally:  # a client that went away leaves the LLM queue (the generator's finally)
        close = getattr(events, "close", None)
        if close is not None:
            close()
    yield "data: [DONE]\n\n"


def router(svc: ChatService) -> APIRouter:
    v1 = APIRouter(prefix="/v1")

    @v1.get("/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [
            {"id": mid, "object": "model", "created": 0, "owned_by": "assistant"}
            for mid in model_ids(svc)]}

    @v1.post("/chat/completions", response_model=None)
    def chat_completions(body: ChatRequest) -> dict[str, Any] | StreamingResponse:
        if body.model not in model_ids(svc):
            raise ApiError(404, f"The model {body.model!r} is not served here; choose one of: "
                                f"{', '.join(model_ids(svc))} (GET /v1/models).")
        backend, _, model = body.model.partition(":")
        question, history = conversation(body.messages)
        svc.check_index()
        bot = svc.assistant(backend, model or None)
        events = bot.stream(question, history=history or None)
        first = next(events)  # retrieval runs here: a bad question is a plain HTTP error
        cid = f"chatcmpl-{uuid.uuid4().hex}"
        if body.stream:
            return StreamingResponse(sse(events, first, cid, body.model),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        final = next(e.answer for e in events if isinstance(e, FinalEvent))
        return {"id": cid, "object": "chat.completion", "created": int(time.time()),
                "model": body.model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": final.text}}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                **extras(final)}

    return v1
