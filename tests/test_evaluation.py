"""The eval harness: metrics on hand-made cases with known values, gold-file errors, the
regression gate, and the real pipeline (extractive backend, real Chroma, no mocks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.answer.result import Answer, Citation, Part, compose
from assistant.cli import main
from assistant.config import Settings
from assistant.errors import GoldFileError
from assistant.evaluation.gold import GoldItem, check_sources, load_gold
from assistant.evaluation.harness import compare, run_eval
from assistant.evaluation.metrics import (
    METRICS,
    aggregate,
    answer_sentences,
    breakdown,
    fact_found,
    percentile,
    score_question,
    worst_first,
)
from assistant.evaluation.report import render_markdown
from assistant.retrieve.hybrid import Passage
from assistant.vietnamese import detect_language
from tests.conftest import ROOT

GOLD = ROOT / "eval" / "gold.jsonl"


# --- helpers: real answer objects, built by hand ------------------------------------------


def gold(qid: str, lang: str, facts: list[list[str]], sources: list[str], **kw: object) -> GoldItem:
    answerable = bool(sources)
    return GoldItem(
        id=qid, lang=lang, type=str(kw.get("type", "fact")), question=f"question {qid}",
        sources=tuple(sources), answerable=answerable, reference="",
        key_facts=tuple(tuple(f) for f in facts),
    )


def passage(doc_id: str, text: str) -> Passage:
    return Passage(chunk_id=f"{doc_id}-c", doc_id=doc_id, text=text, start=0, end=len(text),
                   score=1.0)


def cite(marker: int, doc_id: str, supported: bool = True) -> Citation:
    return Citation(marker=marker, doc_id=doc_id, title="t", date="", quote="q", start=0,
                    end=1, supported=supported)


def lines_to_parts(text: str, language: str, refused: bool) -> list[Part]:
    """The parts the pipeline gives such lines: a lead-in, quotes (“...”) in the quoted
    text's language, model lines (``M:`` prefix, dropped), the rest evidence."""
    if refused:
        return [Part("refusal", text, language)]
    parts: list[Part] = []
    for line in text.splitlines():
        if line.endswith(":"):
            parts.append(Part("lead", line, language))
        elif line.startswith("M:"):
            parts.append(Part("model", line[2:].strip(), language))
        elif "“" in line:
            parts.append(Part("quote", line, detect_language(line.replace("“", ""))))
        else:
            parts.append(Part("evidence", line, detect_language(line)))
    return parts


def answer(text: str, citations: list[Citation], passages: list[Passage], refused: bool = False,
           language: str = "vi", removed: int = 0, fallback: bool = False) -> Answer:
    parts = lines_to_parts(text, language, refused)
    return Answer(question="q", text=compose(parts), citations=citations, passages=passages,
                  refused=refused, language=language, backend="extractive", parts=parts,
                  removed_sentences=removed, fallback=fallback)


def write_gold(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def gold_subset(tmp_path: Path, ids: list[str]) -> Path:
    rows = [ln for ln in GOLD.read_text(encoding="utf-8").splitlines()
            if ln.strip() and json.loads(ln)["id"] in ids]
    assert len(rows) == len(ids)
    return write_gold(tmp_path / "subset.jsonl", rows)


# --- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "text", "found"),
    [
        (["ket nap 20777 dang vien"], "Kết nạp 20.777 đảng viên mới", True),  # diacritics, dot
        (["20.777"], "ket nap duoc 20777 dang vien", True),  # no diacritics in the answer
        (["20777"], "admitted 20,777 new members", True),  # comma thousands separator
        (["Đảng viên"], "DANG VIEN", True),  # đ -> d, case
        (["mai van chinh"], "Mai  Văn\nChính", True),  # whitespace collapsed
        (["5 loai"], "có 05 loại hình", True),  # leading zero as printed
        (["9/3/2021"], "ngày 19/3/2021", False),  # not inside another number
        (["january 20"], "January 2021", False),  # number must end where the fact ends
        (["secretar"], "Party Secretary", True),  # stems match word starts
        (["2077"], "20.777", False),
        (["xyz", "planning"], "central-level planning", True),  # any alternative
    ],
)
def test_fact_found_uses_the_design_normalization(fact: list[str], text: str, found: bool) -> None:
    assert fact_found(fact, text) is found


