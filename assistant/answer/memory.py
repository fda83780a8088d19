"""The translation memory: the cached translations of an index's evidence sentences as
JSON lines (``assistant translate --export``), and back (``--import``, each entry
verified again). The seeds ship one (``assistant/data/seed_translations.jsonl``), so a
fresh ``make run`` answers English questions without translating first."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer.translate import make_verifier, other_language
from assistant.config import Settings
from assistant.index.store import Index
from assistant.index.translations import Stored, TranslationView
from assistant.ingest.chunking import evidence_units
from assistant.retrieve.glossary import term_hints
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
        hints = term_hints(r["source"]) if r["target"] == "en" else ()
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
