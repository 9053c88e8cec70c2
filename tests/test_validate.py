"""``python -m analysis validate``: passes on the committed data and fails precisely on bad input."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.paths import ProjectPaths
from analysis.validate import valid_period, validate_dataset

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
        ("unit", "NOK_billion", "unknown unit 'NOK_billion'"),
        ("status", "guess", "unknown status 'guess'"),
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
