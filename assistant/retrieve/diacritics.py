"""Diacritics for Vietnamese typed without them, restored from the articles' own words.

Many Vietnamese users type without diacritics: "ngay thanh lap nganh to chuc xay dung
dang la ngay nao". Keyword search folds diacritics away, but the e5 embedding of the
bare letters lies far from the articles' "Ngày thành lập ngành Tổ chức xây dựng Đảng",
so such questions were refused as too weak. Before retrieval, each folded syllable is
given the accented form the indexed articles use in that place: a syllable bigram model
over the articles, decoded with Viterbi. Syllables the articles never use stay as typed.

>>> accents = Accents(["Ngày thành lập ngành Tổ chức xây dựng Đảng là ngày 14/10/1930."])
>>> accents.restore("ngay thanh lap nganh to chuc la ngay nao")
'ngày thành lập ngành tổ chức là ngày nào'
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable

from assistant.index.store import Index
from assistant.vietnamese import detect_language, fold, nfc

_WORD = re.compile(r"[^\W\d_]+")
# Words joined by nothing but spaces count as neighbours.
_GAP = re.compile(r"^[ \t]+$")
# How much the neighbour decides against how often a form is used on its own (best of
# 0.5-0.99 restoring each seed article from the other four, and the calib questions).
BIGRAM_WEIGHT = 0.95
# Forms tried per syllable (most frequent first).
MAX_FORMS = 6
# Question words news articles rarely use, so the articles alone would read "bao nhieu"
# as "bảo nhiều" (general Vietnamese, counted as if seen this many times).
QUESTION_PHRASES = (
    "bao nhiêu", "bao giờ", "là gì", "là ai", "những gì", "cái gì", "ở đâu", "khi nào",
    "nào", "thế nào", "như thế nào", "tại sao", "vì sao", "mấy", "có không", "hay không",
    "có phải", "ai là", "gồm những", "được không", "đã làm gì", "làm gì",
)
QUESTION_WEIGHT = 5


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]


def is_unaccented_vietnamese(text: str) -> bool:
    """Vietnamese with no diacritic at all (what :class:`Accents` restores)."""
    text = nfc(text)
    return fold(text) == text.lower() and detect_language(text) == "vi"


class Accents:
    """A syllable bigram model of a set of Vietnamese texts (lowercase NFC forms)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.forms: dict[str, Counter[str]] = defaultdict(Counter)
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.left: Counter[str] = Counter()  # how often a form has a right neighbour
        for text in [*texts, *QUESTION_PHRASES * QUESTION_WEIGHT]:
            words = _words(nfc(text).lower())
            for i, (start, _end, w) in enumerate(words):
                self.forms[fold(w)][w] += 1
                if i and _GAP.match(text[words[i - 1][1]:start]):
                    self.pairs[(words[i - 1][2], w)] += 1
                    self.left[words[i - 1][2]] += 1

    def _candidates(self, word: str) -> list[tuple[str, float]]:
        """``(form, log P(form | folded syllable))`` of a typed word, best first. Words in
        capitals (codes, acronyms: "QD", "TU", "III") are kept as typed."""
        seen = self.forms.get(fold(word))
        if not seen or (word.isupper() and len(word) > 1):
            return [(word, 0.0)]
        total = sum(seen.values())
        return [(f, math.log(c / total)) for f, c in seen.most_common(MAX_FORMS)]

    def _step(self, prev: str, form: str, unigram: float) -> float:
        """Log score of ``form`` after ``prev``: how often ``prev`` is followed by it,
        mixed with the form's own share among the forms of its syllable."""
        after = self.left[prev]
        bigram = self.pairs[(prev, form)] / after if after else 0.0
        if not after:
            return unigram
        return math.log(BIGRAM_WEIGHT * bigram + (1 - BIGRAM_WEIGHT) * math.exp(unigram))

    def restore(self, text: str) -> str:
        """``text`` with each run of neighbouring words given its likeliest diacritics
        (capitals kept; digits, codes and punctuation untouched)."""
        words = _words(text)
        out = list(text)
        run: list[tuple[int, int, str]] = []
        for i, w in enumerate(words):
            if run and not _GAP.match(text[words[i - 1][1]:w[0]]):
                self._restore_run(run, out)
                run = []
            run.append(w)
        if run:
            self._restore_run(run, out)
        return "".join(out)

    def _restore_run(self, run: list[tuple[int, int, str]], out: list[str]) -> None:
        lattice = [[(f.lower(), lp) for f, lp in self._candidates(w)] for _s, _e, w in run]
        # best[j][form] = (score, back-pointer form)
        best: list[dict[str, tuple[float, str]]] = [
            {f: (lp, "") for f, lp in lattice[0]}]
        for j in range(1, len(run)):
            col: dict[str, tuple[float, str]] = {}
            for f, lp in lattice[j]:
                col[f] = max((s + self._step(p, f, lp), p)
                             for p, (s, _b) in best[j - 1].items())
            best.append(col)
        form = max(best[-1].items(), key=lambda kv: kv[1][0])[0]
        for j in range(len(run) - 1, -1, -1):
            start, end, typed = run[j]
            if len(form) == end - start:  # NFC forms of a folded syllable keep its length
                if typed.isupper() and len(typed) > 1:
                    restored = form.upper()
                else:
                    restored = form.capitalize() if typed[:1].isupper() else form
                out[start:end] = list(restored)
            form = best[j][form][1]


class CorpusAccents:
    """:class:`Accents` over the documents of an index, rebuilt when they change."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._stamp: dict[str, str] | None = None
        self._model: Accents | None = None

    def restore(self, question: str) -> str:
        """The question with diacritics, when it is Vietnamese typed without any."""
        if not is_unaccented_vietnamese(question):
            return question
        with self._lock:
            stamp = self.index.signatures()
            if self._model is None or stamp != self._stamp:
                self._model = Accents(d.text for d in self.index.documents())
                self._stamp = stamp
            model = self._model
        return model.restore(question)
