"""Runner safety without notebooks: parameters refused before any kernel, the validation gate, data
files that cannot be read, ``diff`` exit codes, quiet broken pipes, template defaults vs runs.yml.

Each case runs the real command line in a throwaway project (``tests/test_runner.make_project``)
and asserts a one-line answer and that nothing was started: no ``book/.cache`` (work folders and
locks live there) exists afterwards.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_runner import REPO, analysis, make_project

OBS = Path("data") / "curated" / "observations.csv"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def one_line_refusal(result: subprocess.CompletedProcess[str], project: Path, code: int = 2) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "book" / ".cache").exists(), "a run was started"
    return lines[0]


def observation_rows(root: Path) -> list[dict[str, str]]:
    with (root / OBS).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---- parameters, from runs.yml ------------------------------------------------------------------

GRID_CASES = [
    # (runs.yml entry lines, expected fragment) — each case from the issue
    (
        '  - entity_code: "030115"\n    years: [2023]\n    break_month: "2022-13"',
        "break_month '2022-13' is not a month",
    ),
    (
        '  - entity_code: "030115"\n    years: [2023]\n    cpi_base_year: twenty',
        "cpi_base_year must be a whole number",
    ),
    ('  - entity_code: "030115"\n    years: 2023', "years must be a list such as [2023]"),
    ('  - entity_code: "030115"\n    years: [2023]\n    templates: probe', "templates must be a list"),
    (
        '  - entity_code: "030115"\n    years: ["2023"]',
        "year must be a whole number such as 2023, not '2023'",
    ),
    ('  - entity_code: "030115"\n    years: [2023]\n    comparison_entities: EAK', "must be a list"),
    ('  - entity_code: "030115"\n    yeras: [2023]', "unknown key 'yeras' — did you mean years?"),
    # unquoted 0301: YAML 1.1 reads it as octal, 0o301 = 3·64 + 0·8 + 1 = 193
    ("  - entity_code: 0301\n    years: [2023]", "YAML read the unquoted 0301 as the octal number 193"),
]


@pytest.mark.parametrize(("entry", "fragment"), GRID_CASES)
def test_grid_parameter_refused_in_one_line(project: Path, entry: str, fragment: str) -> None:
    (project / "book" / "runs.yml").write_text(f"runs:\n{entry}\n", encoding="utf-8")
    line = one_line_refusal(analysis(project, "run"), project)
    assert fragment in line
    assert "runs.yml run 1" in line  # where


def test_year_without_data_names_the_gaps_exactly(project: Path) -> None:
    # Oslo (0301) has no predecessor or successor in entities.csv, so its years are its own rows'
    assert not [
        r
        for r in csv.DictReader((project / "data/reference/entities.csv").open())
        if r["successor_code"] == "0301" or (r["entity_code"] == "0301" and r["successor_code"])
    ]
    have = {int(r["period"][:4]) for r in observation_rows(project) if r["entity_code"] == "0301"}
    missing = next(y for y in range(min(have), max(have)) if y not in have)
    (project / "book" / "runs.yml").write_text(
        f'runs:\n  - entity_code: "0301"\n    years: [{missing}]\n', encoding="utf-8"
    )
    line = one_line_refusal(analysis(project, "run"), project)
    listed = re.search(r"years with data: ([^)]*)\)", line).group(1)
    shown: set[int] = set()
    for span in listed.split(", "):
        a, _, b = span.partition("–")
        shown |= set(range(int(a), int(b or a) + 1))
    assert shown == have and f"year {missing} has no data for 0301" in line


# ---- parameters, from the command line ----------------------------------------------------------


def cpi_years(root: Path) -> set[int]:
    return {
        int(r["period"])
        for r in observation_rows(root)
        if r["entity_code"] == "EAK" and r["indicator"] == "cpi"
    }


CLI_CASES = [
    (("-p", "cpi_base_yer=2015"), "-p cpi_base_yer: unknown parameter — did you mean cpi_base_year?"),
    (("-p", "cpi_base_year=twenty"), "-p cpi_base_year: 'twenty' is not a whole number"),
    (("-p", "break_month=2022-13"), "break_month '2022-13' is not a month"),
    (("-p", "entity_code=0301"), "-p entity_code: give it with --entity"),
    (("-p", "cpi_base_year"), "write NAME=VALUE"),
    (("--template", "overveiw"), "unknown template 'overveiw' — did you mean overview?"),
    (("-p", "comparison_entities=0301,NOPE"), "unknown entity code 'NOPE'"),
]


@pytest.mark.parametrize(("extra", "fragment"), CLI_CASES)
def test_cli_parameter_refused_in_one_line(project: Path, extra: tuple[str, ...], fragment: str) -> None:
    # overview is not a template of the test project; the checks name what it has
    (project / "notebooks" / "overview.py").write_text((project / "notebooks" / "probe.py").read_text())
    result = analysis(project, "run", "--entity", "030115", "--year", "2023", *extra)
    assert fragment in one_line_refusal(result, project)


def test_cpi_base_year_without_cpi_refused(project: Path) -> None:
    have = cpi_years(project)
    before = min(have) - 1  # the year before the first curated CPI level has none
    result = analysis(project, "run", "--entity", "030115", "--year", "2023", "-p", f"cpi_base_year={before}")
    line = one_line_refusal(result, project)
    assert f"cpi_base_year {before} has no annual CPI" in line


def test_break_month_outside_monthly_data_refused(project: Path) -> None:
    months = sorted(
        r["period"]
        for r in observation_rows(project)
        if r["entity_code"] == "030115" and len(r["period"]) == 7
    )
    late = f"{int(months[-1][:4]) + 1}-01"
    result = analysis(project, "run", "--entity", "030115", "--year", "2023", "-p", f"break_month={late}")
    line = one_line_refusal(result, project)
    assert f"break_month {late} is outside the monthly data of 030115 ({months[0]} to {months[-1]})" in line


def test_year_1850_and_unknown_entity_refused(project: Path) -> None:
    line = one_line_refusal(analysis(project, "run", "--entity", "030115", "--year", "1850"), project)
    assert "year 1850 has no data for 030115" in line
    line = one_line_refusal(analysis(project, "run", "--entity", "Bjerke", "--year", "2023"), project)
    assert "did you mean 030109" in line


# ---- the data: the validation gate and unreadable files ------------------------------------------


def _break_data(root: Path, how: str) -> None:
    path = root / OBS
    lines = path.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("030109,2012,staff_fte,"))
    if how == "duplicate":
        lines.insert(row + 1, lines[row])
    elif how == "period":
        lines[row] = lines[row].replace("030109,2012,", "030109,2011-13,", 1)
    elif how == "excerpt":  # the excerpt is on its line N; point the locator one line further
        n = int(re.search(r",line (\d+),", lines[row]).group(1))
        lines[row] = lines[row].replace(f",line {n},", f",line {n + 1},", 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("how", "fragment"),
    [
        ("duplicate", "duplicated row"),
        ("period", "invalid period '2011-13'"),
        ("excerpt", "excerpt not found"),
    ],
)
def test_invalid_data_writes_no_report(project: Path, how: str, fragment: str) -> None:
    if how == "excerpt" and not (REPO.parent / "shared" / "sources").is_dir():
        pytest.skip("the excerpt check needs ../shared/sources")
    reports = project / "book" / "reports" / "0217" / "2016"
    shutil.copytree(REPO / "book" / "reports" / "0217" / "2016", reports)
    before = _tree(project / "book" / "reports")
    _break_data(project, how)
    result = analysis(project, "run", "--force")
    assert result.returncode == 1
    assert fragment in result.stderr and "no report was written" in result.stderr
    assert _tree(project / "book" / "reports") == before
    assert not (project / "book" / ".cache" / "work").exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("", "the file is empty"), ("entity_code;period;indicator\n0301;2023;x\n", "separated by semicolons")],
)
@pytest.mark.parametrize("command", ["run", "validate"])
def test_unreadable_observations_file_is_one_line(
    project: Path, content: str, fragment: str, command: str
) -> None:
    (project / OBS).write_text(content, encoding="utf-8")
    result = analysis(project, command)
    assert result.returncode in (1, 2)
    errors = [line for line in result.stderr.strip().splitlines() if not line.startswith("validate:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "observations.csv" in errors[0] and fragment in errors[0]


# ---- diff ---------------------------------------------------------------------------------------


def _reports(folder: Path, value: object) -> Path:
    run = folder / "0301" / "2023"
    run.mkdir(parents=True)
    figures = [{"key": "recipients", "value": value, "unit": "persons", "sources": ["s"]}]
    (run / "overview.key_figures.json").write_text(json.dumps(figures), encoding="utf-8")
    return folder


def test_diff_exit_codes(tmp_path: Path) -> None:
    a, b, same = _reports(tmp_path / "a", 10), _reports(tmp_path / "b", 12), _reports(tmp_path / "c", 10)
    changed = analysis(REPO, "diff", str(a), str(b))
    assert changed.returncode == 1
    assert ["0301/2023/overview", "recipients", "changed", "10", "12", "persons"] in [
        line.split() for line in changed.stdout.splitlines()
    ]
    assert analysis(REPO, "diff", str(a), str(same)).returncode == 0
    # a truncated key-figures file is named, not a traceback
    broken = b / "0301" / "2023" / "overview.key_figures.json"
    broken.write_text(broken.read_text()[:15], encoding="utf-8")
    result = analysis(REPO, "diff", str(a), str(b))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(broken) in result.stderr and "not valid JSON" in result.stderr
    # a folder without reports is refused
    empty = tmp_path / "empty"
    (empty / "notes").mkdir(parents=True)
    result = analysis(REPO, "diff", str(a), str(empty))
    assert result.returncode == 2 and "holds no reports" in result.stderr


# ---- small things -------------------------------------------------------------------------------


def test_list_into_a_closed_pipe_is_quiet() -> None:
    # `true` exits without reading: every write of the listing meets a closed pipe
    result = subprocess.run(
        f"'{sys.executable}' -m analysis --root '{REPO}' run --list | true",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stderr == ""


def test_template_defaults_agree_with_runs_yml() -> None:
    defaults = yaml.safe_load((REPO / "book" / "runs.yml").read_text(encoding="utf-8"))["defaults"]
    for template in sorted((REPO / "notebooks").glob("*.py")):
        text = template.read_text(encoding="utf-8")
        cell = text.split('# %% tags=["parameters"')[1].split("# %%")[0]
        assigned = {
            node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(cell.split("\n", 1)[1]).body
            if isinstance(node, ast.Assign)
        }
        for name, value in defaults.items():
            if name != "templates":
                assert assigned.get(name) == value, (
                    f"{template.name}: {name} = {assigned.get(name)!r}, runs.yml: {value!r}"
                )
