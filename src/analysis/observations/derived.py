"""The table of figures derived from printed ones: its rows, their printed inputs, and its checks.

Some quantities are printed nowhere as levels, only as changes: NAV prints that recipients rose
14 % from 2023 to 2024 and price-adjusted expenditure 18 %, SSB the exact 2023 levels. A *derived
figure* is such a level computed from printed inputs. It lives in
``data/curated/derived_observations.csv``, apart from the printed figures of ``observations.csv``,
with

- ``formula``: arithmetic on named inputs (``R_2023 * (1 + g_R / 100)``; numbers, names,
  ``+ − × /`` and brackets only);
- ``inputs``: each name bound to one printed row, ``name=ENTITY/PERIOD/INDICATOR/CATEGORY/SOURCE``,
  joined by `` | `` (status ``actual``, ``preferred=true``);
- ``value``, ``low``, ``high``: the formula at the printed inputs, and its minimum and maximum over
  the *rounding box* of the inputs.

The arithmetic lives in :mod:`analysis.observations.intervals`: what a printed figure of a given
``quality`` stands for ("14 %" stands for 13,5–14,5 %), the formula, and the corner bounds. Its
error, :class:`DerivedError`, is the one raised here too.

``python -m analysis validate`` recomputes every derived row from its inputs
(:func:`check_derived`). Everything here is pure: text tables in, numbers or messages out. Imports
:mod:`analysis.observations.intervals` and :mod:`analysis.schema`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pandas as pd

from analysis.observations.intervals import (
    DerivedError,
    corner_bounds,
    evaluate,
    formula_names,
    quality_of,
    rounding_interval,
)
from analysis.schema import MONEY_SCALE

DERIVED_COLUMNS: tuple[str, ...] = (
    "derived_id",
    "entity_code",
    "period",
    "indicator",
    "category",
    "value",
    "low",
    "high",
    "unit",
    "status",
    "formula",
    "inputs",
    "note",
)
#: The status of every derived row: never one of the printed statuses.
DERIVED_STATUS = "derived"


# ------------------------------------------------------------------------------------ printed inputs


@dataclass(frozen=True)
class PrintedInput:
    """One printed figure used as an input: its value as printed, rounding interval and origin."""

    entity_code: str
    period: str
    indicator: str
    category: str
    value: float
    unit: str
    low: float
    high: float
    text: str  # the value cell as curated (``14``, ``3.1``)
    source_ids: tuple[str, ...]
    locator: str
    excerpt: str
    note: str
    quality: str = "exact"  # the row's ``quality`` (data/CURATION.md): what its interval is read from

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What the figure is of (not where it is printed): shared inputs unify on this."""
        return (self.entity_code, self.period, self.indicator, self.category)

    def describe(self) -> str:
        """``EAK 2024 sa_recipients_change_pct = 14 percent (nav-…)``."""
        cat = f" [{self.category}]" if self.category else ""
        unit = self.unit.replace("_", " ")
        return (
            f"{self.entity_code} {self.period} {self.indicator}{cat} = {self.text} {unit} "
            f"({', '.join(self.source_ids)})"
        )


def printed_input(
    observations: pd.DataFrame,
    entity_code: str,
    period: str,
    indicator: str,
    category: str = "",
    source_id: str | None = None,
) -> PrintedInput:
    """The preferred ``actual`` row(s) of one figure in the *text* observations table.

    With ``source_id`` only that source's rows count. Several rows must agree (same value after
    unit conversion); the narrowest rounding interval is kept. Raises :class:`DerivedError` saying
    what is missing or ambiguous.
    """
    obs = observations
    rows = obs[
        (obs["entity_code"] == entity_code)
        & (obs["period"] == period)
        & (obs["indicator"] == indicator)
        & (obs["category"] == category)
        & (obs["status"] == "actual")
        & (obs["preferred"].astype(str).str.lower() == "true")
    ]
    if source_id is not None:
        rows = rows[rows["source_id"] == source_id]
    what = f"{entity_code} {period} {indicator}{f' [{category}]' if category else ''}" + (
        f" from {source_id}" if source_id else ""
    )
    if rows.empty:
        raise DerivedError(f"no preferred printed row for {what}")
    candidates = []
    for row in rows.to_dict("records"):
        low, high = rounding_interval(str(row["value"]), str(row["unit"]), quality_of(row))
        candidates.append((row, float(row["value"]), low, high))
    units = {c[0]["unit"] for c in candidates}
    if len(units) > 1 and not units <= set(MONEY_SCALE):
        raise DerivedError(f"the preferred rows for {what} are in different units: {sorted(units)}")
    target = min(units, key=lambda u: MONEY_SCALE.get(u, 1.0))
    in_target = [c[1] * MONEY_SCALE.get(c[0]["unit"], 1.0) / MONEY_SCALE.get(target, 1.0) for c in candidates]
    if max(in_target) - min(in_target) > 1e-9 * max(abs(v) for v in in_target):
        raise DerivedError(f"the preferred rows for {what} disagree: {sorted(set(in_target))} {target}")
    row, value, low, high = min(candidates, key=lambda c: (c[3] - c[2]) / max(abs(c[1]), 1e-300))
    return PrintedInput(
        entity_code=entity_code,
        period=period,
        indicator=indicator,
        category=category,
        value=value,
        unit=str(row["unit"]),
        low=low,
        high=high,
        text=str(row["value"]),
        source_ids=tuple(sorted(set(rows["source_id"]))),
        locator=str(row["locator"]),
        excerpt=str(row["excerpt"]),
        note=str(row.get("note", "")),
        quality=quality_of(row),
    )


