#!/usr/bin/env python3
"""Refuse-or-answer on hand-built near misses (``eval/near_misses.txt``).

Each line is ``R|question`` (the articles do not answer it: another year, title,
province, cluster, a figure not given) or ``A|question`` (a control the articles
answer). The decision is the evidence stage's, no LLM. Prints one line a question and
the share decided right; exit status 0 always (a report, not a gate).

Usage: ASSISTANT_INDEX_PATH=eval/.index .venv/bin/python eval/near_misses.py [FILE]
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.api import Assistant
from assistant.config import load_settings


def main(path: Path) -> int:
    bot = Assistant.from_settings(load_settings(llm={"backend": "extractive"}), load_llm=False)
    right = total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        want, question = line.split("|", 1)
        _, result, _ = bot.gather(question)
        got = "A" if result.answerable else "R"
        total += 1
        right += got == want
        mark = "ok " if got == want else "BAD"
        print(f"{mark} want {want} got {got} {result.reason or '':40.40} | {question}")
    print(f"{right}/{total} decided right "
          f"(refuse {sum(1 for ln in path.read_text('utf-8').splitlines() if ln[:2] == 'R|')}, "
          f"answer {sum(1 for ln in path.read_text('utf-8').splitlines() if ln[:2] == 'A|')})")
    bot.index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "eval/near_misses.txt")))
