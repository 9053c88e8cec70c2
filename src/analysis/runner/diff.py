"""``python -m analysis diff A [B]``: what moved between two versions of the reports.

A and B are report folders or git revisions. Key figures (``*.key_figures.json``) are compared by
run and key; the table lists values that changed, appeared or disappeared. Two numbers within a
relative ``rtol`` (default :data:`analysis.schema.DIFF_RTOL`) are the same figure: the last digits
of a least-squares fit differ between CPUs (BLAS kernels), and no figure is printed to nine
significant digits. For the full notebook diff, use nbdime (``nbdiff``) on the notebooks this
command names.

A command: may import anything below it.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.paths import project_paths
from analysis.schema import DIFF_RTOL

KeyFigures = dict[tuple[str, str], dict[str, Any]]
SUFFIX = ".key_figures.json"


class DiffError(ValueError):
    """A side of the comparison could not be read."""


def _parse(run: str, text: str, into: KeyFigures, where: str) -> None:
    """Add one key-figures file to ``into``; DiffError naming ``where`` if it is not what it should be."""
    try:
        figures = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DiffError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}); truncated?") from None
    if not isinstance(figures, list) or not all(isinstance(f, dict) and "key" in f for f in figures):
        raise DiffError(f"{where}: not a key-figures file (expected a list of {{key, value, unit}})")
    for figure in figures:
        into[(run, figure["key"])] = figure


def read_folder(folder: Path) -> KeyFigures:
    """Key figures of every run under a report folder (``<entity>/<year>/<template>.key_figures.json``)."""
    if not folder.is_dir():
        raise DiffError(f"{folder} is not a folder")
    out: KeyFigures = {}
    files = sorted(folder.rglob(f"*{SUFFIX}"))
    if not files:
        raise DiffError(
            f"{folder} holds no reports (no <entity>/<year>/<template>{SUFFIX} under it); "
            "give a report folder such as book/reports or a git revision"
        )
    for file in files:
        run = str(file.relative_to(folder))[: -len(SUFFIX)]
        _parse(run, file.read_text(encoding="utf-8", errors="replace"), out, str(file))
    return out


def read_revision(root: Path, revision: str, reports: str = "book/reports") -> KeyFigures:
    """Key figures as committed at a git revision."""
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", revision, "--", reports],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise DiffError(f"{revision!r} is neither a folder nor a git revision: {listing.stderr.strip()}")
    out: KeyFigures = {}
    names = [name for name in listing.stdout.splitlines() if name.endswith(SUFFIX)]
    if not names:
        raise DiffError(f"{revision} holds no reports under {reports}")
    for name in names:
        shown = subprocess.run(
            ["git", "show", f"{revision}:{name}"], cwd=root, capture_output=True, text=True, check=True
        )
        _parse(name[len(reports) + 1 : -len(SUFFIX)], shown.stdout, out, f"{revision}:{name}")
    return out


def read_side(root: Path, spec: str | None) -> KeyFigures:
    """Key figures of one side of a diff: the working tree (None), a folder or a git revision."""
    if spec is None:
        return read_folder(project_paths(root).reports)
    path = Path(spec)
    if path.is_dir():
        return read_folder(path)
    return read_revision(root, spec)


@dataclass(frozen=True)
class Change:
    """One key figure that changed, appeared or disappeared between two versions."""

    run: str
    key: str
    kind: str  # changed, appeared, disappeared
    before: Any
    after: Any
    unit: str


def _same_number(old: Any, new: Any, rtol: float) -> bool:
    numbers = (int, float)
    if isinstance(old, bool) or isinstance(new, bool):
        return old == new
    if isinstance(old, numbers) and isinstance(new, numbers):
        return math.isclose(old, new, rel_tol=rtol, abs_tol=0.0)
    return old == new


def compare(a: KeyFigures, b: KeyFigures, rtol: float = DIFF_RTOL) -> list[Change]:
    """Changes from ``a`` to ``b``, sorted by run and key. Unit or source changes count as changes;
    values within the relative ``rtol`` of each other do not (see the module docstring)."""
    changes = []
    for key in sorted(set(a) | set(b)):
        old, new = a.get(key), b.get(key)
        if old == new:
            continue
        if old is not None and new is not None:
            rest = {k for k in set(old) | set(new) if k != "value"}
            if all(old.get(k) == new.get(k) for k in rest) and _same_number(
                old.get("value"), new.get("value"), rtol
            ):
                continue
        if old is None:
            changes.append(Change(*key, "appeared", None, new["value"], new.get("unit", "")))
        elif new is None:
            changes.append(Change(*key, "disappeared", old["value"], None, old.get("unit", "")))
        else:
            changes.append(Change(*key, "changed", old["value"], new["value"], new.get("unit", "")))
    return changes


def format_changes(changes: list[Change]) -> str:
    """A plain-text table of the changes (or a line saying there are none)."""
    if not changes:
        return "no key figure changed"
    rows = [("run", "key", "change", "before", "after", "unit")]
    rows += [
        (
            c.run,
            c.key,
            c.kind,
            "" if c.before is None else str(c.before),
            "" if c.after is None else str(c.after),
            c.unit,
        )
        for c in changes
    ]
    widths = [min(60, max(len(r[i]) for r in rows)) for i in range(6)]
    return "\n".join(
        "  ".join(cell[:60].ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def diff_command(args: argparse.Namespace) -> int:
    """``python -m analysis diff A [B]``: print the key figures that differ.

    Exit status as ``git diff --exit-code``: 0 when no key figure differs, 1 when some do, 2 when a
    side cannot be read (not a folder or revision, no reports in it, a corrupt key-figures file).
    """
    root = project_paths(args.root).root
    try:
        a = read_side(root, args.a)
        b = read_side(root, args.b)
    except DiffError as exc:
        print(f"diff: error: {exc}", file=sys.stderr)
        return 2
    runs_a, runs_b = {run for run, _ in a}, {run for run, _ in b}
    common = runs_a & runs_b
    # a run present on one side only is one line, not one line per key figure (e.g. a scratch
    # folder of one ad-hoc run against the whole book)
    for side, only, spec in (("A", runs_a - runs_b, args.a), ("B", runs_b - runs_a, args.b)):
        if only:
            shown = ", ".join(sorted(only)[:5]) + (", ..." if len(only) > 5 else "")
            print(f"{len(only)} run(s) only in {side} ({spec or 'book/reports'}): {shown}")
    if not common:
        print("note: the two sides have no run in common; nothing to compare")
        return 1
    changes = compare(
        {k: v for k, v in a.items() if k[0] in common},
        {k: v for k, v in b.items() if k[0] in common},
        args.rtol,
    )
    print(format_changes(changes))
    if changes:
        print(
            f"\n{len(changes)} key figure(s) differ; full notebook diff: "
            f"nbdiff <A>/<run>.ipynb <B>/<run>.ipynb (nbdime)"
        )
    return 1 if changes or runs_a != runs_b else 0
