"""The Gradio chat page: a thin adapter over :class:`~assistant.api.Assistant`.

``assistant serve`` (or ``make run``) mounts it at ``/`` of its HTTP server
(:mod:`assistant.server`), on 127.0.0.1:7860 by default. What the page does:

- chat with streaming: the sources (evidence) appear first, then the answer streams in;
  ``[n]`` markers open the cited passage, its sentence highlighted in its paragraph,
  with title, province and date; unsupported sentences are marked (:mod:`ui_render`);
- follow-up questions use the session's conversation; "New chat" clears it;
- settings (the backends and models the server allows, top-k, answer language), a status
  line, example questions;
- a Documents tab: upload articles (``SUPPORTED_SUFFIXES``: text, HTML, PDF, DOCX;
  indexed incrementally, with progress), list and remove documents (:mod:`ui_service`);
  when the server has an admin token, upload and remove appear only after the token is
  entered;
- thumbs up/down on answers, appended to ``feedback.jsonl`` in the data folder;
- user errors (no index, backend down, empty question) appear as a chat message.

Answers do not queue behind each other: retrieval and extractive answers run at once,
and only LLM generations wait, in the server's generation queue, where a waiting user
sees their place in line under the sources.

API endpoints (for ``gradio_client``): ``/chat`` (the page's chat event), ``/ask``
(one question -> the ``assistant ask --json`` object), ``/upload``, ``/remove``.
"""

from __future__ import annotations

import contextlib
import html
import logging
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import gradio as gr

from assistant.api import EvidenceEvent, FinalEvent, TokenEvent, TranslationEvent, WaitEvent
from assistant.errors import AssistantError
from assistant.ingest.documents import SUPPORTED_KINDS, SUPPORTED_SUFFIXES
from assistant.ui.backends import probe_backends
from assistant.ui.render import (
    answer_html,
    error_html,
    footer_html,
    message_html,
    sources_html,
)
from assistant.ui.service import ChatService, Turn

log = logging.getLogger(__name__)

EXAMPLES = [
    "What were the six Q1 2021 priorities?",
    "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?",
    "Ban Tổ chức Tỉnh ủy Kon Tum đã làm gì trong quý III năm 2023?",
    "Which province reviewed its emulation work at the end of 2023?",
]
SEARCHING = "Searching the documents…"
WRITING = "Writing the answer…"
TRANSLATING = "Translating the evidence into your language…"
TOKEN_NEEDED = ("Adding and removing documents needs the admin token "
                "(`ASSISTANT_ADMIN_TOKEN` of the server).")
# Stores the token in the server's login cookie (HttpOnly), then clears the box.
LOGIN_JS = """async (token) => {
  await fetch("/api/login", {method: "POST", headers: {"Content-Type": "application/json"},
                              body: JSON.stringify({token: token})});
  return "";
}"""
DOC_HEADERS = ["doc_id", "title", "province", "date", "chunks", "source"]
STREAM_EVERY_S = 0.08
_PROGRESS = gr.Progress()  # Gradio injects a live tracker where this default is seen


class WriteGuard(Protocol):
    """Who may upload and remove (the server's access rules, :mod:`assistant.server.auth`)."""

    @property
    def prompt(self) -> bool: ...  # ask for the token before showing upload and remove

    def may_write(self, headers: Mapping[str, str]) -> bool: ...


def waiting_text(place: int, running: int) -> str:
    """What a user waiting for the LLM reads under the sources."""
    ahead = "you are next" if place <= 1 else f"{place - 1} ahead of you"
    busy = f"{running} answer{'s' if running != 1 else ''} being written"
    return f"Waiting for the language model: {ahead} ({busy})…"


def _headers(request: gr.Request | None) -> dict[str, str]:
    if request is None:
        return {}
    return {k.lower(): v for k, v in dict(request.headers).items()}


def drop_files(paths: list[str]) -> None:
    """Delete uploaded temporary files (and their folder when it is left empty)."""
    for raw in paths:
        path = Path(raw)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()


def chat_messages(turns: list[Turn]) -> list[dict[str, str]]:
    """The chatbot value: a user and an assistant message per turn."""
    out: list[dict[str, str]] = []
    for t in turns:
        out.append({"role": "user", "content": html.escape(t.question, quote=False) or "…"})
        out.append({"role": "assistant", "content": t.html})
    return out


