"""Tokens: writes need the admin token, asking the reader token when one is set, and a
server that anyone on the network could write to does not start.

Reproduced on the previous main first: any client could call ``/remove`` on a corpus
document, and a raw Gradio queue call (``fn_index`` of the page's hidden feedback event,
no page) wrote lines to ``feedback.jsonl``.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import openai
import pytest
from gradio_client import Client

from assistant.config import Settings
from assistant.errors import StartupError
from assistant.server.auth import Access, is_loopback
from assistant.server.run import prepare
from tests.server_support import fn_index, gradio_call, index_copy
from tests.test_ui import ARTICLE
from tests.ui_support import CARD_QUESTION, Q1_DOC, running_page

ADMIN, READER = "admin-s3cret", "reader-s3cret"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(url: str, path: Path, **kwargs: object) -> httpx.Response:
    with path.open("rb") as fh:
        return httpx.post(url + "api/documents?wait=true", files=[("files", (path.name, fh))],
                          timeout=60, **kwargs)  # type: ignore[arg-type]


def test_writes_need_the_admin_token(seeded_settings: Settings, tmp_path: Path) -> None:
    settings = index_copy(seeded_settings, tmp_path, admin_token=ADMIN, reader_token=READER)
    article = tmp_path / "lao_cai.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    with running_page(settings) as url:
        for token, status in ((None, 401), ("wrong", 403), (READER, 403)):
            headers = bearer(token) if token else {}
            r = upload(url, article, headers=headers)
            assert r.status_code == status, r.text
            assert httpx.delete(url + f"api/documents/{Q1_DOC}", headers=headers,
                                timeout=30).status_code == status
            assert httpx.post(url + "api/documents/reindex", headers=headers,
                              timeout=30).status_code == status
        assert upload(url, article).headers["www-authenticate"] == "Bearer"
        docs = httpx.get(url + "api/documents", headers=bearer(READER), timeout=30).json()
        assert len(docs["documents"]) == 5  # nothing was written or removed
        assert not (settings.data_path / "uploads").exists()

        r = upload(url, article, headers=bearer(ADMIN))
        assert r.status_code == 200 and r.json()["results"][0]["ok"], r.text
        r = httpx.delete(url + "api/documents/lao_cai", headers=bearer(ADMIN), timeout=30)
        assert r.status_code == 200

        # the page's own write events refuse a client without the token
        page = Client(url, verbose=False, headers=bearer(READER))
        msg = page.predict(Q1_DOC, api_name="/remove")[0]
        assert msg.startswith("✗") and "admin token" in msg
        assert len(httpx.get(url + "api/documents", headers=bearer(READER),
                             timeout=30).json()["documents"]) == 5


def test_asking_can_need_the_reader_token(seeded_settings: Settings, tmp_path: Path) -> None:
    settings = index_copy(seeded_settings, tmp_path, admin_token=ADMIN, reader_token=READER)
    feedback = settings.data_path / "feedback.jsonl"
    with running_page(settings) as url:
        ask = {"question": CARD_QUESTION}
        assert httpx.post(url + "api/ask", json=ask, timeout=60).status_code == 401
        assert httpx.post(url + "api/ask", json=ask, headers=bearer("wrong"),
                          timeout=60).status_code == 403
        for token in (READER, ADMIN):
            assert httpx.post(url + "api/ask", json=ask, headers=bearer(token),
                              timeout=60).status_code == 200
        with pytest.raises(openai.PermissionDeniedError):  # a key that is not the token
            openai.OpenAI(base_url=url + "v1", api_key="not-needed").models.list()
        reply = openai.OpenAI(base_url=url + "v1", api_key=READER).chat.completions.create(
            model="extractive", messages=[{"role": "user", "content": CARD_QUESTION}])
        assert "[1]" in (reply.choices[0].message.content or "")
        assert httpx.get(url + "api/health", timeout=30).json()["asking_needs_token"] is True

        # a browser without the token gets the sign-in form; the cookie opens the page
        page = httpx.get(url, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 401 and "needs a token" in page.text
        assert httpx.post(url + "api/login", json={"token": "wrong"},
                          timeout=30).status_code == 403
        with httpx.Client(base_url=url, timeout=30) as browser:
            assert browser.post("api/login", json={"token": READER}).status_code == 204
            assert browser.get("/", headers={"Accept": "text/html"}).status_code == 200

        # Gradio's queue API: the hidden feedback event is behind the token too
        session = uuid.uuid4().hex
        status, _ = gradio_call(url, 8, [None, 5], session,
                                event_data={"index": [1, 0], "value": "x", "liked": True})
        assert status == 401 and not feedback.exists()
        index = fn_index(url, "feedback", headers=bearer(READER))
        chat = fn_index(url, "chat", headers=bearer(READER))
        assert gradio_call(url, index, [None, 5], session, headers=bearer("wrong"))[0] == 403
        # with the token, a session rates only answers it got, and only up or down
        auth = {"headers": bearer(READER)}
        assert gradio_call(url, chat, [CARD_QUESTION, None, 5, "auto", "extractive",
                                       settings.llm.model], session, **auth)[0] == 200
        for liked in ("EVIL" * 1000, True):
            gradio_call(url, index, [None, 5], session,
                        event_data={"index": [1, 0], "value": "x", "liked": liked}, **auth)
        rows = [json.loads(x) for x in feedback.read_text("utf-8").splitlines()]
        assert [r["rating"] for r in rows] == ["up"] and rows[0]["question"] == CARD_QUESTION


def test_gradio_upload_route_needs_the_admin_token(
    seeded_settings: Settings, tmp_path: Path
) -> None:
    from gradio.utils import get_upload_folder

    settings = index_copy(seeded_settings, tmp_path, admin_token=ADMIN)
    name = f"probe-{uuid.uuid4().hex}.txt"
    with running_page(settings) as url:
        files = {"files": (name, ARTICLE.encode())}
        r = httpx.post(url + "gradio_api/upload", files=files, timeout=30)
        assert r.status_code == 401
        assert not list(Path(get_upload_folder()).rglob(name))
        r = httpx.post(url + "gradio_api/upload", files=files, headers=bearer(ADMIN),
                       timeout=30)
        assert r.status_code == 200
        for path in r.json():
            Path(path).unlink()


def test_a_server_others_could_write_to_does_not_start(seeded_settings: Settings) -> None:
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.org"):
        assert not is_loopback(host)
        with pytest.raises(StartupError, match="without ASSISTANT_ADMIN_TOKEN"):
            prepare(seeded_settings, host, 0)
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    open_local = Access.for_server(seeded_settings, "127.0.0.1")
    assert open_local.local_open and not open_local.prompt
    assert open_local.write_status({}) == 200
