"""Starting ``assistant serve``: checks first, each failure one sentence, then uvicorn.

In order: the bind rule (:func:`~assistant.server.auth.check_bind`), the data folder,
the port (bound here, before anything heavy loads, so a busy port is one line, not an
``OSError`` traceback), the index and the default backend (a backend that cannot load is
a warning: the page says so and extractive answers still work).

>>> with serving(load_settings(llm={"backend": "extractive"})) as running:  # doctest: +SKIP
...     httpx.get(running.url + "api/health").json()["status"]
'ok'
"""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from assistant.config import Settings
from assistant.errors import AssistantError, StartupError
from assistant.server.auth import Access

Log = Callable[[str], None]


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; :class:`StartupError` in one sentence."""
    where = f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise StartupError(f"Cannot listen on {host!r}: it is not an address or a host name "
                           f"this machine knows ({exc}).") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            msg = (f"Port {port} on {host} is already in use: stop the program that uses it "
                   "or choose another port (--port N or ASSISTANT_SERVER__PORT).")
        elif exc.errno == errno.EACCES:
            msg = (f"Not allowed to listen on {where} (ports below 1024 need root): "
                   "choose another port with --port N.")
        elif exc.errno == errno.EADDRNOTAVAIL:
            msg = f"{host} is not an address of this machine: use 127.0.0.1 or 0.0.0.0."
        else:
            msg = f"Cannot listen on {where}: {exc.strerror or exc}."
        raise StartupError(msg) from None
    return sock


@dataclass
class Prepared:
    """A server ready to run: its app, bound socket, URL and service."""

    app: Any
    sock: socket.socket
    url: str
    svc: Any


def prepare(settings: Settings, host: str | None = None, port: int | None = None, *,
            generator_factory: Any = None, log: Log = print) -> Prepared:
    """Check, bind and build everything (nothing listens for requests yet)."""
    host = host or settings.server.host
    port = settings.server.port if port is None else port
    access = Access.for_server(settings, host)
    data = settings.data_path.absolute()
    try:
        data.mkdir(parents=True, exist_ok=True)
        (data / "tmp").mkdir(exist_ok=True)
    except OSError as exc:
        raise StartupError(f"Cannot write the data folder {data} ({exc.strerror}): set "
                           "ASSISTANT_DATA_DIR to a writable folder.") from None
    sock = bind(host, port)
    try:
        from assistant.server.app import create_app
        from assistant.server.rest import clean_stale_uploads
        from assistant.ui.service import ChatService

        svc = ChatService(settings, generator_factory=generator_factory)
        clean_stale_uploads(svc.tmp)
        restored = svc.restore_uploads()
        if restored:
            log(f"re-indexed uploaded articles: {', '.join(restored)}")
        log(f"loading the {settings.llm.backend} answer backend…")
        try:
            svc.assistant()  # build the default backend now, not on the first question
        except AssistantError as exc:
            log(f"warning: {exc}")
        else:
            if settings.server.warm_models:  # and load its weights while the page is up
                svc.warm(log)
        app = create_app(svc, access)
    except BaseException:
        sock.close()
        raise
    shown = f"[{host}]" if ":" in host else host
    return Prepared(app, sock, f"http://{shown}:{sock.getsockname()[1]}/", svc)


def _server(prepared: Prepared) -> Any:
    """uvicorn's server; on exit it first ends the page's event streams (open browser tabs
    would otherwise hold the shutdown for the whole grace period)."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            prepared.app.state.end_page_streams()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(prepared.app, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=3)
    return Server(config)


def serve(settings: Settings, host: str | None = None, port: int | None = None,
          log: Log = print) -> int:
    """``assistant serve``: print the URLs and serve until Ctrl+C."""
    prepared = prepare(settings, host, port, log=log)
    url = prepared.url
    log(f"Chat page: {url}  ·  OpenAI-compatible API: {url}v1  ·  REST: {url}api "
        f"(docs {url}api/docs)  (Ctrl+C to stop)")
    server = _server(prepared)
    try:
        server.run(sockets=[prepared.sock])
    finally:
        prepared.sock.close()
    return 0


@contextlib.contextmanager
def serving(settings: Settings, host: str = "127.0.0.1", port: int = 0, *,
            generator_factory: Any = None) -> Iterator[Prepared]:
    """Run the server in a background thread (tests, embedding); stop it on exit."""
    prepared = prepare(settings, host, port, generator_factory=generator_factory,
                       log=lambda _: None)
    server = _server(prepared)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [prepared.sock]},
                              name="assistant-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise StartupError("The server did not start; see the log above.")
        time.sleep(0.05)
    try:
        yield prepared
    finally:
        prepared.app.state.end_page_streams()
        server.should_exit = True
        thread.join(timeout=15)
        prepared.sock.close()
