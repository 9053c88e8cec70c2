"""Annual sections: an indicator's series with the chapter year's value, and a breakdown by category.

May import :mod:`analysis.sections.base`, :mod:`analysis.series`, :mod:`analysis.present`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.observations.run import RunContext
from analysis.present import charts
from analysis.present.text import category_value_label, fmt, format_number, with_category
from analysis.sections.base import (
    KeyFigure,
    Section,
    entity_codes,
    entity_series,
    first_available,
    label_of,
    no_data,
    point_codes,
    sources_of,
)
from analysis.series.select import approximate_inputs


def annual_indicator(
    ctx: RunContext,
    title: str,
    candidates: Sequence[tuple[str, str]],
    key: str,
    *,
    extra_status: Iterable[str] = (),
) -> Section:
    """An annual series (first candidate with data in the chapter year), a chart and the year's value."""
    found = first_available(ctx, candidates, years=[ctx.year])
    if found is None:
        names = " or ".join(with_category(label_of(ctx, i), c) for i, c in candidates)
        return no_data(title, f"No figure for {names} in {ctx.year}", candidates[0][0])
    indicator, category, series = found
    frames = [series]
    for status in extra_status:
        extra = entity_series(ctx, indicator, category=category, status=status, unit=series["unit"].iloc[0])
        if len(extra):
            frames.append(extra)
    data = pd.concat(frames, ignore_index=True)
    unit = series["unit"].iloc[0]
    value = float(series.loc[series["period"] == str(ctx.year), "value"].iloc[0])
    point_sources = series.loc[series["period"] == str(ctx.year), "source_ids"].iloc[0]
    label = with_category(label_of(ctx, indicator), category)
    text = f"**{label}**, {ctx.entity_name}, {ctx.year}: **{fmt(value, unit)}**."
    previous = series[series["period"] == str(ctx.year - 1)]
    kfs = [KeyFigure(key, value, unit, tuple(point_sources))]
    if len(previous):
        before = float(previous["value"].iloc[0])
        change = value - before
        text += f" In {ctx.year - 1}: {fmt(before, unit)} (change {fmt(change, unit)}"
        if before:
            pct = 100 * change / before
            text += f", {format_number(pct, 1)} %"
            kfs.append(
                KeyFigure(
                    f"{key}_change_pct",
                    round(pct, 1),
                    "percent",
                    tuple(sorted(set(point_sources) | set(previous["source_ids"].iloc[0]))),
                )
            )
        text += ")."
    harmonised = series.loc[series["harmonisation"] != "", "harmonisation"]
    notes = list(series.attrs.get("caveats", [])) + sorted(set(harmonised))
    notes += approximate_inputs(
        ctx.observations,
        point_codes(series, series["period"]),
        indicator,
        series["period"],
        category=category,
        label=label,
    )
    section = Section(
        title=title,
        text=text,
        sources=sources_of(data),
        key_figures=kfs,
        notes=notes,
        table=_series_table(data),
    )
    if data["period"].nunique() >= 3:  # two points are a table, not a line (issue 12)
        fig, alt = charts.annual_line_chart(
            data.assign(entity_code=ctx.entity_name),
            title=f"{label}\n{ctx.entity_name}",
            unit=unit,
            sources=ctx.dataset.sources,
            source_ids=section.sources,
        )
        section.figure, section.alt_text = fig, alt
        section.caption = f"{label}, {ctx.entity_name}, {data['period'].min()}–{data['period'].max()}."
    return section


def _series_table(data: pd.DataFrame) -> pd.DataFrame:
    table = data[["period", "status", "value", "unit", "source_ids"]].copy()
    table["source_ids"] = table["source_ids"].map(", ".join)
    return (
        table.rename(columns={"source_ids": "sources"})
        .sort_values(["status", "period"])
        .reset_index(drop=True)
    )


def composition(ctx: RunContext, title: str, indicator: str, dimension: str, key: str) -> Section:
    """The breakdown of ``indicator`` by one category dimension (e.g. ``age``) in the chapter year."""
    obs = ctx.observations
    rows = obs[
        obs["entity_code"].isin(entity_codes(ctx))
        & (obs["indicator"] == indicator)
        & obs["category"].str.fullmatch(rf"{dimension}=[^;]+")
        & (obs["period"] == str(ctx.year))
        & (obs["status"] == "actual")
        & obs["preferred"]
    ]
    if rows.empty:
        return no_data(
            title,
            f"No breakdown of {label_of(ctx, indicator).lower()} by {dimension} in {ctx.year}",
            indicator,
        )
    table = (
        rows.assign(group=[category_value_label(dimension, c.split("=", 1)[1]) for c in rows["category"]])[
            ["group", "value", "unit", "source_id", "locator"]
        ]
        .drop_duplicates("group")
        .reset_index(drop=True)
    )
    unit = table["unit"].iloc[0]
    largest = table.loc[table["value"].idxmax()]
    srcs = tuple(sorted(set(table["source_id"])))
    by = dimension.replace("_", " ")
    text = (
        f"{label_of(ctx, indicator)} by {by}, {ctx.year}: {len(table)} groups; "
        f"the largest is *{largest['group']}* with {fmt(largest['value'], unit)}."
    )
    section = Section(
        title=title,
        text=text,
        table=table,
        sources=srcs,
        key_figures=[KeyFigure(key, int(len(table)), "count", srcs)],
    )
    if len(table) >= 2 and table["unit"].nunique() == 1:
        bars = table.assign(
            period=str(ctx.year), entity=ctx.entity_name, source_ids=[(s,) for s in table["source_id"]]
        )
        fig, alt = charts.grouped_bar_chart(
            bars,
            x="group",
            hue="period",
            unit=unit,
            title=f"{label_of(ctx, indicator)} by {by}, {ctx.entity_name} {ctx.year}",
            sources=ctx.dataset.sources,
            source_ids=srcs,
        )
        section.figure, section.alt_text = fig, alt
        section.caption = f"{label_of(ctx, indicator)} by {by}, {ctx.year}."
    return section
