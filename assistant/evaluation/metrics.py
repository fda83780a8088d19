"""Evaluation metrics: one row per question (:func:`score_question`), then aggregates
(:func:`aggregate`) over any subset of rows (all, per language, per type).

Matching (:func:`fact_found`) uses the normalization of DESIGN.md
(:func:`~assistant.vietnamese.match_normalize`: NFC, diacritics stripped with đ -> d,
lowercase, whitespace collapsed, thousands separators dropped: ``20.777`` -> ``20777``),
then looks for the alternative starting at a word start:

- it must not follow a letter or digit (``"9/3/2021"`` is not found in ``"19/3/2021"``);
- an alternative that starts with a digit may follow leading zeros as printed in the
  articles (``"5 loai"`` is found in ``"05 loai"``);
- an alternative that ends with a digit must not be followed by one (``"january 20"`` is
  not found in ``"january 2021"``); one that ends with a letter may be (stems and plurals:
  ``"secretar"``, ``"enterprise"`` -> ``"enterprises"``).

Citation markers (``[3]``) are removed from the answer before facts are matched, so a
marker never counts as a number.

Metric definitions (names are fixed; report key ``metrics``; shares are micro averages):

- ``evidence_recall@5``: key facts of answerable questions found in the text of the
  answer's first 5 passages (``Answer.passages``, i.e. what the answerer saw).
- ``doc_mrr@10``: mean over answerable questions of 1/rank of the first passage from a
  gold source among the retriever's top 10 (``retriever.search(q, k=10)``; 0 if none).
- ``key_fact_recall``: key facts of answerable questions found anywhere in the answer
  text, quotes in another language included (a refused question finds none). An LLM
  answer that quotes the evidence it left out scores like the extractive answer here
  by construction: read ``key_fact_recall_native`` and ``model_key_fact_recall``.
- ``key_fact_recall_native``: key facts found in the answer lines that are in the
  question's language and carry the answer: model sentences, verified translations and
  evidence sentences that are in that language. Evidence quoted in another language
  does not count (an English reader cannot use a Vietnamese quote).
- ``model_key_fact_recall``: key facts found in the sentences the LLM wrote itself (and
  the grounding check kept). ``None`` for a run without an LLM.
- ``answer_accuracy``: answerable questions answered with every key fact.
- ``refusal_accuracy``: all questions whose refuse/answer decision is right.
- ``false_refusal_rate``: answerable questions that were refused (lower is better).
- ``cited_doc_precision``: citations of answerable questions whose document is a gold
  source. Citations given for an unanswerable question are a refusal error, counted by
  ``refusal_accuracy``, not here.
- ``citation_coverage``: sentences of non-refused answers that carry a ``[n]`` marker. A
  line that ends in ``:`` and has no marker ("Theo tài liệu:", "The documents also say
  (quoted in Vietnamese):") is a lead-in, not a claim, and is not counted. 1.0 by
  construction for the extractive answer (every line is a marked quote).
- ``supported_rate``: citations (of all answers) that the answer's own checker marks
  ``supported``. 1.0 by construction for the extractive answer.
- ``answer_language_accuracy``: answer sentences, refusals and quotes included (lead-in
  lines not), that are in the question's gold ``lang``: a Vietnamese quote in an English
  answer counts against it.
- ``fallback_rate``: answered questions whose answer is a fallback: the LLM's output was
  unusable and the evidence is shown instead, or no line carries the answer in the
  question's language (only quotes in another language).
- ``untranslated_quote_rate``: answered questions whose answer shows at least one
  evidence sentence in another language, untranslated.
- ``removed_sentences``: model sentences the grounding check removed, mean per answered
  question. ``None`` for a run without an LLM.
- ``latency_p50_s`` / ``latency_p95_s``: end-to-end wall time of ``Assistant.ask`` per
  question (linear-interpolation percentiles).

A metric with nothing to count (e.g. ``answer_accuracy`` over unanswerable questions) is
``None``, never a made-up 0 or 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from assistant.answer.result import NATIVE_KINDS, Answer, Part
from assistant.evaluation.gold import GoldItem, doc_matches
from assistant.retrieve.hybrid import Passage
from assistant.vietnamese import detect_language, match_normalize, split_sentences

METRICS = (
    "evidence_recall@5",
    "doc_mrr@10",
    "key_fact_recall",
    "key_fact_recall_native",
    "model_key_fact_recall",
    "answer_accuracy",
    "refusal_accuracy",
    "false_refusal_rate",
    "cited_doc_precision",
    "citation_coverage",
    "supported_rate",
    "answer_language_accuracy",
    "fallback_rate",
    "untranslated_quote_rate",
    "removed_sentences",
    "latency_p50_s",
    "latency_p95_s",
)
LOWER_IS_BETTER = frozenset({"false_refusal_rate", "fallback_rate", "untranslated_quote_rate",
                             "removed_sentences", "latency_p50_s", "latency_p95_s"})
EVIDENCE_K = 5
MRR_K = 10

_MARKER = re.compile(r"\[\d+\]")
_LEADING_MARKERS = re.compile(r"^((?:\[\d+\]\s*)+)(.*)$", re.S)
_WORDY = re.compile(r"[^\W_]", re.U)


def _pattern(alternative: str) -> re.Pattern[str]:
    alt = match_normalize(alternative)
    zeros = "0*" if alt[:1].isdigit() else ""
    tail = r"(?![0-9])" if alt[-1:].isdigit() else ""
    return re.compile(r"(?<![a-z0-9])" + zeros + re.escape(alt) + tail)


def fact_found(fact: Sequence[str], text: str) -> bool:
    """True when ``text`` contains any alternative of ``fact`` (see module doc).

    >>> fact_found(["20.777", "20,777 members"], "Kết nạp 20.777 đảng viên")
    True
    >>> fact_found(["dang vien"], "Đảng viên"), fact_found(["9/3/2021"], "ngày 19/3/2021")
    (True, False)
    """
    haystack = match_normalize(text)
    return any(_pattern(alt).search(haystack) for alt in fact if match_normalize(alt))


def strip_markers(text: str) -> str:
    """The answer without its ``[n]`` citation markers."""
    return _MARKER.sub(" ", text)


def answer_sentences(text: str) -> list[str]:
    """Sentences of an answer, each with the markers that follow it.

    Lines are split into sentences; markers that open a sentence (``"A. [1] B."``) are
    given to the sentence before them. A line that ends with ``:`` and carries no marker
    is a lead-in and is dropped. Bullets and marker-only fragments are not
    sentences.

    >>> answer_sentences("Theo tài liệu:\\n- Câu một. [1]\\n- Câu hai [2]. Câu ba.")
    ['- Câu một. [1]', '- Câu hai [2].', 'Câu ba.']
    """
    lines = [
        ln.strip() for ln in text.splitlines()
        if ln.strip() and not (ln.strip().endswith(":") and not _MARKER.search(ln))
    ]
    out: list[str] = []
    for line in lines:
        for span in split_sentences(line):
            sentence = span.text
            m = _LEADING_MARKERS.match(sentence)
            if m and out:
                out[-1] = f"{out[-1]} {m.group(1).strip()}"
                sentence = m.group(2).strip()
            if _WORDY.search(strip_markers(sentence)):
                out.append(sentence)
            elif out and _MARKER.search(sentence):
                out[-1] = f"{out[-1]} {sentence}"
    return out


def first_gold_rank(passages: Sequence[Passage], sources: Sequence[str]) -> int | None:
    """1-based rank of the first passage from a gold source, or None."""
    for rank, p in enumerate(passages, start=1):
        if any(doc_matches(p.doc_id, s) for s in sources):
            return rank
    return None


def answer_parts(answer: Answer) -> list[Part]:
    """The answer's lines; an answer built without parts is one line of its detected
    language."""
    if answer.parts:
        return list(answer.parts)
    return [Part("evidence", answer.text, detect_language(strip_markers(answer.text)))]


def sentence_languages(parts: Sequence[Part]) -> list[str]:
    """The language of every sentence the reader sees (lead-in lines left out)."""
    out: list[str] = []
    for p in parts:
        if p.kind == "lead":
            continue
        n = sum(1 for s in split_sentences(strip_markers(p.text)) if _WORDY.search(s.text))
        out.extend([p.language] * max(n, 1))
    return out


def score_question(
    item: GoldItem, answer: Answer, ranked: Sequence[Passage], latency_s: float,
    *, llm: bool = False,
) -> dict[str, Any]:
    """One report row: what the question got right and wrong, with raw counts.

    ``ranked`` is the retriever's top-``MRR_K`` list for ``doc_mrr@10``; the evidence
    passages are the answer's own first ``EVIDENCE_K`` passages. ``llm`` says whether
    the run had an LLM (model-only metrics are ``None`` otherwise).
    """
    passage_text = "\n".join(p.text for p in answer.passages[:EVIDENCE_K])
    answer_text = strip_markers(answer.text)
    parts = answer_parts(answer)
    native = [p for p in parts if p.kind in NATIVE_KINDS and p.language == item.lang]
    native_text = strip_markers("\n".join(p.text for p in native))
    model_text = strip_markers("\n".join(p.text for p in parts if p.kind == "model"))
    answered = not answer.refused
    facts: list[dict[str, Any]] = [
        {
            "alternatives": list(fact),
            "in_answer": answered and fact_found(fact, answer_text),
            "in_native": answered and fact_found(fact, native_text),
            "in_model": answered and fact_found(fact, model_text),
            "in_passages": fact_found(fact, passage_text),
        }
        for fact in (item.key_facts if item.answerable else ())
    ]
    languages = sentence_languages(parts)
    sentences = [] if answer.refused else answer_sentences(answer.text)
    cited = [s for s in sentences if _MARKER.search(s)]
    rank = first_gold_rank(ranked[:MRR_K], item.sources) if item.answerable else None
    detected = detect_language(answer_text)
    decision_ok = answer.refused != item.answerable
    if not decision_ok:
        score = 0.0
    elif not item.answerable:
        score = 1.0
    else:
        score = sum(f["in_answer"] for f in facts) / len(facts)
    return {
        "id": item.id,
        "lang": item.lang,
        "type": item.type,
        "question": item.question,
        "answerable": item.answerable,
        "refused": answer.refused,
        "decision_ok": decision_ok,
        "score": round(score, 4),
        "answer": answer.text,
        "backend": answer.backend,
        "answer_language": detected,
        "sentence_languages": languages,
        "language_ok": sum(lang == item.lang for lang in languages),
        "llm": llm,
        "fallback": answered and (answer.fallback or not native),
        "untranslated_quote": answered and any(p.kind == "quote" for p in parts),
        "removed_sentences": answer.removed_sentences,
        "notes": list(answer.notes),
        "kinds": sorted({p.kind for p in parts}),
        "key_facts": facts,
        "citations": [
            {
                "marker": c.marker,
                "doc_id": c.doc_id,
                "gold_source": any(doc_matches(c.doc_id, s) for s in item.sources),
                "supported": c.supported,
                "quote": c.quote,
            }
            for c in answer.citations
        ],
        "sentences": len(sentences),
        "cited_sentences": len(cited),
        "gold_rank@10": rank,
        "passages": [p.doc_id for p in answer.passages[:EVIDENCE_K]],
        "latency_s": round(latency_s, 4),
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolation percentile (numpy's default); None for no values.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 95)
    (2.5, 3.85)
    """
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return round(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo), 10)


