"""A synthetic corpus made from the seeds' own sentences, for benchmarks and fault tests.

Each synthetic article recombines sentences drawn from the five seed articles, with
numbers replaced by other numbers of the same length, province names swapped for
other provinces and the names after "đồng chí" replaced by generated Vietnamese names.
So the text has the seeds' vocabulary, sentence lengths and token statistics (what
BM25, FTS5 and the chunker care about), while no two articles are the same.

Deterministic: the same ``seed`` gives the same files. What it is NOT: a source of true
facts; never ingest it into an index that answers real questions.

>>> docs = list(synthetic_documents(2, seed=1))
>>> [d[0] for d in docs]
['syn1_000000', 'syn1_000001']
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Iterator
from pathlib import Path

from assistant.ingest.documents import load_documents
from assistant.vietnamese import split_sentences

PROVINCES = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh",
    "Bến Tre", "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng",
    "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa",
    "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An",
    "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình",
    "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
    "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Cần Thơ", "Đà Nẵng", "Hải Phòng",
)
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
           "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Mai", "Cao", "Đinh", "Lâm")
_MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Hoàng")
_GIVEN = ("An", "Bình", "Chính", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Hương", "Khánh",
          "Lan", "Long", "Mai", "Nam", "Phong", "Quang", "Sơn", "Tâm", "Thắng", "Toàn",
          "Trung", "Tuấn", "Vinh", "Xuân", "Yến")
_NUMBER = re.compile(r"\d+")
_COMRADE = re.compile(r"(đồng chí|Đồng chí)((?:\s+[A-ZÀ-ỸĐ][\wÀ-ỹ]*){1,4})")
_PROVINCE = re.compile("|".join(re.escape(p) for p in sorted(PROVINCES, key=len, reverse=True)))


@functools.lru_cache(maxsize=4)
def _pool(seeds: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(titles, sentences) of the seed articles (cleaned text, 20+ characters)."""
    docs = load_documents(seeds).documents
    titles = tuple(d.title for d in docs if d.title)
    sents = tuple(
        s.text for d in docs for s in split_sentences(d.text) if len(s.text) >= 20
    )
    if not sents:
        raise ValueError(f"no sentences found in {seeds}")
    return titles, sents


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def vary(sentence: str, rng: random.Random) -> str:
    """Swap numbers, provinces and comrades' names in one sentence."""

    def number(m: re.Match[str]) -> str:
        digits = m.group(0)
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return str(rng.randint(1990, 2030))
        low = 10 ** (len(digits) - 1) if len(digits) > 1 else 0
        return str(rng.randint(low, 10 ** len(digits) - 1))

    out = _NUMBER.sub(number, sentence)
    out = _PROVINCE.sub(lambda _m: rng.choice(PROVINCES), out)
    return _COMRADE.sub(lambda m: f"{m.group(1)} {_name(rng)}", out)


def synthetic_documents(
    n_docs: int,
    *,
    seed: int = 0,
    seeds_path: str | Path = "seeds",
    sentences: tuple[int, int] = (18, 40),
) -> Iterator[tuple[str, str]]:
    """Yield ``(doc_id, text)`` for ``n_docs`` synthetic articles."""
    titles, pool = _pool(str(Path(seeds_path).resolve()))
    rng = random.Random(seed)
    for i in range(n_docs):
        title = vary(rng.choice(titles), rng) if titles else f"Bài viết {i}"
        body = [vary(rng.choice(pool), rng) for _ in range(rng.randint(*sentences))]
        paragraphs = [" ".join(body[j : j + 4]) for j in range(0, len(body), 4)]
        date = f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(2015, 2025)}"
        text = "\n\n".join([title, f"Ngày đăng: {date}", *paragraphs, _name(rng)])
        yield f"syn{seed}_{i:06d}", text + "\n"


def write_corpus(
    folder: str | Path, n_docs: int, *, seed: int = 0, seeds_path: str | Path = "seeds"
) -> list[Path]:
    """Write ``n_docs`` synthetic articles as ``.txt`` files into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for doc_id, text in synthetic_documents(n_docs, seed=seed, seeds_path=seeds_path):
        path = folder / f"{doc_id}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
