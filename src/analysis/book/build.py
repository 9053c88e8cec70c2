"""``python -m analysis build``: write the generated pages and table of contents, then run Jupyter Book.

The book is assembled, never computed: executed notebooks come from the runner (``book/reports``)
and the pages are computed by :mod:`analysis.book.toc`; this command only writes them (each file
atomically) and runs Jupyter Book with warnings as errors into a staging folder. ``_build/html`` is
replaced only when the build succeeds, so a failed build never leaves a half-written site behind.
A command: may import anything below it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from analysis.book.toc import book_pages, make_toc
from analysis.fileio import atomic_write_text
from analysis.observations.dataset import load_dataset
from analysis.paths import project_paths
from analysis.runner.fingerprint import Fingerprinter
from analysis.runner.grid import GridError, load_grid
from analysis.runner.stale import stale_runs


def write_pages(pages: dict[Path, str]) -> None:
    """Write each generated page (path → text), atomically."""
    for path, text in pages.items():
        atomic_write_text(path, text)


def build_command(args: argparse.Namespace) -> int:
    """``python -m analysis build``: generate pages and toc, run Jupyter Book, swap in _build/html."""
    paths = project_paths(args.root)
    try:
        data = load_dataset(paths)
        runs = load_grid(paths, data.observations, data.entities)
    except GridError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 2
    missing = [r for r in runs if not r.notebook_path(paths).exists()]
    if missing:
        print(
            f"build: error: {len(missing)} run(s) have no executed notebook, e.g. {missing[0].key}; "
            "run `python -m analysis run` first",
            file=sys.stderr,
        )
        return 1
    stale = stale_runs(runs, Fingerprinter(paths, data.observations, data.entities), paths)
    for run, _ in stale:
        print(f"build: warning: {run.key} is stale (inputs changed since it ran)", file=sys.stderr)
    pages = book_pages(paths, runs, data)
    write_pages(pages)
    toc = make_toc(runs)
    out = (args.output or paths.build_dir).resolve()
    staging = out / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(paths.root),
        "--toc",
        str(paths.toc_file),
        "--config",
        str(paths.config_file),
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
        result = subprocess.run(cmd, cwd=paths.root, check=False, stdout=fh, stderr=subprocess.STDOUT)
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
