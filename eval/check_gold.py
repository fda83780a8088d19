#!/usr/bin/env python3
"""Validate the hand-written gold QA set (eval/gold.jsonl).

Standard library only (Python 3.11).

Checks:
  * every line is a JSON object with the expected fields and types;
  * ids are unique (q01, q02, ...), questions are not duplicated;
  * the raw line text is NFC-normalized;
  * type / answerable / sources / key_facts are consistent
    (unanswerable <=> answerable false <=> sources [] <=> key_facts []);
  * multi-doc questions cite at least two documents;
  * every key-fact alternative is already in normalized form;
  * the reference answer satisfies its own key facts;
  * for each answerable question, every key fact has at least one
    alternative that occurs in the normalized concatenated text of its
    source articles;
  * corpus-level requirements (size >= 200, English share >= 40%, per-source coverage,
    >= 15 questions whose facts sit in two or more articles, >= 25 near-miss
    unanswerable questions, the two mandated Q1/2021 questions);
  * every question has a split (calib/test), unanswerable ones a trap kind; the
    test split holds about half the questions, stratified by language and type (each
    language x type group within 30-70% test, groups of 4 or more).

Usage:
  python eval/check_gold.py [--gold PATH] [--seeds DIR] [--verbose]

--verbose also lists, per question, the alternatives that do NOT occur in the
source text (these should only be English paraphrase alternatives).
Exit status is 0 when there are no violations, 1 otherwise.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import unicodedata
from pathlib import Path

from assistant.evaluation.gold import LANGS, NEAR_MISS_TRAPS, REQUIRED, SPLITS, TRAPS

HERE = Path(__file__).resolve().parent
DEFAULT_GOLD = HERE / "gold.jsonl"
DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"

DOC_IDS = ("000", "001", "002", "003", "004")
TYPES = ("fact", "number", "date", "person", "list", "multi-doc", "unanswerable")
FIELDS = REQUIRED  # the harness's own field list (assistant/evaluation/gold.py)

# Corpus-level requirements.
MIN_TOTAL = 200
MIN_EN_SHARE = 0.40
MIN_MULTI_ARTICLE = 15
MIN_NEAR_MISS = 25
TEST_SHARE = (0.40, 0.60)  # of all questions
GROUP_TEST_SHARE = (0.30, 0.70)  # of each language x type group of 4 or more
OPTIONAL = {"split": str, "trap": str}
MIN_PER_SOURCE = 10
MIN_UNANSWERABLE = 10
LONGEST_DOC = "003"  # should get more questions than any other article

MANDATED = [
    # (lang, type, question substring (normalized), sources, number of facts)
    ("en", "list", "six q1 2021 priorities", ["003"], 6),
    ("vi", "list", "sau nhiem vu trong tam quy i/2021", ["003"], 6),
]

_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")
_WS = re.compile(r"\s+")


def normalize(s: str) -> str:
    """NFC -> NFD minus combining marks, đ->d, lowercase, collapse
    whitespace, drop thousands separators between digits."""
    s = unicodedata.normalize("NFC", s)
    s = unicodedata.normalize("NFD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("đ", "d").replace("Đ", "D")
    s = s.lower()
    s = _WS.sub(" ", s).strip()
    s = _THOUSANDS.sub("", s)
    return s


def load_docs(seeds: Path) -> dict[str, str]:
    docs: dict[str, str] = {}
    for p in sorted(seeds.glob("*.txt")):
        prefix = p.name[:3]
        if prefix in DOC_IDS:
            docs[prefix] = normalize(p.read_text(encoding="utf-8"))
    missing = [d for d in DOC_IDS if d not in docs]
    if missing:
        sys.exit(f"missing seed articles for {missing} in {seeds}")
    return docs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--verbose", action="store_true",
                    help="list alternatives that do not occur in the sources")
    args = ap.parse_args()

    docs = load_docs(args.seeds)
    violations: list[str] = []
    notes: list[str] = []
    items: list[dict] = []

    raw_lines = args.gold.read_text(encoding="utf-8").splitlines()
    for lineno, line in enumerate(raw_lines, 1):
        if not line.strip():
            violations.append(f"line {lineno}: empty line")
            continue
        if not unicodedata.is_normalized("NFC", line):
            violations.append(f"line {lineno}: not NFC-normalized")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            violations.append(f"line {lineno}: invalid JSON ({e})")
            continue
        if not isinstance(obj, dict):
            violations.append(f"line {lineno}: not a JSON object")
            continue
        obj["_line"] = lineno
        items.append(obj)

    seen_ids: set[str] = set()
    seen_q: dict[str, str] = {}
    for obj in items:
        where = f"line {obj['_line']} ({obj.get('id', '?')})"
        keys = set(obj) - {"_line"}
        for k in sorted(set(FIELDS) - keys):
            violations.append(f"{where}: missing field {k!r}")
        for k in sorted(keys - set(FIELDS) - set(OPTIONAL)):
            violations.append(f"{where}: unexpected field {k!r}")
        if obj.get("split") not in SPLITS:
            violations.append(f"{where}: split must be one of {SPLITS}")
        if obj.get("answerable") is False and obj.get("trap") not in TRAPS:
            violations.append(f"{where}: unanswerable question needs a trap in {TRAPS}")
        if obj.get("answerable") is True and "trap" in obj:
            violations.append(f"{where}: only unanswerable questions have a trap")
        bad_type = False
        for k, t in FIELDS.items():
            if k in obj and not isinstance(obj[k], t):
                violations.append(f"{where}: field {k!r} should be {t.__name__}")
                bad_type = True
        if bad_type or set(FIELDS) - keys:
            continue

        qid = obj["id"]
        if not re.fullmatch(r"q\d{2,}", qid):
            violations.append(f"{where}: id should look like q01")
        if qid in seen_ids:
            violations.append(f"{where}: duplicate id {qid}")
        seen_ids.add(qid)

        nq = normalize(obj["question"])
        if not nq:
            violations.append(f"{where}: empty question")
        elif nq in seen_q:
            violations.append(f"{where}: same question as {seen_q[nq]}")
        else:
            seen_q[nq] = qid
        if not obj["reference"].strip():
            violations.append(f"{where}: empty reference")

        if obj["lang"] not in LANGS:
            violations.append(f"{where}: lang must be one of {LANGS}")
        if obj["type"] not in TYPES:
            violations.append(f"{where}: type must be one of {TYPES}")

        srcs = obj["sources"]
        if any(s not in DOC_IDS for s in srcs):
            violations.append(f"{where}: unknown source in {srcs}")
        if len(set(srcs)) != len(srcs):
            violations.append(f"{where}: duplicate source in {srcs}")

        kf = obj["key_facts"]
        kf_ok = all(
            isinstance(f, list) and f and all(isinstance(a, str) and a.strip() for a in f)
            for f in kf
        )
        if not kf_ok:
            violations.append(f"{where}: key_facts must be a list of non-empty lists of strings")
            continue

        unans = obj["type"] == "unanswerable"
        if unans != (obj["answerable"] is False):
            violations.append(f"{where}: type 'unanswerable' <=> answerable false")
        if not obj["answerable"]:
            if srcs:
                violations.append(f"{where}: unanswerable question must have sources []")
            if kf:
                violations.append(f"{where}: unanswerable question must have key_facts []")
            continue

        if not srcs:
            violations.append(f"{where}: answerable question without sources")
            continue
        if not kf:
            violations.append(f"{where}: answerable question without key_facts")
            continue
        if obj["type"] == "multi-doc" and len(srcs) < 2:
            violations.append(f"{where}: multi-doc question needs >= 2 sources")
        if obj["type"] != "multi-doc" and len(srcs) > 1:
            notes.append(f"{where}: {len(srcs)} sources but type {obj['type']!r}")

        text = " \n ".join(docs[s] for s in srcs if s in docs)
        for i, fact in enumerate(kf, 1):
            for alt in fact:
                if normalize(alt) != alt:
                    violations.append(
                        f"{where}: fact {i} alternative {alt!r} not normalized "
                        f"(expected {normalize(alt)!r})")
            if not any(normalize(a) in normalize(obj["reference"]) for a in fact):
                violations.append(f"{where}: reference does not satisfy fact {i} {fact}")
            hits = [a for a in fact if normalize(a) in text]
            if not hits:
                violations.append(
                    f"{where}: fact {i} {fact} - no alternative occurs in sources {srcs}")
            elif args.verbose:
                misses = [a for a in fact if normalize(a) not in text]
                if misses:
                    notes.append(f"{where}: fact {i} not in text (paraphrase?): {misses}")

    # ---- counts -----------------------------------------------------------
    valid = [o for o in items if set(FIELDS) <= set(o)]
    total = len(valid)
    by_lang = collections.Counter(o["lang"] for o in valid)
    by_type = collections.Counter(o["type"] for o in valid)
    by_src = collections.Counter(s for o in valid for s in o.get("sources", []) or [])
    by_src_single = collections.Counter(o["sources"][0] for o in valid if len(o["sources"]) == 1)
    n_unans = sum(1 for o in valid if o["answerable"] is False)
    by_lang_type = collections.Counter((o["lang"], o["type"]) for o in valid)

    n_multi = sum(1 for o in valid if len(set(o["sources"])) >= 2)
    n_near = sum(1 for o in valid if o.get("trap") in NEAR_MISS_TRAPS)
    by_split = collections.Counter(o.get("split") for o in valid)

    # ---- corpus-level requirements ---------------------------------------
    if n_multi < MIN_MULTI_ARTICLE:
        violations.append(f"corpus: {n_multi} two-article questions < {MIN_MULTI_ARTICLE}")
    if n_near < MIN_NEAR_MISS:
        violations.append(f"corpus: {n_near} near-miss unanswerables < {MIN_NEAR_MISS}")
    test_share = by_split["test"] / total if total else 0.0
    if not TEST_SHARE[0] <= test_share <= TEST_SHARE[1]:
        violations.append(f"corpus: test split is {test_share:.0%} of the questions")
    for (lang, typ), n in sorted(by_lang_type.items()):
        n_test = sum(1 for o in valid
                     if (o["lang"], o["type"]) == (lang, typ) and o.get("split") == "test")
        if n >= 4 and not GROUP_TEST_SHARE[0] <= n_test / n <= GROUP_TEST_SHARE[1]:
            violations.append(f"corpus: {lang}/{typ} has {n_test} of {n} in test (not stratified)")
    if total < MIN_TOTAL:
        violations.append(f"corpus: {total} questions < {MIN_TOTAL}")
    en_share = by_lang["en"] / total if total else 0.0
    if en_share < MIN_EN_SHARE:
        violations.append(f"corpus: English share {en_share:.1%} < {MIN_EN_SHARE:.0%}")
    for d in DOC_IDS:
        if by_src[d] < MIN_PER_SOURCE:
            violations.append(f"corpus: source {d} has {by_src[d]} questions < {MIN_PER_SOURCE}")
    if any(by_src[d] >= by_src[LONGEST_DOC] for d in DOC_IDS if d != LONGEST_DOC):
        violations.append(f"corpus: longest article {LONGEST_DOC} should have the most questions")
    if n_unans < MIN_UNANSWERABLE:
        violations.append(f"corpus: {n_unans} unanswerable < {MIN_UNANSWERABLE}")
    for t in TYPES:
        if by_type[t] == 0:
            violations.append(f"corpus: no question of type {t!r}")
    for lang, typ, needle, srcs, nfacts in MANDATED:
        found = [o for o in valid
                 if o["lang"] == lang and needle in normalize(o["question"])]
        if not found:
            violations.append(f"corpus: mandated {lang} question containing {needle!r} missing")
            continue
        o = found[0]
        if o["type"] != typ or o["sources"] != srcs or len(o["key_facts"]) != nfacts:
            violations.append(
                f"corpus: mandated question {o['id']} should be type {typ}, "
                f"sources {srcs}, {nfacts} key facts")
    mand = [o for o in valid
            if any(o["lang"] == lg and n in normalize(o["question"])
                   for lg, _, n, _, _ in MANDATED)]
    if len(mand) == 2 and mand[0]["key_facts"] != mand[1]["key_facts"]:
        notes.append("mandated en/vi Q1 2021 questions have different key_facts")

    # ---- report ------------------------------------------------------------
    if notes:
        print("Notes:")
        for n in notes:
            print("  " + n)
        print()
    if violations:
        print(f"VIOLATIONS ({len(violations)}):")
        for v in violations:
            print("  " + v)
        print()

    print("Summary")
    print(f"  total questions : {total}")
    for lang in LANGS:
        share = f"{by_lang[lang] / total:.1%}" if total else "-"
        print(f"  lang {lang:<11}: {by_lang[lang]:3d} ({share})")
    print("  per type        : " + ", ".join(f"{t}={by_type[t]}" for t in TYPES))
    for lang in LANGS:
        print(f"    {lang}: " + ", ".join(f"{t}={by_lang_type[(lang, t)]}" for t in TYPES))
    print("  per source      : " + ", ".join(f"{d}={by_src[d]}" for d in DOC_IDS)
          + "  (a multi-doc question counts for each source)")
    print("  single-source   : " + ", ".join(f"{d}={by_src_single[d]}" for d in DOC_IDS))
    print(f"  unanswerable    : {n_unans}")
    print(f"  multi-doc       : {by_type['multi-doc']} (two or more articles: {n_multi})")
    print(f"  near misses     : {n_near}")
    print("  splits          : " + ", ".join(f"{s}={by_split[s]}" for s in SPLITS))
    print(f"  violations      : {len(violations)}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
