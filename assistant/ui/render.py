"""HTML for the chat page: answers with clickable ``[n]`` markers and their source cards.

Pure functions, no Gradio: :mod:`assistant.ui.app` calls them and puts the result in a chat
message. One assistant message is the answer (Markdown with inline HTML) followed by a
"Sources" block; every citation becomes a collapsed ``<details>`` card that holds the
cited sentence highlighted (``<mark>``) inside its paragraph, with the article title,
province (publisher) and date. A marker ``[n]`` in the answer is a
``<span class="cite to-src-T-n">`` (Gradio's sanitizer keeps ``class`` and ``id`` but
drops ``data-*`` and ``aria-*`` attributes); the page script (:data:`PAGE_JS`) opens and
scrolls to the card when it is clicked (without the script, the cards still open on a
click of their own summary line).

Sentences the grounding checker kept but tagged "(unverified)" (its ``mode="mark"``), or
whose citation has ``supported=False``, are wrapped in ``<span class="unsupported">``
(wavy underline and a warning sign).

>>> from assistant.answer.result import Citation
>>> c = Citation(1, "003_x", "Title", "2021-03-09", "B.", 2, 4, publisher="Đồng Tháp")
>>> "to-src-7-1" in answer_html("A [1].", [c], turn=7)
True
>>> context_html("A. B. C.", 3, 5)
'A. <mark>B.</mark> C.'

Deliberately left out: Markdown inside source text (article text is shown verbatim).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from assistant.answer.grounding import UNVERIFIED
from assistant.answer.result import Citation

_MARKERS = re.compile(r"\[(\d{1,3}(?:\s*[-–,;]\s*\d{1,3})*)\]")
_UNVERIFIED = re.compile("|".join(re.escape(t) for t in UNVERIFIED.values()))
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n")
MAX_CONTEXT_CHARS = 700

DocText = Callable[[str], "str | None"]


def esc(text: str) -> str:
    """HTML-escape text content (quotes kept: they are not inside attributes)."""
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    """HTML-escape an attribute value."""
    return html.escape(text, quote=True)


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (blank-line or line-break delimited) around ``text[start:end]``.

    >>> paragraph_bounds("one\\ntwo three\\nfour", 4, 7)
    (4, 13)
    """
    p_start = text.rfind("\n", 0, start) + 1
    p_end = text.find("\n", end)
    return p_start, len(text) if p_end < 0 else p_end


def _trim_left(before: str, budget: int) -> str:
    if len(before) <= budget:
        return before
    cut = before[-budget:]
    space = cut.find(" ")
    return "… " + (cut[space + 1 :] if 0 <= space < 40 else cut)


def _trim_right(after: str, budget: int) -> str:
    if len(after) <= budget:
        return after
    cut = after[:budget]
    space = cut.rfind(" ")
    return (cut[:space] if space > budget - 40 else cut) + " …"


def context_html(text: str, start: int, end: int, max_chars: int = MAX_CONTEXT_CHARS) -> str:
    """The paragraph around ``text[start:end]`` with that span in ``<mark>``, escaped.

    Long paragraphs are cut to about ``max_chars`` around the quote, at word boundaries.
    """
    p_start, p_end = paragraph_bounds(text, start, end)
    budget = max(0, max_chars - (end - start)) // 2
    before = _trim_left(text[p_start:start], budget)
    after = _trim_right(text[end:p_end], budget)
    return f"{esc(before)}<mark>{esc(text[start:end])}</mark>{esc(after)}"


def locate(text: str | None, c: Citation) -> tuple[int, int] | None:
    """Offsets of ``c.quote`` in ``text``: the citation's own, else the first match."""
    if text is None:
        return None
    if 0 <= c.start < c.end <= len(text) and text[c.start : c.end] == c.quote:
        return c.start, c.end
    at = text.find(c.quote) if c.quote else -1
    return (at, at + len(c.quote)) if at >= 0 else None


def source_id(turn: int, marker: int) -> str:
    """DOM id of the source card of marker ``marker`` in chat turn ``turn``."""
    return f"src-{turn}-{marker}"


def article_line(c: Citation) -> str:
    """``<b>Title</b> — Province · date`` for a citation's article (escaped HTML)."""
    meta = " · ".join(esc(x) for x in (c.publisher, c.date) if x)
    return f"<b>{esc(c.title or c.doc_id)}</b>{' — ' + meta if meta else ''}"


