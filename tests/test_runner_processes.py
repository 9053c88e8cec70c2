"""Runner safety with real processes, kernels and signals (few, small runs: marked slow).

- an ad-hoc run with an overridden ``cpi_base_year`` moves a real-kroner figure by the CPI ratio
  worked out here from the rows of ``data/``, into a scratch folder, leaving ``book/reports`` alone;
- two runners at once: the second waits for the first, nothing fails; then a truncated output is
  named by ``run --check``;
- Ctrl-C (SIGINT to the process group) or SIGTERM stops a grid within 10 s and leaves no process
  of the run (checked by pid); after ``kill -9`` of the runner its workers and kernels exit alone.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from test_runner import PROBE, REPO, analysis, make_project

pytestmark = pytest.mark.slow


def rows(root: Path, **match: str) -> list[dict[str, str]]:
    with (root / "data" / "curated" / "observations.csv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if all(r[k] == v for k, v in match.items())]


def one_value(found: list[dict[str, str]]) -> float:
    values = {float(r["value"]) for r in found}
    assert len(values) == 1, found  # the same figure in every source that prints it
    return values.pop()


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            digest.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return digest.hexdigest()


def test_adhoc_run_with_another_cpi_base_year(tmp_path: Path) -> None:
    # Bergen 2011: gross payouts printed once, in NOK million; CPI levels (2015 = 100) for 2011, 2015, 2022
    nominal_nok_1000 = 1000 * one_value(
        rows(
            REPO,
            entity_code="1201",
            period="2011",
            indicator="sa_payout_gross",
            category="",
            unit="NOK_million",
        )
    )
    cpi = {
        y: one_value(rows(REPO, entity_code="EAK", period=str(y), indicator="cpi"))
        for y in (2011, 2015, 2022)
    }
    reports_before = tree_digest(REPO / "book" / "reports")
    out = tmp_path / "scratch"
    result = analysis(
        REPO, "run", "--entity", "1201", "--year", "2011", "--template", "payouts",
        "-p", "cpi_base_year=2015", "--output", str(out), "--jobs", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    folder = out / "1201" / "2011"  # laid out like book/reports
    figures = {f["key"]: f for f in json.loads((folder / "payouts.key_figures.json").read_text())}
    real = figures["payout_gross_real_2011"]
    assert real["unit"] == "NOK_1000"
    assert real["value"] == pytest.approx(nominal_nok_1000 * cpi[2015] / cpi[2011], rel=1e-9)
    # against the book's run of the same page (cpi_base_year 2022): moved by CPI 2015 / CPI 2022
    book = json.loads((REPO / "book" / "reports" / "1201" / "2011" / "payouts.key_figures.json").read_text())
    in_2022_kroner = next(f["value"] for f in book if f["key"] == "payout_gross_real_2011")
    assert real["value"] / in_2022_kroner == pytest.approx(cpi[2015] / cpi[2022], rel=1e-9)
    record = json.loads((folder / "payouts.run.json").read_text())
    assert record["parameters"]["cpi_base_year"] == 2015
    # printed at the end: where, and the key figures
    assert str(folder / "payouts.ipynb") in result.stdout
    assert f"payout_gross_real_2011 = {real['value']} NOK_1000" in result.stdout
    # the book's reports are untouched, and kernel start-up/shutdown noise is gone
    assert tree_digest(REPO / "book" / "reports") == reports_before
    assert "without encryption" not in result.stderr and "KeyboardInterrupt" not in result.stderr


PAUSE = PROBE + "# %%\nimport time\ntime.sleep(4)\n"


def test_two_runners_one_writer_then_a_corrupt_output_is_named(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", templates="pause")
    (project / "notebooks" / "pause.py").write_text(PAUSE, encoding="utf-8")
    env = {**os.environ, "ANALYSIS_SHARED_SOURCES": str(REPO.parent / "shared" / "sources")}
    cmd = [sys.executable, "-m", "analysis", "--root", str(project), "run", "--jobs", "1"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    locks = project / "book" / ".cache" / "locks"
    deadline = time.monotonic() + 120
    while not list(locks.glob("*.pid")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(locks.glob("*.pid")), "the first runner never took the lock"
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    out1, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 0, second.stderr
    assert f"waiting: process {first.pid} is writing" in second.stderr
    assert "all 2 runs are up to date" in second.stdout  # it found the first one's work done
    assert "FAILED" not in out1 + second.stdout
    # a truncated committed notebook: run --check names it
    notebook = project / "book" / "reports" / "030109" / "2024" / "pause.ipynb"
    notebook.write_bytes(notebook.read_bytes()[:200])
    check = analysis(project, "run", "--check")
    assert check.returncode == 1
    assert "corrupt: book/reports/030109/2024/pause.ipynb no longer matches the sha256" in check.stdout
    assert "0217" not in check.stdout


def _wait_for_kernels(project: Path, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    work = project / "book" / ".cache" / "work"
    while len(list(work.glob("pid-*/*/*/*/output.ipynb"))) < n and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(list(work.glob("pid-*/*/*/*/output.ipynb"))) >= n, "the kernels never started"


def _command_line(proc: psutil.Process) -> str:
    """A process's command line, or "" for one that has exited (a zombie or gone)."""
    try:
        return " ".join(proc.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return ""


def _slow_grid(tmp_path: Path) -> tuple[Path, subprocess.Popen[bytes], list[psutil.Process]]:
    project = make_project(tmp_path / "proj", templates="slow")
    (project / "book" / "runs.yml").write_text(
        'runs:\n  - entity_code: "030109"\n    years: [2024]\n    templates: [slow]\n'
        '  - entity_code: "0217"\n    years: [2016]\n    templates: [slow]\n',
        encoding="utf-8",
    )
    env = {**os.environ, "ANALYSIS_SHARED_SOURCES": str(REPO.parent / "shared" / "sources")}
    proc = subprocess.Popen(
        # Ordinary kernels: their command line names ipykernel, which is how the test finds them (a
        # warm kernel is a fork of the preload process and keeps its command line).
        [sys.executable, "-m", "analysis", "--root", str(project), "run", "--jobs", "2", "--kernel", "spawn"],
        env=env,
        start_new_session=True,  # its own process group, as a shell job is
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "stderr.txt").open("w"),
    )
    _wait_for_kernels(project, 2)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        kernels = [p for p in family if "ipykernel" in _command_line(p)]
        if len(kernels) == 2:
            time.sleep(2)  # let both kernels reach the sleeping cell
            return project, proc, family
        time.sleep(0.2)
    raise AssertionError("two kernels never ran at once")


