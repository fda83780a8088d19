"""The LLM's own queue: a fair (first come, first served) limit on generations at once.

Retrieval, evidence and extractive answers never enter it, so they never wait for the
LLM. An LLM answer takes a :class:`Ticket`, waits for a free slot (knowing its place in
line) and releases the slot when its answer is checked; a ticket that is abandoned
(a client that went away) leaves the line.

>>> q = GenerationQueue(limit=1)
>>> first, second = q.join(), q.join()
>>> first.wait(0), second.wait(0), second.place
(True, False, 1)
>>> first.leave(); second.wait(0)
True
>>> second.leave(); q.stats()
{'limit': 1, 'running': 0, 'waiting': 0, 'max_waiting': 16}

Deliberately left out: priorities and per-user fairness (one line for everyone).
"""

from __future__ import annotations

import threading
from collections import deque

from assistant.errors import BusyError


class Ticket:
    """One place in a :class:`GenerationQueue`: wait for the slot, then leave."""

    def __init__(self, queue: GenerationQueue) -> None:
        self._queue = queue
        self.granted = False
        self.done = False

    @property
    def place(self) -> int:
        """1 = next in line; 0 once the slot is granted (or the ticket has left)."""
        return self._queue._place(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds for the slot; True once it is this ticket's."""
        return self._queue._wait(self, timeout)

    def leave(self) -> None:
        """Release the slot, or give up the place in line (idempotent)."""
        self._queue._leave(self)


class GenerationQueue:
    """At most ``limit`` LLM generations at once; at most ``max_waiting`` in line."""

    def __init__(self, limit: int = 1, max_waiting: int = 16) -> None:
        self.limit = max(1, limit)
        self.max_waiting = max(0, max_waiting)
        self._cond = threading.Condition()
        self._line: deque[Ticket] = deque()
        self._running = 0

    def join(self) -> Ticket:
        """A new ticket at the end of the line; :class:`BusyError` when the line is full."""
        with self._cond:
            if len(self._line) >= self.max_waiting and self._running >= self.limit:
                raise BusyError(
                    f"{len(self._line)} answers are already waiting for the language model: "
                    "try again in a minute, or choose the extractive backend."
                )
            ticket = Ticket(self)
            self._line.append(ticket)
            self._grant()
            return ticket

    def stats(self) -> dict[str, int]:
        with self._cond:
            return {"limit": self.limit, "running": self._running,
                    "waiting": len(self._line), "max_waiting": self.max_waiting}

    # --- ticket operations (under the condition's lock) -------------------------------
    def _grant(self) -> None:
        while self._line and self._running < self.limit:
            ticket = self._line.popleft()
            ticket.granted = True
            self._running += 1
        self._cond.notify_all()

    def _place(self, ticket: Ticket) -> int:
        with self._cond:
            if ticket.granted or ticket.done:
                return 0
            return self._line.index(ticket) + 1

    def _wait(self, ticket: Ticket, timeout: float | None) -> bool:
        with self._cond:
            if ticket.done:
                raise RuntimeError("this ticket has already left the queue")
            self._cond.wait_for(lambda: ticket.granted, timeout)
            return ticket.granted

    def _leave(self, ticket: Ticket) -> None:
        with self._cond:
            if ticket.done:
                return
            ticket.done = True
            if ticket.granted:
                self._running -= 1
            else:
                self._line.remove(ticket)
            self._grant()
