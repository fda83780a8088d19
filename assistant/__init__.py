"""Offline multilingual cited question answering over Vietnamese news articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Answer", "Assistant", "AssistantError", "Citation", "load_settings"]

if TYPE_CHECKING:
    from assistant.answer.result import Answer, Citation
    from assistant.api import Assistant
    from assistant.config import load_settings
    from assistant.errors import AssistantError


def __getattr__(name: str) -> Any:  # lazy: importing the package does no work
    if name == "Assistant":
        from assistant.api import Assistant

        return Assistant
    if name in ("Answer", "Citation"):
        from assistant.answer import result

        return getattr(result, name)
    if name == "load_settings":
        from assistant.config import load_settings

        return load_settings
    if name == "AssistantError":
        from assistant.errors import AssistantError

        return AssistantError
    raise AttributeError(name)
