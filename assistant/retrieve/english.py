"""What an English question asks for, in the articles' Vietnamese terms: the title of a
"who is the <title>" question (:func:`english_role`), what a "how many" question counts
(:func:`english_counted`), and the names it gives that no article holds
(:func:`unknown_names`). The answerability rules (``rules.py``, ``evidence.py``) use them."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.retrieve.glossary import concepts
from assistant.vietnamese import (
    EN_CAPITALIZED,
    ROMAN_NUMERALS,
    VI_SYLLABLE,
    english_stems,
    fold,
    nfc,
)

_EN_COUNTED = re.compile(
    r"\b(?:how (?:many|much)|what total|total number of|what number of)\s+"
    r"((?:[a-z'-]+\s+){0,6}?)(?:did|do|does|were|was|are|is|have|has|had|will|would"
    r"|could|in|at|across|from|during)\b")
_EN_HEADS = re.compile(r"\bwho (?:heads|leads|headed|led)\b[^?,;]*\b"
                       r"(?:board|commission|committee|department|cluster|organi[sz]ation)\b")
_EN_ROLE = re.compile(
    r"\b(?:who (?:is|was|are|were|heads?|headed)|name of)\b.{0,24}?\b(?:the )?"
    r"((?:permanent |standing )?"
    r"(?:deputy )?(?:party )?(?:secretary|head|chair(?:man|woman|person)?|director))s?\b"
)
# A secretary or chair as the subject of the question ("What did the Secretary of the Kon
# Tum Provincial Party Committee propose?"): the article must name that title too.
_EN_SUBJECT = re.compile(
    r"\b(?:did|does|do|has|had|was|is|were) the "
    r"(?:(?:[a-z'-]+ ){1,3}?(?=(?:provincial|municipal|district|city) ))?"  # "Dak Lak"
    r"((?:provincial |municipal |district |city )?"
    r"(?:permanent |standing )?(?:deputy )?(?:party )?(?:secretary|chair(?:man|woman|person)?))\b")
_EN_ROLES = [
    (re.compile(r"(permanent|standing) deputy (party )?secretary"), "pho bi thu thuong truc"),
    (re.compile(r"deputy (party )?secretary"), "pho bi thu"),
    (re.compile(r"secretary"), "bi thu"),
    (re.compile(r"(permanent|standing) deputy head"), "pho truong ban thuong truc"),
    (re.compile(r"deputy head"), "pho truong ban"),
    (re.compile(r"head|director"), "truong ban"),
    (re.compile(r"chair"), "chu tich"),
]
# The level of a Party secretary, beside the title: "provincial Party secretary", "the
# Secretary of the Kon Tum Provincial Party Committee" is Bí thư Tỉnh ủy ("In Thap Muoi
# district, ... the Party secretary" gives no level).
_EN_LEVELS = [
    (r"provincial|province's", "tinh uy"),
    (r"municipal|city", "thanh uy"),
    (r"district", "huyen uy"),
]
_LEVEL_NEAR = (r"\b(?:{0})\s+(?:party\s+)?(?:(?:permanent|standing|deputy)\s+)*secretar"
               r"|\bsecretar(?:y|ies)\s+of\s+the\s+(?:[a-z']+\s+){{0,3}}?(?:{0})\s+party\s+committee")


def english_role(question: str) -> str | None:
    """The title an English "who is the <title>" question asks about, as the folded
    Vietnamese title ("bi thu" for "Party Secretary", with its level when the question
    gives one: "bi thu tinh uy" for a provincial Party secretary), or None.

    >>> english_role("Who was the Secretary of the Kon Tum Provincial Party Committee?")
    'bi thu tinh uy'
    >>> english_role("Who is the Party secretary of Da Nang?")
    'bi thu'
    >>> english_role("Who was Vinh Phuc's provincial Party secretary?")
    'bi thu tinh uy'
    >>> english_role("What did the Secretary of the Kon Tum Provincial Party Committee ask?")
    'bi thu tinh uy'
    >>> english_role("Who chaired the conference?") is None
    True
    >>> english_role("Who led the delegation, and which cluster of boards is it in?") is None
    True
    """
    folded = fold(nfc(question))
    m = _EN_ROLE.search(folded) or _EN_SUBJECT.search(folded)
    if not m:
        return "truong ban" if _EN_HEADS.search(folded) else None
    role = next(vi for pattern, vi in _EN_ROLES if pattern.search(m.group(1)))
    levels = {vi for en, vi in _EN_LEVELS if re.search(_LEVEL_NEAR.format(en), folded)}
    return f"{role} {levels.pop()}" if role.endswith("bi thu") and len(levels) == 1 else role


def english_counted(question: str) -> tuple[list[str], set[str]]:
    """What an English "how many X ..." question counts: the first folded syllables of
    the Vietnamese terms of X (glossary) and the stems of X's head noun: its last word
    ("Party" in "new Party members" is in every other sentence; "members" is counted),
    or the word before "of" ("groups" in "groups of tasks and solutions").

    >>> nouns, stems = english_counted("How many new Party members did they admit in 2022?")
    >>> nouns, sorted(stems)
    (['dang vien'], ['member'])
    """
    m = _EN_COUNTED.search(fold(nfc(question)) + " in")
    if not m or not m.group(1).strip():
        return [], set()
    phrase = m.group(1)
    nouns = [" ".join(fold(term).split()[:2]) for terms in concepts(phrase) for term in terms]
    head = phrase.split(" of ")[0].split()[-1]  # "groups" in "groups of tasks"
    return list(dict.fromkeys(nouns)), english_stems(f"{head} {phrase.split()[-1]}")


# a word between spaces; one with a digit or a slash is a code or a quarter ("Q3")
_WORD = re.compile(r"(?<![\w/-])[^\W\d_]+(?:[-'’][^\W\d_]+)*(?![\w/-])")
# A capitalized word right before a number or code names a document ("Scheme 04-ĐA/TU",
# "Resolution 19"), not a thing of its own.
_BEFORE_NUMBER = re.compile(r"\s+(?:No\.?\s*)?\d")
# Words English capitalizes that name no thing: months, days, titles, languages.
_CAPITALIZED_WORDS = EN_CAPITALIZED | frozenset("dr english vietnamese".split())
# Capitals with a number name a thing ("G7", "COVID-19"); "Q3" is a quarter.
_LETTERS_NUMBER = re.compile(r"(?<![\w/.-])(?!Q\d)[A-Z]{1,6}-?\d{1,3}(?![\w/.-])")
# A function word capitalized inside a sentence: the question is typed in title case.
_TITLE_CASE = re.compile(r"[^.?!:;\s]\s+(?:The|Of|And|In|On|For|To|Did|Does|Was|Were|Is|Are)\b")


def unknown_names(question: str, knows: Callable[[str], bool]) -> list[str]:
    """The names the question gives that no article holds: acronyms ("GDP", "FIFA") and
    capitalized words inside a sentence ("Australia", "Land Law") of which ``knows``
    (the corpus' words and those of its translations, folded) knows no part. A question
    about the "FIFA World Cup" asks about something the articles do not cover, however
    close its other words come. A run of capitalized words is one name: when ``knows``
    knows any word of it ("the VCP's Organization Commission", "the Kon Tum Provincial
    Portal") it may be a way of naming what the articles name, and nothing in it counts,
    unless it is the possessor's ("Vietnam's GDP": the head after the possessive names
    the thing asked about).
    Romanized Vietnamese syllables are left to the anchors ("Bac Ninh" must be in the
    retrieved article), so are Roman numerals ("XIII"), codes and quarters ("Q3"); a
    question typed in title case or capitals gives no signal.

    >>> known = {"party", "members", "assembly", "national", "scheme", "provincial"}
    >>> unknown_names("What GDP target did the National Assembly set?", known.__contains__)
    ['GDP']
    >>> unknown_names("Who won the 2022 FIFA World Cup?", known.__contains__)
    ['FIFA', 'World']
    >>> unknown_names("What did Dong Thap's Scheme 04-ĐA/TU pilot in Q1 2021?",
    ...               known.__contains__)
    []
    >>> unknown_names("When did the Kon Tum Provincial Portal post it?", known.__contains__)
    []
    >>> unknown_names("What is Scheme's GDP target?", known.__contains__)
    ['GDP']
    >>> unknown_names("What did Đồng Tháp's Provincial FIFA plan say?", known.__contains__)
    []
    >>> unknown_names("Hội nghị G7 năm 2023 họp ở đâu?", known.__contains__)
    ['G7']
    >>> unknown_names("Who Won The FIFA World Cup?", known.__contains__), unknown_names(
    ...     "WHO WON?", known.__contains__)
    ([], [])
    """
    q = nfc(question)
    if q.upper() == q or _TITLE_CASE.search(q):
        return []
    runs: list[list[tuple[str, bool]]] = []  # (word, known) of each name's words
    heads: list[int] = []  # where each run's head begins: after its last possessive
    end: int | None = None  # where the current run's last word ends
    for m in _WORD.finditer(q):
        word = re.sub(r"['’]s$", "", m.group(0))
        before = q[:m.start()].rstrip()
        if not word[0].isupper() or not before or before[-1] in ".?!:;\"“(":
            end = None
            continue
        if end is None or q[end:m.start()].strip():
            runs.append([])
            heads.append(0)
        end = m.end()
        acronym = len(word) >= 2 and word.isupper()
        if not (word in ROMAN_NUMERALS or word.lower() in _CAPITALIZED_WORDS or (
                not acronym and (VI_SYLLABLE.match(fold(word).lower())
                                 or _BEFORE_NUMBER.match(q, m.end())))):
            parts = [p for p in re.split(r"[-'’]", fold(word).lower()) if p]
            runs[-1].append((word, any(knows(p) for p in parts)))
        if word != m.group(0):  # "Vietnam's GDP": what follows is the name's head
            heads[-1] = len(runs[-1])
    unknown = []
    for run, head in zip(runs, heads, strict=True):
        if not any(k for _, k in run):
            unknown += [w for w, _ in run]
        elif run[head:] and not any(k for _, k in run[head:]):
            unknown += [w for w, _ in run[head:]]
    # capitals with a number ("G7", "COVID-19"; not "Q3", a quarter) name a thing too
    unknown += [m.group(0) for m in _LETTERS_NUMBER.finditer(q)
                if not knows(fold(m.group(0)).lower())]
    return unknown
