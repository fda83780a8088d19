"""English questions get the Vietnamese words their answers are written in."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.retrieve.glossary import (
    expand_query,
    load_glossary,
    vietnamese_terms,
    written_out,
)
from assistant.retrieve.question import anchors, contains_term
from assistant.vietnamese import content_tokens, match_normalize


def test_longest_phrase_wins_and_is_consumed_once() -> None:
    terms = vietnamese_terms(
        "Who is the Permanent Deputy Secretary of the Provincial Party Committee?")
    assert set(terms[:2]) == {"Tỉnh ủy", "Phó Bí thư Thường trực"}
    assert "Bí thư" not in terms  # "secretary" was part of the longer phrase


def test_endings_and_hyphens_match() -> None:
    assert "kết nạp" in vietnamese_terms("How many members were admitted?")
    assert "tổ chức xây dựng Đảng" in vietnamese_terms("the organization building work")
    assert "đào tạo" in vietnamese_terms("Which training courses were held?")


def test_vietnamese_questions_are_left_alone() -> None:
    q = "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?"
    assert vietnamese_terms(q) == [] and expand_query(q) == q


def test_expanded_words_meet_the_seed_sentence() -> None:
    seed = ("Chiều 28/9, Ban Tổ chức Trung ương tổ chức Hội nghị giao ban trực tuyến đánh giá "
            "kết quả công tác tổ chức xây dựng Đảng quý III")
    q = "Who chaired the Central Organization Commission's online briefing?"
    shared = content_tokens(expand_query(q)) & content_tokens(seed)
    assert {"ban_to", "truc_tuyen", "giao_ban"} <= shared
    assert not content_tokens(q) & {"ban_to", "truc_tuyen", "giao_ban"}


def test_a_broken_glossary_line_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "g.tsv"
    bad.write_text("# comment\nonly english, no tab\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.tsv:2"):
        load_glossary(bad)


def test_month_anchors_accept_the_articles_ways_of_writing_a_month() -> None:
    assert anchors("What was decided in December 2018?") == ["thang 12/2018", "2018"]
    assert anchors("Hội nghị giao ban tháng 11/2018 diễn ra ở đâu?")[0] == "thang 11/2018"
    a = "thang 9/2023"
    assert contains_term(match_normalize("Chiều 28/9, hội nghị quý III/2023"), a)
    assert contains_term(match_normalize("công tác tháng 9 năm 2023"), a)
    assert not contains_term(match_normalize("Chiều 28/9/2022"), a)
    assert not contains_term(match_normalize("ngày 19/10/2023"), a)


def test_english_question_is_routed_to_the_month_it_names(bot: Assistant) -> None:
    ans = bot.ask("Who chaired the online briefing of the Party organization sector in "
                  "December 2018?")
    assert not ans.refused
    assert {c.doc_id[:3] for c in ans.citations} == {"004"}
    assert "Phạm Minh Chính" in ans.text


def test_abbreviations_of_the_articles_are_written_out() -> None:
    """The articles abbreviate what questions write out ("ngành TCXDĐ", "BCH T.Ư Đảng");
    the longest spelling wins, and a document code is no abbreviation."""
    founded = ("tổ chức các hoạt động ý nghĩa, thiết thực kỷ niệm 93 năm ngày thành lập "
               "ngành TCXDĐ (14/10/1930 - 14/10/2023)…")
    assert written_out(founded) == "Ngành Tổ chức xây dựng Đảng"
    assert "nganh" in content_tokens(written_out(founded))
    resolutions = ("Ban Tổ chức các cấp tiếp tục tham mưu cho cấp ủy cùng cấp tập trung triển "
                   "khai có hiệu quả các Nghị quyết 18 và 19 của BCH T.Ư Đảng khóa XII")
    assert written_out(resolutions) == "Ban Chấp hành Trung ương"
    assert written_out("đã bám sát kết luận số 08-KL/BTCTW, ngày 04/01/2023") == ""
    assert written_out("Ngành Tổ chức xây dựng Đảng triển khai nhiệm vụ tháng 12") == ""
