"""Load: 20 simultaneous ``gradio_client`` sessions against the live page (extractive).

Every session asks at once (a barrier releases them together); answers go through
Gradio's queue one at a time. All must be answered with citations and no error; the
p50/p95 latency (queue wait included) is printed, not asserted (it depends on the
machine). Numbers from this machine are in ``docs/ui.md``.
"""

from __future__ import annotations

import statistics
import threading
import time

import pytest
from gradio_client import Client

from assistant.config import Settings
from tests.ui_support import CARD_QUESTION, last_answer, running_page

USERS = 20
QUESTIONS = [
    CARD_QUESTION,
    "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?",
    "Ban Tổ chức Tỉnh ủy Kon Tum đã làm gì trong quý III năm 2023?",
    "Which province reviewed its emulation work at the end of 2023?",
]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def test_twenty_simultaneous_users(
    seeded_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    latencies: list[float] = []
    answers: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(USERS)

    with running_page(seeded_settings) as url:

        def user(i: int) -> None:
            try:
                client = Client(url, verbose=False)
                barrier.wait(timeout=120)
                t0 = time.perf_counter()
                result = client.predict(QUESTIONS[i % len(QUESTIONS)], api_name="/chat")
                elapsed = time.perf_counter() - t0
                text = last_answer(result)
                with lock:
                    latencies.append(elapsed)
                    answers.append(text)
            except Exception as exc:  # collected and asserted below
                with lock:
                    errors.append(f"user {i}: {type(exc).__name__}: {exc}")

        t_start = time.perf_counter()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        wall = time.perf_counter() - t_start

    assert not errors, errors
    assert len(answers) == USERS
    failed = [a for a in answers if "chat-error" in a or 'class="cite' not in a]
    with capsys.disabled():
        print(
            f"\nload: {USERS} users, {len(answers) - len(failed)} cited answers, "
            f"{len(errors) + len(failed)} errors, p50 {statistics.median(latencies):.2f} s, "
            f"p95 {percentile(latencies, 95):.2f} s, max {max(latencies):.2f} s, "
            f"wall {wall:.1f} s (incl. client start-up)"
        )
    assert not failed, failed[:1]
