"""How much of an LLM answer's key-fact recall the model wrote itself.

An LLM answer is the model's checked sentences, then (under a lead-in line) the evidence
sentences it did not restate, quoted (``generation.complete_answer``). This script
scores the part before that lead-in only, from a report written by ``assistant eval``:

    .venv/bin/python eval/model_part.py eval/out-llm/report.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.answer.result import EXTRACTIVE_INTRO, MORE_EVIDENCE_INTRO
from assistant.evaluation.metrics import fact_found, strip_markers


def model_part(answer: str) -> str:
    for intro in MORE_EVIDENCE_INTRO.values():
        answer = answer.split("\n" + intro + "\n")[0]
    return answer


def main(path: str) -> None:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))["questions"]
    answerable = [r for r in rows if r["answerable"]]
    answered = [r for r in answerable if not r["refused"]]
    facts = sum(len(r["key_facts"]) for r in answerable)  # a refusal finds none
    found = fallbacks = quoting = 0
    for row in answered:
        text = row["answer"]
        if text.startswith(tuple(EXTRACTIVE_INTRO.values())):
            fallbacks += 1
        if model_part(text) != text:
            quoting += 1
        for fact in row["key_facts"]:
            found += fact_found(fact["alternatives"], strip_markers(model_part(text)))
    print(f"{len(answered)} of {len(answerable)} answerable questions answered; "
          f"key_fact_recall of the model-written part "
          f"{found / max(facts, 1):.3f}; fell back to the evidence: {fallbacks}; "
          f"evidence quoted after the model's sentences: {quoting}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "eval/out-llm/report.json")
