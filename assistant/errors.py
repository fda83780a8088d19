"""User-facing errors: one short sentence that says what went wrong and what to do.

The CLI prints ``str(error)`` without a traceback and exits non-zero; the UI shows it
as a chat message. Programming errors are *not* wrapped: they stay ordinary exceptions.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class for errors a user can cause or fix."""


class InputError(AssistantError):
    """The question or another argument is unusable (empty, too long, ...)."""


class IndexMissingError(AssistantError):
    """No index has been built yet at the configured path."""


class IndexBusyError(AssistantError):
    """Another process holds the ingest lock of the same index."""


class IndexCorruptError(AssistantError):
    """The on-disk index cannot be read or does not match the settings."""


class BackendUnavailableError(AssistantError):
    """An LLM, embedding or Chroma server cannot be reached or is not installed."""


class ModelFileError(AssistantError):
    """A model weight file is missing or does not match its checksum."""


class GoldFileError(AssistantError):
    """A gold QA file is malformed; the message names the file and line."""


class NotAllowedError(AssistantError):
    """A client asked for something this server does not offer (a backend, a model)."""


class BusyError(AssistantError):
    """Too many answers are waiting for the LLM; the client should retry later."""


class StartupError(AssistantError):
    """The server cannot start as configured (port in use, unsafe bind, ...)."""