# ------------------------------------------------------------------------------------ derived rows


@dataclass(frozen=True)
class InputRef:
    """``name=ENTITY/PERIOD/INDICATOR/CATEGORY/SOURCE`` in a derived row's ``inputs``."""

    name: str
    entity_code: str
    period: str
    indicator: str
    category: str
    source_id: str


def parse_inputs(text: str) -> tuple[InputRef, ...]:
    """Parse the ``inputs`` cell (references joined by `` | ``); :class:`DerivedError` if malformed."""
    refs = []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        name, eq, rest = part.partition("=")
        fields = rest.split("/")
        if not eq or not name.strip().isidentifier() or len(fields) != 5:
            raise DerivedError(
                f"input {part!r} is not name=ENTITY/PERIOD/INDICATOR/CATEGORY/SOURCE (category may be empty)"
            )
        refs.append(InputRef(name.strip(), *(f.strip() for f in fields)))
    if not refs:
        raise DerivedError("no inputs")
    names = [r.name for r in refs]
    if len(set(names)) != len(names):
        raise DerivedError(f"input names repeat: {names}")
    return tuple(refs)


@dataclass(frozen=True)
class DerivedFigure:
    """A derived row, recomputed from its printed inputs."""

    derived_id: str
    entity_code: str
    period: str
    indicator: str
    category: str
    unit: str
    formula: str
    inputs: dict[str, PrintedInput]
    value: float  # the formula at the printed inputs
    low: float
    high: float
    note: str

    def describe(self) -> str:
        """How it was computed, for a page's provenance footer."""
        ins = "; ".join(f"{n} = {p.describe()}" for n, p in self.inputs.items())
        unit = self.unit.replace("_", " ")
        return (
            f"`{self.derived_id}` (derived, not printed): "
            f"{self.entity_code} {self.period} {self.indicator} = `{self.formula}` = {_plain(self.value)} "
            f"{unit} with {ins}; interval {_plain(self.low)}–{_plain(self.high)} {unit} from the "
            "rounding of the inputs"
        )


def _plain(x: float) -> str:
    """A number for the footer: whole thousands-spaced units when large, four digits otherwise."""
    return f"{x:,.0f}".replace(",", " ") if abs(x) >= 1000 else f"{x:.4g}"


def compute(row: Mapping[str, str], observations: pd.DataFrame) -> DerivedFigure:
    """Recompute a derived row from the text observations: value at the printed inputs, and the
    bounds over their rounding intervals (:func:`corner_bounds`)."""
    refs = parse_inputs(str(row["inputs"]))
    used = formula_names(str(row["formula"]))
    declared = {r.name for r in refs}
    if used - declared:
        raise DerivedError(f"formula uses {sorted(used - declared)}, not declared in inputs")
    if declared - used:
        raise DerivedError(f"inputs {sorted(declared - used)} are declared but not used by the formula")
    inputs = {
        r.name: printed_input(observations, r.entity_code, r.period, r.indicator, r.category, r.source_id)
        for r in refs
    }
    central = {n: p.value for n, p in inputs.items()}
    formula = str(row["formula"])
    value = evaluate(formula, central)
    low, high = corner_bounds(
        lambda v: evaluate(formula, v), central, {n: (p.low, p.high) for n, p in inputs.items()}
    )
    return DerivedFigure(
        derived_id=str(row["derived_id"]),
        entity_code=str(row["entity_code"]),
        period=str(row["period"]),
        indicator=str(row["indicator"]),
        category=str(row["category"]),
        unit=str(row["unit"]),
        formula=formula,
        inputs=inputs,
        value=value,
        low=low,
        high=high,
        note=str(row.get("note", "")),
    )


