"""Selecting one series from the typed observations: preferred rows, agreement, one unit.

May import :mod:`analysis.series.frame` and :mod:`analysis.series.units`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.schema import ADDITIVE_UNITS, MONEY_SCALE
from analysis.series.frame import (
    SERIES_COLUMNS,
    Frequency,
    SeriesConflictError,
    _empty_series,
    check_series,
    period_frequency,
)
from analysis.series.units import common_unit, convert

#: Parts of indicator ids that mark a rate, share, average or ratio: never summed over entities.
NON_ADDITIVE_MARKERS: tuple[str, ...] = (
    "_per_",
    "share",
    "rate",
    "avg",
    "average",
    "duration",
    "index",
    "cpi",
    "guideline",
    "processing_days",
    "premise",
)


def is_additive(indicator: str, unit: str) -> bool:
    """True when values of ``indicator`` for parts of an area add up to the value for the whole.

    Rule: the unit is a count or money unit (:data:`analysis.schema.ADDITIVE_UNITS`) **and** the
    indicator id has none of :data:`NON_ADDITIVE_MARKERS` (``_per_``, ``share``, ``rate``, ``avg``,
    ``duration``, …). So ``sa_payout_gross`` (NOK) is additive, ``sa_payout_per_recipient`` (also
    NOK) is not, and ``sa_recipients_monthly_avg`` is treated as not additive (an average).
    Reference: the definitions in ``data/reference/indicators.csv``; ``book/methods.md``.
    """
    if unit not in ADDITIVE_UNITS:
        return False
    return not any(marker in indicator for marker in NON_ADDITIVE_MARKERS)


def _decimals(value: float) -> int:
    text = repr(float(value))
    if "e" in text or "E" in text:
        return 0
    _, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return len(frac)


@dataclass(frozen=True)
class _Row:
    """One observation row as :func:`select_series` reads it (plain values, not a pandas row)."""

    value: float
    unit: str
    preferred: bool
    source_id: str
    locator: str
    entity_code: str


def _agree(rows: Sequence[_Row]) -> bool:
    """Rows agree when equal after conversion, within half a unit of the coarsest printed digit."""
    units = [r.unit for r in rows]
    if len(set(units)) == 1:
        values = [r.value for r in rows]
        return bool(np.isclose(max(values), min(values), rtol=1e-12, atol=0.0))
    target = common_unit(units)
    coarse = max(rows, key=lambda r: MONEY_SCALE.get(r.unit, 1.0))  # the first of the coarsest
    half_digit = 0.5 * 10 ** (-_decimals(coarse.value))
    tol = convert(half_digit, coarse.unit, target) * (1 + 1e-9)
    converted = [convert(r.value, r.unit, target) for r in rows]
    return max(converted) - min(converted) <= tol


def _describe(rows: Sequence[_Row]) -> str:
    return "; ".join(
        f"{r.source_id} {r.locator}: {r.value:g} {r.unit} (preferred={r.preferred})" for r in rows
    )


def _resolve_point(rows: Sequence[_Row], key: str) -> tuple[float, str, tuple[str, ...]]:
    """One value for one period: the preferred rows, which must agree. Returns the value and unit
    of the finest-scale row and the ids of every source that printed it.

    (Plain rows, not pandas: selecting a frame per point was most of the time of
    :func:`select_series`, which the runner and every report call hundreds of times.)
    """
    chosen = [r for r in rows if r.preferred] or list(rows)  # none preferred: usable if all agree
    if not _agree(chosen):
        raise SeriesConflictError(f"{key}: rows disagree: {_describe(chosen)}")
    finest = min(chosen, key=lambda r: MONEY_SCALE.get(r.unit, 1.0))  # the first of the finest
    return finest.value, finest.unit, tuple(sorted({r.source_id for r in chosen}))


def _rows_by_period(rows: pd.DataFrame, frequency: Frequency) -> dict[str, list[_Row]]:
    """The rows of one frequency grouped by period, in the order of ``rows`` within a period."""
    n = len(rows)
    locators = rows["locator"].astype(str).tolist() if "locator" in rows.columns else [""] * n
    grouped: dict[str, list[_Row]] = {}
    for period, value, unit, preferred, source_id, locator, code in zip(
        rows["period"].astype(str).tolist(),
        rows["value"].astype(float).tolist(),
        rows["unit"].astype(str).tolist(),
        rows["preferred"].astype(bool).tolist(),
        rows["source_id"].astype(str).tolist(),
        locators,
        rows["entity_code"].astype(str).tolist(),
        strict=True,
    ):
        if period_frequency(period) == frequency:
            grouped.setdefault(period, []).append(_Row(value, unit, preferred, source_id, locator, code))
    return grouped


def usable(obs: pd.DataFrame) -> pd.DataFrame:
    """The rows a computed value may read: all but ``quality=suspect`` (``data/CURATION.md``).

    A suspect row (digits lost in extraction, a misprint) is listed by :func:`suspect_rows` with
    its source and reason, and never enters a series, an indicator or a model. A frame without a
    ``quality`` column (hand-made in tests) is all usable.
    """
    if "quality" not in obs.columns:
        return obs
    return obs[_usable_mask(obs)]


def _usable_mask(obs: pd.DataFrame) -> np.ndarray:
    """True for the rows :func:`usable` keeps (every row of a frame without ``quality``)."""
    if "quality" not in obs.columns:
        return np.ones(len(obs), dtype=bool)
    return obs["quality"].to_numpy(dtype=object) != "suspect"


def suspect_rows(obs: pd.DataFrame, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """The ``suspect`` rows (of ``codes``, if given), with source and reason, for a page to list.

    Columns: entity_code, period, indicator, category, value, unit, source_id, locator, reason
    (the curation note). Sorted by entity, indicator and period.
    """
    columns = ["entity_code", "period", "indicator", "category", "value", "unit", "source_id", "locator"]
    if "quality" not in obs.columns:
        return pd.DataFrame(columns=[*columns, "reason"])
    rows = obs[obs["quality"] == "suspect"]
    if codes is not None:
        rows = rows[rows["entity_code"].isin(set(codes))]
    out = rows[columns].assign(reason=[_reason(str(n)) for n in rows.get("note", [""] * len(rows))])
    return out.sort_values(["entity_code", "indicator", "period"]).reset_index(drop=True)


#: Words of the clauses of a curation note that say why a row is suspect.
_REASON_WORDS = ("lost", "misprint", "do not use", "doubt", "conflict", "implausible", "wrong")


def _reason(note: str) -> str:
    """The clauses (``;``-separated) of a suspect row's note that give the reason; else the note."""
    clauses = [c.strip() for c in note.split(";")]
    picked = [c for c in clauses if any(w in c.lower() for w in _REASON_WORDS)]
    return "; ".join(picked) if picked else note


