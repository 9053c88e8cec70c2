"""Annual sections: an indicator's series with the chapter year's value, and a breakdown by category.

May import :mod:`analysis.sections.base`, :mod:`analysis.series`, :mod:`analysis.present`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.observations.lineage import lineage
from analysis.observations.run import RunContext
from analysis.present import charts
from analysis.present.text import category_value_label, fmt, format_at_precision, format_number, with_category
from analysis.sections.base import (
    KeyFigure,
    Section,
    approximate_inputs,
    entity_series,
    first_available,
    fmt_result,
    label_of,
    no_data,
    point_codes,
    point_steps,
    set_aside_notes,
    sources_of,
)
from analysis.sections.derived import derived_indicator
from analysis.series.frame import series_caveats
from analysis.series.select import _decimals, propagated_step, usable


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
    if found is None and (derived := derived_indicator(ctx, title, candidates[0][0], key)) is not None:
        return derived  # a figure derived from published rates, marked so
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
    steps = point_steps(ctx, series, indicator, category)
    step = steps.get(str(ctx.year), 0.0)
    text = f"**{label}**, {ctx.entity_name}, {ctx.year}: **{fmt_result(value, unit, step)}**."
    previous = series[series["period"] == str(ctx.year - 1)]
    kfs = [KeyFigure(key, value, unit, tuple(point_sources))]
    if len(previous):
        before = float(previous["value"].iloc[0])
        change = value - before
        step_before = steps.get(str(ctx.year - 1), 0.0)
        # a change in a share is in percentage points (49,7 % → 53,2 %: +3,5 points), never in %
        change_unit = "percentage_points" if unit == "percent" else unit
        text += (
            f" In {ctx.year - 1}: {fmt_result(before, unit, step_before)} "
            f"(change {fmt_result(change, change_unit, step + step_before)}"
        )
        if before and unit != "percent":
            pct = 100 * change / before
            pct_step = propagated_step(lambda a, b: 100 * (a - b) / b, [value, before], [step, step_before])
            text += ", " + (
                format_at_precision(pct, "percent", pct_step) if pct_step else f"{format_number(pct, 1)} %"
            )
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
    notes = series_caveats(series) + sorted(set(harmonised))
    notes += approximate_inputs(
        ctx.observations,
        point_codes(series, series["period"]),
        indicator,
        series["period"],
        category=category,
        label=label,
    )
    notes += set_aside_notes(ctx, series, indicator, category, label)
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


def composition_rows(
    obs: pd.DataFrame, entities: pd.DataFrame, entity_code: str, year: int, indicator: str, dimension: str
) -> pd.DataFrame:
    """The parts of one breakdown for one entity and year: one table of one source, the entity's own.

    Rules (issue 12, "like with like"): only the entity's own codes are read — its code, or a code
    of the same territory valid that year (Bergen 1201 for 4601 in 2011), never a predecessor's or
    a neighbour's (:func:`analysis.observations.lineage.lineage`); suspect rows never. Of the tables
    found (rows of one source on one locator), the one with the most groups wins (ties: the
    entity's own code, then source and locator); a group the chosen table lacks is taken from the
    same source's other lines only (a table that wraps over lines), never from another source.
    Columns: group, value, unit, source_id, locator; empty when nothing is printed.
    """
    lin = lineage(entities, entity_code)
    codes = [entity_code] + [c for c in lin.codes_for_year(year) if c != entity_code]
    obs = usable(obs)
    rows = obs[
        obs["entity_code"].isin(codes)
        & (obs["indicator"] == indicator)
        & obs["category"].str.fullmatch(rf"{dimension}=[^;]+")
        & (obs["period"] == str(year))
        & (obs["status"] == "actual")
    ]
    columns = ["group", "value", "unit", "source_id", "locator"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(
        group=rows["category"].str.split("=", n=1).str[1], own=rows["entity_code"] != entity_code
    )
    tables = rows.groupby(["own", "source_id", "locator"])["group"].nunique().reset_index()
    tables = tables.sort_values(["group", "own", "source_id", "locator"], ascending=[False, True, True, True])
    best = tables.iloc[0]
    same_source = rows[(rows["source_id"] == best["source_id"]) & (rows["own"] == best["own"])]
    # the chosen table's rows first, then the same source's other lines; a preferred printing first
    ordered = same_source.assign(
        other_line=same_source["locator"] != best["locator"], not_preferred=~same_source["preferred"]
    ).sort_values(["other_line", "not_preferred"], kind="stable")
    return ordered.drop_duplicates("group").sort_index()[columns].reset_index(drop=True)  # file order


def _printed_total(obs: pd.DataFrame, parts: pd.DataFrame, entity_code: str, year: int, indicator: str,
                   dimension: str) -> float | None:  # fmt: skip
    """The total the parts' table prints (category ``breakdown=<dim>``, or 100 for percent shares)."""
    if parts["unit"].iloc[0] == "percent":
        return 100.0
    total = usable(obs)
    total = total[
        (total["entity_code"] == entity_code)
        & (total["indicator"] == indicator)
        & (total["period"] == str(year))
        & (total["category"] == f"breakdown={dimension}")
        & (total["source_id"] == parts["source_id"].iloc[0])
    ]
    return float(total["value"].iloc[0]) if len(total) else None


def composition(ctx: RunContext, title: str, indicator: str, dimension: str, key: str) -> Section:
    """The breakdown of ``indicator`` by one category dimension (e.g. ``age``) in the chapter year.

    The parts come from :func:`composition_rows` (one table of one source, the entity's own rows).
    One group is not a breakdown (missing). When the parts do not add up to the printed total
    (100 % for shares) within the rounding of their printed digits, the section says so and
    shows the parts as a table, not as a composition chart.
    """
    label = f"{label_of(ctx, indicator)} by {dimension.replace('_', ' ')}"
    table = composition_rows(
        ctx.observations, ctx.dataset.entities, ctx.entity_code, ctx.year, indicator, dimension
    )
    table = table.assign(group=[category_value_label(dimension, g) for g in table["group"]])  # in words
    if len(table) < 2:
        what = f"No breakdown of {label[:1].lower()}{label[1:]} in {ctx.year}"
        if len(table) == 1:
            only = table.iloc[0]
            what += (
                f": the source prints one group only ({only['group']}: {fmt(only['value'], only['unit'])})"
            )
        return no_data(title, what, indicator)
    unit = table["unit"].iloc[0]
    srcs = tuple(sorted(set(table["source_id"])))
    largest = table.loc[table["value"].idxmax()]
    summed = float(table["value"].sum())
    total = _printed_total(ctx.observations, table, ctx.entity_code, ctx.year, indicator, dimension)
    slack = sum(0.5 * 10.0 ** -_decimals(v) for v in table["value"]) if total is not None else 0.0
    adds_up = total is None or abs(summed - total) <= slack + 1e-9
    text = (
        f"{label}, {ctx.year}: {len(table)} groups in one table ({srcs[0]}, {table['locator'].iloc[0]}); "
        f"the largest is *{largest['group']}* with {fmt(largest['value'], unit)}."
    )
    if not adds_up:
        text += (
            f" The parts sum to {fmt(summed, unit)}, not the {fmt(total, unit)} of the whole, so they are "
            "not a complete breakdown (the source prints only some groups, or its parts do not add up); "
            "no composition is charted."
        )
    section = Section(
        title=title,
        text=text,
        table=table,
        sources=srcs,
        key_figures=[KeyFigure(key, int(len(table)), "count", srcs)],
    )
    if adds_up and table["unit"].nunique() == 1:
        bars = table.assign(
            period=str(ctx.year), entity=ctx.entity_name, source_ids=[(s,) for s in table["source_id"]]
        )
        fig, alt = charts.grouped_bar_chart(
            bars,
            x="group",
            hue="period",
            unit=unit,
            title=f"{label}, {ctx.entity_name} {ctx.year}",
            sources=ctx.dataset.sources,
            source_ids=srcs,
        )
        section.figure, section.alt_text = fig, alt
        section.caption = f"{label}, {ctx.year}."
    return section
