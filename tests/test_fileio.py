"""The one atomic write and the one SHA-256 helper (analysis.fileio)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from analysis.fileio import atomic_write, atomic_write_text, sha256_file, sha256_hex

# FIPS 180-2, appendix B.1: SHA-256("abc"); and the SHA-256 of the empty string
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_sha256_matches_the_published_test_vectors(tmp_path: Path) -> None:
    assert sha256_hex(b"abc") == ABC
    assert sha256_hex(b"") == EMPTY
    (tmp_path / "abc").write_bytes(b"abc")
    assert sha256_file(tmp_path / "abc") == ABC


def test_sha256_file_reads_a_large_file_in_blocks_to_the_same_digest(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000  # 256 000 bytes: several 64 KiB blocks
    (tmp_path / "big").write_bytes(data)
    assert sha256_file(tmp_path / "big") == sha256_hex(data)


def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.csv"
    atomic_write_text(target, "old\n")
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.csv"]


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.json").write_bytes(b"kept")

    def boom(*_a: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "x.json", b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
    assert (tmp_path / "x.json").read_bytes() == b"kept"
