"""The chart kinds of the book, in one house style, each with a source line and an alt text.

Every plotting function returns ``(Figure, alt_text)``: a plain figure that Jupyter displays when it
is the cell's value, and what the chart shows with its key numbers, formatted like the axes
(:func:`alt_text`). The sources are in the source line under every chart (ids and titles, when the
sources table is given) and in the page's caption; a chart without sources is an error. The
furniture the kinds share (new figure, title, axes, source line, alt text, tick labels) is
:mod:`analysis.present.figure`, re-exported here as ``figure_texts``, ``alt_text``, ``ALT_LIMIT``.

May import :mod:`analysis.present.figure`, :mod:`analysis.present.style` and
:mod:`analysis.present.text`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.present.figure import (
    ALT_LIMIT,
    alt_text,
    chart_source_line,
    dress_axes,
    figure_texts,
    list_points,
    new_figure,
    the_unit,
    tidy_xticks,
    with_gaps,
)
from analysis.present.grid import small_multiples_chart
from analysis.present.style import (
    MONTHS_EN,
    NEGATIVE_COLOUR,
    PALETTE,
    POSITIVE_COLOUR,
    STATUS_STYLE,
    STATUS_WORDS,
    TOTAL_COLOUR,
    auto_decimals,
    collect_source_ids,
    house_style,
)
from analysis.present.text import MISSING, format_number

__all__ = [
    "ALT_LIMIT",
    "alt_text",
    "annual_line_chart",
    "figure_texts",
    "grouped_bar_chart",
    "monthly_chart",
    "small_multiples_chart",
    "waterfall_chart",
]


def annual_line_chart(
    data: pd.DataFrame,
    *,
    title: str,
    group: str = "entity_code",
    labels: Mapping[str, str] | None = None,
    unit: str | None = None,
    ylabel: str | None = None,
    sources: pd.DataFrame | None = None,
    source_ids: Iterable[str] | None = None,
    norwegian: bool = True,
    decimals: int | None = None,
) -> tuple[Figure, str]:
    """Line chart of annual series, one colour per ``group`` value, line style by ``status``.

    ``data``: one or more series frames (columns ``period`` ``YYYY``, ``value``, ``status``,
    ``unit``, ``source_ids``, the ``group`` column). Budget rows are dashed, revised budgets
    dash-dot, forecasts dotted, targets crosses (:data:`STATUS_STYLE`). Missing points (NaN) are
    left out of the line and named in the alt text with their reason. The alt text lists every
    line's values (or first/last/highest/lowest for long series).
    """
    frame = data.copy()
    if "status" not in frame:
        frame["status"] = "actual"
    if group not in frame:
        frame[group] = ""
    unit_ = the_unit(frame, unit)
    values = frame["value"].astype(float)
    dec = auto_decimals(values) if decimals is None else decimals
    ids = collect_source_ids(frame, source_ids)
    src = chart_source_line(ids, sources)
    names = dict(labels or {})
    groups = list(dict.fromkeys(frame[group]))
    statuses = [s for s in STATUS_STYLE if s in set(frame["status"])]
    statuses += [s for s in dict.fromkeys(frame["status"]) if s not in statuses]
    alt_parts: list[str] = []
    with house_style():
        fig = new_figure()
        ax = fig.add_subplot()
        for gi, key in enumerate(groups):
            colour = PALETTE[gi % len(PALETTE)]
            name = names.get(key, str(key))
            for status in statuses:
                sub = frame[(frame[group] == key) & (frame["status"] == status)].sort_values("period")
                if sub.empty:
                    continue
                ok = sub[~sub["value"].isna()]
                style = dict(STATUS_STYLE.get(status, {"linestyle": "-", "marker": "o"}))
                label = name if status == "actual" else f"{name} ({status.replace('_', ' ')})"
                label = label or status.replace("_", " ")
                xs, ys = with_gaps(ok["period"].astype(int).tolist(), ok["value"].astype(float).tolist())
                ax.plot(xs, ys, color=colour, label=label, **style)  # type: ignore[arg-type]
                points = list(zip(ok["period"].astype(str), ok["value"].astype(float), strict=True))
                desc = f"{name + ' ' if name else ''}({STATUS_WORDS.get(status, status)})"
                if points:
                    alt_parts.append(f"{desc}: {list_points(points, dec, norwegian)}")
                missing = sub[sub["value"].isna()]
                for r in missing.itertuples(index=False):
                    reason = getattr(r, "missing_reason", "") or "no value"
                    alt_parts.append(f"{desc} {r.period} {MISSING} ({reason})")
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        if values.dropna().ge(0).all():
            # levels from zero: a fall from 737 to 677 cases is 8 %, not the height of the chart
            ax.set_ylim(bottom=0)
        legend = {"loc": "best"} if len(groups) > 1 or len(statuses) > 1 else None
        dress_axes(fig, ax, title=title, decimals=dec, norwegian=norwegian, unit=unit_, ylabel=ylabel,
                   source_line=src, legend=legend)
    alt = alt_text("Line chart", title, unit_, alt_parts)
    return fig, alt


def monthly_chart(
    data: pd.DataFrame,
    *,
    years: Sequence[int],
    title: str,
    kind: str = "bar",
    unit: str | None = None,
    ylabel: str | None = None,
    sources: pd.DataFrame | None = None,
    source_ids: Iterable[str] | None = None,
    norwegian: bool = True,
    decimals: int | None = None,
) -> tuple[Figure, str]:
    """Monthly values of one series for two (or more) years side by side, as bars or lines.

    ``data``: a series frame with ``YYYY-MM`` periods. x axis: the 12 months; one colour per year.
    The alt text gives, per year, the total of the months shown (and how many months), the highest
    and lowest month, and every monthly value; for two complete years also the change in the total
    (absolute and percent).
    """
    if kind not in {"bar", "line"}:
        raise ValueError("kind must be 'bar' or 'line'")
    frame = data[data["period"].str.len() == 7].copy()
    frame["year"] = frame["period"].str[:4].astype(int)
    frame["month"] = frame["period"].str[5:].astype(int)
    frame = frame[frame["year"].isin(list(years))]
    unit_ = the_unit(frame, unit)
    dec = auto_decimals(frame["value"]) if decimals is None else decimals
    src = chart_source_line(collect_source_ids(frame, source_ids), sources)
    month_names = MONTHS_EN  # English month names in charts, tables and prose alike (methods)
    fmt = lambda v: format_number(v, dec, norwegian=norwegian)  # noqa: E731
    alt_parts: list[str] = []
    totals: dict[int, tuple[float, int]] = {}
    width = 0.8 / max(len(years), 1)
    with house_style():
        fig = new_figure()
        ax = fig.add_subplot()
        for yi, year in enumerate(years):
            sub = frame[(frame["year"] == year) & ~frame["value"].isna()].sort_values("month")
            colour = PALETTE[yi % len(PALETTE)]
            if kind == "bar":
                offset = (yi - (len(years) - 1) / 2) * width
                ax.bar(sub["month"] + offset, sub["value"], width=width, color=colour, label=str(year))
            else:
                ax.plot(sub["month"], sub["value"], color=colour, marker="o", label=str(year))
            if sub.empty:
                alt_parts.append(f"{year}: no monthly values")
                continue
            total = float(sub["value"].sum())
            totals[year] = (total, len(sub))
            hi = sub.loc[sub["value"].idxmax()]
            lo = sub.loc[sub["value"].idxmin()]
            alt_parts.append(
                f"{year}: total {fmt(total)} over {len(sub)} months; "
                f"highest {month_names[int(hi['month']) - 1]} {fmt(hi['value'])}, "
                f"lowest {month_names[int(lo['month']) - 1]} {fmt(lo['value'])}"
            )
        if len(years) == 2 and all(y in totals and totals[y][1] == 12 for y in years):
            (t0, _), (t1, _) = totals[years[0]], totals[years[1]]
            change = t1 - t0
            pct = f" ({format_number(100 * change / t0, 1, norwegian=norwegian)} %)" if t0 else ""
            alt_parts.append(f"change in the total from {years[0]} to {years[1]}: {fmt(change)}{pct}")
        ax.set_xticks(range(1, 13), month_names)
        dress_axes(fig, ax, title=title, decimals=dec, norwegian=norwegian, unit=unit_, ylabel=ylabel,
                   source_line=src, legend={"loc": "best"})
    kind_txt = "Bar chart" if kind == "bar" else "Line chart"
    alt = alt_text(f"{kind_txt} by month", title, unit_, alt_parts)
    return fig, alt


def waterfall_chart(
    contributions: Mapping[str, float] | Sequence[tuple[str, float]],
    *,
    title: str,
    start: tuple[str, float] | None = None,
    end_label: str = "End",
    unit: str = "",
    ylabel: str | None = None,
    sources: pd.DataFrame | None = None,
    source_ids: Iterable[str] | None = None,
    norwegian: bool = True,
    decimals: int | None = None,
) -> tuple[Figure, str]:
    """Waterfall of decomposition contributions (or a bar chart of them when ``start`` is None).

    With ``start = (label, value)``: a grey start bar, one floating bar per contribution (blue up,
    vermillion down) and a grey end bar at ``start + Σ contributions``. The alt text lists the
    start, each signed contribution and the end value. ``contributions`` in the order to show,
    e.g. ``LMDIResult.contributions`` from :mod:`analysis.models.decomposition`.
    """
    items = list(contributions.items()) if isinstance(contributions, Mapping) else list(contributions)
    if not items:
        raise ValueError("no contributions to plot")
    ids = list(source_ids or [])
    src = chart_source_line(sorted(set(ids)), sources)
    all_values = [v for _, v in items] + ([start[1]] if start else [])
    dec = auto_decimals(all_values) if decimals is None else decimals
    fmt = lambda v: format_number(v, dec, norwegian=norwegian)  # noqa: E731
    signed = lambda v: ("+" + fmt(v)) if v > 0 else fmt(v)  # noqa: E731
    with house_style():
        fig = new_figure()
        ax = fig.add_subplot()
        labels: list[str] = []
        if start is not None:
            level = float(start[1])
            labels.append(start[0])
            ax.bar(0, level, color=TOTAL_COLOUR)
            for i, (name, value) in enumerate(items, start=1):
                bottom = level if value >= 0 else level + value
                colour = POSITIVE_COLOUR if value >= 0 else NEGATIVE_COLOUR
                ax.bar(i, abs(value), bottom=bottom, color=colour)
                ax.annotate(signed(value), (i, level + max(value, 0)), ha="center", va="bottom", fontsize=9)
                labels.append(name)
                level += value
            end = level
            ax.bar(len(items) + 1, end, color=TOTAL_COLOUR)
            labels.append(end_label)
            ax.annotate(fmt(start[1]), (0, start[1]), ha="center", va="bottom", fontsize=9)
            ax.annotate(fmt(end), (len(items) + 1, end), ha="center", va="bottom", fontsize=9)
            parts = "; ".join(f"{name} {signed(v)}" for name, v in items)
            alt_body = f"start ({start[0]}) {fmt(start[1])}; {parts}; end ({end_label}) {fmt(end)}"
            kind = "Waterfall chart"
        else:
            for i, (name, value) in enumerate(items):
                ax.bar(i, value, color=POSITIVE_COLOUR if value >= 0 else NEGATIVE_COLOUR)
                ax.annotate(signed(value), (i, max(value, 0)), ha="center", va="bottom", fontsize=9)
                labels.append(name)
            total = float(np.sum([v for _, v in items]))
            parts = "; ".join(f"{name} {signed(v)}" for name, v in items)
            alt_body = f"{parts}; sum {signed(total)}"
            kind = "Bar chart of contributions"
        ax.axhline(0, color="#333333", linewidth=0.8)
        tidy_xticks(ax, range(len(labels)), labels)
        dress_axes(fig, ax, title=title, decimals=dec, norwegian=norwegian, unit=unit, ylabel=ylabel,
                   source_line=src)
    alt = alt_text(kind, title, unit, alt_body.split("; "))
    return fig, alt


def grouped_bar_chart(
    data: pd.DataFrame,
    *,
    x: str,
    hue: str,
    title: str,
    value: str = "value",
    labels: Mapping[str, str] | None = None,
    unit: str | None = None,
    ylabel: str | None = None,
    sources: pd.DataFrame | None = None,
    source_ids: Iterable[str] | None = None,
    norwegian: bool = True,
    decimals: int | None = None,
) -> tuple[Figure, str]:
    """Grouped bars: one group per ``x`` value (e.g. period or indicator), one colour per ``hue``.

    Typical use: the table of :func:`analysis.series.compare.compare_entities` with ``x="period"`` and
    ``hue="name"``. Missing values leave a gap and are named with their reason in the alt text,
    which lists every bar's value per group.
    """
    frame = data.copy()
    unit_ = the_unit(frame, unit)
    dec = auto_decimals(frame[value]) if decimals is None else decimals
    src = chart_source_line(collect_source_ids(frame, source_ids), sources)
    names = dict(labels or {})
    xs = list(dict.fromkeys(frame[x].astype(str)))
    hues = list(dict.fromkeys(frame[hue].astype(str)))
    width = 0.8 / max(len(hues), 1)
    fmt = lambda v: format_number(v, dec, norwegian=norwegian)  # noqa: E731
    alt_groups: list[str] = []
    with house_style():
        fig = new_figure()
        ax = fig.add_subplot()
        for hi, h in enumerate(hues):
            sub = frame[frame[hue].astype(str) == h]
            pos, vals = [], []
            for xi, xv in enumerate(xs):
                hit = sub[sub[x].astype(str) == xv]
                if len(hit) and not math.isnan(float(hit[value].iloc[0])):
                    pos.append(xi + (hi - (len(hues) - 1) / 2) * width)
                    vals.append(float(hit[value].iloc[0]))
            ax.bar(pos, vals, width=width, color=PALETTE[hi % len(PALETTE)], label=names.get(h, h))
        for xv in xs:
            parts = []
            for h in hues:
                hit = frame[(frame[x].astype(str) == xv) & (frame[hue].astype(str) == h)]
                if hit.empty:
                    continue
                v = float(hit[value].iloc[0])
                if math.isnan(v):
                    reason = str(hit["missing_reason"].iloc[0]) if "missing_reason" in hit else ""
                    parts.append(f"{names.get(h, h)} {MISSING} ({reason or 'no value'})")
                else:
                    parts.append(f"{names.get(h, h)} {fmt(v)}")
            alt_groups.append(f"{xv}: " + ", ".join(parts))
        tidy_xticks(ax, range(len(xs)), xs)
        # a legend outside the bars: it never hides one
        legend = {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)} if len(hues) > 1 else None
        dress_axes(fig, ax, title=title, decimals=dec, norwegian=norwegian, unit=unit_, ylabel=ylabel,
                   source_line=src, legend=legend)
    alt = alt_text("Grouped bar chart", title, unit_, alt_groups)
    return fig, alt
