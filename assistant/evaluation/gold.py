"""Gold QA pairs: loading ``eval/gold.jsonl`` with validation (format of DESIGN.md).

One JSON object a line::

    {"id": "q01", "lang": "en", "type": "list", "question": "...",
     "sources": ["003"], "answerable": true, "reference": "...",
     "key_facts": [["quy hoach", "planning"], ["03-nq/tu"]], "split": "test"}

``split`` is ``calib`` (thresholds are fitted on these) or ``test`` (what is reported and
gated); a file without splits counts every question as ``test``. Unanswerable questions
may say which near miss they are in ``trap`` (``year``, ``title``, ``province``,
``figure``, ``scope``, ``off-topic``, ``junk``).

Every problem stops the run with a :class:`GoldFileError` that names the file and the
line: invalid JSON, a missing field, a wrong type, a duplicate id, an answerable question
without sources or key facts, an unanswerable one with sources, a source id that matches
no indexed document (:func:`check_sources`), and a file with no questions at all (an
empty gold set would otherwise score a perfect, meaningless 1.0).

Blank lines are skipped; unknown extra fields are allowed (notes for humans).

>>> from pathlib import Path
>>> items = load_gold(Path("eval/gold.jsonl"))      # doctest: +SKIP
>>> items[0].id, items[0].line                       # doctest: +SKIP
('q01', 1)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import GoldFileError

LANGS = ("vi", "en")
SPLITS = ("calib", "test")
TRAPS = ("year", "title", "province", "figure", "scope", "off-topic", "junk")
# Near misses: close to what the corpus says, but not answered by it.
NEAR_MISS_TRAPS = ("year", "title", "province", "figure", "scope")
REQUIRED: dict[str, type] = {
    "id": str,
    "lang": str,
    "type": str,
    "question": str,
    "sources": list,
    "answerable": bool,
    "reference": str,
    "key_facts": list,
}


@dataclass(frozen=True)
class GoldItem:
    """One gold question; ``line`` is its 1-based line number in the gold file."""

    id: str
    lang: str
    type: str
    question: str
    sources: tuple[str, ...]
    answerable: bool
    reference: str
    key_facts: tuple[tuple[str, ...], ...]
    line: int = 0
    split: str = "test"
    trap: str = ""


def doc_matches(doc_id: str, gold_id: str) -> bool:
    """A gold source id matches ``doc_id`` itself or ``doc_id`` starting with ``id_``.

    >>> doc_matches("003_95457bacc3751b1b", "003"), doc_matches("0031_x", "003")
    (True, False)
    """
    return doc_id == gold_id or doc_id.startswith(gold_id + "_")


def _fail(path: Path, line: int, problem: str) -> GoldFileError:
    return GoldFileError(f"{path} line {line}: {problem}; fix or remove that line.")


def _parse_line(path: Path, line: int, raw: str) -> GoldItem:
    try:
        obj: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _fail(path, line, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise _fail(path, line, "expected a JSON object")
    missing = [k for k in REQUIRED if k not in obj]
    if missing:
        raise _fail(path, line, "missing field " + ", ".join(repr(k) for k in missing))
    for key, kind in REQUIRED.items():
        if not isinstance(obj[key], kind):
            raise _fail(path, line, f"field {key!r} must be a {kind.__name__}")
    if obj["lang"] not in LANGS:
        raise _fail(path, line, f"'lang' must be one of {', '.join(LANGS)}, not {obj['lang']!r}")
    if not obj["id"].strip() or not obj["question"].strip():
        raise _fail(path, line, "'id' and 'question' must not be empty")
    sources = obj["sources"]
    if not all(isinstance(s, str) and s.strip() for s in sources):
        raise _fail(path, line, "'sources' must be a list of document ids")
    facts = obj["key_facts"]
    if not all(
        isinstance(f, list) and f and all(isinstance(a, str) and a.strip() for a in f)
        for f in facts
    ):
        raise _fail(path, line, "'key_facts' must be a list of non-empty lists of strings")
    if obj["answerable"] and not sources:
        raise _fail(path, line, "an answerable question needs at least one source")
    if obj["answerable"] and not facts:
        raise _fail(path, line, "an answerable question needs at least one key fact")
    if not obj["answerable"] and sources:
        raise _fail(path, line, "an unanswerable question must have 'sources': []")
    split = obj.get("split", "test")
    if split not in SPLITS:
        raise _fail(path, line, f"'split' must be one of {', '.join(SPLITS)}, not {split!r}")
    trap = obj.get("trap", "")
    if trap and (trap not in TRAPS or obj["answerable"]):
        raise _fail(path, line, f"'trap' is for unanswerable questions, one of {', '.join(TRAPS)}")
    return GoldItem(
        id=obj["id"],
        lang=obj["lang"],
        type=obj["type"],
        question=obj["question"],
        sources=tuple(sources),
        answerable=obj["answerable"],
        reference=obj["reference"],
        key_facts=tuple(tuple(f) for f in facts),
        line=line,
        split=split,
        trap=trap,
    )


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read and validate a gold file; raise :class:`GoldFileError` on the first problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GoldFileError(f"Gold file {path} does not exist: pass --gold PATH.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFileError(f"Cannot read gold file {path} as UTF-8 text ({exc}).") from None
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        item = _parse_line(path, number, raw)
        if item.id in seen:
            raise _fail(path, number, f"duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = number
        items.append(item)
    if not items:
        raise GoldFileError(
            f"Gold file {path} has no questions: an empty gold set cannot be scored."
        )
    return items


def select_split(items: list[GoldItem], split: str) -> list[GoldItem]:
    """The questions of ``split`` (``calib``, ``test``) or all of them (``all``)."""
    if split == "all":
        return list(items)
    if split not in SPLITS:
        raise GoldFileError(f"Unknown split {split!r}: use calib, test or all.")
    chosen = [i for i in items if i.split == split]
    if not chosen:
        raise GoldFileError(f"The gold file has no {split!r} questions.")
    return chosen


def check_sources(path: str | Path, items: Iterable[GoldItem], doc_ids: Iterable[str]) -> None:
    """Raise :class:`GoldFileError` for the first source id that matches no document."""
    known = sorted(doc_ids)
    for item in items:
        for gold_id in item.sources:
            if not any(doc_matches(d, gold_id) for d in known):
                shown = ", ".join(d.split("_", 1)[0] for d in known) or "none"
                raise _fail(
                    Path(path), item.line,
                    f"unknown source id {gold_id!r} (the indexed documents are {shown})",
                )
