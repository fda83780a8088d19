"""Vietnamese typed without diacritics: detected as Vietnamese, restored from the
articles' own words, and answered like the same question typed with diacritics."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.config import Settings
from assistant.retrieve.diacritics import Accents, CorpusAccents, is_unaccented_vietnamese
from assistant.vietnamese import detect_language, fold

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


@pytest.mark.parametrize("question", [
    "ngay thanh lap nganh to chuc xay dung dang la ngay nao",
    "bao nhieu dang vien moi duoc ket nap nam 2023",
    "truong ban to chuc tinh uy vinh phuc la ai",
    "thoi tiet ha noi ngay mai the nao",
])
def test_vietnamese_without_diacritics_is_vietnamese(question: str) -> None:
    assert detect_language(question) == "vi"
    assert is_unaccented_vietnamese(question)


@pytest.mark.parametrize("question", [
    "What is the current population of Vietnam?",
    "Who is Mai Van Chinh?",
    "How many new Party members did Kon Tum admit?",
    "Tan Hong and Cao Lanh",
])
def test_english_with_vietnamese_names_stays_english(question: str) -> None:
    assert detect_language(question) == "en"
    assert not is_unaccented_vietnamese(question)


def test_accented_question_is_not_touched() -> None:
    question = "Ngày thành lập ngành Tổ chức xây dựng Đảng là ngày nào?"
    assert not is_unaccented_vietnamese(question)


def test_restores_a_question_from_the_articles_words() -> None:
    accents = Accents(seed_texts())
    assert (accents.restore("ngay thanh lap nganh to chuc xay dung dang la ngay nao")
            == "ngày thành lập ngành tổ chức xây dựng đảng là ngày nào")
    # capitals kept; codes, digits and punctuation untouched; the neighbour decides
    # between forms ("luân chuyển", not the commoner "luận" + "chuyên")
    assert (accents.restore("Bao nhieu luot can bo duoc luan chuyen, dieu dong nam 2023?")
            == "Bao nhiêu lượt cán bộ được luân chuyển, điều động năm 2023?")
    assert accents.restore("Quy dinh 77-QD/TU cua Tinh uy Dong Thap") == (
        "Quy định 77-QD/TU của Tỉnh ủy Đồng Tháp")
    # a word the articles never use stays as typed
    assert accents.restore("pizza o dau") == "pizza ở đâu"


def test_restores_most_syllables_of_an_article_it_has_not_seen() -> None:
    """Leave one article out, strip its diacritics, restore it from the other four."""
    texts = seed_texts()
    right = total = 0
    for i, text in enumerate(texts):
        words = text.split()[:600]
        restored = Accents(texts[:i] + texts[i + 1:]).restore(fold(" ".join(words)))
        got = restored.split()
        assert len(got) == len(words)
        ok = sum(a == b for a, b in zip(got, (w.lower() for w in words), strict=True))
        assert ok / len(words) >= 0.8, (i, ok / len(words))
        right, total = right + ok, total + len(words)
    assert right / total >= 0.88  # 0.90 measured; 0.14 left without diacritics


def test_unaccented_question_is_answered_like_the_accented_one(bot: Assistant) -> None:
    typed = "quy dinh 77-QD/TU cua tinh uy dong thap noi ve nhung gi"
    plain = bot.ask(typed)
    accented = bot.ask("Quy định 77-QĐ/TU của Tỉnh ủy Đồng Tháp quy định về vấn đề gì?")
    assert not plain.refused and not accented.refused
    assert plain.language == "vi"
    assert {c.doc_id for c in plain.citations} == {c.doc_id for c in accented.citations}
    assert any("77-QĐ/TU" in c.quote for c in plain.citations)


def test_unaccented_off_topic_question_is_refused_in_vietnamese(bot: Assistant) -> None:
    answer = bot.ask("thoi tiet ha noi ngay mai the nao")
    assert answer.refused
    assert answer.language == "vi"


def test_the_model_follows_the_index(fresh_settings: object, seeds_copy: Path) -> None:
    settings: Settings = fresh_settings()  # type: ignore[operator]
    bot = Assistant.from_settings(settings, require_index=False)
    accents = CorpusAccents(bot.index)
    assert accents.restore("ngay thanh lap nganh") == "ngay thanh lap nganh"  # empty index
    bot.ingest(seeds_copy)
    assert accents.restore("ngay thanh lap nganh") == "ngày thành lập ngành"
