"""Answerability rules: can this evidence hold the answer to this question at all?

Sentence selection (``evidence.py``) scores sentences; these rules refuse where a high
score would mislead. Each is a general property of questions and evidence, never a
list of known questions:

- :func:`anchored`: the question's anchors (years, quarters, months, codes, names) must
  all occur in one document (a Gia Lai question is not answered from a Kon Tum article)
  unless the question asks about several things (:func:`is_multi_part`: "..., and which
  ...", "in both articles"), when each anchor may sit in its own document;
- :func:`can_answer`: the evidence can hold the kind of answer asked for: a count for
  "how many" (about the place asked for, not a cluster or national total), the exact
  title for "who is the <title>" (a Deputy Secretary is not the Secretary) with someone
  named beside it, a day for "on what date", and no other year, quarter or month than
  the one asked for in the sentences that answer, no other number of a numbered name
  ("Vụ Địa phương II" for "Department I") and no other place (``near_miss.py``);

Whether a question asks about anything at all is ``content.py``'s.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from assistant.retrieve.codes import asked_document
from assistant.retrieve.counts import counted_noun, has_count, wants_count
from assistant.retrieve.english import english_counted, english_role
from assistant.retrieve.hybrid import Passage
from assistant.retrieve.near_miss import (
    other_month,
    other_number,
    other_places,
    other_year,
    place_anchors,
)
from assistant.retrieve.parts import question_parts
from assistant.retrieve.question import (
    anchors,
    asks_person,
    contains_term,
    has_role,
    is_multi_document,
    names_person,
    role_asked,
    titles,
)
from assistant.retrieve.sentences import Sentence
from assistant.retrieve.timing import (
    YEAR,
    asked_times,
    own_times,
    paragraph_start,
    sentence_start,
)
from assistant.vietnamese import (
    detect_language,
    english_stems,
    fold,
    match_normalize,
    nfc,
)

S = TypeVar("S", bound=Sentence)

_MULTI_PART = re.compile(
    r"\b(?:and|va|con)\b[^?]{0,120}?\b(?:which|what|who|whom|when|where|how|nao|gi|ai"
    r"|bao nhieu)\b|\b(?:both|each|respectively|two articles|ca hai|moi bai|lan luot)\b"
    r"|\band (?:in|at|for|from) the\b"
)
# "when" asks for a date as the question word ("When was ...?", "..., and when?"), not as
# a conjunction ("... did they follow when refreshing their meetings?")
_DAY_ASKED = r"what date|which date|what day|on what day|ngay nao|ngay thang nao"
_WHEN = re.compile(rf"(?:^|[,;]\s*|\b(?:and|or)\s+)when\b|\b({_DAY_ASKED}|khi nao|bao gio"
                   r"|thoi gian nao|luc nao)\b")
_MONTHS = (r"(?:january|february|march|april|may|june|july|august|september|october"
           r"|november|december)")
_DATE = re.compile(rf"\b\d{{1,2}}\s*[/-]\s*\d{{1,2}}(?:\s*[/-]\s*\d{{2,4}})?\b|\bngay\s+\d"
                   rf"|\bthang\s+\d|\b{_MONTHS}\b|\b(?:19|20)\d{{2}}\b")
_WHEN_DAY = re.compile(rf"\b({_DAY_ASKED})\b")
# a date that names a day: "28/9", "ngày 3", "September 28th", "the 3rd of December"
_DAY = re.compile(
    rf"\b\d{{1,2}}\s*[/-]\s*\d{{1,2}}(?:\s*[/-]\s*\d{{2,4}})?\b|\bngay\s+(?:mung\s+)?\d+"
    rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\b")
_AUTHOR = re.compile(r"\b(who wrote|author|written by|byline|credited|reporter|tac gia"
                     r"|ai viet|nguoi viet|but danh|phong vien)\b")
_NATIONWIDE = re.compile(r"\b(nationwide|nationally|national total|across the country"
                         r"|whole country|in the country|ca nuoc|toan quoc)\b")
_NATIONAL_MEETING = re.compile(r"\b(hoi nghi|giao ban)( truc tuyen)? toan quoc\b")
# Words that make a count a total over several places, not one place's figure.
_AGGREGATE = re.compile(r"\b(cum|cac tinh|cac dia phuong|toan quoc|ca nuoc|toan nganh"
                        r"|\d+ tinh|tinh, thanh)\b")


def is_multi_part(question: str) -> bool:
    """Whether the question asks about several things (whose anchors may sit in
    different articles): "across the articles", "in both", "..., and which ...".

    >>> is_multi_part("Who chaired it, and which cluster does Kon Tum belong to?")
    True
    >>> is_multi_part("Who attended at the Gia Lai bridge point in Q3 2023?")
    False
    >>> is_multi_part("Who headed the organization boards of Binh Dinh and Da Nang?")
    True
    >>> is_multi_part("Đại hội được nêu trong bài tháng 12/2018 và trong phương hướng năm 2024?")
    True
    >>> is_multi_part("Ban Tổ chức và Ủy ban Kiểm tra họp tháng 12/2018 ở đâu?")
    False
    """
    folded = fold(nfc(question))
    if is_multi_document(question) or _MULTI_PART.search(folded):
        return True
    # two places asked about together: "of Bình Định and Đà Nẵng", "Kon Tum và Gia Lai"
    if len(place_anchors(question)) >= 2 and re.search(r"\b(and|va)\b", folded):
        return True
    # parts that each date or name a thing of their own: "... theo bài giao ban tháng
    # 12/2018 và theo phương hướng năm 2024 của Cụm thi đua số III?", "Hội nghị tháng
    # 12/2018 ... lần thứ mấy, còn Cụm thi đua số III năm 2024 ... lần thứ mấy?"
    named = [set(anchors(p)) for p in question_parts(question)]
    return any(a - b and b - a for i, a in enumerate(named) for b in named[i + 1:])


def anchored(question: str, ranked: list[S],
             lacking: dict[str, list[str]]) -> tuple[list[S], list[str]]:
    """Keep the candidates from documents that contain every anchor of the question
    (``lacking``: :func:`lacking_anchors`). Returns the kept candidates and the anchors no
    single document holds (empty: answerable). Multi-part questions need each anchor
    somewhere in the results."""
    wanted = anchors(question)
    if not wanted:
        return ranked, []
    if is_multi_part(question):
        return ranked, [a for a in wanted if all(a in miss for miss in lacking.values())]
    complete = {d for d, miss in lacking.items() if not miss}
    if not complete:
        fewest = min(lacking.values(), key=len) if lacking else wanted
        return ranked, fewest
    kept = [e for e in ranked if e.doc_id in complete]
    return (kept or ranked), []


def lacking_anchors(question: str, passages: Sequence[Passage],
                    doc_texts: dict[str, str]) -> dict[str, list[str]]:
    """For each document of the passages, the question's anchors its title and text lack
    (worked out once per question: anchoring, the home articles and the parts use it)."""
    wanted = anchors(question)
    first = {p.doc_id: p for p in reversed(passages)}  # a document's first passage
    texts = {d: match_normalize(f"{first[d].title} {doc_texts.get(d) or first[d].text}")
             for d in dict.fromkeys(p.doc_id for p in passages)}
    return {d: [a for a in wanted if not contains_term(t, a)] for d, t in texts.items()}


def home_documents(lacking: dict[str, list[str]]) -> set[str]:
    """The documents holding every anchor of the question (all when none does), from
    :func:`lacking_anchors`: where "Who ... at Đồng Tháp's Q1 2021 review, and what ...?"
    names its person."""
    return {d for d, miss in lacking.items() if not miss} or set(lacking)


@functools.lru_cache(maxsize=256)
def _count_question(question: str) -> tuple[str, str | None, tuple[str, ...], frozenset[str]]:
    """What a count question counts, worked out once per question: the part that asks
    "how many" ("kết luận số mấy ..., và ... bao nhiêu năm?"), its language, and its
    counted noun (Vietnamese) or counted nouns and their stems (English)."""
    part = next((p for p in question_parts(question) if wants_count(p)), question)
    lang = detect_language(part)
    if lang != "en":
        return lang, counted_noun(part), (), frozenset()
    nouns, stems = english_counted(part)
    return lang, None, tuple(nouns), frozenset(stems)


def _counts(e: Sentence, question: str) -> bool:
    """Whether ``e`` states a count of what the question counts (in its Vietnamese, or
    in its translation for an English question); in a question in parts, of what the
    part that asks "how many" counts."""
    lang, noun, nouns, stems = _count_question(question)
    if lang != "en":
        return has_count(e.text, noun)
    if not nouns:  # nothing the glossary knows: any count may be it ("how many times")
        return has_count(e.text)
    if any(has_count(e.text, n) for n in nouns):
        return True
    words = re.findall(r"[a-z0-9][a-z0-9.,]*", fold(e.translation or ""))
    for i, w in enumerate(words):
        if w[0].isdigit() and not YEAR.fullmatch(w.strip(".,")) and \
                english_stems(" ".join(words[i + 1:i + 5])) & stems:
            return True
    return False


def _answering(question: str, chosen: Sequence[Sentence]) -> list[Sentence]:
    """The sentences that would carry the answer: those stating a count for "how many",
    the two best-scored that name someone for "who ...?", else the two best-scored."""
    if wants_count(question):
        return [e for e in chosen if _counts(e, question)]
    best = sorted(chosen, key=lambda e: -e.score)
    if asks_person(question):  # "who chaired ...?": the sentences that name someone
        return [e for e in best if names_person(e.text)][:2] or best[:2]
    return best[:2]


def wanted_sentence(question: str) -> Callable[[Sentence], bool] | None:
    """For questions that need a particular kind of sentence (a count, a date, a person's
    name for "who ...?", a numbered document for "which resolution ...?"), the test a
    sentence must pass; None for other questions. Evidence selection uses it to add the
    best candidate of that kind when the chosen sentences have none."""
    if wants_count(question):
        return lambda e: _counts(e, question)
    if _WHEN.search(fold(nfc(question))):
        asked = set(anchors(question))
        return lambda e: bool(_dates(f"{e.text} {e.translation}", asked))
    if asks_person(question):  # a line that is only a name is a byline: the author's
        short = 0 if asks_author(question) else 5
        return lambda e: names_person(e.text) and len(e.text.split()) > short
    return asked_document(question)


def _dates(text: str, asked: set[str], day: bool = False) -> set[str]:
    """Date expressions of ``text`` other than the question's own anchors (with ``day``,
    only those that name a day: "on what date" is not answered by a year)."""
    return {d for d in (_DAY if day else _DATE).findall(fold(text)) if d not in asked}


def can_answer(question: str, chosen: Sequence[Sentence],
               doc_texts: dict[str, str] | None = None) -> tuple[bool, str]:
    """Whether ``chosen`` can hold the kind of answer asked for; ``(False, reason)``
    when not. ``doc_texts`` (document id -> text) give a clause its sentence's context
    ("Năm 2023, ... ; kết nạp được 20.777 đảng viên mới;")."""
    answering = _answering(question, chosen)
    if wants_count(question) and not answering:
        return False, "no count of what is asked"
    role = role_asked(question) or english_role(question)
    if role is not None and not any(has_role(e.text, role) for e in chosen):
        return False, "not the title asked for"
    places = place_anchors(question)
    if role is not None and places and not any(
            has_role(e.text, role) and _about(e, places, chosen, paragraph=paragraph_start(
                e, doc_texts)) for e in chosen):
        return False, "the title asked for, of another place"
    if role is not None and asks_person(question) and not any(
            names_person(e.text) and has_role(e.text, role) for e in chosen):
        return False, "no one named with the title asked for"
    # a question in parts may name each number in another part ("khóa XIII ..., và ...
    # khóa XII?"): any chosen sentence may give it
    said = chosen if is_multi_part(question) else answering
    other = other_number(question, said)
    if other:
        return False, f"another number than {other}"
    other = other_year(question, [f"{paragraph_start(e, doc_texts)} {e.text}" for e in said])
    if other:
        return False, f"another year than {other}"
    single = asks_person(question) and not is_multi_part(question)  # one event asked
    other = other_month(question, answering, doc_texts) if single else ""
    if other:
        return False, f"another event than the one of {other}"
    asked = anchors(question)
    years, quarters = asked_times(question)
    # a question in parts may find its year in any chosen sentence ("Who headed the board
    # at the January 2022 conference, and which cluster is it in?")
    timed = chosen if is_multi_part(question) else answering[:2]
    if answering and (years or quarters):
        own = [own_times(e, doc_texts, asked=quarters) for e in timed]
        if years and all(y and not y & years for y, _ in own):
            return False, "another year"
        if quarters and all(q and not q & quarters for _, q in own):
            return False, "another quarter"
    # "who chaired ..., and when?": the date may be in another sentence than the name
    dated = chosen if is_multi_part(question) else answering
    day = _WHEN_DAY.search(fold(nfc(question)))
    if _WHEN.search(fold(nfc(question))) and not any(
            _dates(f"{e.text} {e.translation}", set(asked), day=bool(day)) for e in dated):
        return False, "no date" if not day else "no day given"
    # "toàn quốc" naming the conference ("Hội nghị toàn quốc ...") asks for no national figure
    nationwide = _NATIONWIDE.search(_NATIONAL_MEETING.sub(" ", fold(nfc(question))))
    if wants_count(question) and nationwide and not any(
            re.search(r"\b(toan quoc|ca nuoc|toan nganh)\b",
                      match_normalize(sentence_start(e, doc_texts) + e.text))
            for e in answering):
        return False, "not a national figure"
    counted = _counted_places(question) if wants_count(question) else []
    if counted and not any(
            _about(e, counted, chosen, sentence_start(e, doc_texts)) for e in answering):
        return False, "a figure for another scope"
    return True, ""


# A part that points back to a place named before it: "..., and how many did it admit?"
_POINTS_BACK = re.compile(r"\b(it|its|there|the province|this province|tinh nay|tinh do"
                          r"|dia phuong nay|dia phuong do)\b")


def _counted_places(question: str) -> list[str]:
    """The places a count must be about: in a question in parts, those the part asking
    "how many" names ("How many did the cluster admit, and which congress does Đồng
    Tháp's plan follow?" counts for the cluster), and the ones before it when it points
    back to them ("..., and how many did it admit?"); else all the question names.

    >>> _counted_places("How many members did the cluster admit in 2023, and which "
    ...                 "congress does Dong Thap's admission plan follow?")
    []
    >>> _counted_places("Which plan did Dong Thap adopt, and how many did it admit?")
    ['dong thap']
    """
    parts = question_parts(question)
    at = next((i for i, p in enumerate(parts) if wants_count(p)), None)
    if at is None:
        return place_anchors(question)
    back = _POINTS_BACK.search(fold(nfc(parts[at])).lower())
    return place_anchors(" ".join(parts[:at + 1] if back else parts[at:at + 1]))


def role_sentences(question: str, chosen: Sequence[S], candidates: Sequence[S]) -> list[S]:
    """For a title question, the best of ``candidates`` (best first) that names the title
    for each place the question names ("Who heads the boards of Bình Định and Đà Nẵng?"),
    preferring one that also names the person when a person is asked for ("Ai là Phó Bí
    thư Thường trực Tỉnh ủy Kon Tum?" wants "đồng chí A Pớt - Phó Bí thư ...")."""
    role = role_asked(question) or english_role(question)
    if role is None:
        return []
    extra: list[S] = []
    for places in [[p] for p in place_anchors(question)] or [[]]:
        have = [*chosen, *extra]

        def fits(e: Sentence, named: bool, places: list[str] = places,
                 have: list[S] = have) -> bool:
            return has_role(e.text, role) and (not places or _about(e, places, have)) and (
                not named or names_person(e.text))

        for named in [True, False] if asks_person(question) else [False]:
            if any(fits(e, named) for e in have):
                break
            hit = next((e for e in candidates if e not in have and fits(e, named)), None)
            if hit is not None:
                extra.append(hit)
                break
    return extra


def titled_people(question: str, chosen: Sequence[S], candidates: Sequence[S]) -> list[S]:
    """For "who ...?": each chosen sentence that gives a title but no name ("Phó Bí thư
    Thường trực Tỉnh ủy Kon Tum đề nghị ...") gets the best of ``candidates`` (best first)
    in its article that names someone with that title ("đồng chí A Pớt - Phó Bí thư
    Thường trực Tỉnh ủy")."""
    out: list[S] = []
    for e in chosen if asks_person(question) else []:
        for role in [] if names_person(e.text) else titles(e.text):
            hit = next((c for c in candidates if c.doc_id == e.doc_id and c not in chosen
                        and c not in out and names_person(c.text) and has_role(c.text, role)),
                       None)
            if hit is not None:
                out.append(hit)
                break
    return out


def asks_author(question: str) -> bool:
    """"Who wrote the report ...?", "Tác giả bài viết ... là ai?".

    >>> asks_author("Who is credited as the author of the story?")
    True
    """
    return bool(_AUTHOR.search(fold(nfc(question))))


def _about(e: Sentence, places: Sequence[str], chosen: Sequence[Sentence],
           start: str = "", paragraph: str = "") -> bool:
    """A counting sentence is about one of ``places``: it names it; or neither it nor the
    ``start`` of its sentence gives a total over several places ("các địa phương trong khu
    vực đã ...; cử 1.722 lượt cán bộ"; unless a cluster named in its article is asked) and
    the sentence just before it (among ``chosen``) or its article's title or publisher
    names it ("Huyện Tháp Mười ... tinh giản" + "... đối với 03 đồng chí"), or the
    ``paragraph`` before it does and names no other place ("Huyện Cao Lãnh có 05 loại
    hình ... Ban Tổ chức tham mưu đồng chí Bí thư Huyện uỷ nói chuyện ..."), and it names
    no other place ("Huyện Cao Lãnh có 05 loại hình ..." is not Đồng Tháp's)."""
    text = match_normalize(e.text)
    if any(contains_term(text, p) for p in places):
        return True
    if _AGGREGATE.search(f"{match_normalize(start)} {text}") or other_places(e.text, places):
        # a total over the places of a cluster asked for, in an article that names it
        return all(p.startswith("cum ") for p in places) and any(
            c.doc_id == e.doc_id and contains_term(match_normalize(c.text), p)
            for c in chosen for p in places)
    before = [c for c in chosen if c.doc_id == e.doc_id and 0 <= e.start - c.end <= 2]
    own = [paragraph] if paragraph and not other_places(paragraph, places) else []
    context = " ".join([e.title, e.publisher, *own, *(c.text for c in before)])
    return any(contains_term(match_normalize(context), p) for p in places)
