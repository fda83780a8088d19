"""Follow-up questions and the interactive chat loop (real seeded index, extractive or a
scripted chat model)."""

from __future__ import annotations

import io

import pytest

from assistant.answer.generation import LLMGenerator
from assistant.api import Assistant
from assistant.chat import deterministic_rewrite, is_follow_up, rewrite_question
from assistant.cli import run_cli_chat
from assistant.config import Settings
from tests.llm_support import ScriptedChatModel

PREV_VI = "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?"
PREV_EN = "What were the six Q1 2021 priorities?"


@pytest.mark.parametrize(
    ("follow_up", "previous", "expected"),
    [
        ("Còn quý III thì sao?", PREV_VI, "Sáu nhiệm vụ trọng tâm quý III/2021 là gì?"),
        ("What about Q3?", PREV_EN, "What were the six Q3 2021 priorities?"),
        ("Còn quý III thì sao?", PREV_EN, "What were the six Q3 2021 priorities?"),
        ("And in 2023?", PREV_EN, "What were the six Q1 2023 priorities?"),
        ("And the third one?", PREV_EN,
         "What is the third item of: What were the six Q1 2021 priorities?"),
        ("Còn nhiệm vụ thứ ba?", PREV_VI,
         "Nội dung thứ ba trong: Sáu nhiệm vụ trọng tâm quý I/2021 là gì?"),
    ],
)
def test_deterministic_rewrite(follow_up: str, previous: str, expected: str) -> None:
    assert deterministic_rewrite(follow_up, previous) == expected


def test_standalone_questions_are_left_alone() -> None:
    history = [(PREV_EN, "...")]
    for q in (PREV_VI, "Who chaired the Q3 2023 online conference of the Central "
              "Organization Commission?"):
        assert not is_follow_up(q)
        assert rewrite_question(q, history, None) == q
    assert rewrite_question("And the third one?", [], None) == "And the third one?"


def _generator(settings: Settings, reply: str) -> tuple[LLMGenerator, ScriptedChatModel]:
    model = ScriptedChatModel(replies=[reply])
    return LLMGenerator(model, settings, name="scripted"), model


def test_llm_rewrite_is_used_when_plausible(seeded_settings: Settings) -> None:
    gen, model = _generator(seeded_settings, "Standalone question: Who chaired the Q3 2023 "
                            "online conference of the Central Organization Commission?")
    history = [("When was the Q3 2023 online conference of the Central Organization "
                "Commission held?", "On 28 September 2023 [1].")]
    out = rewrite_question("Who chaired it?", history, gen)
    assert out == ("Who chaired the Q3 2023 online conference of the Central Organization "
                   "Commission?")
    prompt = str(model.prompts[0][0].content)
    assert "Who chaired it?" in prompt and "28 September 2023" in prompt


@pytest.mark.parametrize(
    "bad_reply",
    [
        "Sáu nhiệm vụ trọng tâm quý III/2021 là gì?",   # wrong language for an English follow-up
        "What were the six Q3 2019 priorities?",         # invents a year
        "",                                              # nothing
        "What were\nthe six priorities?",                # not one line
    ],
)
def test_bad_llm_rewrite_falls_back(seeded_settings: Settings, bad_reply: str) -> None:
    gen, _ = _generator(seeded_settings, bad_reply)
    out = rewrite_question("What about Q3?", [(PREV_EN, "...")], gen)
    assert out == "What were the six Q3 2021 priorities?"


def test_follow_up_retrieves_the_right_article(bot: Assistant) -> None:
    first = bot.ask(PREV_VI)
    ans = bot.ask("Còn nhiệm vụ thứ ba?", history=[(PREV_VI, first.text)])
    assert ans.standalone_question.endswith(PREV_VI)
    assert not ans.refused
    assert ans.citations and ans.citations[0].doc_id.startswith("003")


def test_cli_chat_keeps_history_and_reports_errors(seeded_settings: Settings) -> None:
    out = io.StringIO()
    code = run_cli_chat(seeded_settings, lines=[
        "Sáu nhiệm vụ trọng tâm quý I/2021 là gì?",
        "x" * 5000,
        "Còn nhiệm vụ thứ ba?",
        "exit",
        "never asked",
    ], out=out)
    text = out.getvalue()
    assert code == 0
    assert "assistant chat (extractive)" in text
    assert "error: The question is 5000 characters long" in text
    assert "Traceback" not in text
    assert "(understood as: Nội dung thứ ba trong: Sáu nhiệm vụ" in text
    assert "[1] 003_" in text
    assert "never asked" not in text


def test_cli_chat_without_index_is_one_line(tmp_path: object, seeded_settings: Settings) -> None:
    from pathlib import Path

    missing = seeded_settings.model_copy(update={"index_path": Path(str(tmp_path)) / "none"})
    out = io.StringIO()
    assert run_cli_chat(missing, lines=[], out=out) == 2
    assert out.getvalue().startswith("error: ") and out.getvalue().count("\n") == 1
