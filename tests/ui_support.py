"""Helpers for the chat-page tests: a live server (page + API) on a free loopback port,
message text."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

from assistant.config import Settings

CARD_QUESTION = "What were the six Q1 2021 priorities?"
Q1_DOC = "003_95457bacc3751b1b"


def free_port() -> int:
    """A TCP port nobody listens on right now (127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_page(settings: Settings, **kwargs: Any) -> Iterator[str]:
    """Start ``assistant serve`` on loopback (a free port) in this process; yield its URL
    (the page is at ``/``); stop it after. ``kwargs`` go to :func:`serving`."""
    from assistant.server.run import serving

    with serving(settings, "127.0.0.1", 0, **kwargs) as server:
        yield server.url


def message_text(message: dict[str, Any]) -> str:
    """The text of a chatbot message as ``gradio_client`` returns it (Gradio 6 shape)."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def last_answer(result: tuple[Any, ...]) -> str:
    """The last assistant message of a ``/chat`` result ``(textbox, chatbot, status)``."""
    messages = result[1]
    assert messages and messages[-1]["role"] == "assistant", messages
    return message_text(messages[-1])
