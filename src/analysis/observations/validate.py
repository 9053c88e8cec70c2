"""Validation of the curated dataset: schema, provenance and consistency.

*Errors* make the data unusable (unknown codes, impossible periods, an excerpt that is not on its
line, a value not in its excerpt, duplicated rows) and fail ``python -m analysis validate``.
*Findings* are real properties of the sources (a printed total that does not add up, gross − refunds
≠ net) and are listed without failing: the dataset records what is printed.

May import :mod:`analysis.observations` siblings, :mod:`analysis.schema`, :mod:`analysis.paths`
and :mod:`analysis.fileio`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from analysis.fileio import sha256_file
from analysis.observations.dataset import DataError, read_text_table
from analysis.observations.numbers import value_in_text
from analysis.paths import ProjectPaths, project_paths
from analysis.schema import (
    ADDITIVE_UNITS,
    ENTITY_COLUMNS,
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    QUALITIES,
    SOURCE_COLUMNS,
    STATUSES,
    UNITS,
)

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2}))?$")
CATEGORY_RE = re.compile(r"^[a-z0-9_]+=[^;=]+(;[a-z0-9_]+=[^;=]+)*$")
LOCATOR_LINE_RE = re.compile(r"^line (\d+)$")
SOURCE_KINDS = frozenset({"report", "web page", "api", "table"})
OBSERVATION_KEY = ("entity_code", "period", "indicator", "category", "status", "source_id", "locator")


@dataclass(frozen=True)
class Problem:
    """One error or finding, located by file, CSV line (header = line 1) and column."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.message}"


@dataclass
class Report:
    """The outcome of validation: errors fail, findings inform, notes say what was skipped."""

    errors: list[Problem] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, file: str, line: int | None, column: str | None, message: str) -> None:
        """Record an error at ``file:line [column]``."""
        self.errors.append(Problem(file, line, column, message))


def valid_period(period: str) -> bool:
    """``YYYY`` (1900–2100) or ``YYYY-MM`` with a month 01–12."""
    m = PERIOD_RE.match(period)
    if not m:
        return False
    if not 1900 <= int(m.group("year")) <= 2100:
        return False
    month = m.group("month")
    return month is None or 1 <= int(month) <= 12


def _csv_line(index: int) -> int:
    return index + 2  # header is line 1, first data row line 2


def _check_columns(frame: pd.DataFrame, expected: Iterable[str], file: str, report: Report) -> bool:
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        report.error(file, 1, None, f"missing column(s): {', '.join(missing)}")
        return False
    return True


