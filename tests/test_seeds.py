from __future__ import annotations

import hashlib

from tests.conftest import SEEDS


def test_seed_files_match_sha256sums() -> None:
    lines = (SEEDS / "SHA256SUMS").read_text().split("\n")
    expected = dict(reversed(line.split()) for line in lines if line.strip())
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert names == sorted(expected)
    assert len(names) == 5
    for name in names:
        digest = hashlib.sha256((SEEDS / name).read_bytes()).hexdigest()
        assert digest == expected[name], name
