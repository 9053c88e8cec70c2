"""Monthly sections: the months of the chapter year against the year before, and the break test.

May import :mod:`analysis.sections.base`, :mod:`analysis.models`, :mod:`analysis.present`.
"""

from __future__ import annotations

import pandas as pd

from analysis.models.breaks import InsufficientDataError, fit_its, scan_breaks
from analysis.observations.run import RunContext
from analysis.present import charts
from analysis.present.style import MONTHS_EN
from analysis.present.text import fmt, format_number, month_label, unit_label
from analysis.sections.base import (
    KeyFigure,
    Section,
    entity_series,
    label_of,
    no_data,
    sources_of,
)


def monthly(ctx: RunContext, title: str, indicator: str, key: str) -> Section:
    """Monthly values of the chapter year and the year before, side by side."""
    series = entity_series(ctx, indicator, frequency="monthly")
    years = (
        [y for y in (ctx.year - 1, ctx.year) if any(series["period"].str.startswith(str(y)))]
        if len(series)
        else []
    )
    if not years:
        return no_data(
            title,
            f"No monthly figures for {label_of(ctx, indicator).lower()} in {ctx.year - 1}–{ctx.year}",
            indicator,
        )
    data = series[series["period"].str[:4].isin([str(y) for y in years])]
    unit = data["unit"].iloc[0]
    srcs = sources_of(data)
    fig, alt = charts.monthly_chart(
        data,
        years=years,
        title=f"{label_of(ctx, indicator)} by month\n{ctx.entity_name}",
        unit=unit,
        sources=ctx.dataset.sources,
        source_ids=srcs,
    )
    this = data[data["period"].str.startswith(str(ctx.year))]
    kfs = [KeyFigure(f"{key}_months", int(len(this)), "count", srcs)]
    text = f"{len(data)} monthly figures for {', '.join(map(str, years))}."
    if len(this):
        peak = this.loc[this["value"].idxmax()]
        peak_month = month_label(peak["period"])
        text += f" The highest month of {ctx.year} is {peak_month} with {fmt(peak['value'], unit)}."
        kfs.append(KeyFigure(f"{key}_peak", float(peak["value"]), unit, srcs))
    return Section(
        title=title,
        text=text,
        figure=fig,
        alt_text=alt,
        sources=srcs,
        key_figures=kfs,
        caption=f"{label_of(ctx, indicator)} by month, {' and '.join(map(str, years))}.",
        table=_monthly_table(data),
    )


MONTHS = MONTHS_EN  # the charts' month names: one convention (book/methods.md)


def _monthly_table(data: pd.DataFrame) -> pd.DataFrame:
    """Months as rows, years as columns (the unit is in the chart and the text), plus the year total
    of the months shown."""
    frame = data.assign(year=data["period"].str[:4], month=data["period"].str[5:7].astype(int))
    table = frame.pivot_table(index="month", columns="year", values="value", aggfunc="first")
    table.index = [MONTHS[m - 1] for m in table.index]
    table.loc["Sum of months"] = table.sum(min_count=1)
    unit = unit_label(data["unit"].iloc[0])
    table.columns = [f"{c} ({unit})" for c in table.columns]
    return table.rename_axis("month").reset_index()


def monthly_break(ctx: RunContext, title: str, indicator: str, break_month: str, key: str) -> Section:
    """Segmented regression with a level and slope change at ``break_month``, plus a break search,
    said in one sentence with the model table behind a toggle. Only months up to the chapter year
    are used, and a break after the chapter year is not tested."""
    if int(break_month[:4]) > ctx.year:
        return Section(title=title, missing=f"The break month {break_month} is after {ctx.year}")
    series = entity_series(ctx, indicator, frequency="monthly")
    if len(series):
        series = series[series["period"].str[:4].astype(int) <= ctx.year]
    if not len(series):
        return no_data(title, f"No monthly series of {label_of(ctx, indicator).lower()}", indicator)
    y = pd.Series(series["value"].to_numpy(), index=pd.PeriodIndex(series["period"], freq="M"))
    srcs = sources_of(series)
    unit = series["unit"].iloc[0]
    try:
        its = fit_its(y, break_month)
        scan = scan_breaks(y)
    except InsufficientDataError as exc:
        return Section(
            title=title, missing=f"The monthly series is too short for a break at {break_month}: {exc}"
        )
    level, (lo, hi) = its.level_change, its.level_change_ci
    slope = its.slope_change
    found = scan.best_month
    what = label_of(ctx, indicator).lower()
    if lo <= 0 <= hi:
        text = (
            f"No clear step in {what} at {month_label(break_month)}: the estimated change in level is "
            f"{fmt(level, unit)} a month, but the 95 % interval ({fmt(lo, unit)} to {fmt(hi, unit)}) "
            f"includes no change."
        )
    else:
        text = (
            f"From {month_label(break_month)}, {what} were about **{fmt(abs(level), unit)} a month "
            f"{'higher' if level > 0 else 'lower'}** than the trend before it predicts (95 % interval "
            f"{fmt(lo, unit)} to {fmt(hi, unit)})."
        )
    text += (
        f" Fitted on {len(y)} months ({y.index.min()}–{y.index.max()}); searched over all months, the "
        f"data split best at {found}."
    )
    kfs = [
        KeyFigure(f"{key}_level_change", level, unit, srcs),
        KeyFigure(f"{key}_slope_change", slope, unit, srcs),
        KeyFigure(f"{key}_level_change_p", its.level_change_pvalue, "p-value", srcs),
        KeyFigure(f"{key}_best_break", found, "month", srcs),
    ]
    shown_unit = unit_label(unit)
    details = pd.DataFrame(
        [
            {
                "change at the break": "level (a month)",
                f"estimate ({shown_unit})": level,
                "95 % interval, low": lo,
                "95 % interval, high": hi,
                "p-value": format_number(its.level_change_pvalue, 3),
            },
            {
                "change at the break": "slope (per month)",
                f"estimate ({shown_unit})": slope,
                "95 % interval, low": its.slope_change_ci[0],
                "95 % interval, high": its.slope_change_ci[1],
                "p-value": format_number(its.slope_change_pvalue, 3),
            },
        ]
    )
    return Section(title=title, text=text, details=details, sources=srcs, key_figures=kfs)
