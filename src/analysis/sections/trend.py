"""The trend section: annual growth of a count, said in one sentence, the model table behind a toggle.

May import :mod:`analysis.sections.base`, :mod:`analysis.models`, :mod:`analysis.present`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from analysis.models.trend import MIN_POINTS, count_trends
from analysis.observations.run import RunContext
from analysis.present.text import format_number
from analysis.sections.base import (
    KeyFigure,
    Section,
    approximate_inputs,
    first_available,
    label_of,
    no_data,
    point_codes,
    sources_of,
)

MODEL_NAMES = {"poisson": "Poisson", "negative_binomial": "negative binomial"}


def _pct(rate: float) -> str:
    return format_number(100 * rate, 1)


def trend_sentence(label: str, rate: float, low: float, high: float, first: int, last: int) -> str:
    """'The number of recipients grew by about 1,0 % a year from 2013 to 2023; 95 % interval 0,9–1,1 %.'"""
    verb = "grew" if rate >= 0 else "fell"
    ci = f"{_pct(low)} to {_pct(high)} %" if low < 0 <= high or high < 0 else f"{_pct(low)}–{_pct(high)} %"
    return (
        f"The number of {label} {verb} by about **{_pct(abs(rate))} % a year** from {first} to {last}; "
        f"95 % interval {ci}."
    )


def model_table(table: pd.DataFrame) -> pd.DataFrame:
    """The fits in words and percent for the toggle: model, years, growth and interval, dispersion,
    whether the fit converged. No optimiser message: a failed fit says 'no estimate'."""
    rows = []
    for _, row in table.iterrows():
        estimated = bool(row.get("estimated", False)) and bool(row.get("converged", True))
        rows.append(
            {
                "model": MODEL_NAMES.get(str(row["model"]), str(row["model"])),
                "annual figures": int(row["n_obs"]),
                "growth a year (%)": 100 * float(row["growth_rate"]) if estimated else float("nan"),
                "95 % interval, low (%)": 100 * float(row["growth_ci_low"]) if estimated else float("nan"),
                "95 % interval, high (%)": 100 * float(row["growth_ci_high"]) if estimated else float("nan"),
                "result": "estimated"
                if estimated
                else "no estimate (the fit did not converge)"
                if bool(row.get("estimated", False))
                else "no estimate (too few figures)",
            }
        )
    return pd.DataFrame(rows)


def count_trend(ctx: RunContext, title: str, candidates: Sequence[tuple[str, str]], key: str) -> Section:
    """Annual growth of a count in one sentence (negative binomial, which estimates the
    over-dispersion that large counts always have; Poisson alongside in the toggle). A series too
    short, printed only rounded, or whose fit does not converge gives one line saying why there is
    no estimate. See :mod:`analysis.models.trend`."""

    found = first_available(ctx, candidates)
    if found is None:
        return no_data(title, "No annual count series for a trend", candidates[0][0])
    indicator, category, series = found
    series = series[series["period"].astype(int) <= ctx.year]
    counts = pd.Series(series["value"].to_numpy(), index=series["period"].astype(int))
    srcs = sources_of(series)
    label = label_of(ctx, indicator).lower()
    first, last = int(counts.index.min()), int(counts.index.max())
    n_key = KeyFigure(f"{key}_n_years", int(len(counts)), "count", srcs)
    rounded = approximate_inputs(
        ctx.observations,
        point_codes(series, series["period"]),
        indicator,
        series["period"],
        category=category,
    )
    span = f"{label} ({first}–{last})"

    def no_estimate(why: str, details: pd.DataFrame | None = None) -> Section:
        return Section(
            title=title, sources=srcs, text=f"No trend estimate: {why}", key_figures=[n_key], details=details
        )

    if len(rounded) == len(counts):
        return no_estimate(f"every annual figure of {span} is printed rounded.")
    table = count_trends(counts)
    nb = table[table["model"] == "negative_binomial"].iloc[0]
    if not bool(nb.get("estimated", False)):
        too_few = f"{len(counts)} annual figures of {span} are too few; a trend needs at least {MIN_POINTS}."
        return no_estimate(too_few)
    if not bool(nb.get("converged", False)):
        return no_estimate(
            "the model (negative binomial, which estimates how much the counts scatter) did not converge "
            f"on the {len(counts)} annual figures of {span}.",
            model_table(table),
        )
    growth, low, high = float(nb["growth_rate"]), float(nb["growth_ci_low"]), float(nb["growth_ci_high"])
    text = trend_sentence(label, growth, low, high, first, last)
    if rounded:
        years = [m.group(1) for note in rounded if (m := re.search(r" ((?:19|20)\d{2}): ", note))]
        text += (
            f" {len(rounded)} of the {len(counts)} figures ({', '.join(years)}) are printed rounded, so the "
            f"interval understates the uncertainty."
        )
    return Section(
        title=title,
        text=text,
        details=model_table(table),
        sources=srcs,
        key_figures=[n_key, KeyFigure(f"{key}_growth_pct", round(100 * growth, 2), "percent", srcs)],
    )
