"""``assistant bench translate``: what translation costs an English reader.

- **cached**: English answer latency when every evidence sentence is translated already
  (the seeds' translation memory imported): ``Assistant.ask`` with the extractive
  backend over the English gold questions of the test split, p50/p95;
- **uncached**: the same questions on an index with no translations, with the
  translation model translating the evidence while answering: time to the first
  translated sentence and to the whole answer (``--uncached N`` questions), the models
  loaded first as ``assistant serve`` loads them at start (their load time is printed
  apart);
- **model**: the translation model's decode speed through our wrapper
  (``EmbeddedChatModel``) against bare ``llama_cpp.Llama`` on the same prompt;
- **pretranslate**: the time ``assistant translate`` took for the seeds, read from the
  run log the benchmark is given (``--pretranslate-log``), since a rerun costs 15 minutes.

Deliberately left out: Ollama / OpenAI translation servers (their speed is the server's).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings


def _pct(values: list[float], q: float) -> float:
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return round(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo), 3)


def english_questions(gold: Path, limit: int | None = None) -> list[str]:
    rows = [json.loads(ln) for ln in gold.read_text(encoding="utf-8").splitlines() if ln]
    qs = [r["question"] for r in rows
          if r["lang"] == "en" and r["answerable"] and r.get("split") == "test"]
    return qs[:limit] if limit else qs


def _index(settings: Settings, tmp: Path, memory: Path | None) -> Settings:
    """Settings of a fresh index of the seeds (with the translation memory if given)."""
    from assistant.answer.memory import import_translations
    from assistant.api import Assistant

    s = settings.model_copy(update={"index_path": tmp / "vs"})
    bot = Assistant.from_settings(s, require_index=False, load_llm=False)
    bot.ingest(settings.seeds_path)
    if memory is not None:
        import_translations(bot.index, s, memory, bot.index.embeddings)
    bot.index.close()
    return s


def cached(settings: Settings, questions: list[str], memory: Path) -> dict[str, Any]:
    from assistant.api import Assistant

    with tempfile.TemporaryDirectory(prefix="bench-tr-") as tmp:
        s = _index(settings.model_copy(update={"llm": settings.llm.model_copy(
            update={"backend": "extractive"})}), Path(tmp), memory)
        bot = Assistant.from_settings(s)
        bot.ask(questions[0])  # warm
        times, translated = [], 0
        for q in questions:
            t0 = time.perf_counter()
            ans = bot.ask(q)
            times.append(time.perf_counter() - t0)
            translated += any(p.kind == "translation" for p in ans.parts)
        bot.index.close()
    return {"questions": len(questions), "p50_s": _pct(times, 50), "p95_s": _pct(times, 95),
            "answers_with_translations": translated}


def uncached(settings: Settings, questions: list[str]) -> dict[str, Any]:
    """Answers that translate their own evidence while answering (the embedded LLM)."""
    from assistant.api import Assistant, FinalEvent, TranslationEvent

    first, total, counts = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-tr-") as tmp:
        s = _index(settings, Path(tmp), None)
        s = s.model_copy(update={"translation": s.translation.model_copy(
            update={"on_demand": True})})
        bot = Assistant.from_settings(s)
        loaded = bot.warm()  # what ``assistant serve`` does at start, before any question
        for q in questions:
            t0 = time.perf_counter()
            seen: float | None = None
            n = 0
            for ev in bot.stream(q):
                if isinstance(ev, TranslationEvent):
                    n += 1
                    seen = seen if seen is not None else time.perf_counter() - t0
                elif isinstance(ev, FinalEvent):
                    total.append(time.perf_counter() - t0)
            if seen is not None:
                first.append(seen)
            counts.append(n)
        bot.index.close()
    return {"questions": len(questions), "first_translation_p50_s": _pct(first, 50) if first
            else None, "first_translation_max_s": round(max(first), 3) if first else None,
            "answer_p50_s": _pct(total, 50), "answer_max_s": round(max(total), 3),
            "sentences_translated_mean": round(statistics.mean(counts), 2),
            "load_s": {k: round(v, 2) for k, v in loaded.items()}}


def model_speed(settings: Settings, runs: int = 2) -> dict[str, Any]:
    """Decode tokens/s of the translation model: our wrapper vs bare llama.cpp."""
    import llama_cpp
    from langchain_core.messages import BaseMessage

    from assistant.answer.backends import EmbeddedChatModel, threads
    from assistant.answer.translate import make_translator, translation_settings

    translator = make_translator(settings)
    assert translator is not None
    model = translator.model
    assert isinstance(model, EmbeddedChatModel)
    sentence = ("Đồng chí Mai Văn Chính- Ủy viên Trung ương Đảng, Phó Trưởng Ban Thường trực "
                "Ban Tổ chức Trung ương chủ trì hội nghị.")
    messages: list[BaseMessage] = translator.messages(sentence, "vi", "en", [])
    dicts = EmbeddedChatModel._messages(messages)
    llm = model.load()

    def timed(stream: Callable[[], Any]) -> dict[str, float]:
        llm.reset()
        t0 = time.perf_counter()
        first, text = None, ""
        for piece in stream():
            first = first if first is not None else time.perf_counter() - t0
            text += piece
        end = time.perf_counter() - t0
        n = len(llm.tokenize(text.encode("utf-8"), add_bos=False))
        return {"ttft_s": first or end, "decode_tok_s": (n - 1) / (end - (first or 0))
                if n > 1 else 0.0, "tokens": n}

    ours = [timed(lambda: (str(c.content) for c in model.stream(messages)))
            for _ in range(runs)]
    bare_llm = llama_cpp.Llama(model_path=model.model_path, n_ctx=model.n_ctx,
                               n_threads=threads(translation_settings(settings)),
                               seed=model.seed, verbose=False)
    llm = bare_llm

    def bare() -> Any:
        out: Any = bare_llm.create_chat_completion(
            messages=dicts, stream=True, temperature=0.0,  # type: ignore[arg-type]
            max_tokens=model.max_tokens, repeat_penalty=model.repeat_penalty, seed=model.seed)
        return (str(c["choices"][0]["delta"].get("content") or "") for c in out)

    bare_rows = [timed(bare) for _ in range(runs)]
    med = lambda rows, k: round(statistics.median(r[k] for r in rows), 3)  # noqa: E731
    return {"model": translator.name, "ours_decode_tok_s": med(ours, "decode_tok_s"),
            "bare_decode_tok_s": med(bare_rows, "decode_tok_s"),
            "ours_ttft_s": med(ours, "ttft_s"), "bare_ttft_s": med(bare_rows, "ttft_s")}


def run(settings: Settings, gold: Path, memory: Path, *, uncached_n: int = 3,
        pretranslate_log: Path | None = None) -> dict[str, Any]:
    questions = english_questions(gold)
    result: dict[str, Any] = {"cached": cached(settings, questions, memory)}
    result["uncached"] = uncached(settings, questions[:uncached_n]) if uncached_n else None
    result["model"] = model_speed(settings)
    if pretranslate_log is not None and pretranslate_log.exists():
        result["pretranslate"] = pretranslate_log.read_text(encoding="utf-8").strip()
    return result


def format_table(r: dict[str, Any]) -> str:
    c, u, m = r["cached"], r.get("uncached"), r["model"]
    lines = [
        f"English answer, translations cached ({c['questions']} test questions, extractive): "
        f"p50 {c['p50_s']} s, p95 {c['p95_s']} s; {c['answers_with_translations']} answers "
        "show translated evidence",
    ]
    if u:
        lines.append(
            f"English answer, uncached ({u['questions']} questions, {m['model']} translating "
            f"while answering): first translated sentence p50 {u['first_translation_p50_s']} s"
            f" (max {u['first_translation_max_s']} s), whole answer p50 {u['answer_p50_s']} s"
            f" (max {u['answer_max_s']} s), {u['sentences_translated_mean']} sentences each;"
            f" models loaded at start first ({u.get('load_s')} s)")
    lines.append(
        f"Translation model {m['model']}: decode {m['ours_decode_tok_s']} tok/s ours vs "
        f"{m['bare_decode_tok_s']} bare llama.cpp; first token {m['ours_ttft_s']} s vs "
        f"{m['bare_ttft_s']} s")
    if r.get("pretranslate"):
        lines.append(f"Pre-translation of the seeds: {r['pretranslate']}")
    return "\n".join(lines)
