"""Shared fixtures: the repository, the shared source documents, and a copy of the data to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.paths import ProjectPaths, project_paths

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_paths() -> ProjectPaths:
    return project_paths(REPO)


@pytest.fixture(scope="session")
def shared_sources() -> Path:
    folder = SHARED / "sources"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the document checks need ../shared beside the repository")
    return folder


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    """A throwaway repository root with a copy of data/ (and pyproject.toml) that tests may corrupt.

    The source documents stay where they are (``../shared/sources`` of the real repository).
    """
    monkeypatch.setenv("ANALYSIS_SHARED_SOURCES", str(SHARED / "sources"))
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return project_paths(tmp_path)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML book, built once per session from the committed executed notebooks (no execution).

    Runs ``python -m analysis build --output <tmp>`` and returns ``<tmp>/html``. The build writes
    only under its output folder (it assembles its source tree in ``<tmp>/source``): the fixture
    fails if any file of the repository was created or changed by it.
    """
    import os
    import subprocess
    import sys

    def footprint() -> dict[str, int]:
        # where a build used to write (book/generated, book/reports/**/index.md, _toc.yml); not the
        # code, which a developer may be editing while the tests run
        seen = {}
        for folder, _, files in os.walk(REPO / "book"):
            for name in files:
                path = os.path.join(folder, name)
                seen[os.path.relpath(path, REPO)] = os.stat(path).st_mtime_ns
        for path in REPO.glob("*"):
            if path.is_file():
                seen[path.name] = path.stat().st_mtime_ns
        return seen

    before = footprint()
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--output", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    html = out / "html"
    if result.returncode != 0 or not (html / "index.html").is_file():
        pytest.fail(
            f"`python -m analysis build --output {out}` failed (exit {result.returncode}):\n"
            f"{result.stderr[-4000:]}\n{result.stdout[-4000:]}"
        )
    after = footprint()
    written = sorted(p for p, mtime in after.items() if before.get(p) != mtime)
    if written:
        pytest.fail(f"`python -m analysis build --output {out}` wrote into the repository: {written[:10]}")
    return html
