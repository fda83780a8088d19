"""Thin command-line front end: ``assistant ingest|translate|ask|chat|serve|eval|bench``.

``assistant chat`` is the interactive loop (:func:`run_cli_chat`); the follow-up
rewrite it relies on is core conversation logic in :mod:`assistant.chat`.

User errors (:class:`AssistantError`) print one line to stderr, no traceback, exit 2;
so do settings that do not validate (``ASSISTANT_SERVER__PORT=abc``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from pydantic import ValidationError

from assistant.config import Settings, load_settings
from assistant.errors import AssistantError
from assistant.evaluation.args import add_eval_arguments

if TYPE_CHECKING:
    from assistant.answer.result import Citation


def settings_error(exc: ValidationError) -> str:
    """One sentence for a setting that does not validate, naming its variable."""
    first = exc.errors()[0]
    path = [str(p) for p in first.get("loc", ())]
    env = "ASSISTANT_" + "__".join(path).upper()
    return (f"The setting {'.'.join(path) or '?'} is invalid ({first.get('msg', 'invalid')}, "
            f"got {first.get('input')!r}): fix {env}.")


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "backend", None):
        overrides["llm"] = {"backend": args.backend}
    if getattr(args, "model", None):
        overrides.setdefault("llm", {})["model"] = args.model
    if getattr(args, "top_k", None):
        overrides["retrieval"] = {"top_k": args.top_k}
    if getattr(args, "mode", None):
        overrides.setdefault("retrieval", {})["mode"] = args.mode
    if getattr(args, "index", None):
        overrides["index_path"] = args.index
    return load_settings(**overrides)


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from assistant.api import Assistant

    settings = _settings(args)
    bot = Assistant.from_settings(settings, require_index=False, load_llm=False)
    bar: Any = None

    def progress(doc_id: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total:
            bar = tqdm(total=total, unit="doc", desc="ingest", file=sys.stderr)
        if bar is not None:
            bar.n = done
            bar.set_postfix_str(doc_id[:24])
            bar.refresh()

    report = bot.ingest(args.path or settings.seeds_path, reset=args.reset, progress=progress)
    if bar is not None:
        bar.close()
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    print(report.summary())
    print(f"index: {json.dumps(bot.index.stats())} at {settings.index_path}")
    return 0


def citation_line(c: Citation) -> str:
    """``[1] 003_x · Title · 2021-03-09 · p. 2``: one citation under a printed answer
    (the page for PDFs; "(unsupported)" when the check did not support it)."""
    fields = [f"[{c.marker}] {c.doc_id}", c.title, c.date]
    if c.page is not None:
        fields.append(f"p. {c.page}")
    mark = "" if c.supported else " (unsupported)"
    return " · ".join(fields) + mark


def _require_utf8(text: str) -> None:
    """Bytes that are not UTF-8 reach ``sys.argv`` as lone surrogates: refuse them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        from assistant.errors import InputError

        raise InputError(
            "The question is not valid UTF-8 text: check the terminal's encoding."
        ) from None


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.api import Assistant

    _require_utf8(args.question)
    bot = Assistant.from_settings(_settings(args))
    ans = bot.ask(args.question)
    if args.json:
        print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(ans.text)
    if ans.citations:
        print()
        for c in ans.citations:
            print(citation_line(c))
    print(f"\n({ans.backend}, {ans.timings.get('total', 0):.2f} s)", file=sys.stderr)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    return run_cli_chat(_settings(args))


