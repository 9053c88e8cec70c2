"""Time series of one entity and one indicator from the typed observations.

A *series frame* is the common currency of the analysis modules. Its columns
(:data:`SERIES_COLUMNS`) are:

``entity_code``  the entity asked for (after harmonisation: the current code);
``period``       ``YYYY`` or ``YYYY-MM`` (a frame never mixes the two);
``indicator``, ``category``, ``status`` as selected;
``value``        float in ``unit`` (NaN only when ``missing_reason`` says why);
``unit``         one unit for the whole frame;
``source_ids``   tuple of the source ids behind the point (sorted, unique);
``codes``        tuple of the entity codes whose rows were used;
``harmonisation`` how the point was obtained across a code change ('' = read directly);
``missing_reason`` '' when ``value`` is present;
``caveats``      tuple of text caveats about the series (e.g. "sum of parts over-counts cases"),
                 the same on every row, so that filtering, ``concat`` and ``merge`` keep them
                 (``DataFrame.attrs`` would not: pandas documents it as experimental).

:func:`check_series` checks this contract; :func:`series_caveats` reads the caveats back. Imports
nothing from the package.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Literal

import pandas as pd

Frequency = Literal["annual", "monthly"]


SERIES_COLUMNS: tuple[str, ...] = (
    "entity_code",
    "period",
    "indicator",
    "category",
    "status",
    "value",
    "unit",
    "source_ids",
    "codes",
    "harmonisation",
    "missing_reason",
    "caveats",
)


class SeriesConflictError(ValueError):
    """Two rows that should give one number disagree (e.g. two preferred rows, different values)."""


def period_frequency(period: str) -> Frequency:
    """``'annual'`` for ``YYYY``, ``'monthly'`` for ``YYYY-MM``; ``ValueError`` otherwise."""
    if len(period) == 4 and period.isdigit():
        return "annual"
    if len(period) == 7 and period[4] == "-" and period[:4].isdigit() and period[5:].isdigit():
        return "monthly"
    raise ValueError(f"period {period!r} is neither YYYY nor YYYY-MM")


def period_year(period: str) -> int:
    """The calendar year of ``YYYY`` or ``YYYY-MM``."""
    period_frequency(period)
    return int(period[:4])


@functools.cache
def _empty_template() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in SERIES_COLUMNS})
    frame["value"] = frame["value"].astype(float)
    return frame


def _empty_series(entity_code: str, indicator: str, category: str, status: str) -> pd.DataFrame:
    # a copy of one template: building the frame anew cost 4 ms, and half the selections are empty
    return _empty_template().copy()


def series_frame(
    values: dict[str, float],
    unit: str,
    *,
    entity_code: str = "",
    indicator: str = "",
    category: str = "",
    status: str = "actual",
    source_ids: Iterable[str] = (),
) -> pd.DataFrame:
    """A series frame from ``{period: value}`` (for CPI tables, tests and hand-made inputs).

    NaN values get the missing reason "not given". Periods must share one frequency.
    """
    periods = sorted(values)
    freqs = {period_frequency(p) for p in periods}
    if len(freqs) > 1:
        raise ValueError("a series frame cannot mix annual and monthly periods")
    srcs = tuple(sorted(set(source_ids)))
    frame = pd.DataFrame(
        {
            "entity_code": entity_code,
            "period": periods,
            "indicator": indicator,
            "category": category,
            "status": status,
            "value": [float(values[p]) for p in periods],
            "unit": unit,
            "source_ids": [srcs] * len(periods),
            "codes": [(entity_code,)] * len(periods),
            "harmonisation": "",
            "missing_reason": ["not given" if math.isnan(float(values[p])) else "" for p in periods],
            "caveats": [()] * len(periods),
        },
        columns=list(SERIES_COLUMNS),
    )
    return check_series(frame)


def with_caveats(frame: pd.DataFrame, caveats: Iterable[str]) -> pd.DataFrame:
    """``frame`` with ``caveats`` (in order, without repeats) on every row."""
    shown = tuple(dict.fromkeys(caveats))
    out = frame.copy()
    out["caveats"] = [shown] * len(out)
    return out


def series_caveats(frame: pd.DataFrame) -> list[str]:
    """The caveats of the series (or of several series concatenated), in order, without repeats."""
    if "caveats" not in frame:
        return []
    return list(dict.fromkeys(c for caveats in frame["caveats"] for c in caveats))


def check_series(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` if it keeps the series contract, else ``ValueError`` saying what is wrong.

    The contract: the columns of :data:`SERIES_COLUMNS`; one unit; one frequency of periods; one
    row per period; ``value`` NaN exactly where ``missing_reason`` says why (a present value has
    reason ''); ``source_ids``, ``codes`` and ``caveats`` tuples.
    """
    missing = [c for c in SERIES_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"a series frame needs the columns {', '.join(missing)}")
    if frame.empty:
        return frame
    units = set(frame["unit"])
    if len(units) > 1:
        raise ValueError(f"a series frame has one unit, not {sorted(units)}")
    if len({period_frequency(str(p)) for p in frame["period"]}) > 1:
        raise ValueError("a series frame cannot mix annual and monthly periods")
    if frame["period"].duplicated().any():
        dup = sorted(set(frame.loc[frame["period"].duplicated(), "period"]))
        raise ValueError(f"a series frame has one row per period; repeated: {', '.join(dup)}")
    unexplained = frame["value"].isna() & (frame["missing_reason"] == "")
    if unexplained.any():
        raise ValueError(f"missing values without a reason in {', '.join(frame.loc[unexplained, 'period'])}")
    for column in ("source_ids", "codes", "caveats"):
        if not all(isinstance(v, tuple) for v in frame[column]):
            raise ValueError(f"series column {column!r} holds tuples")
    return frame
