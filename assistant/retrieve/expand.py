"""Evidence beyond the best-scored sentences: what often holds the answer next to them.

- :func:`add_following`: the sentence right after each of the best ones (same paragraph);
- :func:`expand_enumeration`: a whole enumeration ("(1) ... (2) ...") a chosen sentence
  belongs to, read from the whole document;
- :func:`with_byline`: the author line, for "who wrote ...?" questions.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.index.keyword.records import DocRecord
from assistant.index.store import Index
from assistant.retrieve.injection import reads_as_instruction
from assistant.retrieve.question import ENUM_ITEM
from assistant.retrieve.sentences import Evidence, same_paragraph
from assistant.vietnamese import nfc


def same_name(a: str, b: str) -> bool:
    """Names equal but for case and Unicode form ("THIÊN TRÚC" is "Thiên Trúc")."""
    return nfc(a).casefold() == nfc(b).casefold()


def with_byline(index: Index, chosen: list[Evidence], records: dict[str, DocRecord | None]
                 ) -> list[Evidence]:
    """Add the byline line of the chosen documents (the unit that is the author)."""
    out = list(chosen)
    for doc_id in dict.fromkeys(e.doc_id for e in chosen):
        rec = records.get(doc_id)
        if rec is None or not rec.author:
            continue
        template = next(e for e in chosen if e.doc_id == doc_id)
        for s, end, _ in index.sentence_vectors(doc_id):
            line = rec.text[s:end].strip()
            if same_name(line, rec.author) and all(e.start != s for e in out):
                out.append(replace(template, start=s, end=end, text=rec.text[s:end],
                                   translation="", translation_verified=False))
    return out


def add_following(
    chosen: list[Evidence], cands: list[Evidence], best: list[Evidence]
) -> list[Evidence]:
    """Add the sentence right after each of the ``best`` ones (same paragraph): the
    sentence that matches the question's context is often followed by the one
    that answers it ("On 3/12 the meeting was held. Comrade X chaired it.")."""
    have = {(e.doc_id, e.start) for e in chosen}
    following = sorted(cands, key=lambda e: (e.doc_id, e.start))
    out = list(chosen)
    for top in best:
        nxt = next(
            (c for c in following if c.doc_id == top.doc_id and c.start >= top.end), None
        )
        if nxt is None or (nxt.doc_id, nxt.start) in have or not same_paragraph(top, nxt):
            continue
        have.add((nxt.doc_id, nxt.start))
        out.append(nxt)
    return out


# At least this many clauses ending in ";" in a row make a run-in enumeration.
MIN_CHAIN = 3


def clause_chains(text: str, units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(first, last)`` unit indexes of each run-in enumeration: clauses that end in ";"
    (at least ``MIN_CHAIN``, the last one ends the sentence: "Kết luận hội nghị, ... đề
    nghị ... đơn vị; thực hiện ...; tham mưu ...; tập trung rà soát ..."), with the
    sentence before them when the same paragraph holds it ("... Hội nghị triển khai nhiệm
    vụ trọng tâm quý IV/2023. Trong đó, chú trọng ...; Tổng kết ...; Tham mưu ...")."""
    def ends(i: int) -> str:
        return text[units[i][0]:units[i][1]].rstrip()[-1:]

    out: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j = i
        while j + 1 < len(units) and ends(j) == ";":
            j += 1
        if j - i + 1 >= MIN_CHAIN:
            # the sentence introducing the list, when the same paragraph holds it
            intro = i and "\n" not in text[units[i - 1][1]:units[i][0]]
            out.append((i - 1 if intro else i, j))
        i = j + 1
    return out


# At most this many sentences after a colon carry the list it announces.
MAX_ANNOUNCED = 5
# A colon that announces what follows ("... chỉ ra hạn chế ..., cụ thể là: ..."), not a
# time ("14:30") and not one inside brackets ("(gồm: ...)").
_ANNOUNCING_COLON = re.compile(r"[^\d\s]:(?:\s|$)")