def test_answer_sentences_skip_the_lead_in_and_keep_markers_with_their_sentence() -> None:
    assert answer_sentences("Theo tài liệu:\n- Câu một [1]\n- Câu hai [2]") == [
        "- Câu một [1]", "- Câu hai [2]"]
    # a marker after the full stop belongs to the sentence before it
    assert answer_sentences("First claim. [1] Second claim without one.") == [
        "First claim. [1]", "Second claim without one."]
    # a first line with a marker is a claim, not a lead-in
    assert answer_sentences("Ngày 28/9 [1]:\nkhác") == ["Ngày 28/9 [1]:", "khác"]
    # a lead-in further down (before the quoted evidence an LLM answer left out) too
    assert answer_sentences(
        "Mai chaired it [2].\nThe documents also say (quoted in Vietnamese):\n- “Câu.” [3]"
    ) == ["Mai chaired it [2].", "- “Câu.” [3]"]


def test_percentile_is_linear() -> None:
    assert percentile([0.4, 0.1, 0.3, 0.2], 50) == pytest.approx(0.25)
    assert percentile([0.1, 0.2, 0.3, 0.4], 95) == pytest.approx(0.385)
    assert percentile([], 50) is None


# --- every metric on four hand-made questions -------------------------------------------------


@pytest.fixture()
def rows() -> list[dict[str, object]]:
    # q1 (vi): all facts answered, evidence at rank 2, one of two sentences cited.
    q1 = score_question(
        gold("q1", "vi", [["20.777"], ["dang vien moi"]], ["002"]),
        answer("Theo tài liệu:\n- Kết nạp được 20.777 đảng viên mới; [1]\n- Câu khác không có.",
               [cite(1, "002_abc")],
               [passage("004_x", "khác"), passage("002_abc", "ket nap 20777 dang vien moi")]),
        [passage("004_x", "khác"), passage("002_abc", "…")], 0.1,
    )
    # q2 (en): one of two facts, citation to a wrong document and unsupported.
    q2 = score_question(
        gold("q2", "en", [["mai van chinh"], ["28/9", "september 28"]], ["000"]),
        answer("The documents say (quoted in Vietnamese):\n- “Đồng chí Mai Văn Chính chủ trì.” [1]",
               [cite(1, "001_y", supported=False)], [passage("000_z", "Mai Văn Chính")],
               language="en"),
        [passage("000_z", "Mai Văn Chính")], 0.2,
    )
    # q3 (en): unanswerable and refused.
    q3 = score_question(
        gold("q3", "en", [], [], type="unanswerable"),
        answer("The documents do not say.", [], [passage("003_q", "x")], refused=True,
               language="en"),
        [], 0.3,
    )
    # q4 (en): unanswerable but answered, in Vietnamese.
    q4 = score_question(
        gold("q4", "en", [], [], type="unanswerable"),
        answer("Theo tài liệu:\n- Đồng chí A Pớt là Phó Bí thư Thường trực Tỉnh ủy. [1]",
               [cite(1, "000_z")], [passage("000_z", "x")]),
        [], 0.4,
    )
    return [q1, q2, q3, q4]


