"""The papermill runner, on a throwaway project with small test templates (generated here).

The templates below are test fixtures, not published content: they glue the parameters they were
given, fail on purpose, or sleep so that the run can be killed.
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

REPO = Path(__file__).resolve().parents[1]
HEADER = (
    '# %% tags=["parameters"]\nentity_code = "0301"\nyear = 2023\ncpi_base_year = 2023\n'
    'break_month = "2022-09"\ncomparison_entities = []\n\n'
)
PROBE = HEADER + (
    "# %%\nfrom analysis.page import glue, open_run\n"
    "ctx = open_run(entity_code, year, comparison_entities)\n"
    "glue('code', entity_code, unit='text', sources=[])\n"
    "glue('code_type', type(entity_code).__name__, unit='text', sources=[])\n"
    "glue('rows', len(ctx.observations), unit='count', sources=ctx.observations['source_id'])\n"
    "# %%\nfrom analysis.page import styled_table\n"
    "styled_table(ctx.observations.head(3)[['period', 'value', 'unit']])\n"
)
BROKEN = HEADER + "# %%\nraise RuntimeError('this template fails on purpose')\n"
SLOW = HEADER + "# %%\nimport time\ntime.sleep(60)\n"
GRID = """
runs:
  - entity_code: "030109"
    years: [2024]
    templates: [{templates}]
  - entity_code: "0217"
    years: [2016]
    templates: [probe]
