"""A loopback HTTP server that speaks Ollama's REST API, backed by the embedded model.

No Ollama can be installed here, so the tests start this server on 127.0.0.1 and point
``OLLAMA_HOST`` at it. It implements, as Ollama documents them (docs/api.md):

- ``POST /api/chat``: ``{"model", "messages", "stream" (default true), "options"}``;
  streaming answers are NDJSON objects ``{"model", "created_at", "message": {"role":
  "assistant", "content": piece}, "done": false}`` and a last ``"done": true`` object with
  ``done_reason``, ``total_duration``, ``prompt_eval_count``, ``eval_count`` ...;
- ``POST /api/generate``: ``{"model", "prompt", "system", "stream", "options"}`` ->
  ``{"response": piece, "done": ...}`` objects;
- ``GET /api/tags``: ``{"models": [{"name", "model", "modified_at", "size", "digest",
  "details": {...}}]}``;
- ``POST /api/show``: ``{"model"}`` -> ``{"modelfile", "parameters", "template",
  "details", "model_info", "capabilities"}``;
- an unknown model: HTTP 404 ``{"error": "model \\"NAME\\" not found, try pulling it first"}``.

Generations are real: ``llama_cpp.Llama.create_chat_completion`` over the packaged GGUF.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL_NAME = "qwen2.5:0.5b-instruct"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class OllamaLikeServer:
    """``with OllamaLikeServer(llama) as server: server.url`` -> ``http://127.0.0.1:PORT``."""

    def __init__(self, llama: Any, model: str = MODEL_NAME) -> None:
        self.llama = llama
        self.model = model
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> OllamaLikeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    # --- generation ---------------------------------------------------------------
    def pieces(self, messages: list[dict[str, str]], options: dict[str, Any]
               ) -> Iterator[str]:
        params = {
            "temperature": float(options.get("temperature", 0.8)),
            "max_tokens": int(options.get("num_predict", 128)),
            "seed": int(options.get("seed", 0)),
            "repeat_penalty": float(options.get("repeat_penalty", 1.1)),
            "stop": options.get("stop") or None,
        }
        with self.lock:
            for part in self.llama.create_chat_completion(messages=messages, stream=True,
                                                          **params):
                piece = part["choices"][0]["delta"].get("content")
                if piece:
                    yield piece

    def tags(self) -> dict[str, Any]:
        return {"models": [{
            "name": self.model, "model": self.model, "modified_at": _now(),
            "size": 491400064, "digest": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345",
            "details": self.details(),
        }]}

    @staticmethod
    def details() -> dict[str, Any]:
        return {"parent_model": "", "format": "gguf", "family": "qwen2",
                "families": ["qwen2"], "parameter_size": "494.03M",
                "quantization_level": "Q4_K_M"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict[str, Any]:
                n = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(n) or b"{}")

            def do_GET(self) -> None:
                server.requests.append(("GET", self.path))
                if self.path == "/api/tags":
                    self._json(200, server.tags())
                elif self.path in ("/", ""):
                    data = b"Ollama is running"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self._json(404, {"error": "404 page not found"})

            def do_POST(self) -> None:
                server.requests.append(("POST", self.path))
                body = self._body()
                name = str(body.get("model") or body.get("name") or "")
                if self.path not in ("/api/chat", "/api/generate", "/api/show"):
                    self._json(404, {"error": "404 page not found"})
                    return
                if name not in (server.model, server.model.split(":")[0]):
                    self._json(404, {"error": f'model "{name}" not found, try pulling it first'})
                    return
                if self.path == "/api/show":
                    self._json(200, {
                        "modelfile": f"FROM {server.model}\n", "parameters": "",
                        "template": "{{ .System }}{{ .Prompt }}",
                        "details": server.details(),
                        "model_info": {"general.architecture": "qwen2",
                                       "qwen2.context_length": 32768},
                        "capabilities": ["completion"], "modified_at": _now(),
                    })
                    return
                if self.path == "/api/chat":
                    messages = [{"role": m["role"], "content": m.get("content", "")}
                                for m in body.get("messages", [])]
                    key = "message"
                else:
                    messages = ([{"role": "system", "content": body["system"]}]
                                if body.get("system") else [])
                    messages.append({"role": "user", "content": body.get("prompt", "")})
                    key = "response"
                self._generate(messages, body.get("options") or {}, key,
                               bool(body.get("stream", True)))

            def _generate(self, messages: list[dict[str, str]], options: dict[str, Any],
                          key: str, stream: bool) -> None:
                t0 = time.perf_counter_ns()

                def obj(content: str, done: bool, count: int = 0) -> dict[str, Any]:
                    o: dict[str, Any] = {"model": server.model, "created_at": _now(),
                                         "done": done}
                    o[key] = ({"role": "assistant", "content": content}
                              if key == "message" else content)
                    if done:
                        total = time.perf_counter_ns() - t0
                        o.update(done_reason="stop", total_duration=total, load_duration=0,
                                 prompt_eval_count=0, prompt_eval_duration=0,
                                 eval_count=count, eval_duration=total)
                    return o

                if not stream:
                    parts = list(server.pieces(messages, options))
                    self._json(200, obj("".join(parts), True, len(parts)))
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                count = 0
                for piece in server.pieces(messages, options):
                    count += 1
                    self._chunk(json.dumps(obj(piece, False)) + "\n")
                self._chunk(json.dumps(obj("", True, count)) + "\n")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _chunk(self, text: str) -> None:
                data = text.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler
