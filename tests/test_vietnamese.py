"""Vietnamese text handling on real sentences from the seeds."""

from __future__ import annotations

import unicodedata

from assistant.vietnamese import (
    detect_language,
    english_stems,
    fold,
    keyword_tokens,
    match_normalize,
    nfc,
    split_sentences,
)
from tests.conftest import SEEDS

SENTENCE = "Trong năm 2023, các địa phương kết nạp được 20.777 đảng viên mới."


def test_fold_handles_diacritics_and_d_stroke() -> None:
    assert fold("Đảng viên Đồng Tháp") == "dang vien dong thap"
    assert fold("Thừa Thiên Huế") == "thua thien hue"


def test_nfd_input_normalizes_to_the_same_tokens_as_nfc() -> None:
    nfd = unicodedata.normalize("NFD", SENTENCE)
    assert nfd != SENTENCE
    assert nfc(nfd) == SENTENCE
    assert keyword_tokens(nfd) == keyword_tokens(SENTENCE)


def test_match_normalize_drops_thousands_separators_only() -> None:
    assert match_normalize(SENTENCE) == (
        "trong nam 2023, cac dia phuong ket nap duoc 20777 dang vien moi."
    )
    assert match_normalize("ngày 16/3/2021") == "ngay 16/3/2021"
    assert match_normalize("1.825 trường hợp") == "1825 truong hop"


def test_keyword_tokens_have_exact_folded_and_bigrams() -> None:
    toks = keyword_tokens("kết nạp đảng viên")
    assert "đảng" in toks and "dang" in toks
    assert "dang_vien" in toks and "ket_nap" in toks
    assert "01-kl/btctw" in keyword_tokens("Kết luận số 01-KL/BTCTW")


def test_sentences_of_a_seed_keep_offsets_and_whole_syllables() -> None:
    text = nfc((SEEDS / "003_95457bacc3751b1b.txt").read_text(encoding="utf-8"))
    spans = split_sentences(text)
    assert len(spans) > 30
    for span in spans:
        assert text[span.start : span.end] == span.text
        # cuts only at whitespace: the characters around a span are not letters
        assert span.start == 0 or not text[span.start - 1].isalnum()
        assert span.end == len(text) or not text[span.end].isalnum()
    items = [s.text for s in spans if s.text.startswith("(")]
    assert [t[:3] for t in items] == ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"]


def test_abbreviation_does_not_end_a_sentence() -> None:
    text = "Sáng ngày 8/12, tại TP. Buôn Ma Thuột (tỉnh Đắk Lắk), Cụm thi đua họp. Xong."
    assert [s.text for s in split_sentences(text)] == [
        "Sáng ngày 8/12, tại TP. Buôn Ma Thuột (tỉnh Đắk Lắk), Cụm thi đua họp.",
        "Xong.",
    ]


def test_detect_language() -> None:
    assert detect_language("What were the six Q1 2021 priorities?") == "en"
    assert detect_language("Sáu nhiệm vụ trọng tâm quý I/2021 là gì?") == "vi"
    assert detect_language("Ai chu tri hoi nghi?") in {"vi", "en"}  # deterministic, no crash
    assert detect_language('The documents say: "Đảng viên mới được kết nạp"') == "en"
    # typed without diacritics: every word a Vietnamese syllable and none English
    assert detect_language("cach lam banh xeo mien Nam ngon") == "vi"
    assert detect_language("ket nap dang vien moi Kon Tum") == "vi"
    assert detect_language("Who is A Pot?") == "en"
    assert detect_language("Kon Tum new members") == "en"
    # English keeps the diacritics of Vietnamese names
    assert detect_language("What did Đồng Tháp do in Q1 2021?") == "en"
    assert detect_language("Who is Mai Văn Chính?") == "en"
    assert detect_language("Trương Thị Mai nói gì?") == "vi"
    assert detect_language("Đồng Tháp đã làm gì trong quý I năm 2021?") == "vi"


def test_english_stems_are_right_when_threads_stem_at_once() -> None:
    """The server answers in parallel threads; a stemmer shared between them mixed up
    words and raised IndexError under load (assistant bench serve, 1 LLM + 19 answers)."""
    import threading

    texts = [
        "The Central Organization Commission organized an online nationwide final review "
        "of party building work in 2021 and rolled out tasks for the year 2022.",
        "Continuing to develop the advantages and results achieved; following the key "
        "tasks outlined in the conclusion, advising the Party committees concretely.",
        "Emulation Cluster No. III includes the Organization Commissions of 13 provinces "
        "and cities in the Central region and Central Highlands.",
    ]
    expected = [english_stems(t) for t in texts]
    failures: list[str] = []

    def work(k: int) -> None:
        try:
            for i in range(300):
                if english_stems(texts[(i + k) % 3]) != expected[(i + k) % 3]:
                    failures.append("wrong stems")
        except Exception as exc:  # the shared stemmer raised IndexError
            failures.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:3]
