"""Stage 4, evidence -> answer with citations -> checked answer.

- :mod:`.result`: :class:`~assistant.answer.result.Answer`,
  :class:`~assistant.answer.result.Citation` and the extractive answer;
- :mod:`.backends`: the LLM backends (llamacpp, ollama, openai, auto);
- :mod:`.weights`: GGUF weights assembled from registry packages, sha256-checked;
- :mod:`.prompts`: strict rendering of the templates in ``prompts/``;
- :mod:`.generation`: the LLM answer writer (stream, then finalize);
- :mod:`.grounding`: the per-sentence check against the cited evidence.
"""