def _matching_rows(
    obs: pd.DataFrame, codes: tuple[str, ...], indicator: str, category: str, status: str
) -> pd.DataFrame:
    """The usable observations of ``indicator`` for these entity codes, breakdown and status (rows
    in the order and with the index labels of ``obs``)."""
    # one mask over plain arrays and one filter: three pandas filters in a row cost 1,2 ms a call,
    # and the runner and every report select hundreds of series
    def column(name: str) -> np.ndarray:
        return obs[name].to_numpy(dtype=object)

    mask = column("indicator") == indicator
    mask &= (column("category") == category) & (column("status") == status)
    mask &= obs["entity_code"].isin(codes).to_numpy(dtype=bool) & _usable_mask(obs)
    return obs[mask]


#: How a rounded input is named in a note (``quality`` → words).
QUALITY_WORDS: dict[str, str] = {
    "rounded": "rounded",
    "lower_bound": "a lower bound",
    "upper_bound": "an upper bound",
}


def printed_step(value: float, quality: str) -> float:
    """The size of the last printed digit of an approximate figure, in its own unit; 0 if exact.

    ``7,4`` (billion) → 0,1; ``6,71`` → 0,01; ``131 000`` → 1 000; ``119 400`` → 100; ``45`` → 1.
    The trailing zeros of a whole number printed rounded are taken as rounded away ("om lag 131
    000" is known to the thousand). A bound ("over 130 000") is read the same way.
    """
    if quality not in QUALITY_WORDS:
        return 0.0
    decimals = _decimals(value)
    if decimals:
        return 10.0**-decimals
    whole = abs(int(round(value)))
    zeros = 0
    while whole and whole % 10 == 0:
        whole //= 10
        zeros += 1
    return 10.0**zeros


@dataclass(frozen=True)
class RoundedInput:
    """A preferred figure behind a result that the source printed rounded or as a bound."""

    label: str
    period: str
    value: float
    unit: str
    quality: str
    step: float  # last printed digit, in ``unit`` (see :func:`printed_step`)
    source_id: str
    note: str

    def step_in(self, unit: str) -> float:
        """The printed step converted to ``unit`` (money scales convert; others must match)."""
        return convert(self.step, self.unit, unit) if unit != self.unit else self.step


def _row_quality(row: pd.Series) -> str:
    """A row's ``quality``; a hand-made frame without the column counts rows in billions as rounded."""
    quality = str(row.get("quality", "") or "")
    if quality:
        return quality
    return "rounded" if row["unit"] in ROUNDED_UNITS else "exact"