def announced_lists(text: str, units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(first, last)`` unit indexes of each list a colon announces and the next sentences
    of the same paragraph carry: "Tuy đạt được ..., báo cáo cũng chỉ ra hạn chế ..., cụ thể
    là: Công tác chỉ đạo ... chưa sâu sát. Một số địa phương ... còn chậm gửi ... . Việc báo
    cáo ... chưa đảm bảo tiến độ."."""
    out: list[tuple[int, int]] = []
    for i, (s, e) in enumerate(units):
        colon = _ANNOUNCING_COLON.search(text, s, e)
        if colon is None or text.count("(", s, colon.start()) > text.count(")", s, colon.start()):
            continue
        j = i
        while (j + 1 < len(units) and j - i < MAX_ANNOUNCED
               and "\n" not in text[units[j][1]:units[j + 1][0]]):
            j += 1
        if j > i:
            out.append((i, j))
    return out


# A paragraph that opens with a place and its level: "Huyện Tân Hồng tổ chức ...",
# "Thành phố Cao Lãnh ứng dụng ...".
_PLACE_OPENING = re.compile(r"(?:Huyện|Thành phố|TP\.|Thị xã|Xã|Phường|Quận|Tỉnh)\s+[A-ZĐ]")


def place_paragraphs(text: str, units: list[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """Reports place by place: each run of at least two consecutive paragraphs that open
    with a place and its level ("Huyện Tân Hồng ...", "Thành phố Cao Lãnh ...", "Huyện
    Tháp Mười ..."), as the first unit of the paragraph before the run (which introduces
    it: "... đã giới thiệu một số mô hình mới, cách làm hay ...") and the first unit of
    each paragraph of the run."""
    firsts = [i for i in range(len(units))
              if i == 0 or "\n" in text[units[i - 1][1]:units[i][0]]]
    out: list[tuple[int, list[int]]] = []
    run: list[int] = []
    for i in [*firsts, len(units)]:
        if i < len(units) and _PLACE_OPENING.match(text, units[i][0]):
            run.append(i)
            continue
        if len(run) >= 2:
            before = firsts[firsts.index(run[0]) - 1] if run[0] != firsts[0] else run[0]
            out.append((before, run))
        run = []
    return out


def expand_enumeration(
    index: Index, chosen: list[Evidence], cands: list[Evidence], ignored: set[tuple[str, int]]
) -> tuple[list[Evidence], set[tuple[str, int]]]:
    """Keep a whole enumeration (intro sentence + every item) when a chosen sentence
    belongs to one, reading the items from the whole document (an enumeration may
    straddle chunks): a marked one ("(1) ...", "- ...", its units returned as the list
    the answer is), or a run-in one of ";"-separated clauses. Items that read as
    instructions are left out (and counted)."""
    keep = {(e.doc_id, e.start): e for e in chosen}
    in_lists: set[tuple[str, int]] = set()
    template = {e.doc_id: e for e in cands}
    for doc_id in {e.doc_id for e in chosen}:
        rec = index.document(doc_id)
        if rec is None:
            continue
        units = [(s, e) for s, e, _ in index.sentence_vectors(doc_id)]
        items = [i for i, (s, e) in enumerate(units) if ENUM_ITEM.match(rec.text[s:e])]
        blocks: list[list[int]] = []
        for i in items:
            if blocks and i - blocks[-1][-1] <= 3:
                blocks[-1].append(i)
            else:
                blocks.append([i])
        # (first, last, units added, marked): the units from first to last, when a chosen
        # sentence is among them; a marked list is the answer itself; a run-in one of ";"
        # clauses only adds its clauses
        spans: list[tuple[int, int, list[int] | None, bool]] = [
            (max(b[0] - 1, 0), b[-1], None, True) for b in blocks if len(b) >= 2]
        spans += [(lo, hi, None, False) for lo, hi in clause_chains(rec.text, units)]
        spans += [(lo, hi, None, False) for lo, hi in announced_lists(rec.text, units)]
        # place by place: the intro or a place's paragraph chosen adds each place's first
        # sentence
        spans += [(intro, run[-1], run, False)
                  for intro, run in place_paragraphs(rec.text, units)]
        for lo, hi, added, marked in spans:
            span_lo, span_hi = units[lo][0], units[hi][1]
            if not any(e.doc_id == doc_id and span_lo <= e.start < span_hi for e in chosen):
                continue
            base = template[doc_id]
            for s, e in (units[lo : hi + 1] if added is None else [units[i] for i in added]):
                if reads_as_instruction(rec.text[s:e]):
                    ignored.add((doc_id, s))
                    continue
                if marked:
                    in_lists.add((doc_id, s))
                keep.setdefault(
                    (doc_id, s),
                    Evidence(
                        doc_id=doc_id,
                        start=s,
                        end=e,
                        text=rec.text[s:e],
                        score=base.score,
                        dense=0.0,
                        lexical=0.0,
                        title=base.title,
                        date=base.date,
                        publisher=base.publisher,
                        chunk_id=base.chunk_id,
                    ),
                )
    return list(keep.values()), in_lists
