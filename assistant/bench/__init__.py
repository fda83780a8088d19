"""Benchmarks that print numbers (``assistant bench``); never timed assertions.

- :mod:`.runner`: ``assistant bench`` (ingest, retrieval at sizes, llm) and its tables;
- :mod:`.worker`: one measured step in a fresh process (peak RSS per step);
- :mod:`.llm`: time to first token and decode speed, ours vs bare llama.cpp;
- :mod:`.synthetic`: large corpora built from the seed articles.
"""
