"""Who may do what: bearer tokens for writes and (optionally) for asking.

- **Writes** (upload, remove, re-index) need ``ASSISTANT_ADMIN_TOKEN``. With no admin
  token the server must listen on a loopback address, and then the single local user
  may write, as before (:func:`check_bind` refuses anything else, in one sentence).
- **Asking** is open, or needs ``ASSISTANT_READER_TOKEN`` (the admin token works too).
- A token is sent as ``Authorization: Bearer TOKEN``; the page keeps it in an HttpOnly,
  SameSite=Strict cookie set by ``POST /api/login`` (so Gradio's own requests carry it).
- No token: 401; a wrong token (or a reader token for a write): 403.

:class:`ReaderGate` is the ASGI middleware that keeps every route but the health check and
the login behind the reader token, including Gradio's queue API (the page's hidden
events) and its file upload route, which also needs write access.

>>> access = Access(admin="s3cret", reader=None, local_open=False)
>>> access.write_status({"authorization": "Bearer s3cret"}), access.write_status({})
(200, 401)
>>> access.read_status({})
200
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from assistant.config import Settings
from assistant.errors import StartupError

COOKIE = "assistant_token"
# Reachable without the reader token.
OPEN_PATHS = frozenset({"/api/health", "/api/login", "/api/logout", "/login"})
# Gradio routes that write files: they need write access, like the page's upload.
GRADIO_WRITE_SUFFIXES = ("/gradio_api/upload", "/gradio_api/process_recording")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


@dataclass(frozen=True)
class Access:
    """The server's tokens and whether writes are open (loopback, no admin token)."""

    admin: str | None
    reader: str | None
    local_open: bool

    @classmethod
    def for_server(cls, settings: Settings, host: str) -> Access:
        """The access rules for a server on ``host`` (see :func:`check_bind`)."""
        check_bind(settings, host)
        admin, reader = _secret(settings.admin_token), _secret(settings.reader_token)
        return cls(admin=admin, reader=reader, local_open=admin is None)

    @property
    def prompt(self) -> bool:
        """Whether the page asks for the admin token before showing upload and remove."""
        return not self.local_open

    def token(self, headers: Mapping[str, str]) -> str | None:
        """The bearer token of a request, else its login cookie."""
        auth = headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is no token
            return None
        morsel = cookies.get(COOKIE)
        return morsel.value if morsel is not None and morsel.value else None

    @staticmethod
    def _is(token: str | None, expected: str | None) -> bool:
        return token is not None and expected is not None and hmac.compare_digest(
            token.encode(), expected.encode())

    def is_valid(self, token: str | None) -> bool:
        return self._is(token, self.admin) or self._is(token, self.reader)

    def write_status(self, headers: Mapping[str, str]) -> int:
        """200 when the request may write; 401 without a token, 403 with a wrong one."""
        if self.local_open:
            return 200
        token = self.token(headers)
        if token is None:
            return 401
        return 200 if self._is(token, self.admin) else 403

    def read_status(self, headers: Mapping[str, str]) -> int:
        """200 when the request may ask; 401 without a token, 403 with a wrong one."""
        if self.reader is None:
            return 200
        token = self.token(headers)
        if token is None:
            return 401
        return 200 if self.is_valid(token) else 403

    def may_write(self, headers: Mapping[str, str]) -> bool:
        return self.write_status(headers) == 200


def check_bind(settings: Settings, host: str) -> None:
    """Refuse a non-loopback address without an admin token (one sentence)."""
    if is_loopback(host) or settings.admin_token is not None:
        return
    raise StartupError(
        f"Refusing to listen on {host} without ASSISTANT_ADMIN_TOKEN: anyone who can reach "
        "it could upload and remove documents; set the token (and ASSISTANT_READER_TOKEN "
        "to require one for asking) or listen on 127.0.0.1."
    )


MESSAGES = {
    401: "This needs a token: send `Authorization: Bearer TOKEN`.",
    403: "This token is not allowed to do that.",
}


def error_body(status: int, message: str | None = None) -> dict[str, Any]:
    """The JSON body of an error, in the OpenAI shape (``{"error": {"message": ...}}``)."""
    kinds = {401: "authentication_error", 403: "permission_error", 404: "not_found_error",
             413: "invalid_request_error", 503: "server_busy"}
    return {"error": {"message": message or MESSAGES.get(status, "error"),
                      "type": kinds.get(status, "invalid_request_error"), "code": status}}


LOGIN_PAGE = """<!doctype html><meta charset="utf-8"><title>Sign in · cited answers</title>
<style>body{font-family:system-ui;max-width:28rem;margin:15vh auto;padding:0 1rem}
input,button{font-size:1rem;padding:.5rem;margin:.25rem 0;width:100%}</style>
<h2>Hỏi đáp có trích dẫn · Cited answers</h2>
<p>This server needs a token to ask questions.</p>
<form id="f"><input id="token" type="password" placeholder="Token" autofocus>
<button>Sign in</button></form><p id="msg"></p>
<script>
document.getElementById("f").onsubmit = async (e) => {
  e.preventDefault();
  const r = await fetch("/api/login", {method: "POST", headers: {"Content-Type":
    "application/json"}, body: JSON.stringify({token: document.getElementById("token").value})});
  if (r.ok) { location.href = "/"; } else {
    document.getElementById("msg").textContent = "That token is not valid."; }
};
</script>"""


class ReaderGate:
    """ASGI middleware: the reader token for everything but :data:`OPEN_PATHS`, and write
    access for Gradio's upload routes. A browser without a token gets the login form."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        status = self.access.read_status(headers)
        if status == 200 and scope["path"].endswith(GRADIO_WRITE_SUFFIXES):
            status = self.access.write_status(headers)
        if status == 200:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        html = scope["method"] == "GET" and "text/html" in headers.get("accept", "")
        body = LOGIN_PAGE.encode() if html else json.dumps(error_body(status)).encode()
        kind = b"text/html; charset=utf-8" if html else b"application/json"
        extra = [(b"www-authenticate", b"Bearer")] if status == 401 else []
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind), *extra]})
        await send({"type": "http.response.body", "body": body})
