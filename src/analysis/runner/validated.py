"""Remember that the data were valid, so that a no-op ``run`` does not validate them again.

``python -m analysis run`` validates the whole dataset before it writes anything (excerpt checks
against the source documents, consistency findings): about 3-4 s of CPU on these machines, more
than the rest of a no-op rerun. The verdict depends only on the files the validator reads and on
the validator's code, so a success is recorded under a hash of exactly those (``data/``, the source
documents folder, the ``analysis`` package's source), and the next run with the same hash skips the
validation. Any change to any of them, or a failed validation (never recorded), validates again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import analysis
from analysis.paths import ProjectPaths


def _digest_tree(digest: hashlib._Hash, folder: Path, pattern: str = "*") -> None:
    if not folder.is_dir():
        digest.update(f"absent:{folder}".encode())
        return
    for file in sorted(folder.rglob(pattern)):
        if file.is_file() and "__pycache__" not in file.parts:
            digest.update(str(file.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())


def validation_key(paths: ProjectPaths) -> str:
    """sha256 of everything the validation verdict depends on."""
    digest = hashlib.sha256()
    _digest_tree(digest, paths.root / "data")
    _digest_tree(digest, paths.shared_sources)
    _digest_tree(digest, Path(analysis.__file__).parent, "*.py")
    return digest.hexdigest()


def marker(paths: ProjectPaths, key: str) -> Path:
    return paths.book / ".cache" / "validated" / key


def known_valid(paths: ProjectPaths) -> tuple[bool, str]:
    """(whether these exact inputs were validated successfully before, their key)."""
    key = validation_key(paths)
    return marker(paths, key).exists(), key


def remember_valid(paths: ProjectPaths, key: str) -> None:
    folder = marker(paths, key).parent
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # only the latest verdict is worth keeping
        old.unlink(missing_ok=True)
    marker(paths, key).write_text("valid\n", encoding="utf-8")
