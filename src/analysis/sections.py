"""Report sections: what a notebook shows for one entity and year, computed here, displayed there.

Each function takes a :class:`analysis.report.RunContext` and returns a :class:`Section` — text,
an optional table and figure (with alt text and caption), the key figures to glue and the sources
behind them — or a section whose ``missing`` note says what is absent and which source would supply
it. Notebooks only call these and display the result (``analysis.report.show``), so every number in
the book's prose is computed here from ``data/``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis import budget, figures
from analysis.breaks import InsufficientDataError, fit_its, scan_breaks
from analysis.compare import compare_entities, comparison_caveats, like_with_like
from analysis.decomposition import decompose_payout_change
from analysis.report import UNIT_LABELS, RunContext
from analysis.series import (
    SeriesConflictError,
    _decimals,
    approximate_inputs,
    harmonised_series,
    lineage,
    propagated_step,
    rounded_inputs,
    select_series,
    suspect_rows,
    usable,
)

# Where a missing figure would come from: by indicator prefix, the most specific first.
SUPPLIERS: tuple[tuple[str, str], ...] = (
    (
        "sa_payout",
        "SSB table 13995 (2022–) or 12210/12203 (2015–2021), or the municipality's annual "
        "report; `python -m analysis fetch-ssb` fetches the SSB tables.",
    ),
    (
        "sa_",
        "SSB table 13995 (cases, 2022–) or the closed KOSTRA tables 12210/12203 (2015–2021), or the "
        "municipality's annual report; `python -m analysis fetch-ssb` fetches the SSB tables.",
    ),
    (
        "kvp_",
        "NAV's qualification-programme statistics or the municipality's annual report; no SSB table "
        "id was confirmed here (see shared/docs/ssb-api.md).",
    ),
    ("intro_", "IMDi / SSB introduction-programme statistics or the municipality's annual report."),
    ("exp_", "SSB table 12362 (KOSTRA expenditure by function) or the municipality's accounts."),
    ("budget_", "the municipality's or district's annual report (budget vs accounts by function)."),
    ("cpi", "SSB table 03014 (annual average CPI, 2015=100)."),
)


def supplier(indicator: str) -> str:
    """Which source would supply a missing ``indicator`` (by id prefix), for the missing-data notes."""
    for prefix, text in SUPPLIERS:
        if indicator.startswith(prefix):
            return text
    return "a published source for this indicator (see data/CURATION.md to add one)."


@dataclass(frozen=True)
class KeyFigure:
    """A value to glue and record: key, value, unit and the source ids behind it."""

    key: str
    value: Any
    unit: str
    sources: tuple[str, ...]


@dataclass
class Section:
    """What a notebook displays for one question; ``missing`` non-empty means no data."""

    title: str
    text: str = ""
    table: pd.DataFrame | None = None
    figure: Figure | None = None
    alt_text: str = ""
    caption: str = ""
    sources: tuple[str, ...] = ()
    key_figures: list[KeyFigure] = field(default_factory=list)
    missing: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return not self.missing


def fmt(value: float, unit: str = "", decimals: int | None = None) -> str:
    """A number for prose, Norwegian style (``1 657``; ``10,5``) with a readable unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "p-value":
        return figures.format_number(float(value), 3)
    if unit == "year":
        return str(int(value))
    if decimals is None:
        decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 1
    text = figures.format_number(float(value), decimals)
    suffix = figures.PROSE_UNITS.get(unit, f" {unit}" if unit and unit not in {"count", "text"} else "")
    return text + suffix


def _sources(frame: pd.DataFrame) -> tuple[str, ...]:
    ids: set[str] = set()
    for item in frame.get("source_ids", []):
        ids.update(item)
    return tuple(sorted(ids))


def _point_codes(frame: pd.DataFrame, years: Iterable[int]) -> set[str]:
    """The entity codes whose rows make up the points of ``frame`` in ``years``."""
    wanted = {str(y) for y in years}
    return {
        c
        for period, codes in zip(frame["period"], frame["codes"], strict=True)
        if period in wanted
        for c in codes
    }


def point_steps(
    ctx: RunContext, frame: pd.DataFrame, indicator: str, category: str = "", status: str = "actual"
) -> dict[str, float]:
    """{period: printed step in the frame's unit} for the points of ``frame`` printed rounded or as a
    bound (:func:`analysis.series.rounded_inputs`); exact points are absent (step 0)."""
    if not len(frame):
        return {}
    unit = str(frame["unit"].iloc[0])
    found = rounded_inputs(
        ctx.observations, _point_codes(frame, frame["period"]), indicator, frame["period"],
        category=category, status=status,
    )  # fmt: skip
    return {r.period: r.step_in(unit) for r in found}


