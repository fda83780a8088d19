"""Ingest jobs with progress: uploads and re-indexing run one at a time in a worker thread.

``POST /api/documents`` and ``POST /api/documents/reindex`` submit a job and answer with
its id at once (or, with ``?wait=true``, when it is done); ``GET
/api/documents/jobs/{id}`` reports ``state`` (queued, running, done, failed), ``progress``
(0..1), the current step and, when done, one result per file. A job's ``cleanup`` (the
uploaded temporary files) runs on every path: done, failed or never started.

>>> jobs = Jobs()
>>> job = jobs.submit("reindex", lambda progress: [{"ok": True}])
>>> jobs.wait(job.id, timeout=5).state
'done'
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.errors import AssistantError

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
Work = Callable[[Progress], list[dict[str, Any]]]


@dataclass
class Job:
    id: str
    kind: str
    state: Literal["queued", "running", "done", "failed"] = "queued"
    progress: float = 0.0
    step: str = "waiting for the ingest worker"
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    created: float = field(default_factory=time.time)
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "state": self.state,
                "progress": round(self.progress, 3), "step": self.step,
                "results": self.results, "error": self.error,
                "status_url": f"/api/documents/jobs/{self.id}"}


class Jobs:
    """A FIFO of ingest jobs and the one thread that runs them; keeps the last ``keep``."""

    def __init__(self, keep: int = 100) -> None:
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._todo: queue.Queue[tuple[Job, Work, Callable[[], None] | None]] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(self, kind: str, work: Work, cleanup: Callable[[], None] | None = None) -> Job:
        job = Job(id=uuid.uuid4().hex, kind=kind)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="ingest-jobs",
                                                daemon=True)
                self._worker.start()
        self._todo.put((job, work, cleanup))
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        job = self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        job.finished.wait(timeout)
        return job

    def _run(self) -> None:
        while True:
            job, work, cleanup = self._todo.get()
            job.state, job.step = "running", "starting"

            def progress(fraction: float, step: str, job: Job = job) -> None:
                job.progress, job.step = max(0.0, min(1.0, fraction)), step

            try:
                job.results = work(progress)
                job.state, job.progress, job.step = "done", 1.0, "done"
            except AssistantError as exc:
                job.state, job.error, job.step = "failed", str(exc), "failed"
            except Exception as exc:  # never kill the worker; say where the details are
                log.exception("ingest job %s failed", job.id)
                job.state, job.step = "failed", "failed"
                job.error = f"The job failed ({type(exc).__name__}); see the server log."
            finally:
                if cleanup is not None:
                    cleanup()
                job.finished.set()
