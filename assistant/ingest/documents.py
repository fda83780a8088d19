"""Files -> documents: read article files, strip web boilerplate, parse metadata.

A :class:`Document` holds the cleaned text (what chunks and citations point into) and
metadata: title, publisher (province or organization), published/event dates and the
author byline; for a PDF also where each page starts in the text. ``doc_id`` is the file
stem, so ``003_95457bacc3751b1b.txt`` becomes ``003_95457bacc3751b1b``.

Formats: TXT, MD, HTML (UTF-8 with or without a byte order mark, UTF-16/32 with one),
PDF and DOCX (``paged.py``). Files that are empty, binary, not UTF-8, too large, a scan
without text or unreadable are skipped with a warning naming them, and so are symbolic
links out of the folder, loops and dangling links (``files.py``); see
:class:`LoadResult`. The other files still load.

>>> doc = parse_document("x.txt", "Tiêu đề\\n\\nNội dung bài viết dài ... \\n\\nTÁC GIả")
>>> doc.doc_id
'x'
"""

from __future__ import annotations

import bisect
import hashlib
import html
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.files import SUPPORTED_KINDS, SUPPORTED_SUFFIXES, decode, scan
from assistant.ingest.paged import docx_text, pdf_pages
from assistant.vietnamese import nfc

__all__ = ["SUPPORTED_KINDS", "SUPPORTED_SUFFIXES", "Document", "LoadResult", "load_documents",
           "parse_document", "parse_pages", "read_document"]

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024