def rounded_inputs(
    obs: pd.DataFrame,
    codes: Iterable[str],
    indicator: str,
    periods: Iterable[str],
    *,
    category: str = "",
    status: str = "actual",
    label: str = "",
) -> list[RoundedInput]:
    """The preferred figures behind series points that were printed rounded or as a bound.

    A period counts when every preferred (usable) row of it has an approximate ``quality``
    (rounded, lower_bound, upper_bound); an exact printing of the same value makes the point exact.
    One :class:`RoundedInput` per such period, from its first row by source id (``label`` defaults
    to the indicator id). Exact figures give none.
    """
    rows = _matching_rows(obs, tuple(codes), indicator, category, status)
    rows = rows[rows["period"].isin({str(p) for p in periods}) & rows["preferred"].astype(bool)]
    out = []
    for period, group in rows.sort_values(["period", "source_id"]).groupby("period", sort=True):
        qualities = [_row_quality(r) for _, r in group.iterrows()]
        if any(q not in QUALITY_WORDS for q in qualities):  # an exact printing exists: the point is exact
            continue
        row = group.iloc[0]
        value = float(row["value"])
        out.append(
            RoundedInput(
                label=label or indicator,
                period=str(period),
                value=value,
                unit=str(row["unit"]),
                quality=qualities[0],
                step=printed_step(value, qualities[0]),
                source_id=str(row["source_id"]),
                note=str(row.get("note", "")),
            )
        )
    return out


#: Money scales that are only ever printed rounded ("6,7 milliarder"): a hand-made frame without a
#: ``quality`` column treats them as rounded (validate refuses ``exact`` for them).
ROUNDED_UNITS: frozenset[str] = frozenset({"NOK_billion"})


def propagated_step(func, values: Sequence[float], steps: Sequence[float]) -> float:
    """How far a result can move when each input moves by its printed step (linear, worst case).

    ``Σ_i |f(x + s_i e_i) − f(x)|`` — for a sum the sum of the steps, for a ratio the sum of the
    relative steps times the ratio. Exact inputs have step 0. Used to print a result at the
    precision of its least precise input (:func:`analysis.present.text.format_at_precision`).
    """
    base = func(*values)
    total = 0.0
    for i, step in enumerate(steps):
        if step:
            moved = list(values)
            moved[i] += step
            total += abs(func(*moved) - base)
    return total


def select_series(
    obs: pd.DataFrame,
    entity_code: str | Iterable[str],
    indicator: str,
    *,
    category: str = "",
    status: str = "actual",
    unit: str | None = None,
    frequency: Frequency = "annual",
    label_code: str | None = None,
) -> pd.DataFrame:
    """The series of ``indicator`` for one entity (or several codes of the *same* entity).

    Steps: keep rows with the entity code(s), indicator, category (``''`` = total), status and
    frequency (``YYYY`` for ``annual``, ``YYYY-MM`` for ``monthly`` — never mixed); per period keep
    the rows with ``preferred=True`` (if none is preferred, all rows); they must agree, else
    :class:`SeriesConflictError` names every conflicting row (source, locator, value, unit). Rows
    printed in different money scales agree when equal within half a unit of the coarsest printed
    digit; the finest-scale value is kept. Values are converted to ``unit``
    (default: the one unit of the rows, or the finest money scale) with
    :func:`analysis.series.units.convert`. ``source_ids`` lists every source that printed the value.

    Reference: the ``preferred`` rule of ``data/CURATION.md``.
    """
    codes = (entity_code,) if isinstance(entity_code, str) else tuple(entity_code)
    label = label_code or codes[0]
    grouped = _rows_by_period(_matching_rows(obs, codes, indicator, category, status), frequency)
    if not grouped:
        return _empty_series(label, indicator, category, status)
    target = unit or common_unit([r.unit for rows in grouped.values() for r in rows])
    points = []
    for period in sorted(grouped):
        group = grouped[period]
        key = f"{'/'.join(codes)} {indicator} [{category or 'total'}] {status} {period}"
        value, point_unit, source_ids = _resolve_point(group, key)
        points.append(
            {
                "entity_code": label,
                "period": period,
                "indicator": indicator,
                "category": category,
                "status": status,
                "value": convert(value, point_unit, target),
                "unit": target,
                "source_ids": source_ids,
                "codes": tuple(sorted({r.entity_code for r in group})),
                "harmonisation": "",
                "missing_reason": "",
                "caveats": (),
            }
        )
    frame = pd.DataFrame(points, columns=list(SERIES_COLUMNS))
    frame["value"] = frame["value"].astype(float)
    return check_series(frame)