def answer_turn(
    svc: ChatService, question: str, turns: list[Turn], top_k: float, language: str,
    backend: str, model: str,
) -> Iterator[Turn]:
    """Answer ``question`` as the next turn, yielding it whenever what it shows changes."""
    idx = len(turns)
    turn = Turn(question=question or "", html=SEARCHING)
    yield turn
    t0 = time.perf_counter()
    try:
        svc.check_index()
        bot = svc.assistant(backend, model)
        history = [(t.question, t.answer) for t in turns if t.answer and not t.error]
        sources, cites, raw, last = "", [], "", 0.0
        events = bot.stream(question or "", top_k=int(top_k), history=history or None,
                            language=None if language == "auto" else language)
        for ev in events:
            if isinstance(ev, EvidenceEvent):
                cites = ev.citations
                sources = sources_html(cites, svc.doc_text, idx)
                turn.html = message_html(WRITING, sources)
                yield turn
            elif isinstance(ev, WaitEvent):
                turn.html = message_html(waiting_text(ev.place, ev.running), sources)
                yield turn
            elif isinstance(ev, TranslationEvent):  # evidence translated now, one by one
                for c in cites:
                    if c.marker == ev.marker:
                        c.translation, c.translation_verified = ev.text, ev.verified
                sources = sources_html(cites, svc.doc_text, idx)
                turn.html = message_html(TRANSLATING, sources)
                yield turn
            elif isinstance(ev, TokenEvent):
                raw += ev.text
                if time.perf_counter() - last >= STREAM_EVERY_S:
                    turn.html = message_html(answer_html(raw, cites, idx) + " ▌", sources)
                    last = time.perf_counter()
                    yield turn
            elif isinstance(ev, FinalEvent):
                a = ev.answer
                turn.answer, turn.standalone = a.text, a.standalone_question
                turn.citations = [c.to_dict() for c in a.citations]
                turn.backend, turn.language, turn.refused = a.backend, a.language, a.refused
                turn.seconds = time.perf_counter() - t0
                notes = list(a.notes)
                if a.standalone_question and a.standalone_question != a.question:
                    notes.append(f"understood as: {a.standalone_question}")
                turn.html = message_html(
                    answer_html(a.text, a.citations, idx),
                    sources_html(a.citations, svc.doc_text, idx),
                    footer_html(a.backend, turn.seconds, notes),
                )
    except AssistantError as exc:
        turn.error, turn.html = True, error_html(str(exc))
    except Exception as exc:  # never show a traceback in the chat
        log.exception("answering %r failed", question)
        turn.error = True
        turn.html = error_html(
            f"Something went wrong while answering ({type(exc).__name__}); "
            "the details are in the server log."
        )
    yield turn


