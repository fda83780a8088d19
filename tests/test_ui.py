"""The chat page over real HTTP on loopback (``gradio_client``), plus its service and HTML.

The live page runs on its own copy of the seeded index (the upload test changes it),
with the extractive backend.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from assistant.answer.result import Citation
from assistant.api import Assistant
from assistant.config import Settings
from assistant.ui.app import answer_turn
from assistant.ui.render import answer_html, context_html, marker_numbers, sources_html
from assistant.ui.service import ChatService, Turn
from tests.conftest import SEEDS, make_settings
from tests.ui_support import CARD_QUESTION, Q1_DOC, free_port, last_answer, running_page

ARTICLE = """Lào Cai tổng kết công tác tổ chức xây dựng Đảng năm 2024 (20/12/2024 09:30)

Ngày 20/12/2024, Ban Tổ chức Tỉnh ủy Lào Cai tổ chức hội nghị tổng kết công tác tổ chức \
xây dựng Đảng năm 2024, triển khai nhiệm vụ năm 2025. Đồng chí Trưởng Ban Tổ chức Tỉnh ủy \
chủ trì hội nghị; dự hội nghị có lãnh đạo ban tổ chức các huyện ủy, thị ủy, thành ủy và \
đảng ủy trực thuộc Tỉnh ủy.

Năm 2024, Đảng bộ tỉnh Lào Cai kết nạp 2.345 đảng viên mới, vượt 12% chỉ tiêu được giao.

Hội nghị thống nhất ba nhiệm vụ trọng tâm năm 2025: rà soát quy hoạch cán bộ; nâng cao \
chất lượng sinh hoạt chi bộ; chuyển đổi số trong quản lý đảng viên./.

 Hoàng Minh Xem phản hồi