def snippet(text: str, limit: int = 90) -> str:
    """The first ``limit`` characters of ``text``, cut at a word, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut) + "…"


def source_card(c: Citation, doc_text: str | None, turn: int) -> str:
    """One collapsed ``<details>`` card: the quote's start; open, the highlighted paragraph
    with the article title, province and date."""
    where = locate(doc_text, c)
    if where is not None and doc_text is not None:
        body = context_html(doc_text, *where)
    else:
        body = f"<mark>{esc(c.quote)}</mark> <i>(the article is no longer in the index)</i>"
    warn = (
        ' <span class="src-warn" title="the checker did not find this claim in the passage">'
        "⚠ not supported</span>"
        if not c.supported
        else ""
    )
    # A translated quote: its (verified) translation above the highlighted original.
    english = (f'<div class="src-tr" lang="en">{esc(c.translation)}</div>'
               if c.translation and c.translation_verified else "")
    page = f" · p. {c.page}" if c.page else ""
    return (
        f'<details class="src" id="{source_id(turn, c.marker)}">'
        f'<summary><span class="src-n">[{c.marker}]</span> '
        f"{esc(snippet(c.translation if english and c.translation else c.quote))}{warn}"
        f"</summary>{english}"
        f'<blockquote class="ctx">{body}</blockquote>'
        f'<div class="src-doc">{article_line(c)} · {esc(c.doc_id)}{page}</div></details>'
    )


def sources_html(citations: Sequence[Citation], doc_text: DocText, turn: int) -> str:
    """The "Sources" block of one answer: per article a heading (title, province, date),
    then one card per citation, in marker order (one line of HTML)."""
    if not citations:
        return ""
    by_doc: dict[str, list[Citation]] = {}
    for c in sorted(citations, key=lambda c: c.marker):
        by_doc.setdefault(c.doc_id, []).append(c)
    groups = []
    for doc_id, cites in by_doc.items():
        text = doc_text(doc_id)
        cards = "".join(source_card(c, text, turn) for c in cites)
        groups.append(f'<div class="src-article">{article_line(cites[0])}</div>{cards}')
    n, docs = len(citations), len(by_doc)
    head = (
        f'<div class="src-head">Sources: {n} passage{"s" if n != 1 else ""} from {docs} '
        f'article{"s" if docs != 1 else ""}; click a marker or a line to read it</div>'
    )
    return f'<div class="sources">{head}{"".join(groups)}</div>'


def marker_numbers(group: str) -> list[int]:
    """The numbers of a marker group: ``"1, 3-5"`` -> ``[1, 3, 4, 5]``.

    >>> marker_numbers("1, 3-5")
    [1, 3, 4, 5]
    """
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group.strip()):
        lo, _, hi = re.sub(r"\s*[-–]\s*", "-", part).partition("-")
        if hi and lo.isdigit() and hi.isdigit() and 0 <= int(hi) - int(lo) <= 30:
            out.extend(range(int(lo), int(hi) + 1))
        elif lo.isdigit():
            out.append(int(lo))
    return out


def _marker_span(n: int, by_marker: dict[int, Citation], turn: int) -> str:
    c = by_marker.get(n)
    if c is None:
        return f'<span class="cite missing" title="no such source">[{n}]</span>'
    cls = "cite" if c.supported else "cite unsupported"
    title = attr(f"{c.title} — {c.publisher} {c.date}".strip())
    return (
        f'<span class="{cls} to-{source_id(turn, n)}" role="button" tabindex="0" '
        f'title="{title}">[{n}]</span>'
    )


def _unsupported_in(segment: str, by_marker: dict[int, Citation]) -> bool:
    """True when the checker tagged the sentence or one of its citations is unsupported."""
    if _UNVERIFIED.search(segment):
        return True
    for m in _MARKERS.finditer(segment):
        for n in marker_numbers(m.group(1)):
            c = by_marker.get(n)
            if c is not None and not c.supported:
                return True
    return False


def answer_html(text: str, citations: Sequence[Citation], turn: int) -> str:
    """The answer as Markdown with inline HTML: markers clickable, unsupported marked."""
    by_marker = {c.marker: c for c in citations}
    out: list[str] = []
    pos = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        seg_end = m.start() if m else len(text)
        segment = text[pos:seg_end]
        rendered = _MARKERS.sub(
            lambda mm: "".join(
                _marker_span(n, by_marker, turn) for n in marker_numbers(mm.group(1))
            ),
            esc(segment),
        )
        rendered = _UNVERIFIED.sub(lambda mm: f'<span class="unverified">{mm.group(0)}</span>',
                                   rendered)
        if segment.strip() and _unsupported_in(segment, by_marker):
            lead = len(rendered) - len(rendered.lstrip())
            rendered = (
                rendered[:lead]
                + '<span class="unsupported" title="not supported by the cited passage">⚠ '
                + rendered[lead:]
                + "</span>"
            )
        out.append(rendered)
        if m:
            out.append(m.group(0))
            pos = m.end()
    return "".join(out)


def footer_html(backend: str, seconds: float, notes: Sequence[str]) -> str:
    """Small grey line under an answer: which backend answered, how long, notes."""
    bits = [f"{esc(backend)}", f"{seconds:.1f} s"] + [esc(n) for n in notes if n]
    return f'<div class="answer-meta">{" · ".join(bits)}</div>'


def message_html(answer: str, sources: str, footer: str = "") -> str:
    """One assistant chat message: answer (Markdown), then the sources and footer HTML."""
    parts = [answer.strip()]
    if sources:
        parts.append(sources)
    if footer:
        parts.append(footer)
    return "\n\n".join(p for p in parts if p)


def error_html(message: str) -> str:
    """An error shown as a chat message (one sentence, never a traceback)."""
    return f'<div class="chat-error">⚠ {esc(message)}</div>'


# Click on a marker -> open its card, scroll to it and flash it. Delegated on document,
# so it works for messages rendered after the page loaded.
PAGE_JS = """
<script>
(() => {
  if (window.__citeHandler) return;
  window.__citeHandler = true;
  const target = (el) => {
    const cls = [...el.classList].find((c) => c.startsWith("to-src-"));
    return cls ? cls.slice(3) : null;
  };
  const openSource = (el) => {
    const card = document.getElementById(target(el));
    if (!card) return;
    card.open = true;
    card.scrollIntoView({block: "nearest", behavior: "smooth"});
    card.classList.add("flash");
    setTimeout(() => card.classList.remove("flash"), 1600);
  };
  document.addEventListener("click", (ev) => {
    const el = ev.target.closest && ev.target.closest(".cite");
    if (el) { ev.preventDefault(); ev.stopPropagation(); openSource(el); }
  }, true);
  document.addEventListener("keydown", (ev) => {
    const el = ev.target.closest && ev.target.closest(".cite");
    if (el && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); openSource(el); }
  }, true);
})();
</script>
"""

PAGE_CSS = """
.cite { color: var(--color-accent); cursor: pointer; font-weight: 600; font-size: 0.85em;
        vertical-align: super; padding: 0 1px; }