"""


def make_project(root: Path, templates: str = "probe") -> Path:
    shutil.copytree(REPO / "data", root / "data")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    (root / "notebooks").mkdir()
    for name, text in {"probe": PROBE, "broken": BROKEN, "slow": SLOW}.items():
        (root / "notebooks" / f"{name}.py").write_text(text, encoding="utf-8")
    (root / "book").mkdir()
    (root / "book" / "runs.yml").write_text(GRID.format(templates=templates), encoding="utf-8")
    return root


def analysis(root: Path, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANALYSIS_SHARED_SOURCES": str(REPO.parent / "shared" / "sources")}
    return subprocess.run(
        [sys.executable, "-m", "analysis", "--root", str(root), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        **kw,
    )


def figures(root: Path, run: str) -> dict[str, object]:
    data = json.loads((root / "book" / "reports" / f"{run}.key_figures.json").read_text())
    return {f["key"]: f["value"] for f in data}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


@pytest.mark.slow
def test_string_codes_survive_and_run_is_deterministic(project: Path) -> None:
    first = analysis(project, "run", "--jobs", "2")
    assert first.returncode == 0, first.stderr
    got = figures(project, "030109/2024/probe")
    assert got["code"] == "030109" and got["code_type"] == "str"
    assert figures(project, "0217/2016/probe")["code"] == "0217"
    before = {p: p.read_bytes() for p in (project / "book" / "reports").rglob("*") if p.is_file()}
    again = analysis(project, "run", "--force", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    after = {p: p.read_bytes() for p in (project / "book" / "reports").rglob("*") if p.is_file()}
    assert before == after


@pytest.mark.slow
def test_noop_and_selective_rerun(project: Path) -> None:
    assert analysis(project, "run").returncode == 0
    noop = analysis(project, "run")
    assert "all 2 runs are up to date" in noop.stdout
    assert analysis(project, "run", "--check").returncode == 0
    # change one Oppegård (0217) figure: only the Oppegård run is stale
    obs = project / "data" / "curated" / "observations.csv"
    lines = obs.read_text(encoding="utf-8").split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith("0217,"))
    head, _, quality = lines[i].rpartition(",")  # the last column is the quality vocabulary
    lines[i] = f"{head} ,{quality}"  # a space at the end of the note: a changed byte, valid data
    obs.write_text("\n".join(lines), encoding="utf-8")
    check = analysis(project, "run", "--check")
    assert check.returncode == 1
    assert "stale: 0217/2016/probe" in check.stdout
    assert "030109" not in check.stdout
    rerun = analysis(project, "run")
    assert "1 of 2 runs to execute" in rerun.stdout


@pytest.mark.slow
def test_broken_template_fails_alone(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", templates="probe, broken")
    result = analysis(project, "run", "--jobs", "2")
    assert result.returncode == 1
    assert (project / "book" / "reports" / "030109" / "2024" / "probe.ipynb").exists()
    assert not (project / "book" / "reports" / "030109" / "2024" / "broken.ipynb").exists()
    failed = project / "book" / ".failed" / "030109" / "2024" / "broken.ipynb"
    assert failed.exists()
    assert "this template fails on purpose" in failed.read_text()
    assert "030109/2024/broken: RuntimeError: this template fails on purpose" in result.stderr
    assert "--entity 030109 --year 2024 --template broken --force" in result.stderr


@pytest.mark.slow
def test_interrupted_run_leaves_nothing_and_resumes(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", templates="slow")
    env = {**os.environ}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analysis",
            "--root",
            str(project),
            "run",
            "--jobs",
            "1",
            "--entity",
            "030109",
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    work = project / "book" / ".cache" / "work"  # pid-<runner>/<entity>/<year>/<template>/
    deadline = time.monotonic() + 90
    while not list(work.glob("pid-*/030109/2024/slow/output.ipynb")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(work.glob("pid-*/030109/2024/slow/output.ipynb")), "the kernel never started"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    out = project / "book" / "reports" / "030109" / "2024"
    assert not out.exists() or not any(out.iterdir())
    # resume with a fast template in place of the slow one: the run completes
    (project / "notebooks" / "slow.py").write_text(PROBE, encoding="utf-8")
    resumed = analysis(project, "run", "--entity", "030109")
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "slow.ipynb").exists()
    assert not list(out.glob("*.tmp"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--entity", "030190"), "unknown entity code '030190' — did you mean"),
        (("--entity", "Bjerke"), "did you mean 030109"),
        (("--template", "nosuch"), "unknown template 'nosuch'"),
        (("--year", "1999"), "no run of book/runs.yml matches"),
    ],
)
def test_bad_parameters_one_line_before_any_kernel(
    project: Path, args: tuple[str, ...], message: str
) -> None:
    result = analysis(project, "run", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (project / "book" / ".cache").exists()  # no kernel was started


def test_grid_rejects_unquoted_code_and_year_without_data(project: Path) -> None:
    runs = project / "book" / "runs.yml"
    runs.write_text("runs:\n  - entity_code: 301\n    years: [2023]\n", encoding="utf-8")
    result = analysis(project, "run")
    assert result.returncode == 2 and "entity code 301 is not text" in result.stderr
    assert 'write it in quotes: "0301"' in result.stderr
    runs.write_text('runs:\n  - entity_code: "030109"\n    years: [1990]\n', encoding="utf-8")
    result = analysis(project, "run")
    assert result.returncode == 2 and "year 1990 has no data for 030109" in result.stderr


def test_diff_reports_changed_value(tmp_path: Path) -> None:
    for side, value in (("a", 10), ("b", 12)):
        folder = tmp_path / side / "0301" / "2023"
        folder.mkdir(parents=True)
        figs = [{"key": "recipients", "value": value, "unit": "persons", "sources": ["s"]}]
        if side == "b":
            figs.append({"key": "new_key", "value": 1, "unit": "count", "sources": []})
        (folder / "overview.key_figures.json").write_text(json.dumps(figs))
    result = analysis(REPO, "diff", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.returncode == 1  # like git diff --exit-code: key figures differ
    lines = [line.split() for line in result.stdout.splitlines()]
    assert ["0301/2023/overview", "recipients", "changed", "10", "12", "persons"] in lines
    assert ["0301/2023/overview", "new_key", "appeared", "1", "count"] in lines


def test_diff_ignores_last_digit_noise_but_not_a_real_change(tmp_path: Path) -> None:
    # 1926.0336134453783 vs …814: one fit on two CPUs (relative gap 1.6e-15); 44.6 vs 44.7 is a change
    for side, level, slope in (("a", 1926.0336134453783, 44.6), ("b", 1926.0336134453814, 44.7)):
        folder = tmp_path / side / "030115" / "2023"
        folder.mkdir(parents=True)
        figs = [
            {"key": "break_level_change", "value": level, "unit": "NOK_1000", "sources": ["s"]},
            {"key": "break_slope_change", "value": slope, "unit": "NOK_1000", "sources": ["s"]},
        ]
        (folder / "cost_surge.key_figures.json").write_text(json.dumps(figs))
    result = analysis(REPO, "diff", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.returncode == 1
    keys = [line.split()[1] for line in result.stdout.splitlines()[1:] if line.startswith("030115")]
    assert keys == ["break_slope_change"]
    exact = analysis(REPO, "diff", "--rtol", "0", str(tmp_path / "a"), str(tmp_path / "b"))
    assert "break_level_change" in exact.stdout