def set_aside_notes(
    ctx: RunContext, series: pd.DataFrame, indicator: str, category: str, label: str
) -> list[str]:
    """One line per ``suspect`` row of this series' codes (up to the chapter year): the value as
    printed, where, and why no calculation uses it (:func:`analysis.series.suspect_rows`)."""
    codes = set(_point_codes(series, series["period"])) | {ctx.entity_code}
    rows = suspect_rows(ctx.observations, codes)
    rows = rows[
        (rows["indicator"] == indicator)
        & (rows["category"] == category)
        & (rows["period"].str[:4].astype(int) <= ctx.year)
    ]
    return [
        f"{label} {r.period}: {fmt(r.value, r.unit)} as printed ({r.source_id}, {r.locator}) is set aside "
        f"and used in no calculation — {r.reason}"
        for r in rows.itertuples()
    ]


def fmt_result(value: float, unit: str, step: float) -> str:
    """:func:`fmt` for exact results; at the precision of the inputs when ``step`` > 0
    (:func:`analysis.figures.format_at_precision`: "about 7,4 billion kr")."""
    return figures.format_at_precision(float(value), unit, step) if step else fmt(value, unit)


def _label(ctx: RunContext, indicator: str) -> str:
    try:
        return str(ctx.dataset.indicator_row(indicator)["label_en"])
    except KeyError:
        return indicator


def _missing(title: str, what: str, indicator: str) -> Section:
    return Section(title=title, missing=f"{what}. It would come from {supplier(indicator)}")


def entity_series(
    ctx: RunContext,
    indicator: str,
    *,
    category: str = "",
    status: str = "actual",
    unit: str | None = None,
    frequency: str = "annual",
) -> pd.DataFrame:
    """The entity's series across code changes; empty (not an error) when nothing is printed."""
    try:
        frame = harmonised_series(
            ctx.observations,
            ctx.dataset.entities,
            ctx.entity_code,
            indicator,
            category=category,
            status=status,
            unit=unit,
            frequency=frequency,
        )
    except SeriesConflictError as exc:  # pragma: no cover - validate forbids conflicting preferred rows
        raise RuntimeError(str(exc)) from exc
    return frame[frame["missing_reason"] == ""] if len(frame) else frame


