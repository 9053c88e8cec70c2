"""``python -m analysis validate``: passes on the committed data and fails precisely on bad input."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.observations.validate import valid_period, validate_dataset
from analysis.paths import ProjectPaths

REPO = Path(__file__).resolve().parents[1]


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _document_row(rows: list[dict[str, str]], source_id: str = "sondre-nordstrand-2023-annual") -> int:
    for i, row in enumerate(rows):
        if row["source_id"] == source_id and row["locator"].startswith("line "):
            return i
    raise AssertionError(f"no document row for {source_id}")


def test_committed_data_is_valid(repo_paths: ProjectPaths, shared_sources: Path) -> None:
    report = validate_dataset(repo_paths)
    assert report.errors == []


def test_cli_passes_on_committed_data(shared_sources: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "validate"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        ("entity_code", "9999", "unknown entity code '9999'"),
        ("period", "2023-13", "invalid period '2023-13'"),
        ("value", "12,5x", "non-numeric value '12,5x'"),
        ("indicator", "sa_nonsense", "unknown indicator 'sa_nonsense'"),
        ("unit", "NOK_trillion", "unknown unit 'NOK_trillion'"),
        ("status", "guess", "unknown status 'guess'"),
        ("quality", "approximately", "quality must be one of exact, rounded, lower_bound"),
    ],
)
def test_bad_cell_is_named(data_copy: ProjectPaths, column: str, bad: str, message: str) -> None:
    columns, rows = _rows(data_copy.observations)
    i = _document_row(rows)
    rows[i][column] = bad
    _write(data_copy.observations, columns, rows)
    report = validate_dataset(data_copy)
    located = [e for e in report.errors if e.line == i + 2 and e.column == column]
    assert located, report.errors[:5]
    assert message in located[0].message
    assert str(located[0]).startswith(f"data/curated/observations.csv:{i + 2} [{column}]")


def test_excerpt_not_on_its_line(data_copy: ProjectPaths, shared_sources: Path) -> None:
    columns, rows = _rows(data_copy.observations)
    i = _document_row(rows)
    line = int(rows[i]["locator"].split()[1])
    rows[i]["locator"] = f"line {line + 1}"
    _write(data_copy.observations, columns, rows)
    errors = [e for e in validate_dataset(data_copy).errors if e.line == i + 2]
    assert any(e.column == "excerpt" and f"not found on line {line + 1}" in e.message for e in errors), errors


def test_value_not_in_excerpt(data_copy: ProjectPaths) -> None:
    columns, rows = _rows(data_copy.observations)
    i = _document_row(rows)
    rows[i]["value"] = "987654321"
    _write(data_copy.observations, columns, rows)
    errors = [e for e in validate_dataset(data_copy).errors if e.line == i + 2]
    assert any(e.column == "value" and "not found as printed" in e.message for e in errors), errors


def test_duplicated_row(data_copy: ProjectPaths) -> None:
    columns, rows = _rows(data_copy.observations)
    i = _document_row(rows)
    rows.append(dict(rows[i]))
    _write(data_copy.observations, columns, rows)
    errors = validate_dataset(data_copy).errors
    assert any(e.line == len(rows) + 1 and "duplicated row" in e.message for e in errors), errors[:3]


def _row_where(rows: list[dict[str, str]], **match: str) -> int:
    for i, row in enumerate(rows):
        if all(row[k] == v for k, v in match.items()):
            return i
    raise AssertionError(f"no row with {match}")


def test_quality_column_is_required(data_copy: ProjectPaths) -> None:
    columns, rows = _rows(data_copy.observations)
    for row in rows:
        del row["quality"]
    _write(data_copy.observations, [c for c in columns if c != "quality"], rows)
    errors = validate_dataset(data_copy).errors
    assert [str(e) for e in errors] == ["data/curated/observations.csv:1: missing column(s): quality"]


def test_suspect_row_cannot_be_preferred(data_copy: ProjectPaths) -> None:
    """Oppegård 2015 "692" (digits lost in extraction) is suspect; marking it preferred is refused."""
    columns, rows = _rows(data_copy.observations)
    i = _row_where(rows, entity_code="0217", period="2015", indicator="sa_payout_per_recipient")
    assert rows[i]["quality"] == "suspect" and rows[i]["preferred"] == "false"
    rows[i]["preferred"] = "true"
    _write(data_copy.observations, columns, rows)
    errors = [e for e in validate_dataset(data_copy).errors if e.line == i + 2]
    assert [(e.column, e.message) for e in errors] == [
        ("preferred", "a suspect row cannot be preferred=true: no analysis may use it")
    ]


def test_billions_are_never_exact(data_copy: ProjectPaths) -> None:
    columns, rows = _rows(data_copy.observations)
    i = _row_where(rows, entity_code="EAK", period="2022", indicator="sa_payout_gross", value="7.4")
    rows[i]["quality"] = "exact"
    _write(data_copy.observations, columns, rows)
    errors = [e for e in validate_dataset(data_copy).errors if e.line == i + 2]
    assert [e.column for e in errors] == ["quality"]


def test_sha256_mismatch_is_reported(data_copy: ProjectPaths, shared_sources: Path) -> None:
    columns, rows = _rows(data_copy.sources)
    rows[0]["sha256"] = "0" * 64
    _write(data_copy.sources, columns, rows)
    errors = validate_dataset(data_copy).errors
    assert any(e.column == "sha256" and e.line == 2 for e in errors)


def test_documents_absent_skips_with_message(
    data_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANALYSIS_SHARED_SOURCES", str(tmp_path / "nowhere"))
    report = validate_dataset(data_copy)
    assert report.errors == []
    assert any("absent" in n for n in report.notes)


def test_cli_exit_status_on_error(data_copy: ProjectPaths) -> None:
    columns, rows = _rows(data_copy.observations)
    rows[0]["period"] = "2023-13"
    _write(data_copy.observations, columns, rows)
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "--root", str(data_copy.root), "validate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "data/curated/observations.csv:2 [period]: invalid period '2023-13'" in result.stderr


@pytest.mark.parametrize(
    ("period", "ok"),
    [
        ("2023", True),
        ("2023-01", True),
        ("2023-12", True),
        ("2023-13", False),
        ("2023-00", False),
        ("23", False),
        ("2023-1", False),
        ("1850", False),
    ],
)
def test_valid_period(period: str, ok: bool) -> None:
    assert valid_period(period) is ok


def _frame(rows: list[tuple[str, str, str, str, str, str]]):
    """A small observations frame (test data, not from any source): entity, period, indicator,
    category, value, unit."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "entity_code": e,
                "period": p,
                "indicator": i,
                "category": c,
                "value": v,
                "unit": u,
                "status": "actual",
                "source_id": "s",
                "locator": "line 1",
                "excerpt": v,
                "preferred": "true",
                "note": "",
                "quality": "exact",
            }
            for e, p, i, c, v, u in rows
        ]
    )