def _gone(procs: list[psutil.Process], within: float) -> list[int]:
    deadline = time.monotonic() + within
    left = procs
    while left and time.monotonic() < deadline:
        left = [p for p in left if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.1)
    return [p.pid for p in left]


@pytest.mark.parametrize("how", ["SIGINT to the process group", "SIGTERM to the runner"])
def test_interrupt_stops_the_grid_and_every_process(tmp_path: Path, how: str) -> None:
    project, proc, family = _slow_grid(tmp_path)
    started = time.monotonic()
    if how.startswith("SIGINT"):
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        proc.send_signal(signal.SIGTERM)
    returncode = proc.wait(timeout=10)
    assert time.monotonic() - started < 10
    assert returncode == 130
    assert _gone(family[1:], within=0.5) == []  # workers and kernels ended before the runner exited
    stderr = (tmp_path / "stderr.txt").read_text()
    assert "stopped by SIG" in stderr and "Traceback" not in stderr, stderr
    assert not list((project / "book").rglob("*.tmp"))
    assert not list((project / "book").rglob("slow.ipynb"))
    assert not list((project / "book" / ".cache" / "work").glob("pid-*"))


def test_workers_exit_when_the_runner_is_killed(tmp_path: Path) -> None:
    project, proc, family = _slow_grid(tmp_path)
    proc.kill()  # SIGKILL to the runner only: no chance to clean up
    proc.wait(timeout=10)
    assert _gone(family[1:], within=10) == []
