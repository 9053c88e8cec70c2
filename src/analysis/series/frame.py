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
``missing_reason`` '' when ``value`` is present.

The frame's ``attrs["caveats"]`` holds text caveats (e.g. "sum of parts over-counts cases").
"""

from __future__ import annotations

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


def _empty_series(entity_code: str, indicator: str, category: str, status: str) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in SERIES_COLUMNS})
    frame["value"] = frame["value"].astype(float)
    frame.attrs["caveats"] = []
    frame.attrs["query"] = dict(
        entity_code=entity_code, indicator=indicator, category=category, status=status
    )
    return frame


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
        },
        columns=list(SERIES_COLUMNS),
    )
    frame.attrs["caveats"] = []
    return frame