# Exact lines (after trimming) that are page chrome, not article text.
_BOILERPLATE_LINES = {
    "xuất bản thông tin",
    "chi tiết bài viết tin tức",
    "mặc định cỡ chữ",
    "xem phản hồi",
    "tin khác",
    "in bài viết",
    "chia sẻ",
    "các tin khác",
    "tin liên quan",
    "bình luận",
    "gửi bình luận",
    "quay lại",
    "đầu trang",
    "in trang",
}
_TRAILING_CHROME = re.compile(r"\s*(xem phản hồi|tin khác|in bài viết|chia sẻ)\s*$", re.I)
_PUNCT_ONLY = re.compile(r"^[\s;.,:\-–—_*•|/\\]*$")
_DATE = r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})"
_DATE_LINE = re.compile(
    r"^(?:(?:thứ\s+\S+|chủ nhật)[,\s]*)?(?:ngày(?: đăng)?:?\s*)?"
    + _DATE
    + r"(?:\s+\d{1,2}:\d{2})?\s*-?$",
    re.I,
)
_INLINE_DATE_SUFFIX = re.compile(r"\s*\(" + _DATE + r"(?:\s+\d{1,2}:\d{2})?\)\s*$")
_BANNER_PUBLISHER = re.compile(r"(?:ĐẢNG BỘ|BÁO)\s+(?:TỈNH|THÀNH PHỐ)?\s*(.+)$")
_PLACE = re.compile(
    r"(?:điểm cầu|tỉnh|thành phố|TP\.)\s+((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ][\wÀ-ỹ]*(?:\s|$)){1,3})"
)
_NOT_PLACE = {"Ủy", "Uỷ", "Tỉnh", "Thành", "Đảng", "Ban", "Hội", "Trung", "Quốc"}
_TAGS = re.compile(r"<[^>]+>")
# Never text: scripts, styles and comments, closed or running to the end of the file.
_HIDDEN = re.compile(
    r"<(script|style|noscript|template)\b[^>]*>.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass
class Document:
    """One cleaned article. ``text`` is what chunk offsets point into."""

    doc_id: str
    path: str
    title: str
    text: str
    content_hash: str
    publisher: str = ""
    published: str = ""
    dates: list[str] = field(default_factory=list)
    author: str = ""
    # (page number, offset where its text starts), in order; empty when not paged.
    pages: list[tuple[int, int]] = field(default_factory=list)

    @property
    def date(self) -> str:
        """Best single date: the publication date, else the first event date."""
        return self.published or (self.dates[0] if self.dates else "")

    def page_at(self, offset: int) -> int | None:
        """The page number holding ``text[offset]`` (PDFs), else None."""
        return page_at(self.pages, offset)

    def metadata(self) -> dict[str, str]:
        """Flat metadata for the vector store (Chroma wants scalars)."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "publisher": self.publisher,
            "date": self.date,
            "author": self.author,
            "path": self.path,
        }


@dataclass
class LoadResult:
    documents: list[Document]
    skipped: list[tuple[str, str]]  # (path, reason)
    # doc_ids of files still in the folder that could not be read this time: their
    # indexed chunks are kept (links out of the folder, loops and dangling links are
    # not among them: what they pointed to is gone from the folder).
    unreadable: set[str] = field(default_factory=set)
    # doc_id -> the real target of a link in the folder that points out of it (an index
    # built before links were checked may hold that target under the link's name).
    outside: dict[str, str] = field(default_factory=dict)


def page_at(pages: list[tuple[int, int]], offset: int) -> int | None:
    """The page of ``offset`` given (page number, start offset) pairs; None if unpaged.

    >>> page_at([(1, 0), (2, 120), (4, 300)], 150)
    2
    """
    if not pages:
        return None
    i = bisect.bisect_right([start for _, start in pages], offset) - 1
    return pages[max(i, 0)][0]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _iso(day: str, month: str, year: str) -> str:
    d, m = int(day), int(month)
    if not (1 <= d <= 31 and 1 <= m <= 12):
        return ""
    return f"{int(year):04d}-{m:02d}-{d:02d}"


def _html_to_text(raw: str) -> str:
    raw = _HIDDEN.sub(" ", raw)
    raw = re.sub(r"(?i)<br\s*/?>|</(p|div|h\d|li|tr)>", "\n", raw)
    return html.unescape(_TAGS.sub(" ", raw))


def clean_lines(
    raw: str, seen: set[str] | None = None, found: dict[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """Drop page chrome; return the kept lines and what was learned from the chrome.

    ``seen`` (lines already kept) and ``found`` carry over between the pages of one
    document, so a running header is kept once."""
    found = {} if found is None else found
    kept: list[str] = []
    seen = set() if seen is None else seen
    for line in raw.splitlines():
        text = re.sub(r"[ \t\u00a0]+", " ", line).strip()
        if text.lower().startswith("null "):
            text = text[5:].strip()
        low = text.lower()
        if not text:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        if low in _BOILERPLATE_LINES or _PUNCT_ONLY.match(text):
            continue
        m = _DATE_LINE.match(text)
        if m:
            if "đăng" in low:  # an explicit "Ngày đăng" beats a crawl date
                found["published"] = _iso(*m.groups())
            else:
                found.setdefault("published", _iso(*m.groups()))
            continue
        banner = _BANNER_PUBLISHER.search(text)
        if banner and text.isupper():
            found.setdefault("publisher", banner.group(1).strip().title())
            continue
        text = _TRAILING_CHROME.sub("", text)
        if text in seen:  # repeated title or photo caption
            continue
        seen.add(text)
        kept.append(text)
    while kept and kept[-1] == "":
        kept.pop()
    return kept, found


def _title(lines: list[str], found: dict[str, str]) -> tuple[str, list[str]]:
    """Pick the title: the longest short line before the first long paragraph.

    Returns the title and the lines with the header chrome before the title removed
    (site sections, navigation).
    """
    header: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if len(line) >= 200:
            break
        if line:
            header.append((i, line))
    candidates = [h for h in header if len(h[1].split()) >= 3] or header
    if not candidates:
        return "", lines
    index, title = max(candidates, key=lambda h: len(h[1]))
    m = _INLINE_DATE_SUFFIX.search(title)
    if m:
        found.setdefault("published", _iso(*m.groups()))
        title = title[: m.start()].strip()
    return title, lines[index:]


def _publisher(text: str, found: dict[str, str]) -> str:
    if found.get("publisher"):
        return found["publisher"]
    bridge = re.search(r"điểm cầu\s+(?:tỉnh\s+|thành phố\s+)?((?:[A-ZĐ][\wÀ-ỹ]*\s?){1,3})", text)
    if bridge:
        return bridge.group(1).strip()
    counts: Counter[str] = Counter()
    for m in _PLACE.finditer(text):
        name = m.group(1).strip()
        if name.split()[0] not in _NOT_PLACE:
            counts[name] += 1
    return counts.most_common(1)[0][0] if counts else ""


def _author(lines: list[str]) -> str:
    last = lines[-1] if lines else ""
    words = last.split()
    if (1 <= len(words) <= 5 and not re.search(r"[.:;!?]$", last) and last[0].isupper()
            and "|" not in last):  # not a table row (DOCX)
        return last.title() if last.isupper() else last
    return ""


def _newlines(raw: str) -> str:
    return nfc(raw.replace("\r\n", "\n").replace("\r", "\n"))


def _join(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _build(path: Path, title: str, text: str, found: dict[str, str], raw: str,
           lines: list[str], pages: list[tuple[int, int]] | None = None) -> Document:
    dates = [iso for iso in (_iso(*m.groups()) for m in re.finditer(_DATE, text)) if iso]
    return Document(
        doc_id=path.stem,
        path=str(path),
        title=title,
        text=text,
        content_hash=content_hash(raw.encode("utf-8")),
        publisher=_publisher(text, found),
        published=found.get("published", ""),
        dates=dates,
        author=_author([ln for ln in lines if ln]),
        pages=pages or [],
    )


def parse_document(path: str | Path, raw: str, *, markup: bool | None = None) -> Document:
    """Clean one article's raw text and parse its metadata.

    ``markup``: whether ``raw`` is HTML (default: by the file name, or when it looks so).
    """
    path = Path(path)
    raw = _newlines(raw)
    if markup is None:
        markup = path.suffix.lower() in (".html", ".htm") or bool(
            re.search(r"(?i)<(html|body|p)\b", raw))
    if markup:
        raw = _html_to_text(raw)
    lines, found = clean_lines(raw)
    title, lines = _title(lines, found)
    return _build(path, title, _join(lines), found, raw, lines)


def parse_pages(path: str | Path, pages: list[str]) -> Document:
    """A document from the texts of its pages (PDF), remembering where each page starts.

    Pages are cleaned like an article (a running header is kept once) and joined by a
    blank line, or by a space where a sentence runs on to the next page; the title is
    picked from the first page with text. Empty pages take no room (a citation is never
    on them).
    """
    path = Path(path)
    raws = [_newlines(p) for p in pages]
    seen: set[str] = set()
    found: dict[str, str] = {}
    title = ""
    bodies: list[tuple[int, str]] = []
    every_line: list[str] = []
    for number, raw in enumerate(raws, start=1):
        lines, _ = clean_lines(raw, seen, found)
        if not bodies and any(lines):
            title, lines = _title(lines, found)
        body = _join(lines)
        if body:
            bodies.append((number, body))
            every_line += lines
    starts: list[tuple[int, int]] = []
    text = ""
    for number, body in bodies:
        if text:
            text += " " if _continues(text, body) else "\n\n"
        starts.append((number, len(text)))
        text += body
    return _build(path, title, text, found, "\f".join(raws), every_line, starts)


# A page's last paragraph this long, cut without closing punctuation, goes on overleaf
# (shorter ones are headings and photo captions).
RUN_ON_CHARS = 160


def _continues(before: str, after: str) -> bool:
    """Whether a page starts in the middle of the previous page's last sentence: that
    one ended without closing punctuation, and either it is a long paragraph or the
    page goes on in lower case (a name such as "Đồng Tháp" may start the next page)."""
    last = before.rsplit("\n", 1)[-1].rstrip()
    if not after or last.endswith(tuple(".!?:;…\"”»)")):
        return False
    return len(last) >= RUN_ON_CHARS or after[:1].islower()


def read_document(path: str | Path) -> Document:
    """Read and parse one file; raise ``ValueError`` with the reason if unusable.

    The document's ``path`` is the file's place in its folder (the folder resolved, the
    file itself not), so a symbolic link is recorded where it is, not where it points.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    where = path.parent.resolve() / path.name
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        doc = parse_pages(where, pdf_pages(path))
    elif suffix == ".docx":
        doc = parse_document(where, docx_text(path), markup=False)
    else:
        doc = parse_document(where, decode(path.read_bytes()))
    if not doc.text.strip():
        raise ValueError("no article text after cleaning")
    return doc


def load_documents(root: str | Path) -> LoadResult:
    """Load every article under ``root``; bad files are skipped with a named warning."""
    docs: list[Document] = []
    found = scan(root)
    skipped: list[tuple[str, str]] = []
    for entry, why in found.skipped:
        log.warning("skipping %s: %s", entry, why)
        skipped.append((entry, why))
    unreadable: set[str] = set()
    ids: set[str] = set()
    for path in found.files:
        try:
            doc = read_document(path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            log.warning("skipping %s: %s", path, reason)
            skipped.append((str(path), reason))
            unreadable.add(path.stem)
            continue
        if doc.doc_id in ids:
            skipped.append((str(path), f"duplicate doc_id {doc.doc_id}"))
            continue
        ids.add(doc.doc_id)
        docs.append(doc)
    outside = {Path(link).stem: target for link, target in found.outside.items()}
    return LoadResult(docs, skipped, unreadable, outside)