def _check_unique(frame: pd.DataFrame, column: str, file: str, report: Report) -> None:
    dup = frame[column].duplicated(keep="first")
    for idx in frame.index[dup]:
        report.error(file, _csv_line(idx), column, f"duplicate id {frame.at[idx, column]!r}")


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def validate_dataset(paths: ProjectPaths | None = None) -> Report:
    """Validate the curated tables under ``paths.data``; see the module docstring."""
    p = paths or project_paths()
    report = Report()
    files = {
        "observations": (p.observations, OBSERVATION_COLUMNS),
        "sources": (p.sources, SOURCE_COLUMNS),
        "entities": (p.entities, ENTITY_COLUMNS),
        "indicators": (p.indicators, INDICATOR_COLUMNS),
    }
    tables: dict[str, pd.DataFrame] = {}
    for name, (path, columns) in files.items():
        rel = _rel(path, p.root)
        if not path.exists():
            report.error(rel, None, None, "file not found")
            continue
        try:
            frame = read_text_table(path)
        except DataError as exc:
            report.error(rel, None, None, str(exc).split(": ", 1)[-1])
            continue
        if _check_columns(frame, columns, rel, report):
            tables[name] = frame
    if len(tables) < len(files):
        return report

    obs, sources, entities, indicators = (
        tables["observations"],
        tables["sources"],
        tables["entities"],
        tables["indicators"],
    )
    obs_file = _rel(p.observations, p.root)
    src_file = _rel(p.sources, p.root)
    ent_file = _rel(p.entities, p.root)

    _check_unique(sources, "source_id", src_file, report)
    _check_unique(entities, "entity_code", ent_file, report)
    _check_unique(indicators, "indicator", _rel(p.indicators, p.root), report)

    entity_codes = set(entities["entity_code"])
    for idx, row in entities.iterrows():
        for column in ("parent", "successor_code"):
            if row[column] and row[column] not in entity_codes:
                report.error(ent_file, _csv_line(idx), column, f"unknown entity code {row[column]!r}")

    document_lines: dict[str, list[str] | None] = {}
    shared = p.shared_sources
    shared_present = shared.is_dir()
    if not shared_present:
        report.notes.append(
            f"source documents folder {shared} is absent: excerpt-on-line and sha256 checks skipped"
        )
    for idx, row in sources.iterrows():

        def src_err(column: str, message: str, line: int = _csv_line(idx)) -> None:
            report.error(src_file, line, column, message)

        if row["kind"] not in SOURCE_KINDS:
            src_err("kind", f"unknown kind {row['kind']!r} ({sorted(SOURCE_KINDS)})")
        if not row["file"]:
            if not row["url"]:
                src_err("url", "a source needs a url or a file")
            continue
        if not shared_present:
            continue
        doc = shared / row["file"]
        if not doc.exists():
            src_err("file", f"document {doc} not found")
            document_lines[row["source_id"]] = None
            continue
        actual = sha256_file(doc)
        if actual != row["sha256"]:
            src_err("sha256", f"sha256 of {doc.name} is {actual}, not {row['sha256']}")
            document_lines[row["source_id"]] = None
            continue
        document_lines[row["source_id"]] = doc.read_text(encoding="utf-8").split("\n")

    source_ids = set(sources["source_id"])
    indicator_ids = set(indicators["indicator"])
    sources_with_file = set(sources.loc[sources["file"] != "", "source_id"])

    for idx, row in obs.iterrows():
        line = _csv_line(idx)

        def err(column: str, message: str, line: int = line) -> None:
            report.error(obs_file, line, column, message)

        if row["entity_code"] not in entity_codes:
            err("entity_code", f"unknown entity code {row['entity_code']!r}")
        if not valid_period(row["period"]):
            err("period", f"invalid period {row['period']!r} (expected YYYY or YYYY-MM, month 01-12)")
        if row["indicator"] not in indicator_ids:
            err("indicator", f"unknown indicator {row['indicator']!r}")
        if row["category"] and not CATEGORY_RE.match(row["category"]):
            err("category", f"malformed category {row['category']!r} (expected key=value;key=value)")
        value_ok = True
        try:
            number = Decimal(row["value"])
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            err("value", f"non-numeric value {row['value']!r}")
            value_ok = False
        if row["unit"] not in UNITS:
            err("unit", f"unknown unit {row['unit']!r}")
        if row["status"] not in STATUSES:
            err("status", f"unknown status {row['status']!r}")
        if row["preferred"] not in ("true", "false"):
            err("preferred", f"preferred must be true or false, not {row['preferred']!r}")
        _check_quality(row, err)
        if row["source_id"] not in source_ids:
            err("source_id", f"unknown source {row['source_id']!r}")
            continue
        if not row["excerpt"]:
            err("excerpt", "empty excerpt")
            continue
        if value_ok and not value_in_text(row["value"], row["excerpt"]):
            err("value", f"value {row['value']} not found as printed in excerpt {row['excerpt']!r}")
        if row["source_id"] in sources_with_file:
            m = LOCATOR_LINE_RE.match(row["locator"])
            if not m:
                err("locator", f"document rows need a locator 'line N', not {row['locator']!r}")
                continue
            lines = document_lines.get(row["source_id"])
            if lines is None:
                continue
            n = int(m.group(1))
            if not 1 <= n <= len(lines):
                err("locator", f"line {n} is outside the document ({len(lines)} lines)")
            elif row["excerpt"] not in lines[n - 1]:
                err("excerpt", f"excerpt not found on line {n} of {row['source_id']}: {row['excerpt']!r}")

    dup = obs.duplicated(subset=list(OBSERVATION_KEY), keep="first")
    for idx in obs.index[dup]:
        key = ", ".join(f"{k}={obs.at[idx, k]!r}" for k in OBSERVATION_KEY if obs.at[idx, k])
        report.error(obs_file, _csv_line(idx), None, f"duplicated row ({key})")

    _check_preferred_conflicts(obs, obs_file, report)
    _check_derived(p, obs, entity_codes, indicator_ids, report)
    if not report.errors:
        report.findings.extend(consistency_findings(obs, obs_file))
    return report


