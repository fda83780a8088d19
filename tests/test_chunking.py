"""Token-aware chunks with exact offsets and stable ids."""

from __future__ import annotations

import itertools

from assistant.ingest.chunking import chunk_document, count_tokens
from assistant.ingest.documents import load_documents, parse_document
from tests.conftest import SEEDS


def test_offsets_are_exact_and_sizes_bounded() -> None:
    for doc in load_documents(SEEDS).documents:
        for size in (64, 128, 384):
            chunks = chunk_document(doc, size, size // 5)
            assert chunks
            for ch in chunks:
                assert doc.text[ch.start : ch.end] == ch.text
                assert ch.tokens <= size
                assert ch.start == 0 or not doc.text[ch.start - 1].isalnum()
                assert ch.end == len(doc.text) or not doc.text[ch.end].isalnum()
            covered = set()
            for ch in chunks:
                covered.update(range(ch.start, ch.end))
            letters = {i for i, c in enumerate(doc.text) if c.isalnum()}
            assert letters <= covered  # nothing lost


def test_overlap_repeats_the_last_whole_sentences() -> None:
    sentences = [
        "Huyện Tân Hồng tổ chức gặp gỡ bí thư chi bộ khóm, ấp năm 2021.",
        "Buổi gặp gỡ nhằm nâng cao chất lượng hoạt động chi bộ ấp, khóm.",
        "Trọng tâm là công tác tuyên truyền, giáo dục chính trị tư tưởng.",
        "Nâng cao kỹ năng điều hành buổi sinh hoạt chi bộ.",
    ] * 4
    doc = parse_document("overlap.txt", "Tiêu đề bài viết thử\n\n" + " ".join(sentences))
    chunks = chunk_document(doc, 96, 40)
    assert len(chunks) >= 3
    for a, b in itertools.pairwise(chunks):
        assert a.start < b.start < a.end  # the next chunk starts inside the previous one
        assert doc.text[b.start : a.end].endswith(".")  # ... on a sentence boundary
        assert count_tokens(doc.text[b.start : a.end]) <= 40


def test_chunk_ids_are_stable_and_depend_on_text() -> None:
    doc = load_documents(SEEDS).documents[0]
    first = [c.chunk_id for c in chunk_document(doc, 128, 20)]
    again = [c.chunk_id for c in chunk_document(doc, 128, 20)]
    assert first == again
    assert len(set(first)) == len(first)
    edited = parse_document(doc.path, doc.text + "\n\nMột câu mới được thêm vào cuối bài.")
    changed = [c.chunk_id for c in chunk_document(edited, 128, 20)]
    assert changed[0] == first[0]  # unchanged text keeps its id
    assert changed[-1] != first[-1]


def test_a_sentence_longer_than_a_chunk_is_cut_between_syllables() -> None:
    long_sentence = ", ".join(["tổ chức xây dựng Đảng ở cơ sở"] * 60) + "."
    doc = parse_document("long.txt", "Tiêu đề bài viết dài\n\n" + long_sentence)
    chunks = chunk_document(doc, 64, 0)
    assert len(chunks) > 3
    for ch in chunks:
        assert count_tokens(ch.text) <= 64
        assert doc.text[ch.start : ch.end] == ch.text
        assert ch.end == len(doc.text) or doc.text[ch.end] in " ,\n"
