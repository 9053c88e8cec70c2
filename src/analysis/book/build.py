"""``python -m analysis build``: write the generated pages and table of contents, then run Jupyter Book.

The book is assembled, never computed: executed notebooks come from the runner (``book/reports``)
and the pages are computed by :mod:`analysis.book.toc`; this command only writes them (each file
atomically) and runs Jupyter Book with warnings as errors into a staging folder. ``_build/html`` is
replaced only when the build succeeds, so a failed build never leaves a half-written site behind.

The build writes only under its output folder (``_build/`` by default): the hand-written chapters,
the executed notebooks of the grid and the generated pages (table of contents, entity and chapter
pages, data pages) are assembled in ``<output>/source/`` and Jupyter Book builds from there. A
read-only checkout builds, and nothing in ``book/`` changes. Before that, the data are validated
and every executed notebook is checked against the sha256 in its run record.

A command: may import anything below it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from analysis.book.toc import book_pages, make_toc
from analysis.fileio import atomic_write_text
from analysis.observations.dataset import load_dataset
from analysis.paths import ProjectPaths, project_paths
from analysis.runner.applicable import split_applicable
from analysis.runner.fingerprint import Fingerprinter
from analysis.runner.grid import GridError, Run, load_grid
from analysis.runner.stale import corrupt_outputs, stale_runs


def write_pages(pages: dict[Path, str], root: Path, source: Path) -> None:
    """Write each generated page (path under ``root`` → text) at the same place under ``source``,
    atomically."""
    for path, text in pages.items():
        atomic_write_text(source / path.relative_to(root), text)


def assemble_source(paths: ProjectPaths, runs: list[Run], source: Path) -> None:
    """Lay out the book's fixed files in ``source`` (emptied first): ``_config.yml``, the hand-written
    chapters and static files of ``book/``, and each run's executed notebook and data CSV."""
    shutil.rmtree(source, ignore_errors=True)
    (source / "book").mkdir(parents=True)
    shutil.copy2(paths.config_file, source / paths.config_file.relative_to(paths.root))
    for item in paths.book.iterdir():
        if item.name.startswith(".") or item.name in ("reports", "generated", "runs.yml"):
            continue
        if item.is_dir():
            shutil.copytree(item, source / "book" / item.name)
        else:
            shutil.copy2(item, source / "book" / item.name)
    for run in runs:
        for role in ("notebook", "data"):
            file = run.outputs(paths)[role]
            if file.exists():
                target = source / file.relative_to(paths.root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target)


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def build_command(args: argparse.Namespace) -> int:
    """``python -m analysis build``: check, assemble the source tree, run Jupyter Book, swap in html."""
    from analysis.observations.validate import validate_dataset

    paths = project_paths(args.root)
    try:
        data = load_dataset(paths)
        grid = load_grid(paths, data.observations, data.entities)
        # read-only: a build writes nothing outside its output folder
        runs, skipped = split_applicable(grid, data, paths, os.cpu_count() or 1, record=False)
    except GridError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 2
    report = validate_dataset(paths)
    if not report.ok:
        for problem in report.errors[:5]:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"build: error: the data are invalid ({len(report.errors)} error(s)); no book was built. "
            "Fix them (python -m analysis validate) first.",
            file=sys.stderr,
        )
        return 1
    missing = [r for r in runs if not r.notebook_path(paths).exists()]
    if missing:
        print(
            f"build: error: {len(missing)} run(s) have no executed notebook, e.g. {missing[0].key}; "
            "run `python -m analysis run` first",
            file=sys.stderr,
        )
        return 1
    altered = [(r, f) for r in runs for f in corrupt_outputs(r, paths)]
    if altered:
        for run, file in altered:
            print(
                f"build: error: {_shown(file, paths.root)} no longer matches the sha256 in its run record "
                f"(rerun: {run.reproduce_command()})",
                file=sys.stderr,
            )
        return 1
    stale = stale_runs(runs, Fingerprinter(paths, data.observations, data.entities), paths)
    if stale:
        named = ", ".join(run.key for run, _ in stale[:3]) + (", ..." if len(stale) > 3 else "")
        print(
            f"build: warning: {len(stale)} of {len(runs)} runs are stale (inputs changed since they ran: "
            f"{named}); `python -m analysis run` updates them",
            file=sys.stderr,
        )
    out = (args.output or paths.build_dir).resolve()
    source = out / "source"
    assemble_source(paths, runs, source)
    write_pages(book_pages(paths, runs, data, skipped), paths.root, source)
    toc = make_toc(runs)
    staging = out / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(source),
        "--toc",
        str(source / paths.toc_file.relative_to(paths.root)),
        "--config",
        str(source / paths.config_file.relative_to(paths.root)),
        "--path-output",
        str(staging),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
    ]
    print(
        f"build: {len(runs)} executed notebooks, {len(toc['parts'])} parts; running Jupyter Book with "
        f"warnings as errors (log: {out / 'jupyter-book.log'})",
        flush=True,
    )
    log = out / "jupyter-book.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as fh:
        result = subprocess.run(cmd, cwd=source, check=False, stdout=fh, stderr=subprocess.STDOUT)
    built = staging / "_build" / "html"
    if result.returncode != 0 or not (built / "index.html").exists():
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        problems = [line for line in lines if "WARNING" in line or "ERROR" in line or "Error" in line]
        for line in (problems or lines)[-40:]:
            print(line, file=sys.stderr)
        print(
            f"build: error: Jupyter Book failed (exit {result.returncode}; full log {log}); the previous "
            f"{out / 'html'} is left as it was",
            file=sys.stderr,
        )
        return 1
    target = out / "html"
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(built), str(target))
    shutil.rmtree(staging, ignore_errors=True)
    print(f"build: done: {target / 'index.html'}")
    return 0
