"""Stage 1, files -> documents -> chunks.

- :mod:`.files`: which entries of a folder are articles (symbolic links never lead out
  of it; loops and dangling links are named), and how text bytes decode (BOMs);
- :mod:`.paged`: PDF pages (pypdf) and DOCX paragraphs (python-docx) as raw text;
- :mod:`.documents`: TXT, MD, HTML, PDF and DOCX articles; cleaning (NFC, boilerplate);
  title, publisher, dates, byline, PDF page starts; the stable ``doc_id``.
- :mod:`.chunking`: token-aware sentence chunks (tiktoken ``cl100k_base``) with exact
  offsets into the cleaned text; a syllable is never split.

Imports nothing above the shared base (``config``, ``errors``, ``vietnamese``).
"""