def test_findings_parts_sum_and_net() -> None:
    from analysis.observations.validate import consistency_findings

    obs = _frame(
        [
            # parts 60 + 30 = 90, printed total 100 → a finding
            ("1201", "2011", "sa_recipients", "age=18-24", "60", "persons"),
            ("1201", "2011", "sa_recipients", "age=25-66", "30", "persons"),
            ("1201", "2011", "sa_recipients", "breakdown=age", "100", "persons"),
            # gross 100, refunds -10, net 95 → neither 100-10 nor 100+10 → a finding
            ("0301", "2023", "sa_payout_gross", "", "100", "NOK_1000"),
            ("0301", "2023", "sa_payout_refunds", "", "-10", "NOK_1000"),
            ("0301", "2023", "sa_payout_net", "", "95", "NOK_1000"),
            # consistent: parts 40 + 60 = 100 (no finding)
            ("1201", "2010", "sa_recipients", "sex=male", "40", "persons"),
            ("1201", "2010", "sa_recipients", "sex=female", "60", "persons"),
            ("1201", "2010", "sa_recipients", "breakdown=sex", "100", "persons"),
        ]
    )
    messages = [f.message for f in consistency_findings(obs, "obs.csv")]
    assert any("2 parts by age sum to 90 but the printed total is 100" in m for m in messages)
    assert any("do not give the printed net 95" in m for m in messages)
    assert not any("by sex" in m for m in messages)
    assert len(messages) == 2


