"""Uploads: a size limit, and no temporary file left behind on any path.

Reproduced on the previous main first: a rejected upload (a binary file, and a 26 MB
one over the ingest limit) stayed in Gradio's temporary folder after the page said
"nothing was changed"; there was no upload size limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file

from assistant.config import Settings
from tests.server_support import index_copy
from tests.test_ui import ARTICLE
from tests.ui_support import running_page

LIMIT_MB = 0.02  # 20 kB: the tests' "too large" files stay small


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, seeded_settings: Settings) -> Settings:
    return index_copy(seeded_settings, tmp_path_factory.mktemp("uploads"),
                      server={"max_upload_mb": LIMIT_MB})


@pytest.fixture(scope="module")
def url(settings: Settings) -> Iterator[str]:
    with running_page(settings) as base:
        yield base


def leftovers(settings: Settings, *names: str) -> list[Path]:
    """Files of these names in our temporary folder or Gradio's."""
    from gradio.utils import get_upload_folder

    roots = [settings.data_path / "tmp", Path(get_upload_folder())]
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.name in names]


def documents(url: str) -> list[str]:
    return [d["doc_id"] for d in httpx.get(url + "api/documents", timeout=30).json()["documents"]]


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n").encode()
    return body + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def test_rest_uploads_over_the_limit_are_refused_and_leave_nothing(
    url: str, settings: Settings
) -> None:
    big = ("Đảng viên mới. " * 2000).encode()  # 34 kB
    r = httpx.post(url + "api/documents", files={"files": ("big.txt", big)}, timeout=30)
    assert r.status_code == 413 and "limit of 0.02 MB" in r.json()["error"]["message"]
    # without a Content-Length (chunked), the limit stops the stream itself
    body, boundary = multipart("chunked.txt", big)
    r = httpx.post(url + "api/documents", timeout=30,
                   content=(body[i:i + 4096] for i in range(0, len(body), 4096)),
                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413
    assert leftovers(settings, "big.txt", "chunked.txt") == []
    assert not list((settings.data_path / "tmp").glob("upload-*"))
    assert len(documents(url)) == 5


def test_rest_rejected_and_traversing_files_leave_nothing(url: str, settings: Settings) -> None:
    files = [("files", ("../../escape.txt", ARTICLE.encode())),
             ("files", ("binary.txt", b"\x00\x01\xff" * 300))]
    job = httpx.post(url + "api/documents?wait=true", files=files, timeout=60).json()
    assert job["state"] == "done"
    assert [(r["file"], r["ok"]) for r in job["results"]] == [("escape.txt", True),
                                                                ("binary.txt", False)]
    assert "binary" in job["results"][1]["message"]
    assert leftovers(settings, "escape.txt", "binary.txt") == []
    assert (settings.data_path / "uploads" / "escape.txt").is_file()  # the indexed copy
    assert not (settings.data_path.parent / "escape.txt").exists()
    assert httpx.delete(url + "api/documents/escape", timeout=30).status_code == 200


def test_page_uploads_leave_nothing_in_the_temp_folder(
    url: str, settings: Settings, tmp_path: Path
) -> None:
    page = Client(url, verbose=False)
    bad = tmp_path / f"binary-{uuid.uuid4().hex[:6]}.txt"
    bad.write_bytes(b"\x00\x01\xff" * 300)
    good = tmp_path / f"lao_cai_{uuid.uuid4().hex[:6]}.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    msg = page.predict([handle_file(str(bad)), handle_file(str(good))], api_name="/upload")[0]
    assert f"✗ {bad.name}" in msg and f"✓ {good.name}" in msg
    assert leftovers(settings, bad.name, good.name) == []
    assert (settings.data_path / "uploads" / good.name).is_file()  # the indexed copy
    big = tmp_path / f"big-{uuid.uuid4().hex[:6]}.txt"
    big.write_bytes(b"x" * 30_000)
    with pytest.raises(ValueError, match="exceeds the maximum file size"):  # the client
        page.predict([handle_file(str(big))], api_name="/upload")
    r = httpx.post(url + "gradio_api/upload", files={"files": (big.name, big.read_bytes())},
                   timeout=30)  # the server, for any other client
    assert r.status_code == 413
    assert leftovers(settings, big.name) == []
    assert httpx.delete(url + f"api/documents/{good.stem}", timeout=30).status_code == 200


def test_client_file_names_never_become_paths() -> None:
    from assistant.server.rest import safe_name

    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\x\\bài viết.txt") == "bài viết.txt"
    assert safe_name("a\x00b.txt") == "ab.txt" and safe_name("..") == "upload.txt"
    long = safe_name("ạ" * 300 + ".txt")
    assert long.endswith(".txt") and len(long.encode()) < 255
