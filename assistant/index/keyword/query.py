"""Keeping BM25 fast on big indexes: which terms to send to FTS5, and exact re-scoring.

FTS5 scores every row that matches ANY query term, for every term: an OR query of 30
common terms over 100k chunks visits hundreds of thousands of postings (~0.5 s on 2
cores). On an index of ``PRUNE_MIN_CHUNKS`` chunks or more the query is planned:

1. terms absent from the index are dropped, and so are terms in more than half of the
   chunks: FTS5 clamps their IDF to 1e-6, so they never change a score (exact);
2. the *probe* keeps the rarest of the rest, up to ``POSTINGS_BUDGET`` postings, and
   asks FTS5 for its ``RESCORE_CANDIDATES`` best chunks;
3. those candidates are re-scored with BM25 over ALL the useful terms (same formula and
   constants as FTS5's ``bm25()``: k1 = 1.2, b = 0.75, IDF clamped at 1e-6), from the
   stored token lists and the index's term statistics.

Only a chunk outside the probe's candidates can be missed: one that matches none of the
rare terms yet would out-score the candidates on common terms alone. The benchmark
reports the top-10 overlap with the full query. Small indexes run the full query.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

PRUNE_MIN_CHUNKS = 5000
POSTINGS_BUDGET = 20_000
RESCORE_CANDIDATES = 100
K1, B = 1.2, 0.75


def idf(n_rows: int, df: int) -> float:
    """FTS5's BM25 IDF, clamped to 1e-6 where it would be zero or negative (also when a
    concurrent ingest makes ``df`` momentarily exceed a cached ``n_rows``)."""
    ratio = (n_rows - df + 0.5) / (df + 0.5)
    return math.log(ratio) if ratio > 1 else 1e-6


def plan(tokens: list[str], df: dict[str, int], n_rows: int) -> tuple[list[str], list[str]]:
    """(useful terms, probe terms): the probe is the rarest useful terms within budget."""
    known = sorted((t for t in tokens if df.get(t)), key=lambda t: (df[t], t))
    useful = [t for t in known if df[t] <= n_rows / 2] or known[:1]
    probe: list[str] = []
    total = 0
    for t in useful:
        if probe and total + df[t] > POSTINGS_BUDGET:
            break
        probe.append(t)
        total += df[t]
    return useful, probe


def rescore(
    rows: Iterable[tuple[str, str]],
    terms: list[str],
    df: dict[str, int],
    n_rows: int,
    avg_len: float,
) -> list[tuple[str, float]]:
    """BM25 of ``(chunk_id, token string)`` rows over ``terms``; best first."""
    weights = {t: idf(n_rows, df[t]) for t in terms}
    avg_len = avg_len or 1.0
    out = []
    for chunk_id, token_string in rows:
        tokens = token_string.split()
        counts = Counter(tokens)
        norm = K1 * (1 - B + B * len(tokens) / avg_len)
        score = sum(
            w * counts[t] * (K1 + 1) / (counts[t] + norm)
            for t, w in weights.items() if counts[t]
        )
        out.append((chunk_id, score))
    out.sort(key=lambda kv: (-kv[1], kv[0]))
    return out
