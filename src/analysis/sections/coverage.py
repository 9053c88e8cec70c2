"""Every annual series of an entity at a glance: one small chart per series and a table of the years
each covers, with the years inside its span that no stored source prints.

May import :mod:`analysis.sections.base`, :mod:`analysis.series`, :mod:`analysis.present`.
"""

from __future__ import annotations

import pandas as pd

from analysis.observations.run import RunContext
from analysis.present import charts
from analysis.present.text import unit_label
from analysis.schema import NATIONAL_CODE
from analysis.sections.base import (
    KeyFigure,
    Section,
    entity_codes,
    entity_series,
    label_of,
    sources_of,
)

CHANGE_SUFFIXES = ("_change", "_change_pct", "_decrease")  # published changes, not levels


def annual_level_series(ctx: RunContext) -> list[tuple[str, str]]:
    """(indicator, category) of the country's annual level series with two or more years up to
    the chapter year (actual figures; printed changes left out). Only for the whole country, whose
    chapter shows every national series at a glance; a municipality's or district's series (a
    hundred or more, most of two years) are shown section by section on its pages."""
    if ctx.entity_code != NATIONAL_CODE:
        return []
    obs = ctx.observations
    rows = obs[
        obs["entity_code"].isin(entity_codes(ctx))
        & (obs["period"].str.len() == 4)
        & (obs["status"] == "actual")
        & obs["preferred"]
        & ~obs["indicator"].str.endswith(CHANGE_SUFFIXES)
    ]
    rows = rows[rows["period"].astype(int) <= ctx.year]
    years = rows.groupby(["indicator", "category"])["period"].nunique()
    return sorted(k for k, n in years.items() if n >= 2)


def _category_words(category: str) -> str:
    """``main_income=social_assistance`` → ``main income: social assistance``."""
    parts = [p.split("=", 1) for p in category.split(";") if "=" in p]
    return "; ".join(f"{k.replace('_', ' ')}: {v.replace('_', ' ')}" for k, v in parts)


def _span_gaps(years: list[int]) -> str:
    gaps = [y for y in range(years[0], years[-1] + 1) if y not in set(years)]
    return ", ".join(map(str, gaps)) if gaps else "none"


def annual_series_overview(ctx: RunContext, title: str, key: str) -> Section:
    """One small chart per annual series and one table: years covered and years missing."""
    panels: list[tuple[str, pd.DataFrame, str]] = []
    rows = []
    sources: set[str] = set()
    for indicator, category in annual_level_series(ctx):
        try:
            series = entity_series(ctx, indicator, category=category)
        except (RuntimeError, ValueError):  # mixed units that cannot be converted: left out, said below
            continue
        series = series[series["period"].astype(int) <= ctx.year]
        if series["period"].nunique() < 2 or series["unit"].nunique() != 1:
            continue
        label = label_of(ctx, indicator) + (f" ({_category_words(category)})" if category else "")
        unit = str(series["unit"].iloc[0])
        years = sorted(int(p) for p in series["period"])
        panels.append((label, series, unit))
        sources.update(sources_of(series))
        rows.append(
            {
                "series": label,
                "unit": unit_label(unit),
                "years with a figure": f"{len(years)} ({years[0]}–{years[-1]})",
                "years without a figure": _span_gaps(years),
            }
        )
    if not panels:
        return Section(title=title, missing=f"No annual series with two or more years up to {ctx.year}")
    srcs = tuple(sorted(sources))
    table = pd.DataFrame(rows)
    gappy = int((table["years without a figure"] != "none").sum())
    text = (
        f"{len(panels)} annual series of {ctx.entity_name} have figures for two or more years up to "
        f"{ctx.year}. {gappy} of them have years without a figure inside their span: no stored "
        f"source prints those years (the sources are annual reports and press releases that give the "
        f"latest year and a few earlier ones; the SSB tables that hold every year are not in this "
        f"snapshot)."
    )
    fig, alt = charts.small_multiples_chart(
        panels, title=f"Annual series, {ctx.entity_name}", sources=ctx.dataset.sources, source_ids=srcs
    )
    return Section(
        title=title,
        text=text,
        table=table,
        figure=fig,
        alt_text=alt,
        caption=f"Every annual series of {ctx.entity_name} with two or more years, up to {ctx.year}.",
        sources=srcs,
        key_figures=[
            KeyFigure(f"{key}_n", len(panels), "count", srcs),
            KeyFigure(f"{key}_with_gaps", gappy, "count", srcs),
        ],
    )
