"""``assistant serve``: one HTTP server with the chat page, a REST API and an
OpenAI-compatible endpoint, over one :class:`~assistant.ui.service.ChatService`.

- :mod:`.app`: the FastAPI app (routes wired to the service, the page mounted at ``/``);
- :mod:`.auth`: bearer tokens (admin for writes, reader for asking) and the bind rule;
- :mod:`.openai_api`: ``/v1/chat/completions`` (streaming or not) and ``/v1/models``;
- :mod:`.rest`: ``/api/ask``, ``/api/documents``, ``/api/health``;
- :mod:`.jobs`: ingest jobs with progress;
- :mod:`.run`: binding the port, one-line start-up errors, running uvicorn.
"""
