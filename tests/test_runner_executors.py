"""Warm kernels and the Dask executor, on a throwaway project with small test templates.

The templates here are test fixtures, not published content. ``test_runner.py`` builds the project;
this file adds templates that report the state of the kernel they run in, count their attempts or
sleep until their worker is killed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_runner import HEADER, REPO, analysis, figures, make_project

# Reports the kernel's state before and after it imports anything, then changes that state so that
# a later run in a kernel that was not fresh would see it.
STATE = HEADER + (
    "# %%\nimport sys\npreloaded = 'seaborn' in sys.modules\n"
    "# %%\nimport os\nimport matplotlib as mpl\nimport numpy as np\nfrom analysis.page import glue\n"
    "glue('preloaded', str(preloaded), unit='text', sources=[])\n"
    "glue('linewidth', float(mpl.rcParams['lines.linewidth']), unit='points', sources=[])\n"
    "glue('leftover', str('leftover_from_an_earlier_run' in globals()), unit='text', sources=[])\n"
    "glue('blas_threads', os.environ.get('OPENBLAS_NUM_THREADS', ''), unit='text', sources=[])\n"
    "glue('root', os.environ['ANALYSIS_ROOT'], unit='text', sources=[])\n"
    "glue('draw', float(np.random.random()), unit='number', sources=[])\n"
    "glue('pid', os.getpid(), unit='number', sources=[])\n"
    "mpl.rcParams['lines.linewidth'] = 9.0\nleftover_from_an_earlier_run = True\nnp.random.seed(0)\n"
)
# Appends the kernel's pid to $ANALYSIS_TEST_MARKERS, then fails on purpose.
COUNTED_FAILURE = HEADER + (
    "# %%\nimport os\nwith open(os.environ['ANALYSIS_TEST_MARKERS'], 'a') as fh:\n"
    "    fh.write(f'{os.getpid()}\\n')\nraise RuntimeError('counted failure on purpose')\n"
)
# First attempt: record the pid and sleep (the test kills the worker); a later attempt: finish.
SLOW_ONCE = HEADER + (
    "# %%\nimport os\nimport time\nfrom pathlib import Path\n"
    "marks = Path(os.environ['ANALYSIS_TEST_MARKERS'])\nfirst = not marks.exists()\n"
    "with marks.open('a') as fh:\n    fh.write(f'{os.getpid()}\\n')\n"
    "if first:\n    time.sleep(120)\n"
    "# %%\nfrom analysis.page import glue\nglue('code', entity_code, unit='text', sources=[])\n"
)
MATPLOTLIB_DEFAULT_LINEWIDTH = 1.5  # lines.linewidth in matplotlib's own matplotlibrc


def project_with(root: Path, templates: str, extra: dict[str, str]) -> Path:
    project = make_project(root, templates=templates)
    for name, text in extra.items():
        (project / "notebooks" / f"{name}.py").write_text(text, encoding="utf-8")
    return project


def report_bytes(project: Path, pattern: str = "*") -> dict[str, bytes]:
    folder = project / "book" / "reports"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob(pattern)) if p.is_file()}


def fell_back(result: subprocess.CompletedProcess[str]) -> bool:
    return "warm kernels unavailable" in result.stderr


@pytest.mark.slow
def test_warm_and_spawned_kernels_write_identical_bytes(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", templates="probe, overview")
    shutil.copy(REPO / "notebooks" / "overview.py", project / "notebooks" / "overview.py")
    spawned = analysis(project, "run", "--jobs", "1", "--kernel", "spawn")
    assert spawned.returncode == 0, spawned.stderr
    first = report_bytes(project)
    assert len([k for k in first if k.endswith(".ipynb")]) == 3  # probe ×2 and one real report page
    warm = analysis(project, "run", "--jobs", "1", "--kernel", "warm", "--force")
    assert warm.returncode == 0, warm.stderr
    assert not fell_back(warm), warm.stderr
    assert report_bytes(project) == first


@pytest.mark.slow
def test_warm_kernels_are_fresh_processes_with_reset_state(tmp_path: Path) -> None:
    project = project_with(tmp_path / "proj", "state", {"state": STATE})
    (project / "book" / "runs.yml").write_text(
        'runs:\n  - entity_code: "030109"\n    years: [2011, 2024]\n    templates: [state]\n',
        encoding="utf-8",
    )
    warm = analysis(project, "run", "--jobs", "1")
    assert warm.returncode == 0, warm.stderr
    assert not fell_back(warm), warm.stderr
    a, b = figures(project, "030109/2011/state"), figures(project, "030109/2024/state")
    for got in (a, b):
        assert got["preloaded"] == "True"  # forked from the process that had imported seaborn
        assert got["linewidth"] == MATPLOTLIB_DEFAULT_LINEWIDTH  # the other run's 9.0 did not leak
        assert got["leftover"] == "False"
        assert got["blas_threads"] == "1"
        assert got["root"] == str(project)
    assert a["pid"] != b["pid"]
    assert a["draw"] != b["draw"]  # re-seeded after the fork, not the other run's seed(0)
    spawned = analysis(project, "run", "--jobs", "1", "--kernel", "spawn", "--force", "--year", "2011")
    assert spawned.returncode == 0, spawned.stderr
    assert figures(project, "030109/2011/state")["preloaded"] == "False"


def _cluster():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    )
    return cluster, Client(cluster)


@pytest.mark.slow
def test_dask_cluster_runs_grid_and_does_not_retry_notebook_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marks = tmp_path / "attempts.txt"
    monkeypatch.setenv("ANALYSIS_TEST_MARKERS", str(marks))  # the workers and their kernels inherit it
    project = project_with(tmp_path / "proj", "probe, counted", {"counted": COUNTED_FAILURE})
    cluster, client = _cluster()
    try:
        assert len(client.scheduler_info()["workers"]) == 2
        result = analysis(project, "run", "--scheduler", cluster.scheduler_address)
    finally:
        client.close()
        cluster.close()
    assert result.returncode == 1  # the counted template fails
    assert "on Dask (tcp://127.0.0.1:" in result.stdout
    assert figures(project, "030109/2024/probe")["code"] == "030109"
    assert figures(project, "0217/2016/probe")["code"] == "0217"
    assert "030109/2024/counted: RuntimeError: counted failure on purpose" in result.stderr
    assert len(marks.read_text().split()) == 1  # a notebook's own error is not retried
    failed = project / "book" / ".failed" / "030109" / "2024" / "counted.ipynb"
    assert "counted failure on purpose" in failed.read_text()
    on_dask = report_bytes(project, "probe*")
    local = analysis(project, "run", "--jobs", "1", "--force", "--template", "probe")
    assert local.returncode == 0, local.stderr
    assert report_bytes(project, "probe*") == on_dask  # same bytes as a local run


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state


@pytest.mark.slow
def test_killed_worker_run_is_retried_and_nothing_is_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marks = tmp_path / "attempts.txt"
    monkeypatch.setenv("ANALYSIS_TEST_MARKERS", str(marks))
    project = project_with(tmp_path / "proj", "slow_once", {"slow_once": SLOW_ONCE})
    cluster, client = _cluster()
    env = {**os.environ, "ANALYSIS_SHARED_SOURCES": str(REPO.parent / "shared" / "sources")}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "analysis", "--root", str(project), "run"]
            + ["--scheduler", cluster.scheduler_address],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 900  # a bound on waiting, not a speed check: the machine is shared
        while not marks.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert marks.exists(), "the slow notebook never started"
        busy = [w for w, keys in client.processing().items() if any("slow_once" in k for k in keys)]
        assert len(busy) == 1
        pids = client.run(os.getpid)
        os.kill(pids[busy[0]], signal.SIGKILL)  # the worker dies mid-run, its kernel with it
        stdout, stderr = proc.communicate(timeout=900)
    finally:
        client.close()
        cluster.close()
    assert proc.returncode == 0, stderr
    attempts = [int(p) for p in marks.read_text().split()]
    assert len(attempts) == 2 and attempts[0] != attempts[1]  # retried in another kernel
    deadline = time.monotonic() + 10
    while not _gone(attempts[0]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _gone(attempts[0]), "the killed worker's kernel outlived it"
    assert "run: 2 succeeded, 0 failed" in stdout
    assert figures(project, "030109/2024/slow_once")["code"] == "030109"
    assert figures(project, "0217/2016/probe")["code"] == "0217"
    reports = project / "book" / "reports"
    assert not [p for p in reports.rglob("*") if p.name.endswith(".tmp")]
    for key in ("030109/2024/slow_once", "0217/2016/probe"):
        record = json.loads((reports / f"{key}.run.json").read_text())
        assert record["run"] == key
        json.loads((reports / f"{key}.ipynb").read_text())  # a whole notebook, not a part
