"""The arguments of ``assistant eval`` (run, check against a baseline, calibrate)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def add_eval_arguments(s: argparse.ArgumentParser, backends: Sequence[str]) -> None:
    s.add_argument("action", nargs="?", default="run", choices=["run", "calibrate"])
    s.add_argument("--gold", default="eval/gold.jsonl")
    s.add_argument("--translations", default="eval/translations.jsonl",
                   help="labelled translations (calibrate)")
    s.add_argument("--calibration-out", dest="calibration_out",
                   help="where calibrate writes (default: assistant/data/calibration.json)")
    s.add_argument("--sections",
                   help="calibrate only these, comma-separated (refusal,grounding,translation,"
                        "selection); the others keep their values in the file")
    s.add_argument("--split", choices=["test", "calib", "all"], default="test",
                   help="which questions (thresholds are fitted on calib; test is reported)")
    s.add_argument("--subset", help="file of question ids to run (e.g. eval/llm_gate.txt)")
    s.add_argument("--backend", choices=backends)
    s.add_argument("--model")
    s.add_argument("--top-k", type=int, dest="top_k")
    s.add_argument("--mode", choices=["hybrid", "dense", "keyword"])
    s.add_argument("--out", help="write report.json and report.md here")
    s.add_argument("--json", action="store_true", help="print the report as JSON")
    s.add_argument("--baseline", help="baseline JSON to compare with")
    s.add_argument("--check", action="store_true", help="exit 1 if a metric regressed")
    s.add_argument("--gate", help="comma-separated metrics to check (default: all)")
    s.add_argument("--tolerance", type=float, help="allowed drop for every checked metric")
    s.add_argument("--save-baseline", dest="save_baseline", help="write a compact baseline here")
    s.add_argument("--pipeline", choices=["default", "naive"], default="default")
    s.add_argument("--index", help="use this index instead of a temporary one")
    s.add_argument("--chunk-size", type=int, dest="chunk_size")
    s.add_argument("--limit", type=int, help="only the first N questions")