def test_every_metric_has_its_known_value(rows: list[dict[str, object]]) -> None:
    m = aggregate(rows)["metrics"]
    assert list(m) == list(METRICS)
    assert m["evidence_recall@5"] == 0.75  # 2/2 + 1/2 facts in passages
    assert m["doc_mrr@10"] == 0.75  # (1/2 + 1/1) / 2
    assert m["key_fact_recall"] == 0.75  # 2/2 + 1/2 facts in answers
    # q2's fact is in a Vietnamese quote an English reader cannot use
    assert m["key_fact_recall_native"] == 0.5
    assert m["model_key_fact_recall"] is None and m["removed_sentences"] is None  # no LLM
    assert m["answer_accuracy"] == 0.5  # q1 only
    assert m["refusal_accuracy"] == 0.75  # q4 should have been refused
    assert m["false_refusal_rate"] == 0.0
    assert m["cited_doc_precision"] == 0.5  # q1 right, q2 wrong; q4 is a refusal error
    assert m["citation_coverage"] == 0.75  # 1/2 + 1/1 + 1/1; refusals and lead-ins excluded
    assert m["supported_rate"] == pytest.approx(0.6667)  # q2's citation unsupported
    # per sentence: q1 2/2, q2's quote 0/1, q3's refusal 1/1, q4 (vi for en) 0/1
    assert m["answer_language_accuracy"] == 0.6
    # q2 (only a quote) and q4 (only Vietnamese for an English question) of 3 answered
    assert m["fallback_rate"] == pytest.approx(0.6667)
    assert m["untranslated_quote_rate"] == pytest.approx(0.3333)
    assert m["latency_p50_s"] == pytest.approx(0.25)
    assert m["latency_p95_s"] == pytest.approx(0.385)


def test_breakdowns_and_worst_first(rows: list[dict[str, object]]) -> None:
    by_lang = breakdown(rows, lambda r: str(r["lang"]))
    assert set(by_lang) == {"en", "vi"}
    assert by_lang["vi"]["metrics"]["answer_accuracy"] == 1.0
    assert by_lang["en"]["metrics"]["answer_accuracy"] == 0.0
    assert by_lang["en"]["counts"]["questions"] == 3
    by_type = breakdown(rows, lambda r: str(r["type"]))
    assert by_type["unanswerable"]["metrics"]["answer_accuracy"] is None  # nothing to count
    assert by_type["unanswerable"]["metrics"]["refusal_accuracy"] == 0.5
    assert [r["id"] for r in worst_first(rows)] == ["q4", "q2", "q1", "q3"]


def test_model_metrics_count_only_what_the_model_wrote() -> None:
    """An LLM answer: one model sentence, then the evidence it left out, quoted. Only the
    model's sentence counts for model_key_fact_recall; the quote counts for
    key_fact_recall but not for the English reader (native)."""
    item = gold("q", "en", [["mai van chinh"], ["28/9", "september 28"]], ["000"])
    text = ("M:Mai Văn Chính chaired the conference [1].\n"
            "The documents also say (quoted in Vietnamese):\n- “Chiều 28/9, hội nghị.” [2]")
    llm_row = score_question(item, answer(text, [cite(1, "000_a"), cite(2, "000_a")], [],
                                          language="en", removed=2), [], 1.0, llm=True)
    empty = score_question(item, answer("The documents say (quoted in Vietnamese):\n"
                                        "- “Mai Văn Chính chủ trì chiều 28/9.” [1]",
                                        [cite(1, "000_a")], [], language="en", fallback=True),
                           [], 1.0, llm=True)
    m = aggregate([llm_row])["metrics"]
    assert m["key_fact_recall"] == 1.0
    assert m["key_fact_recall_native"] == 0.5 and m["model_key_fact_recall"] == 0.5
    assert m["removed_sentences"] == 2.0 and m["fallback_rate"] == 0.0
    assert m["untranslated_quote_rate"] == 1.0
    # an empty model output that falls back to the evidence: full key_fact_recall,
    # nothing written by the model, nothing for an English reader
    e = aggregate([empty])["metrics"]
    assert e["key_fact_recall"] == 1.0
    assert e["model_key_fact_recall"] == 0.0 and e["key_fact_recall_native"] == 0.0
    assert e["fallback_rate"] == 1.0


def test_a_refused_answerable_question_finds_no_facts() -> None:
    row = score_question(
        gold("q", "vi", [["khong de cap"]], ["000"]),
        answer("Tài liệu không đề cập đến nội dung này.", [], [passage("000_a", "x")],
               refused=True),
        [passage("000_a", "x")], 0.01,
    )
    m = aggregate([row])["metrics"]
    assert m["key_fact_recall"] == 0.0 and m["false_refusal_rate"] == 1.0
    assert m["citation_coverage"] is None and m["doc_mrr@10"] == 1.0


# --- gold files ------------------------------------------------------------------------------

GOOD = ('{"id": "a1", "lang": "vi", "type": "fact", "question": "Q?", "sources": ["000"], '
        '"answerable": true, "reference": "R", "key_facts": [["x"]]}')


