"""Which LLM backends can answer on this machine, for the page's Settings tab.

Cheap checks only: imports, installed model packages, 0.7 s HTTP pings. Nothing is
loaded; :class:`~assistant.ui.service.ChatService` builds a backend on first use.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import Any

import httpx

from assistant.answer.weights import MODELS, ModelSpec, part_paths
from assistant.config import Settings
from assistant.errors import AssistantError


@dataclass
class BackendInfo:
    """Whether a backend can answer here, and a short human explanation."""

    name: str
    available: bool
    detail: str


def _weights_installed(spec: ModelSpec) -> bool:
    try:
        part_paths(spec)
    except AssistantError:
        return False
    return True


def _probe_http(url: str) -> tuple[bool, Any]:
    try:
        r = httpx.get(url, timeout=0.7)
        r.raise_for_status()
        return True, r.json()
    except (httpx.HTTPError, ValueError) as exc:
        return False, type(exc).__name__


def probe_backends(settings: Settings) -> list[BackendInfo]:
    """Cheap checks (imports, installed packages, 0.7 s HTTP pings) of every LLM backend."""
    cfg = settings.llm
    infos = [BackendInfo("extractive", True, "no LLM: quotes the evidence sentences")]
    if importlib.util.find_spec("llama_cpp") is None:
        infos.append(BackendInfo("llamacpp", False, "llama-cpp-python not installed (make llm)"))
    else:
        have = [name for name, spec in MODELS.items() if _weights_installed(spec)]
        if cfg.model_path:
            have.append(str(cfg.model_path))
        detail = "models: " + (", ".join(have) if have else "none installed (make llm)")
        infos.append(BackendInfo("llamacpp", bool(have), detail))
    host = (cfg.ollama_host or os.environ.get("OLLAMA_HOST") or "http://127.0.0.1:11434")
    host = host if host.startswith("http") else f"http://{host}"
    ok, data = _probe_http(host.rstrip("/") + "/api/tags")
    if ok:
        models = data.get("models", []) if isinstance(data, dict) else []
        names = [m.get("name", "?") for m in models]
        infos.append(BackendInfo("ollama", True, f"{host}: {', '.join(names) or 'no models'}"))
    else:
        infos.append(BackendInfo("ollama", False, f"not reachable at {host} (OLLAMA_HOST)"))
    if cfg.openai_base_url:
        ok, _ = _probe_http(cfg.openai_base_url.rstrip("/") + "/models")
        state = f"{cfg.openai_base_url} ({cfg.openai_model})" + ("" if ok else ": not reachable")
        infos.append(BackendInfo("openai", ok, state))
    else:
        infos.append(BackendInfo("openai", False, "no server set (ASSISTANT_LLM__OPENAI_BASE_URL)"))
    return infos


def model_label(settings: Settings, backend: str) -> str:
    """Human name of the model behind a backend name such as ``llamacpp:qwen2.5-coder-0.5b``.

    Empty when the backend name already says it all (Ollama, OpenAI-compatible).
    """
    kind, _, name = backend.partition(":")
    if kind == "extractive":
        return "no LLM: the evidence sentences"
    if kind == "llamacpp":
        spec = MODELS.get(name)
        return f"embedded {spec.label}" if spec else f"embedded {name}"
    return ""
