"""The committed executed notebooks are up to date: a rerun would not change them.

A change to a template, the data, the package or the pinned environment makes the affected runs
stale; this test names them so that the change is committed together with its new outputs
(`python -m analysis run`), and reviewers see every moved number in the diff.
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_committed_reports_are_not_stale() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "--root", str(REPO), "run", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        "stale executed notebooks — run `python -m analysis run` and commit book/reports:\n" + result.stdout
    )


def test_every_run_has_its_outputs() -> None:
    listing = subprocess.run(
        [sys.executable, "-m", "analysis", "--root", str(REPO), "run", "--list"],
        capture_output=True,
        text=True,
        check=True,
    )
    # "<key>\trun \t<label>\t<why>" or "<key>\tskip\t...": a skipped template has no outputs
    rows = [line.split("\t") for line in listing.stdout.splitlines()]
    keys = [row[0] for row in rows if row[1].strip() == "run"]
    assert keys, "the grid is empty"
    for key in keys:
        base = REPO / "book" / "reports" / key
        for suffix in (".ipynb", ".key_figures.json", ".data.csv", ".run.json"):
            assert Path(f"{base}{suffix}").exists(), f"{key}{suffix} missing"