def _stored_matches(stored: str, computed: float) -> bool:
    """The stored cell is the computed value rounded to the stored digits (± half its last digit)."""
    try:
        number = Decimal(stored.strip())
    except InvalidOperation:
        return False
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    return abs(float(number) - computed) <= 0.5 * 10.0**exponent * (1 + 1e-9) + 1e-12 * abs(computed)


def check_derived(
    derived: pd.DataFrame, observations: pd.DataFrame, known: Mapping[str, Iterable[str]]
) -> list[tuple[int, str, str]]:
    """Every problem of the derived table as ``(csv_line, column, message)``.

    ``known`` maps ``entity_code``, ``indicator`` and ``unit`` to the allowed values. Checks: the
    columns; ids unique; status ``derived``; codes, indicator and unit known; the formula parses and
    uses exactly its declared inputs; each input is one preferred printed row of quality ``exact``
    or ``rounded`` (not a bound); ``value``, ``low`` and ``high`` equal the recomputed ones to their
    stored digits; no printed preferred row gives the same quantity (a derived figure never stands
    in for a printed one).
    """
    problems: list[tuple[int, str, str]] = []
    missing = [c for c in DERIVED_COLUMNS if c not in derived.columns]
    if missing:
        return [(1, "", f"missing column(s): {', '.join(missing)}")]
    seen: set[str] = set()
    printed = observations[observations["preferred"].astype(str).str.lower() == "true"]
    for idx, row in derived.iterrows():
        line = int(idx) + 2  # type: ignore[call-overload]
        what = f"{row['entity_code']} {row['period']} {row['indicator']}"
        if row["derived_id"] in seen:
            problems.append((line, "derived_id", f"duplicate id {row['derived_id']!r}"))
        seen.add(row["derived_id"])
        if row["status"] != DERIVED_STATUS:
            problems.append((line, "status", f"status must be {DERIVED_STATUS!r}, not {row['status']!r}"))
        for column in ("entity_code", "indicator", "unit"):
            if row[column] not in set(known.get(column, ())):
                problems.append((line, column, f"unknown {column} {row[column]!r}"))
        clash = printed[
            (printed["entity_code"] == row["entity_code"])
            & (printed["period"] == row["period"])
            & (printed["indicator"] == row["indicator"])
            & (printed["category"] == row["category"])
            & (printed["status"] == "actual")
        ]
        if len(clash):
            problems.append(
                (line, "indicator", f"{what} is printed ({clash['source_id'].iloc[0]}); drop the derived row")
            )
        try:
            fig = compute(row, observations)
        except (DerivedError, ZeroDivisionError) as exc:
            problems.append((line, "inputs", f"{what}: {exc}"))
            continue
        for column, computed in (("value", fig.value), ("low", fig.low), ("high", fig.high)):
            if not _stored_matches(str(row[column]), computed):
                ins = ", ".join(f"{n}={p.text}" for n, p in fig.inputs.items())
                how = {
                    "value": "",
                    "low": " (its minimum over the inputs' rounding intervals)",
                    "high": " (its maximum over the inputs' rounding intervals)",
                }[column]
                problems.append(
                    (
                        line,
                        column,
                        f"{what}: {column} {row[column]} does not match its formula {fig.formula}{how} "
                        f"= {computed:.10g} from its inputs ({ins})",
                    )
                )
        if not fig.low <= fig.value <= fig.high or not math.isfinite(fig.value):
            problems.append(
                (line, "value", f"{what}: value {fig.value:g} outside [{fig.low:g}, {fig.high:g}]")
            )
    return problems


def derived_figures(derived: pd.DataFrame, observations: pd.DataFrame) -> list[DerivedFigure]:
    """All derived rows, recomputed (raises :class:`DerivedError` on the first bad row)."""
    return [compute(row, observations) for _, row in derived.iterrows()]


def find_derived(
    derived: pd.DataFrame,
    observations: pd.DataFrame,
    entity_code: str,
    period: str,
    indicator: str,
    category: str = "",
) -> DerivedFigure | None:
    """The derived figure for one quantity, recomputed, or None."""
    rows = derived[
        (derived["entity_code"] == entity_code)
        & (derived["period"] == period)
        & (derived["indicator"] == indicator)
        & (derived["category"] == category)
    ]
    if rows.empty:
        return None
    return compute(rows.iloc[0], observations)