def _check_derived(
    p: ProjectPaths, obs: pd.DataFrame, entity_codes: set[str], indicator_ids: set[str], report: Report
) -> None:
    """Each derived figure against its formula and printed inputs
    (:func:`analysis.observations.derived.check_derived`)."""
    from analysis.observations.derived import check_derived

    path = p.derived_observations
    if not path.exists():
        return
    rel = _rel(path, p.root)
    try:
        derived = read_text_table(path)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        report.error(rel, None, None, f"cannot parse CSV: {exc}")
        return
    known = {"entity_code": entity_codes, "indicator": indicator_ids, "unit": UNITS}
    for line, column, message in check_derived(derived, obs, known):
        report.error(rel, line, column or None, message)


def _check_quality(row: pd.Series, err) -> None:
    """``quality`` is one of :data:`analysis.schema.QUALITIES` and agrees with the rest of the row.

    A ``suspect`` row is never ``preferred=true`` and says why in ``note``; a figure in
    ``NOK_billion`` ("7,4 milliarder") is never ``exact``.
    """
    quality = row["quality"]
    if quality not in QUALITIES:
        err("quality", f"quality must be one of {', '.join(QUALITIES)}, not {quality!r}")
    elif quality == "suspect" and row["preferred"] == "true":
        err("preferred", "a suspect row cannot be preferred=true: no analysis may use it")
    elif quality == "suspect" and not row["note"].strip():
        err("note", "a suspect row needs the reason in note")
    elif quality == "exact" and row["unit"] == "NOK_billion":
        err("quality", "a figure in NOK_billion is printed rounded: quality rounded or a bound, not exact")


def _check_preferred_conflicts(obs: pd.DataFrame, obs_file: str, report: Report) -> None:
    """Two preferred rows with different values for one quantity leave the analysis ambiguous."""
    preferred = obs[obs["preferred"] == "true"]
    keys = ["entity_code", "period", "indicator", "category", "status", "unit"]
    for key, group in preferred.groupby(keys, sort=False):
        values = {_decimal_or_none(v) for v in group["value"]}
        if len(values) > 1:
            lines = ", ".join(str(_csv_line(i)) for i in group.index)
            quantity = dict(zip(keys, key, strict=True))
            report.error(obs_file, _csv_line(group.index[0]), "preferred",
                         f"rows {lines} give different values for {quantity} "
                         "and are all preferred: mark one preferred=true, the others false")  # fmt: skip


