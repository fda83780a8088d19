"""What one ingest did: :class:`IngestReport` and its one-line summary (``assistant
ingest`` prints it; the chat page shows it after an upload)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    chunks_deleted: int = 0
    # Left by an interrupted ingest and repaired first: vectors SQLite does not know
    # (deleted), and chunks whose vectors were missing (their documents redone).
    orphans: int = 0
    missing: int = 0

    @property
    def repaired(self) -> int:
        return self.orphans + self.missing

    def summary(self) -> str:
        """One line; the repair of a crashed ingest is said only when there was one."""
        line = (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped; "
            f"{self.chunks_written} chunks written, {self.chunks_deleted} deleted"
        )
        if self.repaired:
            line += (f"; repaired an interrupted ingest: {self.orphans} orphan vector(s) "
                     f"deleted, {self.missing} chunk(s) without vectors redone")
        return line
