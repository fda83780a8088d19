"""``assistant serve`` over real HTTP on loopback: the real ``openai`` client and
LangChain's ``ChatOpenAI`` (streaming and not), the REST API, documents with progress,
and the README's ``openai`` example run as written (only the port differs).

One server (extractive backend, no tokens, loopback) over a private copy of the seeded
index serves the whole module.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from assistant.api import Assistant
from assistant.config import Settings
from tests.conftest import ROOT
from tests.server_support import index_copy
from tests.test_ui import ARTICLE, UPLOAD_QUESTION
from tests.ui_support import CARD_QUESTION, Q1_DOC, running_page

MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, seeded_settings: Settings) -> Settings:
    return index_copy(seeded_settings, tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def url(settings: Settings) -> Iterator[str]:
    with running_page(settings) as base:
        yield base


@pytest.fixture(scope="module")
def client(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "v1", api_key="not-needed", max_retries=0)


def check_citations(text: str, citations: list[dict], bot: Assistant) -> None:
    """Every marker has a citation whose quote is the exact span of its document."""
    assert {int(n) for n in MARKER.findall(text)} <= {c["marker"] for c in citations}
    assert sum(c["doc_id"] == Q1_DOC for c in citations) >= 6
    for c in citations:
        doc = bot.index.document(c["doc_id"])
        assert doc is not None and doc.text[c["start"]:c["end"]] == c["quote"]
        assert {"title", "supported", "date"} <= set(c)


def test_openai_client_gets_the_cited_answer(client: openai.OpenAI, bot: Assistant) -> None:
    assert [m.id for m in client.models.list()] == ["extractive"]
    reply = client.chat.completions.create(
        model="extractive", messages=[{"role": "user", "content": CARD_QUESTION}])
    text = reply.choices[0].message.content or ""
    for item in ("(1)", "(2)", "(3)", "(4)", "(5)", "(6)"):
        assert item in text
    extra = reply.model_extra or {}
    check_citations(text, extra["citations"], bot)
    assert extra["assistant"]["backend"] == "extractive" and not extra["assistant"]["refused"]

    chunks = list(client.chat.completions.create(
        model="extractive", messages=[{"role": "user", "content": CARD_QUESTION}],
        stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == text and len(chunks) > 10
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert (chunks[-1].model_extra or {})["citations"] == extra["citations"]

    with pytest.raises(openai.NotFoundError, match="not served here"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.BadRequestError, match="empty"):
        client.chat.completions.create(model="extractive",
                                       messages=[{"role": "user", "content": "  "}])


def test_langchain_chat_openai(url: str, bot: Assistant) -> None:
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=url + "v1", api_key="not-needed", model="extractive",
                     max_retries=0)
    message = llm.invoke(CARD_QUESTION)
    text = str(message.content)
    assert len(set(MARKER.findall(text))) >= 6 and "(6)" in text
    streamed = "".join(str(chunk.content) for chunk in llm.stream(CARD_QUESTION))
    assert streamed == text
    # a follow-up is read in the conversation the client sends
    follow = llm.invoke([("human", CARD_QUESTION), ("ai", text), ("human", "And the third one?")])
    assert "(3)" in str(follow.content)


def test_rest_ask_is_the_cli_json(url: str, bot: Assistant) -> None:
    data = httpx.post(url + "api/ask", json={"question": CARD_QUESTION}, timeout=60).json()
    expected = bot.ask(CARD_QUESTION).to_dict()
    assert set(data) == set(expected)
    assert data["answer"] == expected["answer"] and data["citations"] == expected["citations"]
    r = httpx.post(url + "api/ask", json={"question": ""}, timeout=60)
    assert r.status_code == 400 and "empty" in r.json()["error"]["message"]
    r = httpx.post(url + "api/ask", json={"question": "x", "top_k": 0}, timeout=60)
    assert r.status_code == 422 and "top_k" in r.json()["error"]["message"]
    health = httpx.get(url + "api/health", timeout=30).json()
    assert health["status"] == "ok" and health["documents"] == 5
    assert health["llm_queue"]["running"] == 0 and health["writes_need_token"] is False


def test_documents_upload_with_progress_ask_remove(url: str, tmp_path: Path) -> None:
    article = tmp_path / "Lào Cai 2024.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    with article.open("rb") as fh:
        r = httpx.post(url + "api/documents", files=[("files", (article.name, fh))],
                       timeout=60)
    assert r.status_code == 202
    job = r.json()
    states = {job["state"]}
    while job["state"] in ("queued", "running"):
        time.sleep(0.05)
        job = httpx.get(url + job["status_url"].lstrip("/"), timeout=30).json()
        states.add(job["state"])
    assert job["state"] == "done" and job["progress"] == 1.0, job
    assert job["results"] == [{"file": article.name, "ok": True,
                               "message": "Lào Cai 2024.txt: added as Lào_Cai_2024 (1 chunks)."}]
    ids = [d["doc_id"] for d in httpx.get(url + "api/documents", timeout=30).json()["documents"]]
    assert "Lào_Cai_2024" in ids and len(ids) == 6
    answer = httpx.post(url + "api/ask", json={"question": UPLOAD_QUESTION}, timeout=60).json()
    assert answer["citations"][0]["doc_id"] == "Lào_Cai_2024" and "2.345" in answer["answer"]

    r = httpx.delete(url + "api/documents/Lào_Cai_2024", timeout=60)
    assert r.status_code == 200 and r.json()["message"].startswith("Removed Lào_Cai_2024")
    assert httpx.delete(url + "api/documents/Lào_Cai_2024", timeout=60).status_code == 404
    ids = [d["doc_id"] for d in httpx.get(url + "api/documents", timeout=30).json()["documents"]]
    assert len(ids) == 5

    r = httpx.post(url + "api/documents/reindex?wait=true", timeout=120)
    assert r.status_code == 200 and r.json()["state"] == "done"
    assert "5 unchanged" in r.json()["results"][0]["summary"]


def readme_example() -> str:
    """The README's ``openai`` example: the python block that imports ``OpenAI``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    return next(b for b in blocks if "from openai import OpenAI" in b)


def test_the_readme_openai_example_works_as_written(url: str) -> None:
    code = readme_example()
    assert "http://127.0.0.1:7860/v1" in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.replace("http://127.0.0.1:7860/", url), "README.md", "exec"), {})
    printed = out.getvalue()
    assert "(1)" in printed and "[1]" in printed and Q1_DOC in printed
