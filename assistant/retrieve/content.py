"""Does the question ask about anything? A question with no word the corpus or the
glossary knows and no anchor (emoji, "NEAR(x y)", a stray quote, "So, um, what then?")
asks nothing the corpus can answer, and is refused before any evidence is chosen."""

from __future__ import annotations

from assistant.retrieve.glossary import concepts
from assistant.retrieve.question import anchors
from assistant.vietnamese import content_tokens, detect_language

# English words the stopwords leave in that ask about nothing: auxiliaries ("Will it rain
# ...?"), fillers and discourse words ("So, um, what then?"), pronouns. Folded Vietnamese
# shares some of them ("so" is "số", "may" is "máy"), so an English question's own
# "so" must not count as a word the articles know. Vietnamese questions keep them.
_EN_EMPTY = frozenset("""
    will would can could shall should may might must
    so um uh er erm hmm oh ah huh well then now okay ok yes yeah no not just really
    also again else anything something thing things stuff one ones kind sort like
    right sure maybe hey hi hello thanks thank please
    i me my we us our you your he him his she her they them
""".split())


def has_content(question: str, known: set[str]) -> bool:
    """Whether the question has something to look for: an anchor, a domain phrase of the
    glossary, or a content word in ``known`` (the corpus' words among the question's).
    An English question with names needs, besides them, no other word or one in ``known``.
    An English question's fillers and auxiliaries are no words.

    >>> has_content("🙂🙂", set()), has_content("NEAR(x y) AND z*", set())
    (False, False)
    >>> has_content("Who is A Pot?", set()), has_content("What is the weather in Kon Tum?",
    ...                                                   {"kon", "tum"})
    (True, False)
    >>> has_content("Hmm, so what now, then?", {"so", "then"})
    False
    >>> has_content("Số đảng viên mới là bao nhiêu?", {"so", "dang", "vien", "moi"})
    True
    """
    english = detect_language(question) == "en"
    if english and concepts(question):
        return True
    words = {t for t in content_tokens(question) if "_" not in t}
    if english:
        words -= _EN_EMPTY
    named = anchors(question)
    if named and english:
        # besides its names, an English question asks about something: a word of it the
        # articles (or their translations) know ("Will it rain in Buôn Ma Thuột tomorrow?"
        # knows only the place)
        in_names = {w for a in named for w in a.split()}
        asked = {w for w in words if w not in in_names and not w.isdigit()}
        return not asked or bool(asked & known)
    return bool(named) or bool(words & known)


def question_words(question: str) -> list[str]:
    """The question's content words to look up in the corpus vocabulary."""
    return sorted(t for t in content_tokens(question) if "_" not in t and not t.isdigit())
