"""The package shows the pipeline: one subpackage per stage, layers that only point down.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and ``make lint`` runs
them; these tests show that they pass, that a wrong-way import breaks them, and the rest
of the layout rules (top-level modules, package list, module size, no import cycle).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assistant"
# The public faces and the shared base: nothing else sits directly under assistant/.
TOP_LEVEL = {"__init__.py", "api.py", "chat.py", "cli.py", "config.py", "errors.py",
             "vietnamese.py"}
MAX_LINES = 400


def lint_imports(cwd: Path, extra_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    env = {"PATH": str(exe.parent), "HOME": str(cwd)}
    if extra_path is not None:
        env["PYTHONPATH"] = str(extra_path)
    return subprocess.run([str(exe), "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_import_contracts_are_kept() -> None:
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 kept, 0 broken" in proc.stdout


def test_a_wrong_way_import_breaks_the_contracts(tmp_path: Path) -> None:
    """A scratch copy where evidence selection (retrieve) imports the chat page (a face)."""
    shutil.copytree(PACKAGE, tmp_path / "assistant",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    evidence = tmp_path / "assistant" / "retrieve" / "evidence.py"
    wrong = "\n\ndef _wrong_way() -> None:\n    from assistant.ui import app  # noqa\n"
    evidence.write_text(evidence.read_text(encoding="utf-8") + wrong, encoding="utf-8")
    proc = lint_imports(tmp_path, extra_path=tmp_path)
    assert proc.returncode != 0
    out = proc.stdout
    assert "BROKEN" in out
    assert "assistant.retrieve.evidence -> assistant.ui.app" in out
    assert "retrieve, index and ingest never import answer, ui or cli BROKEN" in out


def test_only_faces_and_base_sit_at_the_top_level() -> None:
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules == TOP_LEVEL


def test_every_subpackage_is_packaged() -> None:
    """pyproject lists the packages explicitly (for the prompts/ mapping): none missing."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in PACKAGE.rglob("__init__.py") if "__pycache__" not in p.parts
    }
    assert on_disk | {"assistant.prompts"} == listed
    assert config["tool"]["setuptools"]["package-dir"]["assistant.prompts"] == "prompts"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_modules_stay_small(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by stage"


def test_no_import_cycle_between_modules() -> None:
    graph = grimp.build_graph("assistant", cache_dir=None)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported == importer or importer.startswith(imported + "."):
                continue  # a module importing its own package's __init__
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.append(f"{importer} -> {imported} -> ... -> {importer}")
    assert cycles == []


def test_packaged_data_is_found_without_the_checkout_layout() -> None:
    """Prompts and the glossary are located through importlib.resources."""
    from assistant.config import load_settings
    from assistant.data import data_path, prompts_dir

    assert (prompts_dir() / "answer_system.txt").is_file()
    assert load_settings().prompts_path == prompts_dir()
    assert data_path("glossary.tsv").is_file()
    tree = ast.parse((PACKAGE / "data" / "__init__.py").read_text(encoding="utf-8"))
    assert "__file__" not in ast.unparse(tree)


def test_a_built_wheel_carries_the_prompts_and_the_glossary(tmp_path: Path) -> None:
    """The same lookups work from an installed wheel: the files are inside it."""
    import zipfile

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "assistant", "prompts"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, src / name)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = (tmp_path / "dist").glob("assistant-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "assistant/prompts/answer_system.txt" in names
    assert "assistant/data/glossary.tsv" in names
    assert "assistant/retrieve/evidence.py" in names