.cite:hover, .cite:focus { text-decoration: underline; }
.cite.unsupported, .cite.missing { color: #b45309; }
.unsupported { text-decoration: underline wavy #d97706; text-underline-offset: 3px;
               background: rgba(251, 191, 36, 0.12); }
.sources { margin-top: 0.6em; border-top: 1px solid var(--border-color-primary);
           padding-top: 0.4em; }
.src-head { font-size: 0.85em; opacity: 0.75; margin-bottom: 0.2em; }
.src-article { font-size: 0.9em; margin: 0.4em 0 0.1em 0; }
details.src { margin: 0.15em 0; border-radius: 6px; padding: 0.1em 0.4em; }
details.src[open] { background: var(--background-fill-secondary); }
details.src summary { cursor: pointer; font-size: 0.88em; opacity: 0.9; }
details.src.flash { outline: 2px solid var(--color-accent); transition: outline 0.3s; }
.src-n { color: var(--color-accent); font-weight: 600; }
.src-warn { color: #b45309; font-size: 0.85em; }
blockquote.ctx { margin: 0.3em 0 0.2em 0; padding-left: 0.7em; font-size: 0.92em;
                 border-left: 3px solid var(--color-accent); }
.src-tr { margin: 0.3em 0 0 0; font-size: 0.95em; }
blockquote.ctx mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 2px; }
.src-doc { font-size: 0.8em; opacity: 0.75; }
.answer-meta { font-size: 0.75em; opacity: 0.6; margin-top: 0.4em; }
.unverified { color: #b45309; font-size: 0.85em; }
.chat-error { color: #b91c1c; }
#status { font-size: 0.9em; }
"""