def _share(hits: Iterable[bool]) -> float | None:
    flags = list(hits)
    return round(sum(flags) / len(flags), 4) if flags else None


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ``metrics`` object over ``rows`` (plus the counts it was computed from)."""
    answerable = [r for r in rows if r["answerable"]]
    facts = [f for r in answerable for f in r["key_facts"]]
    gold_citations = [c for r in answerable for c in r["citations"]]
    all_citations = [c for r in rows for c in r["citations"]]
    n_sentences = sum(r["sentences"] for r in rows)
    latencies = [float(r["latency_s"]) for r in rows]
    rr = [1.0 / r["gold_rank@10"] if r["gold_rank@10"] else 0.0 for r in answerable]
    answered = [r for r in rows if not r["refused"]]
    llm = any(r.get("llm") for r in rows)
    n_lang = sum(len(r["sentence_languages"]) for r in rows)
    metrics: dict[str, Any] = {
        "evidence_recall@5": _share(f["in_passages"] for f in facts),
        "doc_mrr@10": round(sum(rr) / len(rr), 4) if rr else None,
        "key_fact_recall": _share(f["in_answer"] for f in facts),
        "key_fact_recall_native": _share(f["in_native"] for f in facts),
        "model_key_fact_recall": _share(f["in_model"] for f in facts) if llm else None,
        "answer_accuracy": _share(
            not r["refused"] and all(f["in_answer"] for f in r["key_facts"]) for r in answerable
        ),
        "refusal_accuracy": _share(r["decision_ok"] for r in rows),
        "false_refusal_rate": _share(r["refused"] for r in answerable),
        "cited_doc_precision": _share(c["gold_source"] for c in gold_citations),
        "citation_coverage": (
            round(sum(r["cited_sentences"] for r in rows) / n_sentences, 4)
            if n_sentences else None
        ),
        "supported_rate": _share(c["supported"] for c in all_citations),
        "answer_language_accuracy": (
            round(sum(r["language_ok"] for r in rows) / n_lang, 4) if n_lang else None
        ),
        "fallback_rate": _share(r["fallback"] for r in answered),
        "untranslated_quote_rate": _share(r["untranslated_quote"] for r in answered),
        "removed_sentences": (
            round(sum(r["removed_sentences"] for r in answered) / len(answered), 4)
            if llm and answered else None
        ),
        "latency_p50_s": percentile(latencies, 50),
        "latency_p95_s": percentile(latencies, 95),
    }
    metrics = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in metrics.items()}
    counts = {
        "questions": len(rows),
        "answerable": len(answerable),
        "key_facts": len(facts),
        "citations": len(all_citations),
        "answer_sentences": n_sentences,
    }
    return {"metrics": metrics, "counts": counts}


def breakdown(
    rows: Sequence[dict[str, Any]], key: Callable[[dict[str, Any]], str]
) -> dict[str, dict[str, Any]]:
    """:func:`aggregate` per group (``key(row)``), groups sorted by name."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return {name: aggregate(groups[name]) for name in sorted(groups)}


def worst_first(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered worst first: wrong refusal decisions, then fewest key facts found,
    then the least evidence retrieved; ties in gold order."""

    def evidence(r: dict[str, Any]) -> float:
        fs = r["key_facts"]
        return sum(f["in_passages"] for f in fs) / len(fs) if fs else 1.0

    return sorted(rows, key=lambda r: (r["decision_ok"], r["score"], evidence(r)))