def run_cli_chat(
    settings: Settings, *, lines: Iterable[str] | None = None, out: TextIO | None = None
) -> int:
    """``assistant chat``: ask, follow up, ``exit`` or Ctrl-D to leave.

    ``lines`` (default: the terminal) and ``out`` (default: stdout) make it testable.
    An :class:`AssistantError` prints as one line and the loop goes on.
    """
    from assistant.api import Assistant, FinalEvent, TokenEvent

    out = out or sys.stdout
    try:
        bot = Assistant.from_settings(settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=out)
        return 2
    print(f"assistant chat ({bot.backend}); empty line or 'exit' to leave", file=out)
    for note in bot.backend_notes:
        print(f"note: {note}", file=out)
    history: list[tuple[str, str]] = []
    source = iter(lines) if lines is not None else _terminal_lines()
    for raw in source:
        question = raw.strip()
        if question.lower() in {"", "exit", "quit", ":q"}:
            break
        try:
            answer = None
            streamed: list[str] = []
            for event in bot.stream(question, history=history):
                if isinstance(event, TokenEvent):
                    streamed.append(event.text)
                    out.write(event.text)
                    out.flush()
                elif isinstance(event, FinalEvent):
                    answer = event.answer
        except AssistantError as exc:
            print(f"\nerror: {exc}", file=out)
            continue
        assert answer is not None
        if answer.text.strip() != "".join(streamed).strip():
            print("\n--- checked answer ---\n" + answer.text, file=out)
        else:
            print(file=out)
        if answer.standalone_question and answer.standalone_question != question:
            print(f"(understood as: {answer.standalone_question})", file=out)
        for c in answer.citations:
            print(citation_line(c), file=out)
        for note in answer.notes:
            print(f"note: {note}", file=out)
        history.append((answer.standalone_question or question, answer.text))
    return 0


def _terminal_lines() -> Iterable[str]:
    while True:
        try:
            yield input("\nyou> ")
        except EOFError:
            return


def cmd_translate(args: argparse.Namespace) -> int:
    """Pre-translate every evidence sentence (resumable: results are stored one by one)."""
    from pathlib import Path

    from tqdm import tqdm

    from assistant.answer.memory import export_translations, import_translations, pretranslate
    from assistant.answer.translate import make_translator
    from assistant.api import Assistant
    from assistant.errors import InputError

    settings = _settings(args)
    if args.model:
        settings = settings.model_copy(update={"translation": settings.translation.model_copy(
            update={"model": args.model})})
    bot = Assistant.from_settings(settings, load_llm=False)
    if args.export:
        n = export_translations(bot.index, settings, Path(args.export))
        print(f"exported {n} translations to {args.export}")
        return 0
    if args.import_file:
        taken, accepted = import_translations(bot.index, settings, Path(args.import_file),
                                              bot.index.embeddings)
        print(f"imported {taken} translations from {args.import_file} ({accepted} verified)")
        if not args.limit:
            return 0
    translator = make_translator(settings, bot.index.embeddings)
    if translator is None:
        raise InputError("Translation is off (ASSISTANT_TRANSLATION__BACKEND=none).")
    if args.log:
        log_path = Path(args.log)

        def log(row: dict[str, Any]) -> None:
            with log_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")

        translator.log = log
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="sentence", desc="translate", file=sys.stderr)
        bar.n = done
        bar.refresh()

    try:
        report = pretranslate(bot.index, translator, settings, limit=args.limit,
                              retry_rejected=args.retry_rejected, repair=args.repair,
                              progress=progress)
    finally:
        if bar is not None:
            bar.close()
    print(report.summary())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    # Gradio's own upload folder goes to the data folder too (read when gradio loads).
    tmp = settings.data_path.absolute() / "tmp" / "gradio"
    os.environ.setdefault("GRADIO_TEMP_DIR", str(tmp))
    try:
        from assistant.server.run import serve
    except ImportError as exc:
        from assistant.errors import BackendUnavailableError

        raise BackendUnavailableError(
            f"assistant serve needs {exc.name}: pip install fastapi uvicorn python-multipart"
        ) from None
    return serve(settings, host=args.host, port=args.port,
                 log=lambda msg: print(msg, flush=True))


def cmd_eval(args: argparse.Namespace) -> int:
    if args.action == "calibrate":
        from assistant.evaluation.calibrate import run_calibrate

        return run_calibrate(args, _settings(args))
    from assistant.evaluation.harness import run_cli

    return run_cli(args, _settings(args))