@pytest.mark.parametrize(
    ("lines", "needle"),
    [
        ([GOOD, '{"id": "a2", "lang": "vi"'], "line 2: not valid JSON"),
        ([GOOD, GOOD.replace('"sources": ["000"], ', "")], "line 2: missing field 'sources'"),
        (["", GOOD.replace('"answerable": true', '"answerable": "yes"')],
         "line 2: field 'answerable' must be a bool"),
        ([GOOD, GOOD], "line 2: duplicate id 'a1'"),
        ([GOOD.replace('["000"]', "[]")], "line 1: an answerable question needs"),
        ([GOOD.replace('[["x"]]', "[[]]")], "line 1: 'key_facts' must be"),
        ([GOOD.replace('"vi"', '"fr"')], "line 1: 'lang' must be one of"),
        ([], "has no questions"),
        (["", "   "], "has no questions"),
    ],
)
def test_bad_gold_files_name_the_file_and_line(
    tmp_path: Path, lines: list[str], needle: str
) -> None:
    path = write_gold(tmp_path / "bad.jsonl", lines)
    with pytest.raises(GoldFileError) as err:
        load_gold(path)
    assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_unknown_source_id_names_the_line(tmp_path: Path) -> None:
    path = write_gold(tmp_path / "g.jsonl", [GOOD, GOOD.replace('"a1"', '"a2"').replace(
        '["000"]', '["007"]')])
    items = load_gold(path)
    check_sources(path, items[:1], ["000_abc"])  # "000" matches "000_abc"
    with pytest.raises(GoldFileError, match=r"line 2: unknown source id '007'"):
        check_sources(path, items, ["000_abc", "0070_x"])


