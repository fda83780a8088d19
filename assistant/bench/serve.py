"""``assistant bench serve``: do extractive answers stay fast while the LLM answers?

Starts ``assistant serve`` in its own process on a free loopback port (the configured
index, the LLM backend of the settings, ``extractive`` allowed too), warms it up (the
four questions extractively, one LLM answer: the model loads on its first question),
then runs:

- **alone**: 19 extractive ``POST /api/ask`` requests at once, no LLM;
- **with the LLM**, ``rounds`` times: 1 LLM request and 19 extractive requests sent at
  once (a barrier releases them together), then 19 more extractive requests
  :data:`MID_ANSWER_S` seconds later, while the model is writing.

It prints p50/p95 per kind (seconds, client-side: HTTP included) and how many
extractive answers came back while the LLM answer was still open. The client
threads run on the same machine as the server: on 2 cores they compete with it, which
the numbers include. Numbers are printed and written to ``--out``, never asserted.

Deliberately left out: the page (Gradio's queue adds its own client overhead; the
page's answers take the same code path as ``/api/ask``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from assistant.bench.worker import percentiles
from assistant.config import Settings
from assistant.errors import AssistantError, IndexMissingError

QUESTIONS = [
    "What were the six Q1 2021 priorities?",
    "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?",
    "Ban Tổ chức Tỉnh ủy Kon Tum đã làm gì trong quý III năm 2023?",
    "Which province reviewed its emulation work at the end of 2023?",
]
EXTRACTIVE = 19
# The second burst of a round starts this long after the first (the LLM is writing).
MID_ANSWER_S = 3.0
Span = tuple[float, float]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(url: str, proc: subprocess.Popen[Any], timeout: float,
                  output: Callable[[], str]) -> None:
    """Poll ``url`` until it answers 200; :class:`AssistantError` with the end of the
    process's ``output`` if the process exits first, or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssistantError(f"the server exited before it answered: {output()[-1000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssistantError(f"the server did not answer at {url} within {timeout:g} s")
        time.sleep(0.3)


def _ask(url: str, question: str, backend: str) -> tuple[float, float, dict[str, Any]]:
    """(start, end, answer) of one ``/api/ask`` call (perf_counter seconds)."""
    t0 = time.perf_counter()
    r = httpx.post(url + "api/ask", json={"question": question, "backend": backend},
                   timeout=600)
    t1 = time.perf_counter()
    if r.status_code != 200:
        raise AssistantError(f"{backend} request failed: {r.status_code} {r.text[:200]}")
    return t0, t1, r.json()