def cmd_bench(args: argparse.Namespace) -> int:
    from assistant.bench.runner import run_cli

    return run_cli(args, _settings(args))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true", help="show debug logs")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="index the articles (incremental)")
    s.add_argument("--path", help="folder or file to ingest (default: seeds/)")
    s.add_argument("--reset", action="store_true", help="delete the index first")
    s.add_argument("--index", help="index folder (default: vectorstore/)")
    s.set_defaults(func=cmd_ingest)

    backends = ["auto", "llamacpp", "ollama", "openai", "extractive"]
    s = sub.add_parser("ask", help="answer one question")
    s.add_argument("question")
    s.add_argument("--backend", choices=backends)
    s.add_argument("--model", help="LLM model name (qwen2.5-coder-0.5b|qwen2.5-coder-1.5b)")
    s.add_argument("--top-k", type=int, dest="top_k")
    s.add_argument("--mode", choices=["hybrid", "dense", "keyword"])
    s.add_argument("--index")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("chat", help="interactive multi-turn chat")
    s.add_argument("--backend", choices=backends)
    s.add_argument("--model")
    s.add_argument("--top-k", type=int, dest="top_k")
    s.add_argument("--index")
    s.set_defaults(func=cmd_chat)

    for name, what in (("serve", "the chat page at / and the HTTP API (/v1, /api)"),
                       ("ui", "the same as serve (kept for old scripts)")):
        s = sub.add_parser(name, help=what)
        s.add_argument("--host", help="address to listen on (default 127.0.0.1)")
        s.add_argument("--port", type=int, help="default 7860")
        s.add_argument("--backend", choices=backends)
        s.add_argument("--model")
        s.add_argument("--index")
        s.set_defaults(func=cmd_serve)

    s = sub.add_parser("translate", help="pre-translate the evidence sentences (resumable)")
    s.add_argument("--index")
    s.add_argument("--model", help="translation model (qwen2.5-coder-1.5b|qwen2.5-coder-0.5b)")
    s.add_argument("--limit", type=int, help="translate at most N sentences now")
    s.add_argument("--log", help="append every attempt (JSON lines) to this file")
    s.add_argument("--retry-rejected", dest="retry_rejected", action="store_true",
                   help="translate again the sentences whose cached attempt was rejected")
    s.add_argument("--repair", action="store_true",
                   help="sample again the verified translations that leave out hinted "
                        "terms (new ones too); a verified sample using more of them is kept")
    s.add_argument("--export", help="write the cached translations (JSON lines) here")
    s.add_argument("--import", dest="import_file",
                   help="load and re-verify a translation memory written by --export")
    s.set_defaults(func=cmd_translate)

    s = sub.add_parser("eval", help="score answers against gold QA pairs; "
                       "`eval calibrate` fits the thresholds on the calib split")
    add_eval_arguments(s, backends)
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("bench", help="benchmarks (ingest, retrieval, llm, serve)")
    s.add_argument("what", nargs="?", default="all",
                   choices=["all", "ingest", "retrieval", "llm", "serve", "translate"])
    s.add_argument("--uncached", type=int, default=3,
                   help="bench translate: questions answered with no cached translation")
    s.add_argument("--pretranslate-log", dest="pretranslate_log",
                   help="bench translate: the output of a timed `assistant translate` run")
    s.add_argument("--rounds", type=int, default=3, help="bench serve: rounds of 1 LLM + 19")
    s.add_argument("--backend", choices=backends, help="bench serve: the LLM backend")
    s.add_argument("--sizes", default="1000,10000,100000")
    s.add_argument("--out", default="eval/bench.json")
    s.add_argument("--ingest-chunks", type=int, default=120, dest="ingest_chunks",
                   help="corpus size of the ingest benchmark (real e5 vectors)")
    s.add_argument("--model")
    s.set_defaults(func=cmd_bench)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # the CLI prints skipped files itself, once (with pypdf's reason)
        logging.getLogger("assistant.ingest.documents").setLevel(logging.ERROR)
        logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        return int(args.func(args) or 0)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"error: {settings_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
