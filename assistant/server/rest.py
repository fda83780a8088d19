"""The REST API: ``/api/ask``, ``/api/documents`` (list, upload, remove, re-index, with
progress), ``/api/health`` and the page's login cookie (``/api/login``).

Every error is ``{"error": {"message": ..., "type": ..., "code": ...}}`` with one sentence
(:func:`assistant.server.app.error_response`). Writes need the admin token
(:class:`~assistant.server.auth.Access`); uploads are limited to
``server.max_upload_mb`` per request and wait in ``<data>/tmp/`` only while they are
indexed: that folder is removed on every path (indexed, rejected, failed, too large).
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from assistant.server.auth import COOKIE, Access
from assistant.server.jobs import Job, Jobs, Progress
from assistant.ui.service import ChatService

MAX_FILES = 50


class ApiError(Exception):
    """An HTTP error with one sentence (turned into the error JSON by the app)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class AskRequest(BaseModel):
    question: str
    backend: str | None = None
    model: str | None = None
    top_k: int | None = Field(None, ge=1, le=50)
    language: Literal["auto", "vi", "en"] = "auto"


class LoginRequest(BaseModel):
    token: str = Field(max_length=4096)


def require(status: int, what: str) -> None:
    """Raise the 401/403 of an access check (``status`` from :class:`Access`)."""
    if status == 401:
        raise ApiError(401, f"{what} needs a token: send `Authorization: Bearer TOKEN`.",
                       {"WWW-Authenticate": "Bearer"})
    if status == 403:
        raise ApiError(403, f"This token may not {what.lower()}.")


def safe_name(filename: str | None) -> str:
    """The last part of a client's file name, never a path, no control characters, at
    most 80 characters (``../x.txt`` -> ``x.txt``)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    if len(name) > 80:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem[:70]}.{suffix[:8]}" if dot else name[:80]
    return name if name not in ("", ".", "..") else "upload.txt"


async def _limited(stream: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > limit:
            raise MultiPartException("too large")
        yield chunk


async def receive_files(request: Request, dest: Path, limit: int) -> list[Path]:
    """Stream a multipart upload into ``dest`` (created); 413 past ``limit`` bytes."""
    mb = f"{limit / 1e6:g} MB"
    if int(request.headers.get("content-length") or 0) > limit:
        raise ApiError(413, f"The upload is larger than the limit of {mb}.")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(400, "Send the files as multipart/form-data, field `files`.")
    parser = MultiPartParser(request.headers, _limited(request.stream(), limit),
                             max_files=MAX_FILES, max_fields=10)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        if str(exc) == "too large":
            raise ApiError(413, f"The upload is larger than the limit of {mb}.") from None
        raise ApiError(400, f"The upload could not be read: {exc}") from None
    paths: list[Path] = []
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for value in form.getlist("files"):
            if not isinstance(value, UploadFile):
                continue
            path = dest / f"{len(paths):02d}" / safe_name(value.filename)
            path.parent.mkdir()
            with path.open("wb") as out:
                shutil.copyfileobj(value.file, out)
            paths.append(path)
    finally:
        await form.close()
    if not paths:
        raise ApiError(400, "No file was sent: use the multipart field `files`.")
    return paths


def clean_stale_uploads(tmp: Path, older_than_s: float = 3600) -> None:
    """Remove upload folders a previous process left behind (a crash mid-job)."""
    if not tmp.is_dir():
        return
    for folder in tmp.glob("upload-*"):
        if time.time() - folder.stat().st_mtime > older_than_s:
            shutil.rmtree(folder, ignore_errors=True)


def router(svc: ChatService, access: Access, jobs: Jobs) -> APIRouter:
    """The ``/api`` routes over one :class:`ChatService`."""
    api = APIRouter(prefix="/api")
    limit = int(svc.settings.server.max_upload_mb * 1_000_000)

    def job_response(job: Job, wait: bool) -> JSONResponse:
        if wait:
            job = jobs.wait(job.id)
            return JSONResponse(job.to_dict(), status_code=200)
        return JSONResponse(job.to_dict(), status_code=202)

    @api.get("/health")
    def health() -> dict[str, Any]:
        """Open to everyone: is the server up, how big is the index, how busy is the LLM."""
        stats = svc.index.stats() if svc.index.exists() else {"documents": 0, "chunks": 0}
        return {"status": "ok", "documents": stats["documents"], "chunks": stats["chunks"],
                "backends": svc.backends, "llm_queue": svc.generations.stats(),
                "writes_need_token": access.prompt, "asking_needs_token": bool(access.reader)}

    @api.post("/login")
    def login(body: LoginRequest) -> Response:
        """Keep a valid token in the page's cookie (HttpOnly, SameSite=Strict)."""
        if not access.is_valid(body.token):
            raise ApiError(403, "That token is not valid.")
        resp = Response(status_code=204)
        resp.set_cookie(COOKIE, body.token, httponly=True, samesite="strict", path="/")
        return resp

    @api.post("/logout")
    def logout() -> Response:
        resp = Response(status_code=204)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    @api.post("/ask")
    def ask(body: AskRequest) -> dict[str, Any]:
        """One question: the ``assistant ask --json`` object."""
        svc.check_index()
        bot = svc.assistant(body.backend, body.model)
        language = None if body.language == "auto" else body.language
        return bot.ask(body.question, top_k=body.top_k, language=language).to_dict()

    @api.get("/documents")
    def documents() -> dict[str, Any]:
        keys = ("doc_id", "title", "publisher", "date", "chunks", "source")
        return {"documents": [dict(zip(keys, row, strict=True))
                              for row in svc.documents_rows()]}

    @api.post("/documents", status_code=202)
    async def upload(request: Request, wait: bool = False) -> JSONResponse:
        """Add ``.txt``/``.md``/``.html`` files (multipart field ``files``) as a job."""
        require(access.write_status(request.headers), "Uploading")
        folder = svc.tmp / f"upload-{uuid.uuid4().hex}"
        try:
            paths = await receive_files(request, folder, limit)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

        def work(progress: Progress) -> list[dict[str, Any]]:
            lines = svc.add_files(paths, progress)
            return [{"file": p.name, "ok": line.startswith("✓"), "message": line[2:]}
                    for p, line in zip(paths, lines, strict=True)]

        job = jobs.submit("upload", work, lambda: shutil.rmtree(folder, ignore_errors=True))
        return job_response(job, wait)

    @api.post("/documents/reindex", status_code=202)
    def reindex(request: Request, wait: bool = False) -> JSONResponse:
        """Re-ingest the corpus folder (incremental), then re-add the uploads, as a job."""
        require(access.write_status(request.headers), "Re-indexing")

        def work(progress: Progress) -> list[dict[str, Any]]:
            def report(doc: str, done: int, total: int) -> None:
                progress(done / total if total else 0.0, f"indexing {doc}")

            rep = svc.index.ingest(svc.settings.seeds_path, progress=report)
            restored = svc.restore_uploads()
            return [{"summary": rep.summary(), "uploads_restored": restored}]

        return job_response(jobs.submit("reindex", work), wait)

    @api.get("/documents/jobs/{job_id}")
    def job_status(job_id: str) -> dict[str, Any]:
        job = jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"There is no ingest job {job_id}.")
        return job.to_dict()

    @api.delete("/documents/{doc_id}")
    def remove(doc_id: str, request: Request) -> dict[str, Any]:
        require(access.write_status(request.headers), "Removing")
        if not svc.index.exists() or svc.index.document(doc_id) is None:
            raise ApiError(404, f"There is no document {doc_id} in the index.")
        return {"doc_id": doc_id, "message": svc.remove(doc_id)}

    return api
