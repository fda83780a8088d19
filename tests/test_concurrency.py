"""Concurrency: 20 threads and 20 CLI processes asking at once over one index, and
queries running while another process ingests into that index."""

from __future__ import annotations

import json
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant.answer.result import Answer
from assistant.api import Assistant
from assistant.config import Settings
from assistant.vietnamese import match_normalize
from tests.conftest import make_settings
from tests.scale_helpers import cli, cli_env

# (question, a fact the answer must hold, or None for a question that must be refused)
CASES = [
    ("What were the six Q1 2021 priorities?", "01-kl/btctw"),
    ("Sáu nhiệm vụ trọng tâm quý I/2021 là gì?", "01-kl/btctw"),
    ("Who chaired the nationwide online briefing of the Party organization sector "
     "on 3 December 2018?", "pham minh chinh"),
    ("Ai chủ trì hội nghị tổng kết công tác xây dựng Đảng năm 2021 tại điểm cầu Đà Nẵng?",
     "nguyen van quang"),
    ("What is the capital of Australia?", None),
]


def correct(question: str, text: str, refused: bool, doc_ids: list[str]) -> bool:
    fact = dict(CASES)[question]
    if fact is None:
        return refused and not doc_ids
    ok = not refused and fact in match_normalize(text)
    if "Q1 2021" in question or "quý I/2021" in question:  # all six tasks, all from 003
        ok = ok and sum(d.startswith("003_") for d in doc_ids) >= 6
    return ok


def summary(ans: Answer) -> tuple[str, bool, list[str]]:
    return ans.text, ans.refused, [c.doc_id for c in ans.citations]


def test_twenty_threads_ask_at_once(bot: Assistant) -> None:
    questions = [CASES[i % len(CASES)][0] for i in range(20)]
    reference = {q: summary(bot.ask(q)) for q, _ in CASES}
    assert all(correct(q, *reference[q]) for q in reference), reference
    start = threading.Barrier(20)

    def ask(q: str) -> tuple[str, bool, list[str]]:
        start.wait()
        return summary(bot.ask(q))

    with ThreadPoolExecutor(20) as pool:
        got = list(pool.map(ask, questions))
    assert got == [reference[q] for q in questions]


def test_twenty_cli_processes_ask_at_once(seeded_settings: Settings, bot: Assistant) -> None:
    env = cli_env(seeded_settings.index_path)
    questions = [CASES[i % len(CASES)][0] for i in range(20)]
    with ThreadPoolExecutor(20) as pool:
        procs = list(pool.map(lambda q: cli(["ask", q, "--json"], env), questions))
    for q, proc in zip(questions, procs, strict=True):
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        got = (data["answer"], data["refused"], [c["doc_id"] for c in data["citations"]])
        assert correct(q, *got), (q, got)
        assert got == summary(bot.ask(q))  # same as in-process


def test_queries_never_fail_while_another_process_ingests(
    tmp_path: Path, seeded_settings: Settings, seeds_copy: Path
) -> None:
    """Another process re-ingests (a document edited back and forth, a document added
    and removed), then this process does, while four threads here keep asking: every
    query succeeds, correctly."""
    index = tmp_path / "idx"
    shutil.copytree(seeded_settings.index_path, index)
    settings = make_settings(index)
    reader = Assistant.from_settings(settings)
    edited = seeds_copy / "004_1ab51a8452a64f1e.txt"
    original = edited.read_text("utf-8")
    extra = (seeds_copy / "001_ccbdce8a16f58e3b.txt").read_text("utf-8")
    env = cli_env(index)
    ingests: list[str] = []

    def writer() -> None:
        for i in range(4):
            edited.write_text(original + ("\nCông tác cán bộ được chú trọng.\n" if i % 2 else ""),
                              "utf-8")
            copy = seeds_copy / "005_copy_of_001.txt"
            if i % 2:
                copy.unlink(missing_ok=True)
            else:
                copy.write_text(extra, "utf-8")
            proc = cli(["ingest", "--path", str(seeds_copy)], env)
            ingests.append(proc.stdout if proc.returncode == 0 else "FAILED " + proc.stderr)
        # and once in this process, through the very index the readers are using
        edited.write_text(original, "utf-8")  # the loop left the extra sentence in
        ingests.append(reader.ingest(seeds_copy).summary())

    failures: list[str] = []
    asked = [0]
    done = threading.Event()

    def ask_loop(offset: int) -> None:
        i = offset
        while not done.is_set():
            q = CASES[i % len(CASES)][0]
            try:
                ans = reader.ask(q)
                if not correct(q, *summary(ans)):
                    failures.append(f"wrong answer to {q!r}: {ans.text[:200]}")
            except Exception as exc:
                failures.append(f"{q!r}: {type(exc).__name__}: {exc}")
            asked[0] += 1
            i += 1

    readers = [threading.Thread(target=ask_loop, args=(k,)) for k in range(4)]
    for t in readers:
        t.start()
    try:
        t0 = time.monotonic()
        writer()
    finally:
        done.set()
        for t in readers:
            t.join()
    assert not [s for s in ingests if s.startswith("FAILED")], ingests
    assert "1 added" in ingests[0] and "1 removed" in ingests[1], ingests
    assert "1 updated" in ingests[-1], ingests
    assert not failures, failures[:5]
    print(f"{asked[0]} queries, none failed, during {len(ingests)} ingests")  # shown with -s
    assert asked[0] >= 8, f"only {asked[0]} queries in {time.monotonic() - t0:.0f} s"
