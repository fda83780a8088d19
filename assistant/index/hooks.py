"""A documented test hook: stop an ingest at a known document.

``ASSISTANT_TEST_PAUSE_INGEST_AT=N`` makes :meth:`assistant.index.store.Index.ingest`
write ``<index>/.paused`` and wait, without doing anything more, just before it prepares
the document number ``N`` (0-based) of the ones it has to write. A crash test kills the
process there: the documents of every batch written before ``N`` are committed and the
rest are not, whatever the machine's speed (no timing race). Unset, it does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV = "ASSISTANT_TEST_PAUSE_INGEST_AT"


def pause_point() -> int | None:
    """The document number to stop at, or None (the normal case)."""
    value = os.environ.get(ENV, "").strip()
    return int(value) if value.isdigit() else None


def pause_here(index_path: Path) -> None:
    """Announce the pause in ``<index>/.paused`` and wait to be killed."""
    (Path(index_path) / ".paused").write_text(str(os.getpid()), encoding="utf-8")
    while True:
        time.sleep(3600)
