"""PDF and DOCX files -> raw text, before cleaning (``documents.py`` builds the Document).

- :func:`pdf_pages`: one text per page (pypdf, layout mode), the lines of each
  paragraph joined (PDFs break lines where the page ends them, mid-sentence; a blank
  line or a short line ending a sentence ends a paragraph), running page numbers
  dropped. A PDF without any text (a scan) is refused: it needs OCR first.
- :func:`docx_text`: paragraphs and table rows, one a line (python-docx), in body order.
  Word files have no fixed pages (the layout decides), so DOCX citations carry none.

Both libraries are imported when a file needs them; a missing one is named with the
``pip install`` that fixes it. Unreadable files raise ``ValueError`` with the reason.
Deliberately left out: OCR, PDF layout analysis (columns, tables), hyphenated words
split over two lines (Vietnamese is not hyphenated), headers and footers in DOCX.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# Paragraphs end at a blank line (layout mode shows the gap between them), or where a
# line shorter than the page's full lines ends a sentence and the next line starts with
# a capital, bullet or number.
SHORT_LINE = 0.85
_ENDS_SENTENCE = tuple(".!?:;…\"”»)")
_PAGE_NUMBER = re.compile(
    r"^(?:trang|page|tr\.)?\s*\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?$", re.IGNORECASE
)


def _import(module: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ValueError(f"reading this file needs {package}: pip install {package}") from None


def _starts_block(line: str) -> bool:
    first = line[:1]
    return first.isupper() or first.isdigit() or first in "-–—•*+(\"“‘["


def unwrap(text: str) -> str:
    """Join the lines of each paragraph of one page's text; paragraphs one a line.

    >>> unwrap("Dòng đầu của một đoạn văn khá dài và đầy đủ chiều rộng\\nkết thúc.\\nĐoạn mới.")
    'Dòng đầu của một đoạn văn khá dài và đầy đủ chiều rộng kết thúc.\\nĐoạn mới.'
    """
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if not _PAGE_NUMBER.match(line)]
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current: list[str] = []
    for i, line in enumerate(lines):
        if line:
            current.append(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        short = len(line) < SHORT_LINE * width
        ends = not line or not nxt or (
            short and line.endswith(_ENDS_SENTENCE) and _starts_block(nxt)
        )
        if ends and current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n".join(paragraphs)


def _page_text(page: Any) -> str:
    """A page's text in layout mode (a blank line where the page leaves a gap between
    paragraphs), or in plain mode where the layout mode fails."""
    try:
        return str(page.extract_text(extraction_mode="layout") or "")
    except Exception:  # layout mode gives up on some fonts: plain text still helps
        return str(page.extract_text() or "")


def pdf_pages(path: str | Path) -> list[str]:
    """The text of each page of a PDF, paragraphs one a line (empty pages stay, empty)."""
    pypdf = _import("pypdf", "pypdf")
    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("encrypted PDF: save it without a password and add it again")
        texts = [_page_text(page) for page in reader.pages]
    except ValueError:
        raise
    except Exception as exc:  # a malformed file can fail anywhere inside pypdf
        raise ValueError(f"not a readable PDF ({type(exc).__name__})") from None
    pages = [unwrap(t) for t in texts]
    if not any(p.strip() for p in pages):
        raise ValueError(
            f"scanned PDF with no text layer ({len(pages)} page(s) of images only): "
            "run OCR on it (for example ocrmypdf) and add the result"
        )
    return pages


def docx_text(path: str | Path) -> str:
    """The paragraphs and table rows of a Word file, one a line, in body order."""
    docx = _import("docx", "python-docx")
    try:
        document = docx.Document(str(path))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if hasattr(block, "rows"):  # a table: one line a row, cells " | "
                for row in block.rows:
                    cells = list(dict.fromkeys(c.text.strip() for c in row.cells))
                    lines.append(" | ".join(c for c in cells if c))
            else:
                lines.append(block.text)
    except Exception as exc:  # not a zip, no document part, broken XML ...
        raise ValueError(f"not a readable DOCX file ({type(exc).__name__})") from None
    return "\n".join(lines)
