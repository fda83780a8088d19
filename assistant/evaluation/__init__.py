"""Evaluation: gold QA pairs -> the real assistant -> metrics, reports, the CI gate.

- :mod:`.gold`: loading and validating ``eval/gold.jsonl``;
- :mod:`.metrics`: per-question scoring and aggregates;
- :mod:`.report`: ``report.json`` / ``report.md`` and the text summary;
- :mod:`.harness`: ``assistant eval`` (run, compare with a baseline, gate);
- :mod:`.naive`: the plain LangChain comparator pipeline;
- :mod:`.args`: the arguments of ``assistant eval``;
- :mod:`.calibrate`: ``assistant eval calibrate``.
"""
