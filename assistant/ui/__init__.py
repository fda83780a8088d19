"""The Gradio chat page, a thin face over :class:`~assistant.api.Assistant`.

- :mod:`.app`: the page and its event handlers (mounted by ``assistant serve``);
- :mod:`.backends`: which LLM backends can answer here (the Settings tab);
- :mod:`.service`: per-process state (backends, uploads, feedback);
- :mod:`.render`: answers, markers and source cards as HTML.
"""