def _decimal_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def consistency_findings(obs: pd.DataFrame, obs_file: str) -> list[Problem]:
    """Arithmetic checks where the sources print totals, differences or net amounts.

    - months of counts or money sum to the printed year total (same indicator, entity, source, status);
    - gross − refunds = net (refunds printed either as negative or as positive numbers);
    - revised budget − accounts = deviation (function/area given by category);
    - the parts of a breakdown sum to the printed table total (``category=breakdown=<dim>``).
    """
    frame = obs.copy()
    frame["num"] = pd.to_numeric(frame["value"], errors="coerce")
    frame = frame.dropna(subset=["num"])
    findings: list[Problem] = []

    def found(idx: int, message: str) -> None:
        findings.append(Problem(obs_file, _csv_line(idx), "value", message))

    tol = 1.0  # printed figures are rounded to whole units of their unit

    additive = frame["unit"].isin(ADDITIVE_UNITS)
    monthly = frame[(frame["period"].str.len() == 7) & additive].copy()
    monthly["year"] = monthly["period"].str[:4]
    yearly = frame[frame["period"].str.len() == 4]
    keys = ["entity_code", "indicator", "category", "status", "source_id", "unit"]
    for key, group in monthly.groupby([*keys, "year"]):
        if len(group) != 12:
            continue
        *k, year = key
        match = yearly
        for col, val in zip(keys, k, strict=True):
            match = match[match[col] == val]
        match = match[match["period"] == year]
        for idx, row in match.iterrows():
            total = group["num"].sum()
            if abs(total - row["num"]) > max(tol, 12 * 0.5):
                found(idx, f"{row['indicator']} {row['entity_code']} {year}: the 12 months sum to "
                      f"{total:g} but the printed total is {row['num']:g}")  # fmt: skip

    # parts sum to the printed table total (total rows carry category "breakdown=<dim>")
    totals = frame[frame["category"].str.match(r"^breakdown=[a-z0-9_]+$")]
    part_keys = ["entity_code", "period", "indicator", "status", "source_id", "unit"]
    for idx, total in totals.iterrows():
        dim = total["category"].split("=", 1)[1]
        parts = frame
        for col in part_keys:
            parts = parts[parts[col] == total[col]]
        parts = parts[parts["category"].str.fullmatch(rf"{dim}=[^;=]+") & (parts["preferred"] == "true")]
        parts = parts.drop_duplicates("category")
        if len(parts) < 2:
            continue
        summed = parts["num"].sum()
        tolerance = max(tol, 0.05 * len(parts)) if total["unit"] == "percent" else tol
        if abs(summed - total["num"]) > tolerance:
            what = f"{total['indicator']} {total['entity_code']} {total['period']}"
            found(idx, f"{what}: the {len(parts)} parts by {dim} sum to {summed:g} "
                  f"but the printed total is {total['num']:g}")  # fmt: skip

    pivot_keys = ["entity_code", "period", "status", "source_id", "unit", "category"]
    money = frame[frame["indicator"].isin(["sa_payout_gross", "sa_payout_refunds", "sa_payout_net"])]
    for _key, group in money.groupby(pivot_keys):
        vals = {r["indicator"]: (idx, r["num"]) for idx, r in group.iterrows()}
        if len(vals) != 3:
            continue
        gross, refunds, net = (vals[i][1] for i in ("sa_payout_gross", "sa_payout_refunds", "sa_payout_net"))
        if min(abs(gross + refunds - net), abs(gross - refunds - net)) > tol:
            message = f"gross {gross:g} and refunds {refunds:g} do not give the printed net {net:g}"
            found(vals["sa_payout_net"][0], message)

    budget_keys = ["entity_code", "period", "source_id", "unit", "category"]
    budget = frame[frame["indicator"].isin(["exp_net_operating", "budget_deviation"])]
    for _key, group in budget.groupby(budget_keys):
        revised = group[(group["indicator"] == "exp_net_operating") & (group["status"] == "revised_budget")]
        actual = group[(group["indicator"] == "exp_net_operating") & (group["status"] == "actual")]
        deviation = group[group["indicator"] == "budget_deviation"]
        if len(revised) != 1 or len(actual) != 1 or len(deviation) != 1:
            continue
        expected = revised["num"].iloc[0] - actual["num"].iloc[0]
        printed = deviation["num"].iloc[0]
        if min(abs(expected - printed), abs(expected + printed)) > tol:
            message = f"revised budget − accounts = {expected:g}, printed deviation {printed:g}"
            found(deviation.index[0], message)
    return findings
