"""PDF and DOCX fixtures made at test time from the seed articles (real Vietnamese text).

- :func:`seed_pdf`: a PDF (fpdf2, DejaVu Sans for the Vietnamese glyphs) of one seed
  article, its paragraphs laid out on explicit pages (``per_page`` characters at most),
  or flowing over automatic page breaks so that paragraphs and sentences run on to the
  next page. Returns the page each paragraph starts on.
- :func:`scanned_pdf`: pages holding only an image (no text layer), like a scan.
- :func:`seed_docx`: a Word file (python-docx) of one seed article: the title as a
  heading, the paragraphs, and a small table.

The font is Debian's ``fonts-dejavu-core`` (``make test`` installs it); without it the
PDF tests skip, naming the package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.ingest.documents import Document, load_documents
from tests.conftest import SEEDS

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def seed(prefix: str) -> Document:
    """The cleaned seed article whose id starts with ``prefix`` ("003")."""
    return next(d for d in load_documents(SEEDS).documents if d.doc_id.startswith(prefix))


def paragraphs(doc: Document) -> list[str]:
    return [p for p in doc.text.split("\n") if p.strip()]


def _pdf() -> Any:
    fpdf = pytest.importorskip("fpdf")
    if not FONT.exists():
        pytest.skip(f"{FONT} is missing: apt-get install fonts-dejavu-core (make test does)")
    pdf = fpdf.FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    return pdf


def seed_pdf(doc: Document, dest: Path, per_page: int | None = 2600) -> list[int]:
    """Write ``doc`` as a PDF; return the page each paragraph starts on (1-based).

    ``per_page=None`` lets fpdf2 break pages itself, in the middle of paragraphs."""
    pdf = _pdf()
    pdf.set_title(doc.title)
    pdf.add_page()
    used, starts = 0, []
    for para in paragraphs(doc):
        if per_page is not None and used and used + len(para) > per_page:
            pdf.add_page()
            used = 0
        starts.append(pdf.page_no())
        pdf.multi_cell(0, 6, para, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        used += len(para)
    pdf.output(str(dest))
    return starts


def scanned_pdf(dest: Path, pages: int = 2) -> None:
    """A PDF of images only (grey boxes standing in for scanned pages)."""
    from PIL import Image

    image = dest.with_suffix(".png")
    Image.new("L", (400, 560), color=200).save(image)
    pdf = _pdf()
    for _ in range(pages):
        pdf.add_page()
        pdf.image(str(image), x=10, y=10, w=190)
    pdf.output(str(dest))
    image.unlink()


def seed_docx(doc: Document, dest: Path) -> None:
    """Write ``doc`` as a Word file: title heading, paragraphs, a table in the middle."""
    docx = pytest.importorskip("docx")
    out = docx.Document()
    paras = paragraphs(doc)
    out.add_heading(paras[0], level=1)
    for i, para in enumerate(paras[1:], start=1):
        out.add_paragraph(para)
        if i == 2:
            table = out.add_table(rows=2, cols=2)
            for r, row in enumerate([("Tỉnh", "Số đảng viên"), ("Kon Tum", "1.234")]):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
    out.save(str(dest))
