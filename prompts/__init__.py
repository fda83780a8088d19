"""Prompt templates (plain ``.txt`` files, rendered by ``assistant.answer.prompts``).

This folder is installed as the package ``assistant.prompts`` (see ``pyproject.toml``),
so the templates are found the same way from a checkout and from an installed wheel.
"""
