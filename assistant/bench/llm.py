"""``assistant bench llm``: our embedded pipeline against bare ``llama_cpp.Llama``.

For one question (the card's "What were the six Q1 2021 priorities?") it measures:

- **bare**: ``llama_cpp.Llama.create_chat_completion(stream=True)`` on the exact prompt
  our answer writer builds (same evidence, same sampling settings);
- **ours (model)**: the same prompt through :class:`assistant.llm.EmbeddedChatModel`
  (LangChain ``BaseChatModel.stream``), i.e. the wrapper overhead;
- **ours (pipeline)**: ``Assistant.stream()`` end to end: time to evidence (retrieval +
  evidence selection), time to first answer token, total time including the checks.

Each model run starts from an empty KV cache (``Llama.reset()``), so prefill is paid
every time; the median of ``runs`` runs is reported. Token counts come from the model's
tokenizer; decode tokens/s = (completion tokens - 1) / (end - first token).

Deliberately left out: Ollama / OpenAI servers (their speed is the server's).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.config import Settings

QUESTION = "What were the six Q1 2021 priorities?"


def _timed(pieces: Iterator[str], t0: float) -> tuple[str, float, float]:
    first: float | None = None
    parts: list[str] = []
    for piece in pieces:
        if first is None:
            first = time.perf_counter() - t0
        parts.append(piece)
    total = time.perf_counter() - t0
    return "".join(parts), first if first is not None else total, total


def _row(llm: Any, prompt_tokens: int, text: str, ttft: float, total: float) -> dict[str, float]:
    n = len(llm.tokenize(text.encode("utf-8"), add_bos=False)) if text else 0
    decode = (n - 1) / (total - ttft) if n > 1 and total > ttft else 0.0
    return {"prompt_tokens": prompt_tokens, "completion_tokens": n, "ttft_s": ttft,
            "prefill_tok_s": prompt_tokens / ttft if ttft else 0.0, "decode_tok_s": decode,
            "total_s": total}


def _median(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}


def _assistant(settings: Settings) -> tuple[Any, tempfile.TemporaryDirectory[str] | None]:
    from assistant.api import Assistant
    from assistant.errors import IndexMissingError

    try:
        return Assistant.from_settings(settings), None
    except IndexMissingError:
        tmp = tempfile.TemporaryDirectory(prefix="bench-llm-")
        temp_settings = settings.model_copy(update={"index_path": Path(tmp.name) / "vs"})
        bot = Assistant.from_settings(temp_settings, require_index=False)
        bot.ingest(settings.seeds_path)
        return bot, tmp


def run(settings: Settings, out_path: str | Path | None = None, *, runs: int = 2,
        max_tokens: int = 64, question: str = QUESTION) -> dict[str, Any]:
    """Run the benchmark, print a table, write JSON to ``out_path``; return the results."""
    import llama_cpp

    from assistant.answer.backends import EmbeddedChatModel, threads
    from assistant.answer.generation import LLMGenerator
    from assistant.api import EvidenceEvent, TokenEvent

    settings = settings.model_copy(update={"llm": settings.llm.model_copy(
        update={"backend": "llamacpp", "max_tokens": max_tokens})})
    bot, tmp = _assistant(settings)
    try:
        gen = bot.generator
        if not isinstance(gen, LLMGenerator) or not isinstance(gen.model, EmbeddedChatModel):
            raise RuntimeError("bench llm needs the embedded llama.cpp backend")
        ours = gen.model
        lang = bot.language_for(question)

        # ours (pipeline): evidence, first token, total (cold: includes model load)
        pipeline: list[dict[str, float]] = []
        evidence: list[Any] = []
        for i in range(runs):
            if i:
                ours.load().reset()
            t0 = time.perf_counter()
            t_ev = t_first = None
            for event in bot.stream(question):
                if isinstance(event, EvidenceEvent):
                    t_ev, evidence = time.perf_counter() - t0, event.evidence
                elif isinstance(event, TokenEvent) and t_first is None:
                    t_first = time.perf_counter() - t0
            total = time.perf_counter() - t0
            pipeline.append({"time_to_evidence_s": t_ev or 0.0,
                             "time_to_first_token_s": t_first or total, "total_s": total})

        messages = gen.messages(question, lang, evidence)
        dicts = EmbeddedChatModel._messages(messages)
        llm = ours.load()
        prompt_text = llm.tokenize(  # the chat template is applied inside; count its text
            "".join(d["content"] for d in dicts).encode("utf-8"), add_bos=False)
        prompt_tokens = len(prompt_text)

        model_rows = []
        for _ in range(runs):
            llm.reset()
            t0 = time.perf_counter()
            text, ttft, total = _timed(gen.stream_messages(messages), t0)
            model_rows.append(_row(llm, prompt_tokens, text, ttft, total))

        bare = llama_cpp.Llama(model_path=ours.model_path, n_ctx=ours.n_ctx,
                               n_threads=threads(settings), seed=ours.seed, verbose=False)
        bare_rows = []
        for _ in range(runs):
            bare.reset()
            t0 = time.perf_counter()
            stream: Any = bare.create_chat_completion(
                messages=dicts, stream=True, temperature=ours.temperature,  # type: ignore[arg-type]
                max_tokens=max_tokens, repeat_penalty=ours.repeat_penalty, seed=ours.seed)
            pieces = (str(c["choices"][0]["delta"].get("content") or "") for c in stream)
            text, ttft, total = _timed((p for p in pieces if p), t0)
            bare_rows.append(_row(bare, prompt_tokens, text, ttft, total))
    finally:
        bot.index.close()
        if tmp is not None:
            tmp.cleanup()

    result: dict[str, Any] = {
        "question": question, "model": ours.model_path, "threads": threads(settings),
        "runs": runs, "max_tokens": max_tokens,
        "bare": _median(bare_rows), "ours_model": _median(model_rows),
        "pipeline_cold": pipeline[0], "pipeline_warm": _median(pipeline[1:] or pipeline),
    }
    b, o = result["bare"]["decode_tok_s"], result["ours_model"]["decode_tok_s"]
    result["decode_ratio"] = o / b if b else 0.0
    print_table(result)
    if out_path is not None:
        path = Path(out_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return result


def print_table(r: dict[str, Any], out: Any = None) -> None:
    out = out or sys.stdout
    b, o = r["bare"], r["ours_model"]
    print(f"LLM benchmark: {Path(r['model']).name}, {r['threads']} threads, "
          f"median of {r['runs']} runs, {b['prompt_tokens']} prompt tokens", file=out)
    print(f"{'':24}{'bare llama_cpp':>16}{'ours':>12}", file=out)
    for key, label in (("ttft_s", "time to first token s"), ("prefill_tok_s", "prefill tok/s"),
                       ("decode_tok_s", "decode tok/s"), ("completion_tokens", "tokens")):
        print(f"{label:24}{b[key]:>16.2f}{o[key]:>12.2f}", file=out)
    print(f"decode ours/bare: {r['decode_ratio']:.3f} (target >= 0.90)", file=out)
    for name in ("pipeline_cold", "pipeline_warm"):
        p = r[name]
        print(f"{name}: evidence {p['time_to_evidence_s']:.2f} s (target <= 0.5), first answer "
              f"token {p['time_to_first_token_s']:.2f} s (target <= 8), total "
              f"{p['total_s']:.2f} s", file=out)
