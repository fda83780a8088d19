"""Prompt templates from ``prompts/``, rendered strictly.

Templates use ``{{name}}`` placeholders. Rendering fails when a placeholder has no value
*or* a value has no placeholder, so a renamed variable can never silently vanish.

>>> render_text("Hello {{who}}", who="Hà Nội")
'Hello Hà Nội'
"""

from __future__ import annotations

import re
from pathlib import Path

_PLACEHOLDER = re.compile(r"{{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*}}")


class PromptError(ValueError):
    """A template and its variables do not match."""


def render_text(template: str, **variables: object) -> str:
    names = set(_PLACEHOLDER.findall(template))
    missing = names - variables.keys()
    unused = variables.keys() - names
    if missing or unused:
        raise PromptError(
            f"prompt variables do not match: missing {sorted(missing)}, unknown {sorted(unused)}"
        )
    return _PLACEHOLDER.sub(lambda m: str(variables[m.group(1)]), template)


def render(prompts_dir: Path, name: str, **variables: object) -> str:
    """Render ``prompts_dir/name`` (e.g. ``answer_system.txt``) with ``variables``."""
    path = Path(prompts_dir) / name
    try:
        template = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptError(f"prompt template {path} cannot be read: {exc.strerror}") from exc
    return render_text(template, **variables).strip() + "\n"
