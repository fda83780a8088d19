"""Data files shipped inside the package (the English-Vietnamese glossary, the
calibrated thresholds), and the prompt templates of the top-level ``prompts/`` folder,
which ``pyproject.toml`` installs as the package ``assistant.prompts``.

Both are found through :mod:`importlib.resources`, the same way from a checkout (editable
install) and from an installed wheel.

>>> data_path("glossary.tsv").name
'glossary.tsv'
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_path(name: str) -> Path:
    """The path of the packaged data file ``name`` (it may not exist yet)."""
    return Path(str(files(__name__).joinpath(name)))


def prompts_dir() -> Path:
    """The folder of the prompt templates (``prompts/`` in a checkout)."""
    return Path(str(files("assistant.prompts")))
