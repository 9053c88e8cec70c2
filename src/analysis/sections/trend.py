"""The trend section: annual growth of a count with its confidence interval.

May import :mod:`analysis.sections.base`, :mod:`analysis.models`, :mod:`analysis.present`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.models.trend import count_trends
from analysis.observations.run import RunContext
from analysis.present.text import format_number
from analysis.sections.base import (
    KeyFigure,
    Section,
    first_available,
    label_of,
    no_data,
    sources_of,
)


def count_trend(ctx: RunContext, title: str, candidates: Sequence[tuple[str, str]], key: str) -> Section:
    """Annual growth of a count (Poisson and negative binomial with estimated dispersion); an honest
    'not estimated' when the series is too short. See :mod:`analysis.models.trend`."""

    found = first_available(ctx, candidates)
    if found is None:
        return no_data(title, "No annual count series for a trend", candidates[0][0])
    indicator, category, series = found
    series = series[series["period"].astype(int) <= ctx.year]
    counts = pd.Series(series["value"].to_numpy(), index=series["period"].astype(int))
    table = count_trends(counts)
    srcs = sources_of(series)
    label = label_of(ctx, indicator).lower()
    fitted = table[table["estimated"]] if "estimated" in table else table.iloc[0:0]
    if fitted.empty:
        reason = str(table["reason"].iloc[0]) if "reason" in table else "too few points"
        return Section(
            title=title,
            sources=srcs,
            text=f"No trend is estimated for {label}: {reason}.",
            key_figures=[KeyFigure(f"{key}_n_years", int(len(counts)), "count", srcs)],
        )
    poisson = fitted.iloc[0]
    growth = 100 * float(poisson["growth_rate"])
    lo, hi = 100 * float(poisson["growth_ci_low"]), 100 * float(poisson["growth_ci_high"])
    text = (
        f"Over {int(poisson['n_obs'])} annual observations ({counts.index.min()}–{counts.index.max()}), "
        f"{label} changed by **{format_number(growth, 1)} % a year** (Poisson; 95 % CI "
        f"{format_number(lo, 1)} to {format_number(hi, 1)} %). The negative-binomial fit "
        f"estimates the over-dispersion instead of fixing it; both are in the table."
    )
    shown = table[
        [
            c
            for c in (
                "model",
                "n_obs",
                "growth_rate",
                "growth_ci_low",
                "growth_ci_high",
                "p_value",
                "alpha",
                "reason",
            )
            if c in table
        ]
    ]
    return Section(
        title=title,
        text=text,
        table=shown,
        sources=srcs,
        key_figures=[KeyFigure(f"{key}_growth_pct", round(growth, 2), "percent", srcs)],
    )
