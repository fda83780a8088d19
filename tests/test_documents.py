"""Reading articles: boilerplate stripped, metadata parsed, bad files skipped."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.documents import load_documents, parse_document
from tests.conftest import SEEDS


def _docs() -> dict[str, object]:
    return {d.doc_id: d for d in load_documents(SEEDS).documents}


def test_all_seeds_load_with_stem_ids() -> None:
    result = load_documents(SEEDS)
    assert result.skipped == []
    assert sorted(d.doc_id for d in result.documents) == sorted(p.stem for p in SEEDS.glob("*.txt"))


def test_boilerplate_is_stripped() -> None:
    for doc in load_documents(SEEDS).documents:
        for chrome in (
            "Xuất bản thông tin",
            "Chi tiết bài viết Tin tức",
            "Mặc định Cỡ chữ",
            "Xem phản hồi",
            "Tin khác",
            "null ",
        ):
            assert chrome not in doc.text, (doc.doc_id, chrome)
        lines = doc.text.split("\n")
        assert not any(line.strip() in {";", "."} for line in lines)
        assert len(lines) == len(set(lines) - {""}) + lines.count("")  # no repeated lines


def test_metadata_of_the_seeds() -> None:
    docs = {d.doc_id[:3]: d for d in load_documents(SEEDS).documents}
    assert docs["003"].title == (
        "Nhiều kết quả nổi bật trong công tác tổ chức xây dựng Đảng quý I năm 2021"
    )
    assert docs["003"].publisher == "Đồng Tháp"
    assert docs["003"].author == "Trần Lê Sơn Tra"
    assert docs["000"].published == "2023-09-28"  # "Ngày đăng", not the crawl date
    assert docs["000"].publisher == "Kon Tum"
    assert docs["001"].publisher == "Bình Định"
    assert docs["001"].published == "2023-12-11"
    assert docs["001"].title.startswith("Tổng kết công tác thi đua")
    assert docs["004"].title == "Ngành Tổ chức xây dựng Đảng triển khai nhiệm vụ tháng 12"
    assert docs["004"].published == "2018-12-03"
    assert docs["004"].author == "Kim Liên"
    assert docs["002"].publisher == "Đà Nẵng"


def test_bad_files_are_skipped_with_a_reason_and_others_load(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Tiêu đề bài\n\nĐảng viên mới được kết nạp.", "utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    (tmp_path / "latin1.txt").write_bytes("Café, résumé, naïveté: Latin-1 text".encode("latin-1"))
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    result = load_documents(tmp_path)
    assert [d.doc_id for d in result.documents] == ["good"]
    reasons = {Path(p).name: r for p, r in result.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.txt"] == "binary file"
    assert reasons["latin1.txt"].startswith("not UTF-8 (byte ")
    assert reasons["loop"].startswith("symlink loop")
    assert len(result.skipped) == 4


def test_html_is_converted_to_text() -> None:
    doc = parse_document(
        "a.html",
        "<html><body><h1>Tiêu đề bài viết mới</h1><p>Nội dung &amp; chi tiết.</p>"
        "<script>x=1</script></body></html>",
    )
    assert doc.title == "Tiêu đề bài viết mới"
    assert "Nội dung & chi tiết." in doc.text
    assert "x=1" not in doc.text