def first_available(
    ctx: RunContext, candidates: Sequence[tuple[str, str]], status: str = "actual", years: Iterable[int] = ()
) -> tuple[str, str, pd.DataFrame] | None:
    """The first (indicator, category) with data (in every one of ``years`` if given), with its series."""
    needed = {str(y) for y in years}
    for indicator, category in candidates:
        frame = entity_series(ctx, indicator, category=category, status=status)
        if len(frame) and needed <= set(frame["period"]):
            return indicator, category, frame
    return None


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
        names = " or ".join(f"{_label(ctx, i)}{f' ({c})' if c else ''}" for i, c in candidates)
        return _missing(title, f"No figure for {names} in {ctx.year}", candidates[0][0])
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
    label = _label(ctx, indicator) + (f" ({category})" if category else "")
    steps = point_steps(ctx, series, indicator, category)
    step = steps.get(str(ctx.year), 0.0)
    text = f"**{label}**, {ctx.entity_name}, {ctx.year}: **{fmt_result(value, unit, step)}**."
    previous = series[series["period"] == str(ctx.year - 1)]
    kfs = [KeyFigure(key, value, unit, tuple(point_sources))]
    if len(previous):
        before = float(previous["value"].iloc[0])
        change = value - before
        step_before = steps.get(str(ctx.year - 1), 0.0)
        text += (
            f" In {ctx.year - 1}: {fmt_result(before, unit, step_before)} "
            f"(change {fmt_result(change, unit, step + step_before)}"
        )
        if before:
            pct = 100 * change / before
            pct_step = propagated_step(lambda a, b: 100 * (a - b) / b, [value, before], [step, step_before])
            text += ", " + (
                figures.format_at_precision(pct, "percent", pct_step)
                if pct_step
                else f"{figures.format_number(pct, 1)} %"
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
    notes = list(series.attrs.get("caveats", [])) + sorted(set(harmonised))
    notes += approximate_inputs(
        ctx.observations,
        _point_codes(series, series["period"]),
        indicator,
        series["period"],
        category=category,
        label=label,
    )
    notes += set_aside_notes(ctx, series, indicator, category, label)
    section = Section(
        title=title,
        text=text,
        sources=_sources(data),
        key_figures=kfs,
        notes=notes,
        table=_series_table(data),
    )
    if data["period"].nunique() >= 2:
        fig, alt = figures.annual_line_chart(
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

    Rules (issue 12, "like with like"): only the entity's own codes are read — its code, or a code of
    the same territory valid that year (Bergen 1201 for 4601 in 2011), never a predecessor's or a
    neighbour's (:func:`analysis.series.lineage`); suspect rows never. Of the tables found (rows of
    one source on one locator), the one with the most groups wins (ties: the entity's own code, then
    source and locator); a group the chosen table lacks is taken from the same source's other lines
    only (a table that wraps over lines), never from another source. Columns: group, value, unit,
    source_id, locator; empty when nothing is printed.
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
    label = f"{_label(ctx, indicator)} by {dimension.replace('_', ' ')}"
    table = composition_rows(
        ctx.observations, ctx.dataset.entities, ctx.entity_code, ctx.year, indicator, dimension
    )
    if len(table) < 2:
        what = (
            f"No breakdown of {_label(ctx, indicator).lower()} by {dimension.replace('_', ' ')} in {ctx.year}"
        )
        if len(table) == 1:
            only = table.iloc[0]
            what += (
                f": the source prints one group only ({only['group']}: {fmt(only['value'], only['unit'])})"
            )
        return _missing(title, what, indicator)
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
        fig, alt = figures.grouped_bar_chart(
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


def monthly(ctx: RunContext, title: str, indicator: str, key: str) -> Section:
    """Monthly values of the chapter year and the year before, side by side."""
    series = entity_series(ctx, indicator, frequency="monthly")
    years = (
        [y for y in (ctx.year - 1, ctx.year) if any(series["period"].str.startswith(str(y)))]
        if len(series)
        else []
    )
    if not years:
        return _missing(
            title,
            f"No monthly figures for {_label(ctx, indicator).lower()} in {ctx.year - 1}–{ctx.year}",
            indicator,
        )
    data = series[series["period"].str[:4].isin([str(y) for y in years])]
    unit = data["unit"].iloc[0]
    srcs = _sources(data)
    fig, alt = figures.monthly_chart(
        data,
        years=years,
        title=f"{_label(ctx, indicator)} by month\n{ctx.entity_name}",
        unit=unit,
        sources=ctx.dataset.sources,
        source_ids=srcs,
    )
    this = data[data["period"].str.startswith(str(ctx.year))]
    kfs = [KeyFigure(f"{key}_months", int(len(this)), "count", srcs)]
    text = f"{len(data)} monthly figures for {', '.join(map(str, years))}."
    if len(this):
        peak = this.loc[this["value"].idxmax()]
        text += f" The highest month of {ctx.year} is {peak['period']} with {fmt(peak['value'], unit)}."
        kfs.append(KeyFigure(f"{key}_peak", float(peak["value"]), unit, srcs))
    return Section(
        title=title,
        text=text,
        figure=fig,
        alt_text=alt,
        sources=srcs,
        key_figures=kfs,
        caption=f"{_label(ctx, indicator)} by month, {' and '.join(map(str, years))}.",
        table=_monthly_table(data),
    )


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _monthly_table(data: pd.DataFrame) -> pd.DataFrame:
    """Months as rows, years as columns (the unit is in the chart and the text), plus the year total
    of the months shown."""
    frame = data.assign(year=data["period"].str[:4], month=data["period"].str[5:7].astype(int))
    table = frame.pivot_table(index="month", columns="year", values="value", aggfunc="first")
    table.index = [MONTHS[m - 1] for m in table.index]
    table.loc["Sum of months"] = table.sum(min_count=1)
    unit = UNIT_LABELS.get(data["unit"].iloc[0], data["unit"].iloc[0])
    table.columns = [f"{c} ({unit})" for c in table.columns]
    return table.rename_axis("month").reset_index()


def budget_vs_accounts(ctx: RunContext, title: str, function: str, key: str) -> Section:
    """Original budget, revised budget and accounts for one KOSTRA function, with the deviation."""
    category = f"function={function}"
    values: dict[str, tuple[float, str, tuple[str, ...]]] = {}
    for status in ("budget", "revised_budget", "actual"):
        s = entity_series(ctx, "exp_net_operating", category=category, status=status, unit="NOK_1000")
        s = s[s["period"] == str(ctx.year)]
        if len(s):
            values[status] = (float(s["value"].iloc[0]), "NOK_1000", tuple(s["source_ids"].iloc[0]))
    if "actual" not in values or ("revised_budget" not in values and "budget" not in values):
        return _missing(title, f"No budget and accounts for function {function} in {ctx.year}", "budget_")
    basis = "revised_budget" if "revised_budget" in values else "budget"
    planned, _, s1 = values[basis]
    actual, _, s2 = values["actual"]
    srcs = tuple(sorted(set(s1) | set(s2)))
    deviation = budget.budget_deviation(planned, actual)
    share = budget.overspend_share(planned, actual)
    names = {"budget": "original budget", "revised_budget": "revised budget", "actual": "accounts"}
    table = pd.DataFrame(
        [{"item": names[k], "value_nok_1000": v[0], "sources": ", ".join(v[2])} for k, v in values.items()]
    )
    text = (
        f"Function {function}, {ctx.year}: {names[basis]} {fmt(planned, 'NOK_1000')}, accounts "
        f"{fmt(actual, 'NOK_1000')}; deviation (budget − accounts) {fmt(deviation, 'NOK_1000')}"
        f" ({figures.format_number(100 * share, 1)} % {'over' if deviation < 0 else 'under'} budget)."
    )
    kfs = [
        KeyFigure(f"{key}_accounts", actual, "NOK_1000", s2),
        KeyFigure(f"{key}_budget", planned, "NOK_1000", s1),
        KeyFigure(f"{key}_deviation", deviation, "NOK_1000", srcs),
        KeyFigure(f"{key}_overspend", -deviation, "NOK_1000", srcs),
        KeyFigure(f"{key}_overspend_pct", round(100 * share, 1), "percent", srcs),
    ]
    return Section(title=title, text=text, table=table, sources=srcs, key_figures=kfs)


def price_ratio(ctx: RunContext, year_from: int, year_to: int) -> tuple[float, tuple[str, ...], str] | None:
    """CPI(year_to) / CPI(year_from): from the two annual index levels when both are curated, else
    chained from the published annual changes, Π (1 + c_t / 100) for t in (year_from, year_to].

    The decomposition needs only this ratio, so a published change (e.g. "KPI økte 5,5 prosent")
    serves as well as two index levels; changes are printed to one decimal, which bounds the
    rounding error of the ratio at about ±0.05 % a year. Returns None when neither is available.
    """
    levels = cpi_levels(ctx)
    have = (
        dict(
            zip(
                levels["period"],
                zip(levels["value"], levels["source_ids"], levels["harmonisation"], strict=True),
                strict=True,
            )
        )
        if len(levels)
        else {}
    )
    if str(year_from) in have and str(year_to) in have:
        (v0, s0, h0), (v1, s1, h1) = have[str(year_from)], have[str(year_to)]
        how = f"CPI {year_to} / CPI {year_from} (2015=100)"
        chained = [h for h in (h0, h1) if h]
        if chained:
            how += " with " + "; ".join(chained)
        return v1 / v0, tuple(sorted(set(s0) | set(s1))), how
    changes = select_series(ctx.observations, "EAK", "cpi_change")
    by_year = dict(
        zip(changes["period"], zip(changes["value"], changes["source_ids"], strict=True), strict=True)
    )
    years = [str(y) for y in range(year_from + 1, year_to + 1)]
    if not years or any(y not in by_year for y in years):
        return None
    ratio = 1.0
    srcs: set[str] = set()
    for y in years:
        ratio *= 1 + by_year[y][0] / 100
        srcs.update(by_year[y][1])
    how = "chained published annual CPI changes " + ", ".join(
        f"{y}: {fmt(by_year[y][0], 'percent')}" for y in years
    )
    return ratio, tuple(sorted(srcs)), how


def payout_decomposition(ctx: RunContext, title: str, year_from: int, year_to: int, key: str) -> Section:
    """LMDI decomposition of the change in gross payouts into volume, real payment and inflation.

    V = R × (V / (R·P)) × P with R recipients (or KOSTRA cases, or monthly average recipients — the
    first the entity has for both years) and P the CPI;
    see :func:`analysis.decomposition.decompose_payout_change`.
    """
    payout = entity_series(ctx, "sa_payout_gross", unit="NOK_1000")
    volume = first_available(
        ctx,
        [("sa_recipients", ""), ("sa_cases", ""), ("sa_recipients_monthly_avg", ""), ("sa_active_cases", "")],
        years=[year_from, year_to],
    )
    prices = price_ratio(ctx, year_from, year_to)
    need = [
        f"gross payouts {y}"
        for y in (year_from, year_to)
        if not len(payout) or str(y) not in set(payout["period"])
    ]
    if volume is None:
        need.append(f"a count of recipients for both {year_from} and {year_to}")
    if prices is None:
        need.append(f"CPI for {year_from} and {year_to} (or the published annual CPI change)")
    if need:
        return _missing(
            title,
            f"The decomposition {year_from}→{year_to} needs " + ", ".join(need),
            "sa_payout" if any("payout" in n for n in need) else ("sa_" if volume is None else "cpi"),
        )
    assert volume is not None and prices is not None
    ratio, price_sources, how = prices

    def at(frame: pd.DataFrame, y: int) -> float:
        return float(frame.loc[frame["period"] == str(y), "value"].iloc[0])

    result = decompose_payout_change(
        at(payout, year_from),
        at(payout, year_to),
        at(volume[2], year_from),
        at(volume[2], year_to),
        1.0,
        ratio,
    )
    srcs = tuple(sorted(set(_sources(payout)) | set(_sources(volume[2])) | set(price_sources)))
    # how far each result moves with the rounded inputs (exact inputs: 0), to print it at their precision
    inputs = [at(payout, year_from), at(payout, year_to), at(volume[2], year_from), at(volume[2], year_to)]
    pay_steps = point_steps(ctx, payout, "sa_payout_gross")
    vol_steps = point_steps(ctx, volume[2], volume[0], volume[1])
    input_steps = [pay_steps.get(str(year_from), 0.0), pay_steps.get(str(year_to), 0.0),
                   vol_steps.get(str(year_from), 0.0), vol_steps.get(str(year_to), 0.0)]  # fmt: skip
    steps = {
        k: propagated_step(
            lambda v0, v1, r0, r1, k=k: decompose_payout_change(v0, v1, r0, r1, 1.0, ratio).contributions[k],
            inputs,
            input_steps,
        )
        for k in result.contributions
    }
    total_step = input_steps[0] + input_steps[1]
    names = {
        "volume": "more recipients (volume)",
        "real_payment": "more per recipient in real terms",
        "inflation": "inflation (CPI)",
    }
    contributions = [(names.get(k, k), v, steps[k]) for k, v in result.contributions.items()]
    chart_names = {
        "volume": "Volume\n(recipients)",
        "real_payment": "Real payment\nper recipient",
        "inflation": "Inflation\n(CPI)",
    }
    fig, alt = figures.waterfall_chart(
        [
            (chart_names.get(k, k), v) for k, v in result.contributions.items()
        ],  # exact: they sum to the end bar
        title=f"Change in gross payouts {year_from}→{year_to}\n{ctx.entity_name}",
        start=(str(year_from), at(payout, year_from)),
        end_label=str(year_to),
        unit="NOK_1000",
        sources=ctx.dataset.sources,
        source_ids=srcs,
    )
    total = result.total_change
    parts = (
        "; ".join(
            f"{label} {fmt_result(v, 'NOK_1000', step)} ({figures.format_number(100 * v / total, 0)} %)"
            for label, v, step in contributions
        )
        if total
        else ""
    )
    v0, v1, r0, r1 = (
        fmt_result(v, u, st)
        for v, u, st in zip(inputs, ["NOK_1000"] * 2 + [""] * 2, input_steps, strict=True)
    )
    text = (
        f"Gross payouts changed by **{fmt_result(total, 'NOK_1000', total_step)}** from {year_from} to "
        f"{year_to} ({v0} → {v1}). Exact LMDI decomposition: {parts}. Volume is measured by "
        f"{_label(ctx, volume[0]).lower()} ({r0} → {r1}); prices by {how} "
        f"(ratio {figures.format_number(ratio, 4)})."
    )
    kfs = [
        KeyFigure(f"{key}_year_from", year_from, "year", srcs),
        KeyFigure(f"{key}_year_to", year_to, "year", srcs),
        KeyFigure(f"{key}_total", total, "NOK_1000", srcs),
        KeyFigure(f"{key}_price_ratio", round(ratio, 6), "ratio", tuple(price_sources)),
    ] + [KeyFigure(f"{key}_{k}", v, "NOK_1000", srcs) for k, v in result.contributions.items()]
    kfs += [
        KeyFigure(f"{key}_{k}_pct", round(100 * v / total, 1), "percent", srcs)
        for k, v in result.contributions.items()
        if total
    ]
    table = pd.DataFrame(
        {
            "component": [c for c, _, _ in contributions],
            "contribution_nok_1000": [figures.round_to_step(v, step) for _, v, step in contributions],
        }
    )
    years = (year_from, year_to)
    rounded = [
        note
        for frame, indicator, category in ((payout, "sa_payout_gross", ""), (volume[2], volume[0], volume[1]))
        for note in approximate_inputs(
            ctx.observations,
            _point_codes(frame, years),
            indicator,
            map(str, years),
            category=category,
            label=_label(ctx, indicator),
        )
    ]
    if rounded:
        text += (
            " Some inputs are printed rounded (below), so the results are given at the precision of the "
            "least precise of them."
        )
    return Section(
        title=title,
        text=text,
        table=table,
        figure=fig,
        alt_text=alt,
        sources=srcs,
        key_figures=kfs,
        caption=f"Decomposition of the change in gross payouts, {year_from}–{year_to}.",
        notes=rounded,
    )


def baseline_decomposition(
    ctx: RunContext, key: str, last_base_year: int = 2021, *, exact: bool = False
) -> Section:
    """The decomposition from the latest pre-surge year with the needed figures (≤ ``last_base_year``)
    to the chapter year: how the whole surge splits into volume, real payment and inflation.

    With ``exact=True`` only base years whose inputs are all printed exactly count (no rounded
    figure, see :func:`analysis.series.approximate_inputs`); when the plain baseline is exact already,
    the section is missing and says so, so that a notebook can show both without repeating one.
    """
    heading = f"Since before the surge{' (exact figures)' if exact else ''}"
    title = f"{heading}: up to {ctx.year}"
    if ctx.year <= last_base_year:
        return Section(
            title=title, missing=f"{ctx.year} is before the 2022–2024 surge; no baseline comparison"
        )
    payout = entity_series(ctx, "sa_payout_gross", unit="NOK_1000")
    candidates = (
        sorted((int(p) for p in payout["period"] if int(p) <= last_base_year), reverse=True)
        if len(payout)
        else []
    )
    rounded_base_seen = False  # exact mode: a later base year with rounded inputs came first
    for base in candidates:
        section = payout_decomposition(ctx, f"{heading}: {base}→{ctx.year}", base, ctx.year, key)
        if not section.available:
            continue
        if not exact:
            return section
        if section.notes:  # some input printed rounded: look further back
            rounded_base_seen = True
            continue
        if not rounded_base_seen:
            return Section(
                title=title,
                missing="The comparison above uses exact figures only; no second split is needed.",
            )
        return section
    if exact:
        why = "no base year has exact figures" if rounded_base_seen else "no base year at all"
        return Section(title=title, missing=f"No split from exact figures: {why} (see above).")
    return _missing(
        title,
        f"No year up to {last_base_year} with gross payouts, recipients and CPI to compare with {ctx.year}",
        "sa_payout",
    )


def monthly_break(ctx: RunContext, title: str, indicator: str, break_month: str, key: str) -> Section:
    """Segmented regression with a level and slope change at ``break_month``, plus a break search."""
    series = entity_series(ctx, indicator, frequency="monthly")
    if not len(series):
        return _missing(title, f"No monthly series of {_label(ctx, indicator).lower()}", indicator)
    y = pd.Series(series["value"].to_numpy(), index=pd.PeriodIndex(series["period"], freq="M"))
    srcs = _sources(series)
    unit = series["unit"].iloc[0]
    try:
        its = fit_its(y, break_month)
    except InsufficientDataError as exc:
        return Section(
            title=title, missing=f"The monthly series is too short for a break at {break_month}: {exc}"
        )
    scan = scan_breaks(y)
    level, (lo, hi) = its.level_change, its.level_change_ci
    slope = its.slope_change
    found = scan.best_month
    text = (
        f"A segmented regression of {len(y)} monthly values ({y.index.min()}–{y.index.max()}) with a break "
        f"in {break_month} estimates a level change of **{fmt(level, unit)}** (95 % CI {fmt(lo, unit)} to "
        f"{fmt(hi, unit)}, p = {figures.format_number(its.level_change_pvalue, 3)}) and a slope change of "
        f"{fmt(slope, unit)} per month (p = {figures.format_number(its.slope_change_pvalue, 3)}), with "
        f"Newey–West (HAC) standard errors. A search over all admissible break months puts the best split "
        f"at {found}."
    )
    kfs = [
        KeyFigure(f"{key}_level_change", level, unit, srcs),
        KeyFigure(f"{key}_slope_change", slope, unit, srcs),
        KeyFigure(f"{key}_level_change_p", its.level_change_pvalue, "p-value", srcs),
        KeyFigure(f"{key}_best_break", found, "month", srcs),
    ]
    table = pd.DataFrame(
        [
            {
                "term": "level change",
                "estimate": level,
                "ci_low": lo,
                "ci_high": hi,
                "p_value": its.level_change_pvalue,
            },
            {
                "term": "slope change",
                "estimate": slope,
                "ci_low": its.slope_change_ci[0],
                "ci_high": its.slope_change_ci[1],
                "p_value": its.slope_change_pvalue,
            },
        ]
    )
    return Section(title=title, text=text, table=table, sources=srcs, key_figures=kfs)


def comparison(
    ctx: RunContext, title: str, specs: Sequence[tuple[str, str]], peers: Sequence[str], key: str
) -> Section:
    """The entity against peers and the country on one indicator, like with like.

    :func:`analysis.compare.like_with_like` picks the first indicator the entity itself has (in the
    chapter year or up to three years before), the same counting basis and the same or the nearest
    year for the others (gap stated), in real kroner of the entity's year. No own figure, no
    comparison; entities left out are named with the reason.
    """
    comp = compare_entities(
        ctx.observations,
        ctx.dataset.entities,
        ctx.dataset.indicators,
        entity=ctx.entity_code,
        peers=[p for p in peers if p not in (ctx.entity_code, "EAK")],
        country="EAK" if ctx.entity_code != "EAK" else None,
        indicator_specs=specs,
    )
    levels = cpi_levels(ctx)
    cpi = (
        {int(p): float(v) for p, v in zip(levels["period"], levels["value"], strict=True)}
        if len(levels)
        else {}
    )
    chosen = like_with_like(comp.table, ctx.year, specs, cpi=cpi)
    names = " or ".join(dict.fromkeys(_label(ctx, i) for i, _ in specs))
    if chosen.table.empty:
        return _missing(
            title, f"No {names.lower()} for {ctx.entity_name} up to {ctx.year}, so no comparison", specs[0][0]
        )
    table = chosen.table
    ref = chosen.reference_year
    if len(table) < 2:
        why = "; ".join(chosen.excluded) or "no other entity has the figure"
        return Section(
            title=title,
            missing=f"No entity to compare {ctx.entity_name}'s {ref} figure with on the same basis ({why})",
        )
    unit = str(table["unit"].iloc[0])
    money = unit.startswith("NOK")
    srcs = tuple(sorted({s for ids in table["source_ids"] for s in ids}))
    label = _label(ctx, chosen.indicator)
    shown = pd.DataFrame(
        {
            "name": table["name"],
            "year": table["period"],
            "value": table["value"],
            "unit": table["unit"],
            "counting_basis": table["counting_basis"],
            "computed_as": table["formula"],
        }
    )
    if money:
        shown = shown.rename(columns={"value": f"value_{ref}_kroner"})
        shown.insert(2, "nominal", table["nominal"])
    if not shown["computed_as"].astype(bool).any():
        shown = shown.drop(columns="computed_as")
    if (shown["counting_basis"] == "not a count").all():
        shown = shown.drop(columns="counting_basis")
    gaps = [
        f"{n} {p}" for n, p, g in zip(table["name"], table["period"], table["gap_years"], strict=True) if g
    ]
    basis = str(table["counting_basis"].iloc[0])
    text = (
        f"{label}, {ref}: {ctx.entity_name} {fmt(float(table['value'].iloc[0]), unit)}, beside "
        f"{len(table) - 1} other entit{'y' if len(table) == 2 else 'ies'}"
        + (f" counted the same way ({basis})." if basis != "not a count" else ".")
    )
    if gaps:
        text += " Not the same year: " + ", ".join(gaps) + f" (the nearest to {ref})."
    if money and gaps:
        text += f" Kroner of other years are set in {ref} kroner with the CPI (2015=100)."
    notes = ["Not compared — " + "; ".join(chosen.excluded) + "."] if chosen.excluded else []
    shown_codes = set(table["entity_code"])
    notes += comparison_caveats(table)  # caveats about what is shown, and the harmonisation of those shown
    notes += [
        c for c in comp.caveats if " joined to " in c and c.split(" joined to ")[1].split()[0] in shown_codes
    ]
    section = Section(
        title=title,
        text=text,
        table=shown,
        sources=srcs,
        notes=list(dict.fromkeys(n.strip().rstrip(":") for n in notes)),
        key_figures=[
            KeyFigure(f"{key}_n", int(len(shown)), "count", srcs),
            KeyFigure(
                f"{key}_entity", float(table["value"].iloc[0]), unit, tuple(table["source_ids"].iloc[0])
            ),
        ],
    )
    bars = table.assign(
        bar=[f"{n} ({p})" if g else n for n, p, g in zip(table["name"], table["period"], table["gap_years"],
                                                           strict=True)],
        legend=f"{ref} kroner" if money else label,
    )  # fmt: skip
    fig, alt = figures.grouped_bar_chart(
        bars,
        x="bar",
        hue="legend",
        unit=unit,
        title=f"{label}, {ref}" + (f" ({ref} kroner)" if money else ""),
        sources=ctx.dataset.sources,
        source_ids=srcs,
    )
    section.figure, section.alt_text = fig, alt
    section.caption = f"{label}: {ctx.entity_name} and entities counted the same way, {ref}."
    return section


def count_trend(ctx: RunContext, title: str, candidates: Sequence[tuple[str, str]], key: str) -> Section:
    """Annual growth of a count (Poisson and negative binomial with estimated dispersion); an honest
    'not estimated' when the series is too short. See :mod:`analysis.trend`."""
    from analysis.trend import count_trends

    found = first_available(ctx, candidates)
    if found is None:
        return _missing(title, "No annual count series for a trend", candidates[0][0])
    indicator, category, series = found
    series = series[series["period"].astype(int) <= ctx.year]
    counts = pd.Series(series["value"].to_numpy(), index=series["period"].astype(int))
    table = count_trends(counts)
    srcs = _sources(series)
    label = _label(ctx, indicator).lower()
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
        f"{label} changed by **{figures.format_number(growth, 1)} % a year** (Poisson; 95 % CI "
        f"{figures.format_number(lo, 1)} to {figures.format_number(hi, 1)} %). The negative-binomial fit "
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


def cpi_levels(ctx: RunContext) -> pd.DataFrame:
    """Annual CPI levels (2015=100): the curated levels, and for a year without a level but with a
    published annual change, the previous level chained forward, CPI_t = CPI_{t-1} (1 + c_t/100)
    (``harmonisation`` says so; changes are printed to one decimal)."""
    levels = select_series(ctx.observations, "EAK", "cpi")
    changes = select_series(ctx.observations, "EAK", "cpi_change")
    if not len(levels):
        return levels
    rows = levels.copy()
    by_year = {int(p): r for p, r in zip(rows["period"], rows.to_dict("records"), strict=True)}
    change = {
        int(p): (v, s)
        for p, v, s in zip(changes["period"], changes["value"], changes["source_ids"], strict=True)
    }
    for year in sorted(change):
        if year not in by_year and year - 1 in by_year:
            prev = by_year[year - 1]
            value = prev["value"] * (1 + change[year][0] / 100)
            by_year[year] = {
                **prev,
                "period": str(year),
                "value": value,
                "source_ids": tuple(sorted(set(prev["source_ids"]) | set(change[year][1]))),
                "harmonisation": f"chained: CPI {year - 1} × (1 + {change[year][0]:g} %)",
            }
    out = pd.DataFrame([by_year[y] for y in sorted(by_year)], columns=rows.columns)
    out.attrs = levels.attrs
    return out


def real_payouts(ctx: RunContext, title: str, base_year: int, key: str) -> Section:
    """Gross payouts in constant kroner of ``base_year`` (annual CPI, SSB table 03014)."""
    from analysis.indicators import real_values

    payout = entity_series(ctx, "sa_payout_gross", unit="NOK_1000")
    cpi = cpi_levels(ctx)
    if not len(payout):
        return _missing(title, "No gross payouts to deflate", "sa_payout")
    if not len(cpi) or str(base_year) not in set(cpi["period"]):
        return _missing(title, f"No CPI for the base year {base_year}", "cpi")
    real = real_values(payout, cpi, base_year)
    ok = real[real["missing_reason"] == ""]
    srcs = tuple(sorted(set(_sources(payout)) | set(_sources(cpi))))
    table = real[["period", "nominal", "cpi", "value", "missing_reason"]].rename(
        columns={
            "nominal": "nominal_nok_1000",
            "value": f"real_{base_year}_nok_1000",
            "missing_reason": "note",
        }
    )
    this = ok[ok["period"] == str(ctx.year)]
    kfs: list[KeyFigure] = []
    text = f"Gross payouts in constant {base_year} kroner (CPI, 2015=100)."
    chained = cpi[cpi["harmonisation"] != ""]
    if len(chained):
        text += " CPI " + "; ".join(chained["harmonisation"]) + " (no index level is curated for that year)."
    if len(this):
        value = float(this["value"].iloc[0])
        nominal = float(this["nominal"].iloc[0])
        step = point_steps(ctx, payout, "sa_payout_gross").get(str(ctx.year), 0.0) * value / nominal
        text += f" {ctx.year}: {fmt_result(value, 'NOK_1000', step)} in {base_year} kroner."
        kfs.append(KeyFigure(f"{key}_{ctx.year}", value, "NOK_1000", srcs))
    missing = real[real["missing_reason"] != ""]
    if len(missing):
        text += (
            f" {len(missing)} year(s) cannot be deflated: "
            + "; ".join(
                f"{p}: {r}" for p, r in zip(missing["period"], missing["missing_reason"], strict=True)
            )
            + "."
        )
    return Section(title=title, text=text, table=table.reset_index(drop=True), sources=srcs, key_figures=kfs)


def projection(ctx: RunContext, title: str, key: str) -> Section:
    """Next year's social-assistance cost as average recipients per month × monthly payment × 12.

    Central: both factors grow as in the latest year; interval: from no growth to twice that growth
    (the districts' budget notes use the same product, e.g. Bjerke's 2012 budget premises).
    """
    from analysis.budget import project_next_year

    rec = entity_series(ctx, "sa_recipients_monthly_avg")
    pay = entity_series(ctx, "sa_payment_per_recipient_month", unit="NOK")
    years = sorted(set(rec["period"]) & set(pay["period"])) if len(rec) and len(pay) else []
    years = [y for y in years if int(y) <= ctx.year]
    if str(ctx.year) not in years:
        return _missing(
            title,
            f"The projection needs average recipients per month and the average monthly "
            f"payment for {ctx.year}",
            "sa_",
        )

    def at(frame: pd.DataFrame, y: str) -> float:
        return float(frame.loc[frame["period"] == y, "value"].iloc[0])

    y1 = str(ctx.year)
    y0 = str(ctx.year - 1)
    if y0 not in years:
        return _missing(
            title,
            f"The projection takes its growth assumption from {y0} to {y1}, but there are no "
            f"average recipients per month and monthly payment for {y0}",
            "sa_",
        )
    g_r = at(rec, y1) / at(rec, y0) - 1
    g_p = at(pay, y1) / at(pay, y0) - 1
    proj = project_next_year(
        at(rec, y1),
        at(pay, y1),
        g_r,
        g_p,
        recipient_growth_range=(min(0.0, 2 * g_r), max(0.0, 2 * g_r)),
        payment_growth_range=(min(0.0, 2 * g_p), max(0.0, 2 * g_p)),
    )
    srcs = tuple(sorted(set(_sources(rec)) | set(_sources(pay))))
    text = (
        f"Projected {ctx.year + 1} cost: **{fmt(proj.central, 'NOK')}** "
        f"(interval {fmt(proj.low, 'NOK')} to {fmt(proj.high, 'NOK')}), from {fmt(at(rec, y1))} recipients "
        f"a month × {fmt(at(pay, y1), 'NOK')} × 12, with growth of {figures.format_number(100 * g_r, 1)} "
        f"% in recipients and {figures.format_number(100 * g_p, 1)} % in the payment as from {y0} to {y1}; "
        f"the interval runs "
        f"from no growth to twice that growth."
    )
    kfs = [
        KeyFigure(f"{key}_central", proj.central, "NOK", srcs),
        KeyFigure(f"{key}_low", proj.low, "NOK", srcs),
        KeyFigure(f"{key}_high", proj.high, "NOK", srcs),
    ]
    return Section(title=title, text=text, sources=srcs, key_figures=kfs)
