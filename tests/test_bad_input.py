"""Bad input: odd questions, bad files in the seeds folder, a damaged or deleted index,
an index built with another embedding model. Each gets one clear sentence (CLI: exit 2,
one line, no traceback) or a sensible answer, and no indexed data is lost."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.config import Settings
from assistant.errors import IndexCorruptError, IndexMissingError, InputError
from assistant.index.store import collection_name, open_chroma_client
from tests.conftest import SEEDS, make_settings
from tests.scale_helpers import cli, cli_env

SIX = "What were the six Q1 2021 priorities?"


def one_line_error(proc: object, needle: str) -> None:
    rc, err = proc.returncode, proc.stderr  # type: ignore[attr-defined]
    assert rc == 2, err
    assert needle in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


def six_ok(bot: Assistant) -> None:
    ans = bot.ask(SIX)
    assert not ans.refused and sum(c.doc_id.startswith("003_") for c in ans.citations) >= 6


def index_state(settings: Settings) -> tuple[int, str]:
    """(chunk count, a digest of all rows) of the SQLite half: to prove nothing changed."""
    db = sqlite3.connect(f"file:{settings.index_path / 'keyword.sqlite3'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT chunk_id, text FROM chunks ORDER BY chunk_id").fetchall()
        sigs = db.execute("SELECT doc_id, signature FROM documents ORDER BY doc_id").fetchall()
    finally:
        db.close()
    return len(rows), str(hash((tuple(rows), tuple(sigs))))


@pytest.fixture()
def index_copy(tmp_path: Path, seeded_settings: Settings) -> Callable[..., Settings]:
    """A private copy of the seeded index (so tests may damage it)."""

    def factory(**overrides: object) -> Settings:
        dest = tmp_path / "idx"
        shutil.copytree(seeded_settings.index_path, dest)
        return make_settings(dest, **overrides)

    return factory


# --- questions -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "needle"),
    [("", "empty"), ("  \n\t ", "empty"), ("\x00\x07\x1b", "empty"),
     ("x" * 100_000, "limit is 4000"), ("câu hỏi " * 12_500, "limit is 4000")],
)
def test_unusable_questions_are_refused_with_a_reason(
    bot: Assistant, question: str, needle: str
) -> None:
    with pytest.raises(InputError, match=needle):
        bot.ask(question)


def test_odd_but_usable_questions_get_sensible_answers(bot: Assistant) -> None:
    clean = bot.ask(SIX)
    for noisy in (SIX + " 🙏", "\x07" + SIX.replace(" ", "\x00 ", 2) + "\x1b"):
        ans = bot.ask(noisy)
        assert ans.text == clean.text and not ans.refused
    emoji = bot.ask("🤔🤔🤔")
    assert emoji.refused and not emoji.citations
    chinese = bot.ask("第一季度的六项重点任务是什么？")  # "the six Q1 priorities?"
    assert chinese.refused or all(c.supported for c in chinese.citations)


def test_cli_question_errors_are_one_line(seeded_settings: Settings) -> None:
    env = cli_env(seeded_settings.index_path)
    one_line_error(cli(["ask", "x" * 100_000], env), "limit is 4000")
    proc = cli(["ask", "abc \udcff"], env)  # a non-UTF-8 byte in argv
    one_line_error(proc, "not valid UTF-8")


# --- files ---------------------------------------------------------------------------
def test_bad_files_are_skipped_by_name_and_lose_nothing(
    tmp_path: Path, seeds_copy: Path
) -> None:
    index = tmp_path / "idx"
    env = cli_env(index)
    assert cli(["ingest", "--path", str(seeds_copy)], env).returncode == 0
    before = index_state(make_settings(index))

    (seeds_copy / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(2000))
    with (seeds_copy / "huge.txt").open("wb") as f:  # 50 MB
        f.write(("Đảng viên " * 100 + "\n").encode() * 36_000)
    legacy = "Tiêu đề bài\n\nNội dung bài viết về công tác.".encode("cp1258", "replace")
    (seeds_copy / "latin1.txt").write_bytes(legacy)  # Windows-1258, not UTF-8
    (seeds_copy / "empty.txt").write_bytes(b"")
    (seeds_copy / "loop").symlink_to(seeds_copy, target_is_directory=True)
    (seeds_copy / "dangling.txt").symlink_to(seeds_copy / "nowhere.txt")
    # a file that was indexed and is now unreadable keeps its indexed chunks
    bad_seed = seeds_copy / "002_1b16f8de43ebf90c.txt"
    bad_seed.write_bytes(bad_seed.read_bytes() + b"\xff\xfe broken")

    proc = cli(["ingest", "--path", str(seeds_copy)], env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name, reason in [("binary.txt", "binary"), ("huge.txt", "larger than"),
                         ("latin1.txt", "not UTF-8"), ("empty.txt", "empty"),
                         ("002_1b16f8de43ebf90c.txt", "not UTF-8"), ("loop", "symlink loop"),
                         ("dangling.txt", "dangling symlink")]:
        assert any(name in line and reason in line for line in proc.stderr.splitlines()), name
    assert "0 added, 0 updated, 0 removed, 4 unchanged, 7 skipped" in proc.stdout
    assert index_state(make_settings(index)) == before


def test_a_folder_without_articles_changes_nothing(tmp_path: Path, seeds_copy: Path) -> None:
    index = tmp_path / "idx"
    env = cli_env(index)
    assert cli(["ingest", "--path", str(seeds_copy)], env).returncode == 0
    before = index_state(make_settings(index))
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF-1.4")
    one_line_error(cli(["ingest", "--path", str(empty)], env), "nothing was changed")
    assert index_state(make_settings(index)) == before


# --- a damaged index -----------------------------------------------------------------
def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(40_000))


def _truncate(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)


@pytest.mark.parametrize(
    ("damage", "needle", "repair"),
    [
        (lambda p: _garbage(p / "keyword.sqlite3"), "is damaged", "--reset"),
        (lambda p: _truncate(p / "keyword.sqlite3"), "is damaged", "--reset"),
        (lambda p: _garbage(p / "chroma" / "chroma.sqlite3"), "cannot be opened", "--reset"),
        (lambda p: shutil.rmtree(p / "chroma"), "holds no vectors", ""),
    ],
    ids=["keyword-garbage", "keyword-truncated", "chroma-garbage", "chroma-deleted"],
)
def test_damaged_index_says_how_to_repair_and_repairs(
    index_copy: Callable[..., Settings],
    damage: Callable[[Path], None],
    needle: str,
    repair: str,
) -> None:
    settings = index_copy()
    damage(settings.index_path)
    with pytest.raises(IndexCorruptError, match=needle) as err:
        Assistant.from_settings(settings)
    assert f"assistant ingest{' ' + repair if repair else '`'}" in str(err.value)
    bot = Assistant.from_settings(settings, require_index=False)
    report = bot.ingest(SEEDS, reset=bool(repair))
    assert len(report.added) + len(report.updated) == 5
    six_ok(Assistant.from_settings(settings))


def test_damaged_index_cli_error_is_one_line(index_copy: Callable[..., Settings]) -> None:
    settings = index_copy()
    _garbage(settings.index_path / "keyword.sqlite3")
    one_line_error(cli(["ask", SIX], cli_env(settings.index_path)), "ingest --reset")


def test_deleted_index_says_to_ingest(index_copy: Callable[..., Settings]) -> None:
    settings = index_copy()
    shutil.rmtree(settings.index_path)
    with pytest.raises(IndexMissingError, match="run `assistant ingest`"):
        Assistant.from_settings(settings)


# --- another embedding model ---------------------------------------------------------
def test_index_of_another_embedding_model_is_refused_then_reset(
    index_copy: Callable[..., Settings],
) -> None:
    e5 = index_copy()
    before = index_state(e5)
    other = make_settings(e5.index_path, embeddings={"backend": "hash", "cache": False})
    with pytest.raises(IndexCorruptError, match=r"multilingual-e5-small.*hash-standin.*--reset"):
        Assistant.from_settings(other)
    env = cli_env(e5.index_path, ASSISTANT_EMBEDDINGS__BACKEND="hash")
    one_line_error(cli(["ingest"], env), "embedding model")
    assert index_state(e5) == before  # refused, so nothing was touched
    six_ok(Assistant.from_settings(e5))

    bot = Assistant.from_settings(other, require_index=False)
    assert len(bot.ingest(SEEDS, reset=True).added) == 5
    names = {c.name for c in open_chroma_client(other).list_collections()}
    assert names == {collection_name("hash-standin-384")}  # the e5 vectors are gone too