def _burst(url: str, barrier: threading.Barrier | None = None) -> list[Span]:
    """19 extractive requests released together (with whoever else waits on ``barrier``)."""
    barrier = barrier or threading.Barrier(EXTRACTIVE)
    spans: list[Span] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            t0, t1, _ = _ask(url, QUESTIONS[i % len(QUESTIONS)], "extractive")
            with lock:
                spans.append((t0, t1))
        except Exception as exc:  # reported after the burst
            with lock:
                errors.append(str(exc))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(EXTRACTIVE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise AssistantError(f"{len(errors)} extractive requests failed, first: {errors[0]}")
    return spans


def _round(url: str, llm: str) -> tuple[list[Span], list[Span], Span]:
    """1 LLM + 19 extractive requests at once, then 19 more while the LLM is writing."""
    barrier = threading.Barrier(EXTRACTIVE + 1)
    out: list[Any] = []

    def llm_request() -> None:
        try:
            barrier.wait(timeout=60)
            out.append(_ask(url, QUESTIONS[0], llm))
        except Exception as exc:
            out.append(exc)

    thread = threading.Thread(target=llm_request)
    thread.start()
    at_once = _burst(url, barrier)
    started = min(a for a, _ in at_once)
    time.sleep(max(0.0, started + MID_ANSWER_S - time.perf_counter()))
    mid = _burst(url) if thread.is_alive() else []
    thread.join()
    if isinstance(out[0], Exception):
        raise AssistantError(f"the LLM request failed: {out[0]}")
    return at_once, mid, (out[0][0], out[0][1])


def run(settings: Settings, rounds: int = 3, log: Any = print) -> dict[str, Any]:
    """Start the server, run the bursts, stop the server; the results as a dict."""
    if not (Path(settings.index_path) / "keyword.sqlite3").exists():
        raise IndexMissingError(f"No index at {settings.index_path}/: run `assistant ingest`.")
    llm = settings.llm.backend if settings.llm.backend != "extractive" else "llamacpp"
    port = _free_port()
    env = {**os.environ, "ASSISTANT_INDEX_PATH": str(Path(settings.index_path).absolute()),
           "ASSISTANT_SERVER__BACKENDS": json.dumps([llm, "extractive"]),
           "ASSISTANT_LLM__MODEL": settings.llm.model}
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port),
             "--backend", llm], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        try:
            def output() -> str:
                out.seek(0)
                return out.read()

            wait_for_http(url + "api/health", proc, 300, output)
            log(f"[bench serve] server up on {url}; warming up ({llm} loads its model) ...")
            for q in QUESTIONS:  # every question's embedding cached, as in the rounds
                _ask(url, q, "extractive")
            _, _, warm = _ask(url, QUESTIONS[0], llm)
            log(f"[bench serve] {EXTRACTIVE} extractive requests alone ...")
            alone = _burst(url)
            at_once: list[Span] = []
            mid: list[Span] = []
            llm_spans: list[Span] = []
            for r in range(rounds):
                log(f"[bench serve] round {r + 1}/{rounds}: 1 {llm} + {EXTRACTIVE} "
                    f"extractive requests at once, {EXTRACTIVE} more after {MID_ANSWER_S:g} s")
                first, second, llm_span = _round(url, llm)
                at_once += first
                mid += second
                llm_spans.append(llm_span)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return {
        "llm_backend": warm.get("backend", llm), "rounds": rounds, "cpus": os.cpu_count(),
        "llm_threads": settings.llm.n_threads or os.cpu_count(),
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "embedding_cache": settings.embeddings.cache,
        "extractive_alone_ms": percentiles([b - a for a, b in alone]),
        "extractive_with_llm_at_once_ms": percentiles([b - a for a, b in at_once]),
        "extractive_during_llm_answer_ms": percentiles([b - a for a, b in mid]) if mid else {},
        "llm_ms": percentiles([b - a for a, b in llm_spans]),
        "extractive_back_before_the_llm": _before(at_once + mid, llm_spans),
    }


def _before(spans: list[Span], llm_spans: list[Span]) -> str:
    """How many extractive answers came back while an LLM answer was still open."""
    inside = sum(any(a <= end < b for a, b in llm_spans) for _, end in spans)
    return f"{inside}/{len(spans)}"


def format_table(result: dict[str, Any]) -> str:
    def row(name: str, d: dict[str, float]) -> str:
        return (f"  {name:<42} p50 {d['p50'] / 1000:6.2f} s   p95 {d['p95'] / 1000:6.2f} s"
                f"   (n={d['n']})")

    return "\n".join([
        f"Serving load: 1 LLM ({result['llm_backend']}, {result['llm_threads']} threads) + "
        f"{EXTRACTIVE} extractive /api/ask at once, {result['rounds']} rounds, "
        f"{result['cpus']} CPUs (load after: {result['loadavg_after']})",
        row("extractive alone (19 at once)", result["extractive_alone_ms"]),
        row("extractive, sent with the LLM request", result["extractive_with_llm_at_once_ms"]),
        *([row(f"extractive, sent {MID_ANSWER_S:g} s into the LLM answer",
               result["extractive_during_llm_answer_ms"])]
          if result["extractive_during_llm_answer_ms"] else []),
        row("LLM answer", result["llm_ms"]),
        f"  extractive answers back while the LLM answer was open: "
        f"{result['extractive_back_before_the_llm']}   (goal: extractive p95 <= 2 s)",
    ])