"""
UPLOAD_QUESTION = "Năm 2024 Lào Cai kết nạp bao nhiêu đảng viên mới?"


@pytest.fixture(scope="module")
def page_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("ui")
    settings = make_settings(root / "vectorstore", data_dir=root / "data")
    Assistant.from_settings(settings, require_index=False).ingest(SEEDS)
    return settings


@pytest.fixture(scope="module")
def page(page_settings: Settings) -> Iterator[str]:
    with running_page(page_settings) as url:
        yield url


@pytest.fixture(scope="module")
def client(page: str) -> Client:
    return Client(page, verbose=False)


def test_card_question_gets_a_cited_answer(client: Client) -> None:
    answer = last_answer(client.predict(CARD_QUESTION, api_name="/chat"))
    markers = re.findall(r'class="cite to-src-0-(\d+)"', answer)
    assert len(markers) >= 6
    for item in ("(1)", "(2)", "(3)", "(4)", "(5)", "(6)"):
        assert item in answer
    # every marker has its source card: title, province, date, highlighted quote
    for n in set(markers):
        assert f'id="src-0-{n}"' in answer
    assert "Đồng Tháp" in answer and "2021-03-09" in answer and "<mark>" in answer
    assert "Traceback" not in answer

    data = client.predict(CARD_QUESTION, api_name="/ask")
    assert not data["refused"] and data["citations"]
    assert {c["doc_id"] for c in data["citations"]} == {Q1_DOC}


def test_follow_up_uses_the_conversation(page: str) -> None:
    c = Client(page, verbose=False)
    c.predict(CARD_QUESTION, api_name="/chat")
    result = c.predict("And the third one?", api_name="/chat")
    assert len(result[1]) == 4  # two turns in this session's chat
    assert "understood as:" in last_answer(result)
    fresh = Client(page, verbose=False).predict("And the third one?", api_name="/chat")
    assert len(fresh[1]) == 2 and "understood as:" not in last_answer(fresh)


def test_empty_question_is_a_chat_message(client: Client) -> None:
    answer = last_answer(client.predict("   ", api_name="/chat"))
    assert "chat-error" in answer and "empty" in answer
    error = client.predict("", api_name="/ask")
    assert error == {"error": "The question is empty: type a question."}


def test_upload_ask_remove(client: Client, page_settings: Settings, tmp_path: Path) -> None:
    good = tmp_path / "Lào Cai 2024.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01binary\xff")
    before = len(client.predict(CARD_QUESTION, api_name="/ask")["passages"])

    msg, _, table, _, status = client.predict(
        [handle_file(str(good)), handle_file(str(bad))], api_name="/upload"
    )
    assert "✓ Lào Cai 2024.txt: added as Lào_Cai_2024" in msg
    assert "✗ broken.txt" in msg and "nothing was changed" in msg
    ids = [row[0] for row in table["value"]["data"]]
    assert len(ids) == 6 and "Lào_Cai_2024" in ids and "broken" not in ids
    assert "**6** documents" in status
    uploaded = Path(page_settings.data_dir) / "uploads" / "Lào_Cai_2024.txt"
    assert uploaded.is_file()

    data = client.predict(UPLOAD_QUESTION, api_name="/ask")
    assert not data["refused"]
    assert data["citations"][0]["doc_id"] == "Lào_Cai_2024"
    assert "2.345" in data["answer"]
    assert len(client.predict(CARD_QUESTION, api_name="/ask")["passages"]) == before

    msg, table, _, status = client.predict("Lào_Cai_2024", api_name="/remove")
    assert msg.startswith("Removed Lào_Cai_2024")
    assert len(table["value"]["data"]) == 5 and "**5** documents" in status
    assert not uploaded.exists()
    data = client.predict(UPLOAD_QUESTION, api_name="/ask")
    assert all(c["doc_id"] != "Lào_Cai_2024" for c in data["citations"])


def test_bad_file_types_change_nothing(page_settings: Settings, tmp_path: Path) -> None:
    svc = ChatService(page_settings)
    before = svc.index.stats()
    (tmp_path / "notes.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "latin1.txt").write_bytes("Café, résumé".encode("latin-1"))
    lines = svc.add_files([tmp_path / n for n in ("notes.xlsx", "notes.pdf", "empty.md",
                                                  "latin1.txt")])
    assert [line[0] for line in lines] == ["✗", "✗", "✗", "✗"]
    assert "not a .txt, .md, .html, .pdf or .docx" in lines[0]
    assert "not a readable PDF" in lines[1] and "empty" in lines[2] and "UTF-8" in lines[3]
    assert svc.index.stats() == before
    # a file named like a corpus document is refused instead of replacing it
    clash = tmp_path / f"{Q1_DOC}.txt"
    clash.write_text(ARTICLE, encoding="utf-8")
    assert "already has a document" in svc.add_files([clash])[0]
    assert svc.index.stats() == before


def test_no_index_and_backend_down_are_chat_messages(tmp_path: Path) -> None:
    empty = ChatService(make_settings(tmp_path / "none"))
    turns = list(answer_turn(empty, CARD_QUESTION, [], 5, "auto", "extractive", ""))
    assert turns[-1].error and "assistant ingest" in turns[-1].html
    assert not (tmp_path / "none").exists()  # asking did not create an index

    down = make_settings(tmp_path / "vs", llm={"ollama_host": f"http://127.0.0.1:{free_port()}"},
                         server={"backends": ["ollama", "extractive"]})
    Assistant.from_settings(down, require_index=False).ingest(SEEDS / f"{Q1_DOC}.txt")
    svc = ChatService(down)
    turn = list(answer_turn(svc, CARD_QUESTION, [], 5, "auto", "ollama", ""))[-1]
    assert turn.error and "Ollama" in turn.html and "Traceback" not in turn.html


def test_feedback_is_appended_as_jsonl(page_settings: Settings) -> None:
    svc = ChatService(page_settings)
    turn = Turn(question="q?", html="<p>a</p>", answer="a [1]", backend="extractive",
                citations=[{"marker": 1, "doc_id": Q1_DOC, "quote": "x"}])
    svc.record_feedback(turn, "up", top_k=5)
    svc.record_feedback(turn, "down", top_k=5)
    rows = [json.loads(x) for x in svc.feedback_path.read_text("utf-8").splitlines()]
    assert [r["rating"] for r in rows[-2:]] == ["up", "down"]
    assert rows[-1]["question"] == "q?" and rows[-1]["citations"][0]["doc_id"] == Q1_DOC
    assert "html" not in rows[-1]


def test_markers_unsupported_sentences_and_context() -> None:
    text = "A a.\nB b. C c.\nD d."
    ok = Citation(1, "d", "T", "2021-03-09", "B b.", 5, 9, publisher="Đồng Tháp")
    bad = Citation(2, "d", "T", "2021-03-09", "C c.", 10, 14, supported=False)
    html = answer_html("One fact [1]. A claim [2]. Unchecked (unverified).", [ok, bad], turn=3)
    assert html.count('class="cite to-src-3-1"') == 1
    assert 'class="cite unsupported to-src-3-2"' in html
    assert html.count('class="unsupported"') == 2  # the [2] sentence and the tagged one
    assert not re.search(r'class="unsupported"[^<]*One fact', html)
    assert marker_numbers("1-3, 5") == [1, 2, 3, 5]
    assert context_html(text, 10, 14) == "B b. <mark>C c.</mark>"
    cards = sources_html([ok, bad], lambda _: text, turn=3)
    assert 'id="src-3-1"' in cards and "Đồng Tháp" in cards and "⚠ not supported" in cards


def test_uploads_survive_a_seeds_ingest(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "vs", data_dir=tmp_path / "data")
    svc = ChatService(settings)
    svc.index.ingest(SEEDS / f"{Q1_DOC}.txt", prune=False)
    article = tmp_path / "lao_cai.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert svc.add_files([article])[0].startswith("✓")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / f"{Q1_DOC}.txt").write_bytes((SEEDS / f"{Q1_DOC}.txt").read_bytes())
    # `assistant ingest` of the corpus folder prunes only what was indexed from it ...
    assert svc.index.ingest(seeds).removed == []
    # ... so the page has nothing to restore; after a reset it re-adds its uploads
    assert svc.restore_uploads() == []
    svc.index.remove_document("lao_cai")
    assert svc.restore_uploads() == ["lao_cai"]
    assert [r[0] for r in svc.documents_rows()] == [Q1_DOC, "lao_cai"]
    assert svc.documents_rows()[1][5] == "upload"