def build_app(svc: ChatService, guard: WriteGuard) -> Any:
    """The page as a ``gr.Blocks`` (not launched: :mod:`assistant.server` mounts it)."""
    cfg = svc.settings

    def respond(message: str, turns: list[Turn] | None, top_k: float, language: str,
                backend: str, model: str) -> Iterator[tuple[Any, ...]]:
        """The ``/chat`` API: one question in this session's conversation."""
        turns = list(turns or [])
        for turn in answer_turn(svc, message, turns, top_k, language, backend, model):
            shown = [*turns, turn]
            yield "", chat_messages(shown), shown, gr.skip()
        yield "", chat_messages(shown), shown, svc.status(backend, model)

    def show_question(message: str, turns: list[Turn] | None) -> tuple[Any, ...]:
        """Page step 1 (not queued): the question appears at once."""
        shown = [*(turns or []), Turn(question=message or "", html=SEARCHING)]
        return "", chat_messages(shown), shown, message

    def answer_pending(message: str, turns: list[Turn] | None, top_k: float, language: str,
                       backend: str, model: str) -> Iterator[tuple[Any, ...]]:
        """Page step 2: answer the question shown by step 1."""
        prior = list(turns or [])[:-1]
        for out in respond(message, prior, top_k, language, backend, model):
            yield out[1:]

    def ask(question: str, top_k: float = cfg.retrieval.top_k, language: str = "auto",
            backend: str = cfg.llm.backend) -> dict[str, Any]:
        """One question, no history: the ``assistant ask --json`` object (or an error)."""
        try:
            svc.check_index()
            a = svc.assistant(backend).ask(
                question, top_k=int(top_k), language=None if language == "auto" else language
            )
        except AssistantError as exc:
            return {"error": str(exc)}
        return a.to_dict()

    def new_chat() -> tuple[list[Any], list[Turn], str]:
        return [], [], ""

    def feedback(turns: list[Turn] | None, top_k: float, like: gr.LikeData) -> None:
        index = like.index if isinstance(like.index, int) else like.index[0]
        turns = turns or []
        if not isinstance(index, int) or not 0 <= index // 2 < len(turns):
            return
        rating = "up" if like.liked is True else "down" if like.liked is False else ""
        try:
            svc.record_feedback(turns[index // 2], rating, top_k=int(top_k))
        except AssistantError as exc:
            gr.Info(str(exc))
            return
        gr.Info("Thanks: feedback saved.")

    def upload(files: list[str] | None, request: gr.Request,
               progress: gr.Progress = _PROGRESS) -> tuple[Any, ...]:
        paths = [str(f) for f in files or []]
        try:
            if not guard.may_write(_headers(request)):
                msg = "✗ " + TOKEN_NEEDED
            elif not paths:
                msg = f"Choose one or more {SUPPORTED_KINDS} files."
            else:
                lines = svc.add_files(paths, lambda f, d: progress(f, desc=d))
                msg = "\n".join(f"- {line}" for line in lines)
        finally:  # the uploaded copies are never kept (the index keeps its own)
            drop_files(paths)
        return msg, None, *_docs(), svc.status()

    def remove(doc_id: str, request: gr.Request) -> tuple[Any, ...]:
        if not guard.may_write(_headers(request)):
            msg = "✗ " + TOKEN_NEEDED
        else:
            try:
                msg = svc.remove(doc_id)
            except AssistantError as exc:
                msg = f"✗ {exc}"
        ids = [r[0] for r in svc.documents_rows()]
        return msg, _docs()[0], gr.update(choices=ids, value=None), svc.status()

    def unlock(request: gr.Request) -> tuple[Any, ...]:
        """Show upload and remove when this browser may write (its login cookie)."""
        ok = guard.may_write(_headers(request))
        note = "" if ok or not guard.prompt else "✗ That is not the admin token."
        return gr.update(visible=not ok), gr.update(visible=ok), note

    def _docs() -> tuple[Any, Any]:
        rows = svc.documents_rows()
        return gr.update(value=rows or None), gr.update(choices=[r[0] for r in rows])

    def pick_row(evt: gr.SelectData) -> Any:
        rows = svc.documents_rows()
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        return rows[row][0] if isinstance(row, int) and row < len(rows) else gr.skip()

    def backends_md() -> str:
        lines = ["**Backends here**"]
        for b in probe_backends(cfg):
            if b.name in svc.backends:
                lines.append(f"- {'✓' if b.available else '✗'} **{b.name}**: {b.detail}")
        return "\n".join(lines)

    def apply_backend(backend: str, model: str) -> tuple[str, str]:
        try:
            bot = svc.assistant(backend, model)
        except AssistantError as exc:
            return svc.status(backend, model), f"⚠️ {exc}"
        notes = "; ".join(bot.backend_notes) or "ready"
        chosen = f"auto chose **{bot.backend}**: " if backend == "auto" else ""
        return svc.status(backend, model), f"{chosen}{notes}"

    with gr.Blocks(title="Trợ lý hỏi đáp · cited answers", fill_width=True,
                   delete_cache=(3600, 3600)) as demo:
        turns_state = gr.State([])
        pending = gr.State("")  # the question being answered (page only)
        gr.Markdown("## Hỏi đáp có trích dẫn · Cited answers over the articles")
        status = gr.Markdown(svc.status(), elem_id="status")
        with gr.Row():
            with gr.Column(scale=7):
                chatbot = gr.Chatbot(
                    elem_id="chat", height="72vh", min_height=480, show_label=False,
                    buttons=["copy"], feedback_options=("Like", "Dislike"), layout="bubble",
                    placeholder="Ask in Vietnamese or English. Every sentence of the answer "
                                "cites its passage: click a [n] marker to read it.",
                )
                with gr.Row():
                    question = gr.Textbox(
                        elem_id="question", show_label=False, scale=8, lines=1, max_lines=6,
                        placeholder="Ask a question… / Đặt câu hỏi…", autofocus=True,
                    )
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="send")
                    clear = gr.Button("New chat", scale=1, elem_id="new-chat")
                    api_chat = gr.Button(visible=False)  # carries the /chat API endpoint
                gr.Examples(EXAMPLES, inputs=question, label="Examples / Câu hỏi mẫu")
            with gr.Column(scale=4), gr.Tabs():
                with gr.Tab("Settings"):
                    backend = gr.Dropdown(svc.backends, value=cfg.llm.backend, label="Backend")
                    model = gr.Dropdown(svc.models, value=cfg.llm.model,
                                        label="Model (embedded llama.cpp)")
                    top_k = gr.Slider(1, 20, value=cfg.retrieval.top_k, step=1,
                                      label="Passages retrieved (top-k)")
                    language = gr.Radio(["auto", "vi", "en"], value=cfg.answer.language,
                                        label="Answer language")
                    backend_note = gr.Markdown()
                    backends = gr.Markdown(elem_id="backends")
                    refresh = gr.Button("Check backends", size="sm")
                with gr.Tab("Documents"):
                    with gr.Group(visible=guard.prompt, elem_id="doc-lock") as lock_box:
                        gr.Markdown(TOKEN_NEEDED)
                        token = gr.Textbox(type="password", show_label=False,
                                           placeholder="Admin token", elem_id="admin-token")
                        unlock_btn = gr.Button("Unlock", size="sm", elem_id="unlock")
                    lock_msg = gr.Markdown(elem_id="lock-msg")
                    with gr.Group(visible=not guard.prompt, elem_id="doc-tools") as tools:
                        files = gr.File(label=f"Add articles ({SUPPORTED_KINDS})",
                                        file_count="multiple",
                                        file_types=list(SUPPORTED_SUFFIXES))
                        upload_btn = gr.Button("Index the files", variant="primary")
                        with gr.Row():
                            doc_pick = gr.Dropdown([], label="Document",
                                                   allow_custom_value=True, scale=3)
                            remove_btn = gr.Button("Remove", variant="stop", scale=1)
                    upload_msg = gr.Markdown(elem_id="upload-msg")
                    remove_msg = gr.Markdown()
                    docs = gr.Dataframe(headers=DOC_HEADERS, interactive=False, wrap=True,
                                        elem_id="docs", max_height=360)

        options = [top_k, language, backend, model]
        for trigger in (send.click, question.submit):
            trigger(
                show_question, [question, turns_state], [question, chatbot, turns_state, pending],
                queue=False, api_visibility="private",
            ).then(
                answer_pending, [pending, turns_state, *options], [chatbot, turns_state, status],
                concurrency_limit=None, api_visibility="private", show_progress_on=[chatbot],
            )
        api_chat.click(respond, [question, turns_state, *options],
                       [question, chatbot, turns_state, status], api_name="chat",
                       concurrency_limit=None)
        clear.click(new_chat, None, [chatbot, turns_state, question], api_visibility="private",
                    queue=False)
        chatbot.clear(lambda: [], None, turns_state, api_visibility="private", queue=False)
        chatbot.like(feedback, [turns_state, top_k], None, api_visibility="private",
                     concurrency_limit=None)
        gr.api(ask, api_name="ask", concurrency_limit=None)
        upload_btn.click(upload, [files], [upload_msg, files, docs, doc_pick, status],
                         api_name="upload", concurrency_limit=1, concurrency_id="ingest")
        remove_btn.click(remove, [doc_pick], [remove_msg, docs, doc_pick, status],
                         api_name="remove", concurrency_limit=1, concurrency_id="ingest")
        unlock_btn.click(None, [token], [token], js=LOGIN_JS, api_visibility="private").then(
            unlock, None, [lock_box, tools, lock_msg], api_visibility="private", queue=False)
        docs.select(pick_row, None, doc_pick, api_visibility="private", concurrency_limit=None)
        for ev in (backend.change, model.change):
            ev(apply_backend, [backend, model], [status, backend_note], api_visibility="private")
        refresh.click(backends_md, None, backends, api_visibility="private", concurrency_limit=None)
        demo.load(_docs, None, [docs, doc_pick], api_visibility="private")
        demo.load(backends_md, None, backends, api_visibility="private", concurrency_limit=None)
        if guard.prompt:  # a browser that signed in before sees the tools at once
            demo.load(unlock, None, [lock_box, tools, lock_msg], api_visibility="private",
                      queue=False)
    return demo
