"""Selecting one series from the typed observations: preferred rows, agreement, one unit.

May import :mod:`analysis.series.frame` and :mod:`analysis.series.units`.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def _agree(rows: pd.DataFrame) -> bool:
    """Rows agree when equal after conversion, within half a unit of the coarsest printed digit."""
    units = list(rows["unit"])
    if len(set(units)) == 1:
        return bool(np.isclose(rows["value"].max(), rows["value"].min(), rtol=1e-12, atol=0.0))
    target = common_unit(units)
    coarse_idx = max(rows.index, key=lambda i: MONEY_SCALE.get(rows.at[i, "unit"], 1.0))
    coarse = rows.loc[coarse_idx]
    half_digit = 0.5 * 10 ** (-_decimals(coarse["value"]))
    tol = convert(half_digit, coarse["unit"], target) * (1 + 1e-9)
    converted = [convert(v, u, target) for v, u in zip(rows["value"], rows["unit"], strict=True)]
    return max(converted) - min(converted) <= tol


def _describe(rows: pd.DataFrame) -> str:
    return "; ".join(
        f"{r.source_id} {r.locator}: {r.value:g} {r.unit} (preferred={r.preferred})"
        for r in rows.itertuples()
    )


def _resolve_point(rows: pd.DataFrame, key: str) -> pd.Series:
    """One value for one period: the preferred rows, which must agree."""
    chosen = rows[rows["preferred"]]
    if chosen.empty:
        chosen = rows  # no row marked preferred: usable only if all agree
    if not _agree(chosen):
        raise SeriesConflictError(f"{key}: rows disagree: {_describe(chosen)}")
    finest = min(chosen.index, key=lambda i: MONEY_SCALE.get(chosen.at[i, "unit"], 1.0))
    out = chosen.loc[finest].copy()
    out["source_ids"] = tuple(sorted(set(chosen["source_id"])))
    return out


def _matching_rows(
    obs: pd.DataFrame, codes: tuple[str, ...], indicator: str, category: str, status: str
) -> pd.DataFrame:
    """The observations of ``indicator`` for these entity codes, breakdown and status."""
    return obs[
        obs["entity_code"].isin(codes)
        & (obs["indicator"] == indicator)
        & (obs["category"] == category)
        & (obs["status"] == status)
    ]


#: Words a curation note uses for a figure the source printed rounded or as a bound
#: (``data/CURATION.md``: "rounded", "approximate", "lower bound", "upper bound").
APPROXIMATE_NOTE_WORDS: tuple[str, ...] = ("rounded", "approximate", "lower bound", "upper bound")
#: Money scales that are only ever printed rounded ("6,7 milliarder").
ROUNDED_UNITS: frozenset[str] = frozenset({"NOK_billion"})


@dataclass(frozen=True)
class RoundedInput:
    """A preferred figure behind a series point that the source printed rounded or as a bound."""

    label: str
    period: str
    value: float
    unit: str
    source_id: str
    note: str


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

    A row counts as approximate when its unit is a rounded-only money scale (:data:`ROUNDED_UNITS`)
    or its curation note contains one of :data:`APPROXIMATE_NOTE_WORDS`; a period counts when every
    preferred row of it is approximate (an exact printing of the same value makes the point exact).
    One :class:`RoundedInput` per such period, from its first row by source id (``label`` defaults
    to the indicator id), so that a result computed from it can carry the caveat; the sentence is
    written by :func:`analysis.present.text.rounded_input_note`. Exact figures give none.
    """
    rows = _matching_rows(obs, tuple(codes), indicator, category, status)
    rows = rows[rows["period"].isin({str(p) for p in periods}) & rows["preferred"].astype(bool)]

    def approximate(row: pd.Series) -> bool:
        note = str(row.get("note", "")).lower()
        return row["unit"] in ROUNDED_UNITS or any(w in note for w in APPROXIMATE_NOTE_WORDS)

    out = []
    for period, group in rows.sort_values(["period", "source_id"]).groupby("period", sort=True):
        flags = group.apply(approximate, axis=1)
        if not flags.all():  # an exact printing of the same value exists: the point is exact
            continue
        row = group.iloc[0]
        out.append(
            RoundedInput(
                label=label or indicator,
                period=str(period),
                value=float(row["value"]),
                unit=str(row["unit"]),
                source_id=str(row["source_id"]),
                note=str(row.get("note", "")),
            )
        )
    return out


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
    rows = _matching_rows(obs, codes, indicator, category, status)
    rows = rows[rows["period"].map(period_frequency) == frequency]
    if rows.empty:
        return _empty_series(label, indicator, category, status)
    target = unit or common_unit(rows["unit"])
    points = []
    for period, group in rows.groupby("period", sort=True):
        key = f"{'/'.join(codes)} {indicator} [{category or 'total'}] {status} {period}"
        point = _resolve_point(group, key)
        points.append(
            {
                "entity_code": label,
                "period": period,
                "indicator": indicator,
                "category": category,
                "status": status,
                "value": convert(point["value"], point["unit"], target),
                "unit": target,
                "source_ids": point["source_ids"],
                "codes": tuple(sorted(set(group["entity_code"]))),
                "harmonisation": "",
                "missing_reason": "",
                "caveats": (),
            }
        )
    frame = pd.DataFrame(points, columns=list(SERIES_COLUMNS))
    frame["value"] = frame["value"].astype(float)
    return check_series(frame)
