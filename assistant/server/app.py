"""The FastAPI app of ``assistant serve``: the API routes, the page mounted at ``/``.

>>> svc = ChatService(load_settings())                        # doctest: +SKIP
>>> app = create_app(svc, Access(admin=None, reader=None, local_open=True))  # doctest: +SKIP

Errors are one sentence in ``{"error": {"message", "type", "code"}}``: a user error
(:class:`~assistant.errors.AssistantError`) gets the status of its kind (400 bad input,
403 not allowed here, 409 another ingest runs, 503 no index, backend down or the LLM
queue full), a request that does not parse gets 422.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.routing import Mount

from assistant.errors import (
    AssistantError,
    BackendUnavailableError,
    BusyError,
    IndexBusyError,
    IndexMissingError,
    ModelFileError,
    NotAllowedError,
)
from assistant.server import openai_api, rest
from assistant.server.auth import Access, ReaderGate, error_body
from assistant.server.jobs import Jobs
from assistant.ui.app import build_app
from assistant.ui.render import PAGE_CSS, PAGE_JS
from assistant.ui.service import ChatService

STATUS: list[tuple[type[AssistantError], int]] = [
    (NotAllowedError, 403), (IndexBusyError, 409), (BusyError, 503),
    (IndexMissingError, 503), (BackendUnavailableError, 503), (ModelFileError, 503),
]


def status_of(exc: AssistantError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def error_response(status: int, message: str, headers: dict[str, str] | None = None
                   ) -> JSONResponse:
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


def create_app(svc: ChatService, access: Access) -> FastAPI:
    """The API over ``svc`` with the page at ``/``, behind ``access``'s tokens."""
    app = FastAPI(title="Cited answers over the articles", docs_url="/api/docs",
                  openapi_url="/api/openapi.json", redoc_url=None)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        headers = {"Retry-After": "30"} if isinstance(exc, BusyError) else None
        return error_response(status_of(exc), str(exc), headers)

    @app.exception_handler(rest.ApiError)
    async def api_error(request: Request, exc: rest.ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error_response(422, f"{where or 'request'}: {first.get('msg', 'invalid')}.")

    jobs = Jobs()
    app.include_router(rest.router(svc, access, jobs))
    app.include_router(openai_api.router(svc))
    demo = build_app(svc, access)
    # Page events run at once (retrieval never waits); the LLM has its own queue.
    demo.queue(default_concurrency_limit=None, max_size=256)
    gr.mount_gradio_app(
        app, demo, path="/", css=PAGE_CSS, head=PAGE_JS, theme=gr.themes.Soft(),
        footer_links=["api"], max_file_size=int(svc.settings.server.max_upload_mb * 1e6),
        show_error=False,
    )
    page: Any = next(r.app for r in app.routes if isinstance(r, Mount))
    # Ends the page's open event streams (Gradio's heartbeats) so a stop is immediate.
    app.state.end_page_streams = page.stop_event.set
    app.add_middleware(ReaderGate, access=access)
    return app
