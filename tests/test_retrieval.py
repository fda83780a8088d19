"""Hybrid retrieval over the seeded index (real e5 vectors, real FTS5)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.api import Assistant
from assistant.retrieve.hybrid import rrf, weighted


def test_rrf_and_weighted_fusion_math() -> None:
    fused = rrf([["a", "b"], ["b", "c"]], k=60)
    assert fused["b"] == 1 / 62 + 1 / 61
    assert max(fused, key=fused.__getitem__) == "b"
    assert rrf([["a"], ["b"]], k=60, weights=[1.0, 0.0])["b"] == 0.0
    mixed = weighted([("a", 0.9), ("b", 0.5)], [("b", 10.0), ("c", 2.0)], 0.5)
    assert mixed == {"a": 0.5, "b": 0.5, "c": 0.0}


def test_english_question_finds_the_vietnamese_passage(bot: Assistant) -> None:
    for mode in ("hybrid", "dense"):
        top = bot.retriever.search("What were the six Q1 2021 priorities?", k=5, mode=mode)
        assert top[0].doc_id.startswith("003_"), mode
        assert any("01-KL/BTCTW" in p.text for p in top), mode


def test_keyword_side_matches_without_diacritics(bot: Assistant) -> None:
    top = bot.retriever.search("ket nap 20.777 dang vien moi", k=3, mode="keyword")
    assert top and top[0].doc_id.startswith("001_")
    assert "20.777" in top[0].text


def test_modes_differ_and_scores_are_sorted(bot: Assistant) -> None:
    q = "Huyện Cao Lãnh có mấy loại hình sinh hoạt chi bộ?"
    for mode in ("hybrid", "dense", "keyword"):
        hits = bot.retriever.search(q, k=5, mode=mode)
        assert len(hits) == 5
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert any("05 loại hình" in h.text for h in hits), mode


def test_keyword_weight_is_lower_for_english(bot: Assistant) -> None:
    vi = bot.retriever.keyword_weight("Sáu nhiệm vụ trọng tâm quý I/2021 là gì?")
    en = bot.retriever.keyword_weight("What were the six Q1 2021 priorities?")
    assert vi > 0.8 and en < 0.5


def test_langchain_retriever_interface(bot: Assistant) -> None:
    docs = bot.as_retriever(k=3).invoke("Ai chủ trì hội nghị giao ban tháng 12 năm 2018?")
    assert len(docs) == 3
    assert docs[0].metadata["doc_id"].startswith("004_")
    assert docs[0].id and "score" in docs[0].metadata


def test_every_sentence_of_a_retrieved_chunk_is_a_candidate_even_across_its_edge(
    bot: Assistant,
) -> None:
    """A sentence that straddles two chunks lies wholly in neither; it was never evidence
    ("cập nhật cơ sở dữ liệu đảng viên vào phần mềm quản lý đảng viên ..." in 003, the
    "2 năm thực hiện Nghị quyết Trung ương 4" clause in 004). Every chunk it touches now
    brings it."""
    import numpy as np

    from assistant.retrieve.hybrid import Passage

    question = "Cao Lãnh quản lý hồ sơ đảng viên thế nào?"
    qvec = np.asarray(bot.index.embeddings.embed_query(question), dtype=np.float32)
    for doc_id in ("003_95457bacc3751b1b", "004_1ab51a8452a64f1e"):
        chunks = bot.index.chunks(sorted(bot.index.chunk_ids(doc_id))).values()
        units = {(s, e) for s, e, _ in bot.index.sentence_vectors(doc_id)}
        for c in chunks:
            touched = {(s, e) for s, e in units if s < c.end and e > c.start}
            passage = Passage(chunk_id=c.chunk_id, doc_id=doc_id, text=c.text, start=c.start,
                              end=c.end, score=1.0)
            got = {(ev.start, ev.end) for ev in bot.selector.candidates([passage], qvec, question)}
            assert got == touched
        straddling = [u for u in units if not any(c.start <= u[0] and u[1] <= c.end
                                                  for c in chunks)]
        assert straddling  # the seeds have one such sentence in each of these two articles


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Which Party resolution were the Party-development efforts based on?",
         {"Quan tâm triển khai hiệu quả các giải pháp phát triển đảng theo tinh thần Nghị quyết "
          "số 21-NQ/TW",
          "triển khai có hiệu quả các Nghị quyết 18 và 19 của BCH T.Ư Đảng khóa XII",
          "theo tinh thần Nghị quyết Trung ương 6 khóa XII, Đề án 04-ĐA/TU của Ban Thường vụ "
          "Tỉnh uỷ"}),
        ("Under which Politburo regulation was cadre planning drawn up?",
         {"xây dựng quy hoạch cán bộ nhiệm kỳ 2025-2030; 2026-2031 theo Quy định số 50- QĐ/TW "
          "của Bộ Chính trị"}),
        ("Hội nghị Trung ương 4 khóa XIII ban hành kết luận số mấy?",
         {"Kết luận số 21-KL/TW, ngày 25-10-2021 tại hội nghị lần thứ tư, Ban Chấp hành Trung "
         "ương khóa XIII"}),
        ("Phát triển đảng theo tinh thần nghị quyết nào?",
         {"Quan tâm triển khai hiệu quả các giải pháp phát triển đảng theo tinh thần Nghị quyết "
          "số 21-NQ/TW",
          "triển khai có hiệu quả các Nghị quyết 18 và 19 của BCH T.Ư Đảng khóa XII",
          "theo tinh thần Nghị quyết Trung ương 6 khóa XII, Đề án 04-ĐA/TU của Ban Thường vụ "
          "Tỉnh uỷ"}),
        ("Huyện Tháp Mười dựa vào đề án nào của Ban Thường vụ Tỉnh uỷ?",
         {"theo tinh thần Nghị quyết Trung ương 6 khóa XII, Đề án 04-ĐA/TU của Ban Thường vụ "
          "Tỉnh uỷ"}),
        ("What did the conference decide?", None),
        ("Ai chủ trì hội nghị?", None),
    ],
)
def test_a_which_document_question_wants_a_sentence_naming_one_by_number(
    question: str, names: set[str] | None
) -> None:
    """Seed sentences: a document of the asked type named by code or by number passes; a
    document of another type ("Kết luận số 21-KL/TW" for a resolution) does not."""
    from assistant.retrieve.codes import asked_document

    seeds = [
        "Quan tâm triển khai hiệu quả các giải pháp phát triển đảng theo tinh thần Nghị quyết "
        "số 21-NQ/TW",
        "triển khai có hiệu quả các Nghị quyết 18 và 19 của BCH T.Ư Đảng khóa XII",
        "xây dựng quy hoạch cán bộ nhiệm kỳ 2025-2030; 2026-2031 theo Quy định số 50- QĐ/TW "
        "của Bộ Chính trị",
        "Kết luận số 21-KL/TW, ngày 25-10-2021 tại hội nghị lần thứ tư, Ban Chấp hành Trung "
        "ương khóa XIII",
        "Đồng chí Mai Văn Chính chủ trì hội nghị.",
        "theo tinh thần Nghị quyết Trung ương 6 khóa XII, Đề án 04-ĐA/TU của Ban Thường vụ "
        "Tỉnh uỷ",
    ]
    kind = asked_document(question)
    if names is None:
        assert kind is None
        return
    assert kind is not None
    assert {s for s in seeds if kind(SimpleNamespace(text=s))} == names
