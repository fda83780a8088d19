"""Files: which entries of an ingest folder are articles, and how their bytes decode.

:func:`scan` walks a folder without following symbolic links out of it:

- a link to a file inside the folder is read (it is part of the folder);
- a link whose target lies outside the folder (``notes.txt -> /etc/passwd``) is not
  followed; nor is a link to a folder outside it;
- a link loop (``a -> b -> a``, a link to its own folder) and a dangling link are not
  followed either;

and every such entry is named, with the reason, in :attr:`Scan.skipped`, so the ingest
summary counts it. Links to folders inside the folder are not followed (their files are
read where they are), and say nothing.

:func:`decode` turns a text file's bytes into text: UTF-8 (with or without a byte order
mark) and UTF-16/UTF-32 with a byte order mark; anything else is refused with the
reason ("binary file", "not UTF-8 (byte N)").

>>> decode("Đảng".encode("utf-16"))
'Đảng'
"""

from __future__ import annotations

import codecs
import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")
PAGED_SUFFIXES = (".pdf", ".docx")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + PAGED_SUFFIXES
SUPPORTED_KINDS = ".txt, .md, .html, .pdf or .docx"  # for messages
# Longest BOM first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class Scan:
    """The article files under a folder, and the entries left out, with the reason."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Refused links that point out of the folder: entry -> its real target.
    outside: dict[str, str] = field(default_factory=dict)


def decode(data: bytes) -> str:
    """Text of a file's bytes; ``ValueError`` with the reason when it is not text."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ValueError(f"not valid {codec.upper()} (byte {exc.start})") from None
    if b"\x00" in data[:8192]:
        raise ValueError("binary file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (byte {exc.start})") from None


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def _broken_link(path: Path) -> str | None:
    """Why a symbolic link cannot be followed at all (loop, dangling), else None."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: not followed"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return f"dangling symlink (its target {os.readlink(path)} is missing)"
        return f"unreadable symlink ({exc.strerror})"
    return None


def _link_reason(path: Path, root: Path) -> str | None:
    """Why the symbolic link ``path`` is not followed; None for a link to a file inside
    ``root`` (read like any file), to a folder inside it (its files are read where they
    are) or to a file outside it whose name is not an article's (ignored anyway)."""
    broken = _broken_link(path)
    if broken:
        return broken
    target = Path(os.path.realpath(path))
    if not target.is_relative_to(root):
        if target.is_dir():
            return f"symlink to the folder {target} outside the ingest folder: not followed"
        if is_supported(path):
            return f"symlink to {target} outside the ingest folder: not followed"
        return None  # not an article name: ignored like any other such file
    if target.is_dir() and path.parent.resolve().is_relative_to(target):
        return "symlink loop (it points to a folder that contains it): not followed"
    return None


def scan(root: str | Path) -> Scan:
    """The article files under ``root`` (a folder or one file), sorted, links checked.

    One file given by name is taken as it is (the user chose it, link or not).
    """
    root = Path(root)
    if not root.is_dir():
        return Scan(files=[root])
    out = Scan()
    _walk(root, root.resolve(), out)
    out.files.sort()
    out.skipped.sort()
    return out


def _walk(folder: Path, root: Path, out: Scan) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        out.skipped.append((str(folder), f"cannot list the folder ({exc.strerror})"))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            if entry.is_symlink():
                reason = _link_reason(path, root)
                if reason:
                    out.skipped.append((str(path), reason))
                    target = os.path.realpath(path)
                    if not Path(target).is_relative_to(root):
                        out.outside[str(path)] = target
                elif path.is_file() and is_supported(path) and (
                    Path(os.path.realpath(path)).is_relative_to(root)
                ):
                    out.files.append(path)
            elif entry.is_dir(follow_symlinks=False):
                _walk(path, root, out)
            elif entry.is_file(follow_symlinks=False) and is_supported(path):
                out.files.append(path)
        except OSError as exc:
            out.skipped.append((str(path), f"cannot stat ({exc.strerror})"))