def test_the_committed_gold_set_meets_the_issue() -> None:
    """eval/check_gold.py checks every requirement (sizes, splits, facts in the sources)."""
    proc = subprocess.run([sys.executable, str(ROOT / "eval" / "check_gold.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "violations      : 0" in proc.stdout
    items = load_gold(GOLD)
    assert len(items) >= 200
    assert {i.split for i in items} == {"calib", "test"}


def test_check_gold_catches_a_bad_split(tmp_path: Path) -> None:
    """A gold file whose test split is not stratified (every English question in calib)."""
    rows = [json.loads(ln) for ln in GOLD.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        if r["lang"] == "en":
            r["split"] = "calib"
    bad = write_gold(tmp_path / "g.jsonl", [json.dumps(r, ensure_ascii=False) for r in rows])
    proc = subprocess.run([sys.executable, str(ROOT / "eval" / "check_gold.py"), "--gold",
                           str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "en/fact has 0 of 25 in test (not stratified)" in proc.stdout


# --- the gate --------------------------------------------------------------------------------


def test_compare_flags_only_drops_beyond_tolerance() -> None:
    base = {"answer_accuracy": 0.80, "key_fact_recall": 0.80, "false_refusal_rate": 0.05,
            "latency_p95_s": 0.1, "supported_rate": 1.0, "doc_mrr@10": None}
    now = {"answer_accuracy": 0.77, "key_fact_recall": 0.79, "false_refusal_rate": 0.08,
           "latency_p95_s": 1.05, "supported_rate": None}
    result = {r["metric"]: r["regressed"] for r in compare(now, base)}
    assert result == {"key_fact_recall": False, "answer_accuracy": True,
                      "false_refusal_rate": True, "supported_rate": True,
                      "latency_p95_s": False}
    slow = compare({"latency_p95_s": 1.2}, {"latency_p95_s": 0.1})
    assert slow[0]["regressed"] is True  # > 3x and > baseline + 1 s


# --- the real pipeline -------------------------------------------------------------------------

CHECK_IDS = ["q16", "q36", "q37", "q42", "q72", "q75", "q78", "q80"]


def test_real_pipeline_on_a_subset(seeded_settings: Settings, tmp_path: Path) -> None:
    path = gold_subset(tmp_path, ["q36", "q37", "q80", "q81"])
    report = run_eval(seeded_settings, path, use_index=True, progress=False, split="all")
    assert list(report["metrics"]) == list(METRICS)
    assert report["config"]["backend"] == "extractive"
    rows = {r["id"]: r for r in report["questions"]}
    # issue 2's acceptance: the six Q1 2021 priorities, in both languages, cited to 003
    for qid in ("q36", "q37"):
        assert rows[qid]["score"] == 1.0, rows[qid]["answer"]
        assert rows[qid]["gold_rank@10"] == 1
        assert any(c["gold_source"] for c in rows[qid]["citations"])
    # "What is the capital of Australia?" and "Ai là Bí thư Tỉnh ủy Cà Mau?" are refused
    assert rows["q80"]["refused"] and rows["q81"]["refused"]
    assert report["metrics"]["refusal_accuracy"] == 1.0
    assert set(report["by_language"]) == {"en", "vi"}
    assert report["by_language"]["vi"]["metrics"]["answer_language_accuracy"] == 1.0
    md = render_markdown(report)
    assert "## By language" in md and "| q36 |" in md


def test_check_fails_on_a_worsened_setting(
    seeded_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = gold_subset(tmp_path, CHECK_IDS)
    out = tmp_path / "out"
    common = ["eval", "--gold", str(path), "--index", str(seeded_settings.index_path),
              "--backend", "extractive", "--split", "all"]
    baseline = tmp_path / "baseline.json"
    assert main([*common, "--out", str(out), "--save-baseline", str(baseline)]) == 0
    full = json.loads((out / "report.json").read_text(encoding="utf-8"))
    compact = json.loads(baseline.read_text(encoding="utf-8"))
    assert full["metrics"] == compact["metrics"] and compact["config"]["questions"] == 8
    assert [q["id"] for q in compact["questions"]] == CHECK_IDS
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# Eval report")
    capsys.readouterr()

    assert main([*common, "--baseline", str(baseline), "--check"]) == 0
    assert "check passed" in capsys.readouterr().err

    assert main([*common, "--top-k", "1", "--baseline", str(baseline), "--check"]) == 1
    err = capsys.readouterr().err
    assert "REGRESSION" in err
    assert "evidence_recall@5:" in err
    top_k = seeded_settings.retrieval.top_k
    assert f"top_k: baseline {top_k}, now 1" in err  # the settings difference is named too


def test_cli_reports_gold_errors_without_traceback(
    seeded_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_gold(tmp_path / "g.jsonl", [GOOD.replace('["000"]', '["009"]')])
    code = main(["eval", "--gold", str(path), "--index", str(seeded_settings.index_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path} line 1: unknown source id '009'" in err
    assert "Traceback" not in err


def test_naive_pipeline_runs_the_same_answerer(seeded_settings: Settings, tmp_path: Path) -> None:
    path = gold_subset(tmp_path, ["q36", "q80"])
    report = run_eval(seeded_settings, path, pipeline="naive", use_index=True, progress=False,
                      split="all")
    assert report["config"]["pipeline"] == "naive"
    assert report["config"]["mode"] == "dense"
    assert report["config"]["chunking"].startswith("1000/200 characters")
    q36 = report["questions"][0]
    assert q36["passages"] and all(d.startswith("0") for d in q36["passages"])
    assert q36["gold_rank@10"] is not None
    assert report["questions"][1]["refused"] is True


def test_full_gold_json_offline(tmp_path: Path) -> None:
    """The acceptance run: temporary index from seeds/, every gold question, --json, both
    splits reported."""
    env = {**os.environ, "ASSISTANT_LLM__BACKEND": "extractive", "HF_HUB_OFFLINE": "1",
           "ASSISTANT_INDEX_PATH": str(tmp_path / "unused")}
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "eval", "--json",
                           "--split", "all"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["config"]["index"] == "temporary"
    assert report["config"]["questions"] == len(load_gold(GOLD))
    assert set(report["metrics"]) == set(METRICS)
    model_only = {"model_key_fact_recall", "removed_sentences"}  # no LLM in this run
    assert all(v is not None for k, v in report["metrics"].items() if k not in model_only)
    assert all(report["metrics"][k] is None for k in model_only)
    assert set(report["by_split"]) == {"calib", "test"}
    assert not (tmp_path / "unused").exists()  # the configured index was not touched


def test_the_llm_gate_checks_only_its_metrics_with_its_tolerance() -> None:
    base = {"key_fact_recall_native": 0.60, "refusal_accuracy": 0.80, "answer_accuracy": 0.6}
    now = {"key_fact_recall_native": 0.52, "refusal_accuracy": 0.65, "answer_accuracy": 0.1}
    rows = compare(now, base, only=["key_fact_recall_native", "refusal_accuracy"],
                   tolerance=0.1)
    assert {r["metric"]: r["regressed"] for r in rows} == {
        "key_fact_recall_native": False, "refusal_accuracy": True}


def _trial(margin: float, window: int, kf: float, sentences: float) -> dict[str, Any]:
    return {"evidence_margin": margin, "window": window, "answer_accuracy": kf,
            "key_fact_recall": kf, "refusal_accuracy": 1.0, "sentences": sentences}


def test_the_selection_fit_keeps_a_steady_margin_within_the_growth_budget() -> None:
    """Among settings that score alike, the one whose neighbouring margins score as well
    (not the edge of the plateau); nothing past the tightest answers + MAX_GROWTH."""
    from assistant.evaluation import calibrate

    trials = [_trial(0.06, 0, 0.80, 5.2), _trial(0.06, 1, 0.85, 5.5),
              _trial(0.08, 1, 0.90, 6.0), _trial(0.10, 1, 0.90, 6.4),
              _trial(0.12, 1, 0.90, 6.7), _trial(0.14, 1, 0.95, 7.3)]
    best, budget = calibrate.choose_selection(trials)
    assert budget == 5.2 + calibrate.MAX_GROWTH
    # 0.14 scores best but grows the answers 2.1 sentences; 0.08 sits next to 0.06's
    # lower score; 0.10 and 0.12 have equal neighbours, and 0.10 is shorter
    assert (best["evidence_margin"], best["window"]) == (0.10, 1)
    assert calibrate.steadiness(trials[2], trials) == calibrate.selection_score(trials[1])
    assert calibrate.steadiness(trials[3], trials) == calibrate.selection_score(trials[3])


def test_calibrate_selection_refits_only_its_section(
    seeded_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`assistant eval calibrate --sections selection` grids evidence_margin x window on
    calib questions, LLM-free, and leaves the other fitted sections as they were."""
    from assistant.evaluation import calibrate

    path = gold_subset(tmp_path, ["q03", "q13", "q02", "q80"])
    out = tmp_path / "calibration.json"
    before = json.loads((ROOT / "assistant" / "data" / "calibration.json").read_text("utf-8"))
    out.write_text(json.dumps(before), encoding="utf-8")
    code = main(["eval", "calibrate", "--sections", "selection", "--gold", str(path),
                 "--calibration-out", str(out), "--index", str(seeded_settings.index_path)])
    assert code == 0
    after = json.loads(out.read_text(encoding="utf-8"))
    for name in ("refusal", "grounding", "translation"):
        assert after[name] == before[name]
        assert after["report"][name] == before["report"][name]
    chosen = after["report"]["selection"]["chosen"]
    assert after["selection"] == {"evidence_margin": chosen["evidence_margin"],
                                  "window": chosen["window"]}
    trials = after["report"]["selection"]["trials"]
    assert len(trials) == len(calibrate.MARGINS) * len(calibrate.WINDOWS)
    budget = after["report"]["selection"]["max_sentences"]
    assert budget == round(min(t["sentences"] for t in trials) + calibrate.MAX_GROWTH, 3)
    within = [t for t in trials if t["sentences"] <= budget]
    assert within, trials  # four questions: some settings stay within the budget
    assert chosen in within
    # nothing within the sentence budget scores better
    score = calibrate.selection_score(chosen)
    assert all(calibrate.selection_score(t) <= score for t in within)
    assert after["fitted_on"]["sections_refitted"] == ["selection"]
    assert main(["eval", "calibrate", "--sections", "nope", "--gold", str(path),
                 "--calibration-out", str(out)]) == 2
    assert "unknown sections" in capsys.readouterr().err
