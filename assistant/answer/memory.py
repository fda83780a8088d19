"""The translation memory: the cached translations of an index's evidence sentences,
made by :func:`pretranslate` (``assistant translate``), written as JSON lines
(``--export``) and read back (``--import``, each entry verified again). The seeds ship
one (``assistant/data/seed_translations.jsonl``), so a fresh ``make run`` answers
English questions without translating first."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer.translate import Translator, make_verifier, source_hints
from assistant.answer.verify import missing_terms
from assistant.config import Settings
from assistant.index.store import Index
from assistant.index.translations import Stored, TranslationView
from assistant.ingest.chunking import evidence_units
from assistant.vietnamese import detect_language


def export_translations(index: Index, settings: Settings, path: Path) -> int:
    """Write the cached attempts of this model and prompt for the index's sentences to
    ``path`` (JSON lines): a translation memory that ``import_translations`` reads."""
    view = TranslationView.for_settings(index.translations, settings)
    rows = []
    for doc in index.documents():
        texts = [doc.text[u.start:u.end] for u in evidence_units(doc.text)]
        for target in ("en", "vi"):
            wanted = [s for s in texts if other_language(detect_language(s)) == target]
            for source, item in sorted(view.lookup(wanted, target).items()):
                rows.append({"source": source, "target": target, "translation": item.text,
                             "verified": item.verified, "reasons": item.reasons,
                             "model": view.model, "prompt": view.prompt})
    unique = {(r["source"], r["target"]): r for r in rows}
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                            for r in unique.values()), encoding="utf-8")
    return len(unique)


def import_translations(index: Index, settings: Settings, path: Path,
                        embeddings: Embeddings | None) -> tuple[int, int]:
    """Load a translation memory written by :func:`export_translations`. Only entries of
    the configured model and prompt are taken, and each is verified again with the
    current checks (an import cannot bring in text the verifier would reject).
    Returns ``(entries taken, accepted)``."""
    view = TranslationView.for_settings(index.translations, settings)
    verifier = make_verifier(settings, embeddings)
    for doc in index.documents():
        index.translations.link(doc.doc_id, [(u.start, u.end, doc.text[u.start:u.end])
                                             for u in evidence_units(doc.text)])
    taken = accepted = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if (r.get("model"), r.get("prompt")) != (view.model, view.prompt):
            continue
        hints = source_hints(r["source"], other_language(r["target"]))
        verdict = verifier.check(r["source"], r["translation"], hints, r["target"])
        vec = None
        if verdict.ok and embeddings is not None:
            vec = np.asarray(embeddings.embed_documents([r["translation"]])[0], np.float32)
        index.translations.put(Stored(r["source"], r["translation"], verdict.ok, r["target"],
                                      view.model, view.prompt, verdict.reasons,
                                      verdict.similarity, vec))
        taken += 1
        accepted += verdict.ok
    return taken, accepted


@dataclass
class PretranslateReport:
    """What ``assistant translate`` did."""

    units: int = 0
    cached: int = 0
    translated: int = 0
    verified: int = 0
    rejected: int = 0
    repaired: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        rate = f", {self.seconds / self.translated:.1f} s each" if self.translated else ""
        return (f"{self.units} evidence sentences: {self.cached} already tried, "
                f"{self.translated} translated now ({self.verified} verified, "
                f"{self.rejected} rejected), {self.repaired} repaired, in "
                f"{self.seconds:.0f} s{rate}")


def other_language(lang: str) -> str:
    return "en" if lang == "vi" else "vi"


def pretranslate(index: Index, translator: Translator, settings: Settings, *,
                 limit: int | None = None, retry_rejected: bool = False,
                 repair: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> PretranslateReport:
    """Translate every evidence sentence of the index into the other language (vi <-> en)
    that has no cached attempt for this model and prompt. Each result is stored at once,
    so an interrupted run resumes where it stopped; a second run translates nothing.
    ``retry_rejected`` tries again the sentences whose cached attempt was rejected (after
    a prompt or verifier change); ``repair`` asks again for the verified ones that leave
    out hinted terms (:meth:`Translator.repair`), as new translations are."""
    view = TranslationView.for_settings(index.translations, settings)
    todo: list[tuple[str, int, int, str, str]] = []
    fix: list[tuple[tuple[str, int, int, str, str], str]] = []
    report = PretranslateReport()
    for doc in index.documents():
        units = [(u.start, u.end, doc.text[u.start:u.end]) for u in evidence_units(doc.text)]
        index.translations.link(doc.doc_id, units)
        for start, end, text in units:
            todo.append((doc.doc_id, start, end, text, other_language(detect_language(text))))
    report.units = len(todo)
    pending = []
    for target in {t for *_, t in todo}:
        texts = [u for u in todo if u[4] == target]
        tried = view.lookup([u[3] for u in texts], target)
        pending += [u for u in texts if u[3] not in tried
                    or (retry_rejected and not tried[u[3]].verified)]
        if repair:
            fix += [(u, tried[u[3]].text) for u in texts if u[3] in tried
                    and tried[u[3]].verified and missing_terms(
                        tried[u[3]].text, source_hints(u[3], other_language(target)))]
    pending = list({(u[3], u[4]): u for u in pending}.values())  # one per sentence
    fix = list({(u[3], u[4]): (u, c) for u, c in fix}.values())
    report.cached = report.units - len(pending)
    pending = pending[:limit] if limit else pending
    total = len(pending) + len(fix)
    t0 = time.perf_counter()
    for i, (_doc, _s, _e, text, target) in enumerate(pending):
        if progress:
            progress(i, total)
        done = translator.translate(text, other_language(target), target,
                                    samples=settings.translation.samples, repair=repair)
        index.translations.put(done.stored(target))
        report.translated += 1
        report.verified += done.verified
        report.rejected += not done.verified
        report.seconds = time.perf_counter() - t0
    for i, ((_doc, _s, _e, text, target), current) in enumerate(fix):
        if progress:
            progress(len(pending) + i, total)
        better = translator.repair(text, current, other_language(target), target)
        if better is not None:
            index.translations.put(better.stored(target))
        report.repaired += better is not None
        report.seconds = time.perf_counter() - t0
    if progress:
        progress(total, total)
    return report
