"""PDF and DOCX articles: the seed articles rendered as PDF (fpdf2) and Word (python-docx)
files at test time, read back with exact offsets, Vietnamese intact (NFC), and cited with
page numbers through the real pipeline (real Chroma, real e5, CLI and JSON)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.cli import main
from assistant.config import Settings
from assistant.ingest.documents import load_documents, read_document
from assistant.ui.service import ChatService
from assistant.vietnamese import split_sentences
from tests.conftest import make_settings
from tests.paged_fixtures import paragraphs, scanned_pdf, seed, seed_docx, seed_pdf

SIX = "What were the six Q1 2021 priorities?"
CHAIR_VI = "Ai chủ trì Hội nghị giao ban trực tuyến quý III năm 2023 của Ban Tổ chức Trung ương?"


def test_pdf_text_keeps_every_paragraph_and_where_each_page_starts(tmp_path: Path) -> None:
    source = seed("003")
    starts = seed_pdf(source, tmp_path / "q1.pdf")
    assert max(starts) >= 4  # several pages
    doc = read_document(tmp_path / "q1.pdf")
    assert doc.doc_id == "q1" and doc.title == source.title
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.text.count("Đảng") == source.text.count("Đảng")
    lines = [line for line in doc.text.split("\n") if line]
    assert lines == paragraphs(source)  # diacritics, spacing and order survive
    assert [n for n, _ in doc.pages] == sorted(set(starts))
    for para, page in zip(paragraphs(source), starts, strict=True):
        offset = doc.text.index(para)
        assert doc.page_at(offset) == page
        assert doc.page_at(offset + len(para) - 1) == page


def test_pdf_sentences_that_run_over_a_page_break_stay_whole(tmp_path: Path) -> None:
    source = seed("003")
    seed_pdf(source, tmp_path / "flow.pdf", per_page=None)  # fpdf2 breaks mid-paragraph
    doc = read_document(tmp_path / "flow.pdf")
    assert len(doc.pages) >= 4
    numbers = [n for n, _ in doc.pages]
    offsets = [o for _, o in doc.pages]
    assert numbers == sorted(numbers) and offsets == sorted(offsets) and offsets[0] == 0
    got = {s.text for s in split_sentences(doc.text)}
    assert [s.text for s in split_sentences(source.text) if s.text not in got] == []


def test_docx_text_keeps_the_paragraphs_and_the_table(tmp_path: Path) -> None:
    source = seed("000")
    seed_docx(source, tmp_path / "kontum.docx")
    doc = read_document(tmp_path / "kontum.docx")
    assert doc.title == source.title and doc.pages == []
    assert unicodedata.is_normalized("NFC", doc.text)
    lines = [line for line in doc.text.split("\n") if line]
    assert [line for line in lines if "|" not in line] == paragraphs(source)
    assert "Kon Tum | 1.234" in lines
    assert doc.author == source.author


def test_scanned_and_broken_files_are_skipped_with_the_reason(tmp_path: Path) -> None:
    scanned_pdf(tmp_path / "scan.pdf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n%broken")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    seed_docx(seed("000"), tmp_path / "good.docx")
    result = load_documents(tmp_path)
    assert [d.doc_id for d in result.documents] == ["good"]
    reasons = {Path(p).name: r for p, r in result.skipped}
    assert reasons["scan.pdf"].startswith("scanned PDF with no text layer (2 page(s)")
    assert "run OCR" in reasons["scan.pdf"]
    assert reasons["broken.pdf"].startswith("not a readable PDF")
    assert reasons["broken.docx"].startswith("not a readable DOCX file")


@pytest.fixture(scope="module")
def paged_settings(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[int]]:
    """An index of two articles: 003 as a PDF (its paragraphs' pages returned) and 000
    as a Word file."""
    root = tmp_path_factory.mktemp("paged")
    corpus = root / "corpus"
    corpus.mkdir()
    starts = seed_pdf(seed("003"), corpus / "dong_thap_q1.pdf")
    seed_docx(seed("000"), corpus / "kon_tum_q3.docx")
    settings = make_settings(root / "vectorstore")
    report = Assistant.from_settings(settings, require_index=False).ingest(corpus)
    assert sorted(report.added) == ["dong_thap_q1", "kon_tum_q3"] and not report.skipped
    return settings, starts


def test_pdf_citations_carry_the_page_of_the_quote(
    paged_settings: tuple[Settings, list[int]],
) -> None:
    settings, starts = paged_settings
    bot = Assistant.from_settings(settings)
    ans = bot.ask(SIX)
    assert not ans.refused
    text = bot.index.document("dong_thap_q1").text  # type: ignore[union-attr]
    paras = paragraphs(seed("003"))
    cited = [c for c in ans.citations if c.doc_id == "dong_thap_q1"]
    assert len(cited) >= 6
    for c in cited:
        assert c.quote == text[c.start : c.end]
        para = next(i for i, p in enumerate(paras) if c.quote in p)
        assert c.page == starts[para], c.quote
    assert all(c.page is not None and c.page > 1 for c in cited)  # not all on page 1


def test_docx_citations_are_exact_and_have_no_page(
    paged_settings: tuple[Settings, list[int]],
) -> None:
    bot = Assistant.from_settings(paged_settings[0])
    ans = bot.ask(CHAIR_VI)
    assert not ans.refused and "Mai Văn Chính" in ans.text
    text = bot.index.document("kon_tum_q3").text  # type: ignore[union-attr]
    assert ans.citations and all(c.doc_id == "kon_tum_q3" for c in ans.citations)
    assert all(c.quote == text[c.start : c.end] and c.page is None for c in ans.citations)


def test_cli_shows_pages_in_text_and_json(
    paged_settings: tuple[Settings, list[int]], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = paged_settings[0]
    monkeypatch.setenv("ASSISTANT_LLM__BACKEND", "extractive")
    index = str(settings.index_path)
    assert main(["ask", SIX, "--index", index, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    pages = [c["page"] for c in data["citations"] if c["doc_id"] == "dong_thap_q1"]
    assert pages and all(isinstance(p, int) and p > 1 for p in pages)
    assert main(["ask", SIX, "--index", index]) == 0
    out = capsys.readouterr().out
    assert any(line.startswith("[") and f"· p. {pages[0]}" in line for line in out.splitlines())
    assert main(["ask", CHAIR_VI, "--index", index]) == 0
    out = capsys.readouterr().out
    assert "kon_tum_q3" in out and "· p. " not in out


def test_the_chat_page_accepts_pdf_and_docx_uploads(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "vectorstore", data_dir=tmp_path / "data")
    seed_pdf(seed("004"), tmp_path / "thang_12.pdf")
    seed_docx(seed("002"), tmp_path / "da_nang.docx")
    svc = ChatService(settings)
    lines = svc.add_files([tmp_path / "thang_12.pdf", tmp_path / "da_nang.docx"])
    assert [line[0] for line in lines] == ["✓", "✓"], lines
    assert {d.doc_id for d in svc.index.documents()} == {"thang_12", "da_nang"}