# ------------------------------------------------- derived figures (analysis.observations.derived)


def _derived(data_copy: ProjectPaths) -> tuple[Path, list[str], list[dict[str, str]]]:
    path = data_copy.derived_observations
    columns, rows = _rows(path)
    return path, columns, rows


def _payout_row(rows: list[dict[str, str]]) -> dict[str, str]:
    return next(r for r in rows if r["indicator"] == "sa_payout_gross")


def test_derived_value_that_does_not_match_its_formula_fails(data_copy: ProjectPaths) -> None:
    path, columns, rows = _derived(data_copy)
    # 9 770 381 × 1,18 × 1,031 = 11 886 450,1: a stored 11 886 000 is 450 off
    _payout_row(rows)["value"] = "11886000"
    _write(path, columns, rows)
    errors = [str(e) for e in validate_dataset(data_copy).errors]
    assert len(errors) == 1
    assert "derived_observations.csv:3 [value]" in errors[0]
    assert "does not match its formula V_2023 * (1 + g_V / 100) * (1 + c_2024 / 100)" in errors[0]
    assert "= 11886450.12" in errors[0] and "g_V=18" in errors[0]


def test_derived_bound_that_does_not_match_the_rounding_fails(data_copy: ProjectPaths) -> None:
    path, columns, rows = _derived(data_copy)
    # the lowest corner is 9 770 380,5 × 1,175 × 1,0305 = 11 830 343,1, not a 17 % rate's 11 7xx xxx
    _payout_row(rows)["low"] = str(round(9_770_381 * 1.17 * 1.031))
    _write(path, columns, rows)
    errors = [str(e) for e in validate_dataset(data_copy).errors]
    assert len(errors) == 1 and "[low]" in errors[0] and "minimum over the inputs' rounding" in errors[0]
    assert "11830343.1" in errors[0]


def test_derived_input_that_is_not_printed_fails(data_copy: ProjectPaths) -> None:
    path, columns, rows = _derived(data_copy)
    row = _payout_row(rows)
    row["inputs"] = row["inputs"].replace("EAK/2023/sa_payout_gross", "EAK/2022/sa_payout_gross")
    _write(path, columns, rows)
    errors = [str(e) for e in validate_dataset(data_copy).errors]
    assert len(errors) == 1
    assert (
        "no preferred printed row for EAK 2022 sa_payout_gross from ssb-okonomisk-sosialhjelp-en-2024"
        in errors[0]
    )


def test_derived_row_for_a_printed_figure_fails(data_copy: ProjectPaths) -> None:
    path, columns, rows = _derived(data_copy)
    row = dict(_payout_row(rows), derived_id="EAK-2023-copy", period="2023")
    _write(path, columns, [*rows, row])
    errors = [str(e) for e in validate_dataset(data_copy).errors]
    assert any("EAK 2023 sa_payout_gross is printed" in e for e in errors), errors


def test_derived_formula_with_a_call_fails(data_copy: ProjectPaths) -> None:
    path, columns, rows = _derived(data_copy)
    _payout_row(rows)["formula"] = "__import__('os').getcwd()"
    _write(path, columns, rows)
    errors = [str(e) for e in validate_dataset(data_copy).errors]
    assert len(errors) == 1 and "only numbers, names, + - * / and brackets" in errors[0]
