"""Charts in one house style, each with a source line and an alt text.

Every plotting function returns ``(Figure, alt_text)``. The figure is a plain
:class:`matplotlib.figure.Figure` with an Agg canvas (not registered with ``pyplot``, so nothing
leaks between charts; Jupyter displays it when it is the cell's value). The alt text says what the
chart shows with its key numbers, formatted like the axes, in at most :data:`ALT_LIMIT` characters
(:func:`alt_text`); the sources are not in it but in the source line under every chart (ids and
titles, when the sources table is given) and in the page's caption; a chart without sources is an
error. Category tick labels are wrapped or turned so that they never overlap (:func:`_tidy_xticks`).

The house style (palette, rcParams, formatters, the source line) is :mod:`analysis.present.style`;
numbers are written as in :mod:`analysis.present.text`. May import those two.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.present.style import (
    FIGSIZE,
    MONTHS_EN,
    NEGATIVE_COLOUR,
    PALETTE,
    POSITIVE_COLOUR,
    STATUS_STYLE,
    STATUS_WORDS,
    TOTAL_COLOUR,
    auto_decimals,
    collect_source_ids,
    fitted_source_text,
    house_style,
    number_formatter,
    source_text,
)
from analysis.present.text import MISSING, format_number, unit_label

#: Alt texts stay under this many characters (issue 12): what the chart shows and its key numbers;
#: every value is in the table under the chart and the sources are in the caption.
ALT_LIMIT = 300


def _new_figure(figsize: tuple[float, float] = FIGSIZE) -> Figure:
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _add_source_line(fig: Figure, text: str, width_chars: int = 120) -> None:
    lines = textwrap.wrap(text, width=width_chars) or [text]
    fig.text(0.01, 0.01, "\n".join(lines), ha="left", va="bottom", fontsize=8.5, color="#444444")
    fig.source_line = text  # type: ignore[attr-defined]
    bottom = 0.13 + 0.035 * len(lines)
    fig.subplots_adjust(left=0.11, right=0.97, top=0.9, bottom=bottom)


def figure_texts(fig: Figure) -> list[str]:
    """All text in a figure (title, labels, ticks, legend, source line), unwrapped; for tests."""
    texts = [t.get_text() for t in fig.findobj(mpl.text.Text)]
    return [t.replace("\n", " ") for t in texts if t]


def _unit_label(unit: str, norwegian: bool = True) -> str:
    """The axis label of a unit: the same words as the tables (:data:`analysis.present.text.UNIT_LABELS`)
    whatever the number style, so that a page names money one way only."""
    return unit_label(unit)


def alt_text(kind: str, title: str, unit: str, parts: Sequence[str], limit: int = ALT_LIMIT) -> str:
    """``"<kind>: <title>. Values in <unit>. <part>; <part>."`` in at most ``limit`` characters.

    Parts are kept whole, in order, while they fit; when some do not, the text ends with
    ``"; more in the table."`` (every chart of the book stands over a table of its values). A title
    too long for the limit is shortened at a word. Line breaks in the title become commas.
    """
    head_title = ", ".join(line.strip() for line in title.split("\n") if line.strip())
    unit_txt = f" Values in {unit_label(unit)}." if unit else ""
    room = limit - len(kind) - len(unit_txt) - 4
    head = f"{kind}: {textwrap.shorten(head_title, width=max(room, 20), placeholder='…')}.{unit_txt}"
    tail = "; more in the table."
    kept: list[str] = []
    for i, part in enumerate(parts):
        candidate = "; ".join([*kept, part])
        rest = "." if i == len(parts) - 1 else tail
        if len(head) + 1 + len(candidate) + len(rest) > limit:
            break
        kept.append(part)
    if not kept:
        return head[:limit]
    end = "." if len(kept) == len(parts) else tail
    return f"{head} " + "; ".join(kept) + end


def _chart_source_line(source_ids: Sequence[str], sources: pd.DataFrame | None) -> str:
    """The line under a chart: at most two lines of text (see :func:`fitted_source_text`)."""
    source_text(source_ids)  # every chart names its sources: raises when there are none
    return fitted_source_text(source_ids, sources, limit=240, overflow="named in the caption")


def _with_gaps(years: Sequence[int], values: Sequence[float]) -> tuple[list[int], list[float]]:
    """Years and values with NaN in every missing year between the first and the last, so that the
    line breaks over a gap instead of drawing a straight line across years with no figure."""
    known = dict(zip(years, values, strict=True))
    if not known:
        return [], []
    span = list(range(min(known), max(known) + 1))
    return span, [known.get(y, math.nan) for y in span]


def _tidy_xticks(ax: object, positions: Sequence[float], labels: Sequence[str]) -> None:
    """Category tick labels that never overlap: short ones flat, long or many ones wrapped at 14
    characters and, when there are more than six or they are still wider than the axis, turned 30°
    and right-aligned at their tick."""
    wrapped = [textwrap.fill(" ".join(str(label).split()), width=14) for label in labels]
    widest = sum(max(len(line) for line in w.split("\n")) for w in wrapped)
    crowded = len(labels) > 6 or widest > 80  # about 80 characters of tick labels fit across
    if crowded:
        flat = [" ".join(str(label).split()) for label in labels]
        ax.set_xticks(positions, flat, rotation=30, ha="right")  # type: ignore[attr-defined]
    else:
        ax.set_xticks(positions, wrapped)  # type: ignore[attr-defined]


def _list_points(points: Sequence[tuple[str, float]], decimals: int, norwegian: bool, limit: int = 4) -> str:
    if len(points) <= limit:
        return ", ".join(f"{p} {format_number(v, decimals, norwegian=norwegian)}" for p, v in points)
    first, last = points[0], points[-1]
    hi = max(points, key=lambda pv: pv[1])
    lo = min(points, key=lambda pv: pv[1])
    fmt = lambda v: format_number(v, decimals, norwegian=norwegian)  # noqa: E731
    return (
        f"{len(points)} points from {first[0]} ({fmt(first[1])}) to {last[0]} ({fmt(last[1])}); "
        f"highest {fmt(hi[1])} in {hi[0]}, lowest {fmt(lo[1])} in {lo[0]}"
    )


def _the_unit(data: pd.DataFrame, unit: str | None) -> str:
    if unit:
        return unit
    units = sorted(set(data["unit"])) if "unit" in data else []
    if len(units) > 1:
        raise ValueError(f"the data mix units {units}; convert them to one unit first")
    return units[0] if units else ""


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
    unit_ = _the_unit(frame, unit)
    values = frame["value"].astype(float)
    dec = auto_decimals(values) if decimals is None else decimals
    ids = collect_source_ids(frame, source_ids)
    src = _chart_source_line(ids, sources)
    names = dict(labels or {})
    groups = list(dict.fromkeys(frame[group]))
    statuses = [s for s in STATUS_STYLE if s in set(frame["status"])]
    statuses += [s for s in dict.fromkeys(frame["status"]) if s not in statuses]
    alt_parts: list[str] = []
    with house_style():
        fig = _new_figure()
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
                xs, ys = _with_gaps(ok["period"].astype(int).tolist(), ok["value"].astype(float).tolist())
                ax.plot(xs, ys, color=colour, label=label, **style)  # type: ignore[arg-type]
                points = list(zip(ok["period"].astype(str), ok["value"].astype(float), strict=True))
                desc = f"{name + ' ' if name else ''}({STATUS_WORDS.get(status, status)})"
                if points:
                    alt_parts.append(f"{desc}: {_list_points(points, dec, norwegian)}")
                missing = sub[sub["value"].isna()]
                for r in missing.itertuples(index=False):
                    reason = getattr(r, "missing_reason", "") or "no value"
                    alt_parts.append(f"{desc} {r.period} {MISSING} ({reason})")
        ax.set_title(title, loc="left")
        ax.yaxis.set_major_formatter(number_formatter(dec, norwegian=norwegian))
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        if values.dropna().ge(0).all():
            # levels from zero: a fall from 737 to 677 cases is 8 %, not the height of the chart
            ax.set_ylim(bottom=0)
        ax.set_ylabel(ylabel if ylabel is not None else _unit_label(unit_, norwegian))
        if len(groups) > 1 or len(statuses) > 1:
            ax.legend(loc="best")
        _add_source_line(fig, src)
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
    unit_ = _the_unit(frame, unit)
    dec = auto_decimals(frame["value"]) if decimals is None else decimals
    src = _chart_source_line(collect_source_ids(frame, source_ids), sources)
    month_names = MONTHS_EN  # English month names in charts, tables and prose alike (methods)
    fmt = lambda v: format_number(v, dec, norwegian=norwegian)  # noqa: E731
    alt_parts: list[str] = []
    totals: dict[int, tuple[float, int]] = {}
    width = 0.8 / max(len(years), 1)
    with house_style():
        fig = _new_figure()
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
        ax.set_title(title, loc="left")
        ax.yaxis.set_major_formatter(number_formatter(dec, norwegian=norwegian))
        ax.set_ylabel(ylabel if ylabel is not None else _unit_label(unit_, norwegian))
        ax.legend(loc="best")
        _add_source_line(fig, src)
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
    src = _chart_source_line(sorted(set(ids)), sources)
    all_values = [v for _, v in items] + ([start[1]] if start else [])
    dec = auto_decimals(all_values) if decimals is None else decimals
    fmt = lambda v: format_number(v, dec, norwegian=norwegian)  # noqa: E731
    signed = lambda v: ("+" + fmt(v)) if v > 0 else fmt(v)  # noqa: E731
    with house_style():
        fig = _new_figure()
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
        _tidy_xticks(ax, range(len(labels)), labels)
        ax.set_title(title, loc="left")
        ax.yaxis.set_major_formatter(number_formatter(dec, norwegian=norwegian))
        ax.set_ylabel(ylabel if ylabel is not None else _unit_label(unit, norwegian))
        _add_source_line(fig, src)
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
    unit_ = _the_unit(frame, unit)
    dec = auto_decimals(frame[value]) if decimals is None else decimals
    src = _chart_source_line(collect_source_ids(frame, source_ids), sources)
    names = dict(labels or {})
    xs = list(dict.fromkeys(frame[x].astype(str)))
    hues = list(dict.fromkeys(frame[hue].astype(str)))
    width = 0.8 / max(len(hues), 1)
    fmt = lambda v: format_number(v, dec, norwegian=norwegian)  # noqa: E731
    alt_groups: list[str] = []
    with house_style():
        fig = _new_figure()
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
        _tidy_xticks(ax, range(len(xs)), xs)
        ax.set_title(title, loc="left")
        ax.yaxis.set_major_formatter(number_formatter(dec, norwegian=norwegian))
        ax.set_ylabel(ylabel if ylabel is not None else _unit_label(unit_, norwegian))
        if len(hues) > 1:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))  # outside the bars: never hides one
        _add_source_line(fig, src)
    alt = alt_text("Grouped bar chart", title, unit_, alt_groups)
    return fig, alt


def small_multiples_chart(
    panels: Sequence[tuple[str, pd.DataFrame, str]],
    *,
    title: str,
    sources: pd.DataFrame | None = None,
    source_ids: Iterable[str] | None = None,
    columns: int = 3,
    norwegian: bool = True,
) -> tuple[Figure, str]:
    """One small line chart per series (``(label, frame with period YYYY and value, unit)``), on a
    shared year axis, for a page that shows every series of an entity at a glance. The alt text
    names the number of series and the years covered, and stays short (the table carries values)."""
    if not panels:
        raise ValueError("small_multiples_chart needs at least one series")
    ids = sorted(set(source_ids or ()))
    src = source_text(ids, sources)
    rows = math.ceil(len(panels) / columns)
    years = sorted({int(p) for _, frame, _ in panels for p in frame["period"]})
    with house_style():
        fig = _new_figure((FIGSIZE[0], 2.1 * rows + 1.2))
        for i, (label, frame, unit) in enumerate(panels):
            ax = fig.add_subplot(rows, columns, i + 1)
            ok = frame.sort_values("period")
            x = ok["period"].astype(int).to_numpy()
            values = ok["value"].astype(float).to_numpy()
            if unit == "NOK" and np.nanmax(np.abs(values)) >= 1e8:  # kroner in the billions: mrd. kr
                values, unit = values / 1e9, "NOK_billion"
            # a line only between consecutive years: a gap in the data is a gap in the line
            runs = np.split(np.arange(len(x)), np.where(np.diff(x) > 1)[0] + 1)
            for run in runs:
                ax.plot(x[run], values[run], color=PALETTE[0], marker="o", markersize=3.5)
            ax.set_title(textwrap.fill(label, 30), loc="left", fontsize=8.5)
            ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True, nbins=4))
            ax.yaxis.set_major_formatter(number_formatter(auto_decimals(values), norwegian=norwegian))
            ax.set_ylabel(_unit_label(unit, norwegian), fontsize=8)
            ax.tick_params(labelsize=7.5)
        fig.suptitle(title, x=0.01, y=1 - 0.2 / (2.3 * rows + 1.4), ha="left", va="top")
        # the source ids only (the titles are in the page's provenance footer): one chart, many sources
        src = "Sources: " + ", ".join(ids) if ids else src
        lines = textwrap.wrap(src, width=140) or [src]
        fig.text(0.01, 0.005, "\n".join(lines), ha="left", va="bottom", fontsize=7.5, color="#444444")
        fig.source_line = src  # type: ignore[attr-defined]
        height = 2.3 * rows + 1.4 + 0.15 * len(lines)  # inches; margins in inches, so tall grids keep panels
        fig.set_figheight(height)
        fig.subplots_adjust(
            left=0.1,
            right=0.98,
            hspace=1.0,
            wspace=0.55,
            top=1 - 1.0 / height,
            bottom=(0.55 + 0.15 * len(lines)) / height,
        )
    alt = (
        f"{len(panels)} small line charts, one per annual series, {years[0]}–{years[-1]}; "
        f"the values are in the table below."
    )
    return fig, alt
