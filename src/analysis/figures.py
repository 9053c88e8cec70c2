"""Charts in one house style, each with a source line and an alt text.

Every plotting function returns ``(Figure, alt_text)``. The figure is a plain
:class:`matplotlib.figure.Figure` with an Agg canvas (not registered with ``pyplot``, so nothing
leaks between charts; Jupyter displays it when it is the cell's value). The alt text says what the
chart shows with its key numbers, formatted like the axes. A source line naming the source ids (and
titles, when the sources table is given) stands under every chart; a chart without sources is an
error.

House style: seaborn's ``ticks`` style and ``notebook`` context with readable sizes, and the
Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design";
https://jfly.uni-koeln.de/color/). Norwegian number formatting writes ``1 657`` and ``10,5``
(Språkrådet: space as thousands separator, comma as decimal mark).
"""

from __future__ import annotations

import contextlib
import math
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

#: Okabe–Ito palette (blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
POSITIVE_COLOUR = "#0072B2"
NEGATIVE_COLOUR = "#D55E00"
TOTAL_COLOUR = "#7F7F7F"
FIGSIZE = (8.0, 4.8)

#: Line style per status: budget dashed, revised budget dash-dot, forecast dotted, target markers only.
STATUS_STYLE: dict[str, dict[str, object]] = {
    "actual": {"linestyle": "-", "marker": "o"},
    "preliminary": {"linestyle": "-", "marker": "o", "markerfacecolor": "white"},
    "budget": {"linestyle": "--", "marker": "s"},
    "revised_budget": {"linestyle": "-.", "marker": "D"},
    "forecast": {"linestyle": ":", "marker": "^"},
    "target": {"linestyle": "none", "marker": "X", "markersize": 9},
}
STATUS_WORDS: dict[str, str] = {
    "actual": "actual, solid line",
    "preliminary": "preliminary, hollow markers",
    "budget": "budget, dashed line",
    "revised_budget": "revised budget, dash-dot line",
    "forecast": "forecast, dotted line",
    "target": "target, cross markers",
}
MONTHS_NO = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def house_rc() -> dict[str, object]:
    """The rcParams of the house style (seaborn ``ticks`` + ``notebook`` + readable sizes + palette)."""
    rc: dict[str, object] = {}
    rc.update(sns.axes_style("ticks"))
    rc.update(sns.plotting_context("notebook"))
    rc.update(
        {
            "font.size": 11,
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.labelsize": 11,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 10,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": "#DDDDDD",
            "grid.linewidth": 0.8,
            "lines.linewidth": 2.2,
            "lines.markersize": 6,
            "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
        }
    )
    return rc


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Context manager applying :func:`house_rc` (no global side effects)."""
    with mpl.rc_context(house_rc()):
        yield


def format_number(value: float, decimals: int = 0, *, norwegian: bool = True) -> str:
    """Format a number for axes and alt text.

    Norwegian: thousands separated by a space, decimal comma, minus sign U+2212
    (``1657`` → ``1 657``; ``10.5`` → ``10,5``; ``-17440`` → ``−17 440``). English: ``1,657``,
    ``10.5``, ``-17,440``. NaN → ``"missing"``. Reference: Språkrådet, "Skrivemåten av tal".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    text = f"{abs(value):,.{decimals}f}"
    if norwegian:
        text = text.replace(",", " ").replace(".", ",")
        sign = "\u2212"
    else:
        sign = "-"
    rounded_zero = float(f"{abs(value):.{decimals}f}") == 0
    return (sign + text) if value < 0 and not rounded_zero else text


#: Unit words after a number in prose ("1 657 persons", "10,5 %", "7,4 billion kr").
PROSE_UNITS: dict[str, str] = {
    "NOK": " kr",
    "NOK_1000": " thousand kr",
    "NOK_million": " million kr",
    "NOK_billion": " billion kr",
    "percent": " %",
    "percentage_points": " percentage points",
    "months": " months",
    "days": " days",
    "persons": " persons",
    "cases": " cases",
    "participants": " participants",
}
_MONEY_SCALES: tuple[tuple[float, str], ...] = ((1e9, " billion kr"), (1e6, " million kr"), (1.0, " kr"))
_NOK_PER_UNIT = {"NOK": 1.0, "NOK_1000": 1e3, "NOK_million": 1e6, "NOK_billion": 1e9}


def round_to_step(value: float, step: float) -> float:
    """``value`` rounded to the power of ten at or below ``step`` (unchanged when ``step`` is 0):
    the digits of a result that its rounded inputs can carry, for tables and chart labels."""
    if not step or math.isnan(step) or math.isnan(value):
        return value
    exponent = math.floor(math.log10(step * (1 + 1e-9)))
    return round(value / 10**exponent) * 10**exponent if exponent >= 0 else round(value, -exponent)


def format_at_precision(value: float, unit: str, step: float) -> str:
    """A result printed no more precisely than its least precise input ("about 7,4 billion kr").

    ``step`` is how far the result can move with its rounded inputs, in ``unit`` (see
    :func:`analysis.series.propagated_step`); the value is rounded to the power of ten at or below
    it and prefixed "about". Money is written in billion or million kroner when that is how coarse
    the step is (7 400 000 thousand kr known to 0,1 billion → "about 7,4 billion kr"); other units
    keep theirs ("about 131 000 persons", "about 32 %"). ``step`` 0 (exact inputs) prints the value
    as :func:`format_number` does, without "about".
    """
    if value is None or math.isnan(value):
        return "missing"
    suffix = PROSE_UNITS.get(unit, f" {unit}" if unit and unit not in {"count", "text"} else "")
    if not step or math.isnan(step):
        decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 1
        return format_number(value, decimals) + suffix
    if unit in _NOK_PER_UNIT:  # in kroner, then the largest scale below the value that the step fills
        value, step = value * _NOK_PER_UNIT[unit], step * _NOK_PER_UNIT[unit]
        scales = [i for i, (f, _) in enumerate(_MONEY_SCALES) if abs(value) >= f or f == 1.0]
        i = scales[0]
        while _MONEY_SCALES[i][0] > 1.0 and step / _MONEY_SCALES[i][0] < 0.01:
            i += 1
        scale, suffix = _MONEY_SCALES[i]
        value, step = value / scale, step / scale
    exponent = math.floor(math.log10(step * (1 + 1e-9)))
    if exponent >= 0:
        rounded = round(value / 10**exponent) * 10**exponent
        return "about " + format_number(rounded, 0) + suffix
    return "about " + format_number(value, -exponent) + suffix


def auto_decimals(values: Iterable[float]) -> int:
    """0 decimals when every finite value is whole or at least 100 in size; else 1."""
    finite = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if all(abs(v) >= 100 or float(v).is_integer() for v in finite):
        return 0
    return 1


def number_formatter(decimals: int = 0, *, norwegian: bool = True) -> FuncFormatter:
    """A tick formatter using :func:`format_number`."""
    return FuncFormatter(lambda x, _pos: format_number(x, decimals, norwegian=norwegian))


def collect_source_ids(
    data: pd.DataFrame | None = None, source_ids: Iterable[str] | None = None
) -> list[str]:
    """Union of ``source_ids`` and the ``source_ids`` column (tuples or ';'-joined strings), sorted."""
    out: set[str] = set(source_ids or ())
    if data is not None and "source_ids" in data:
        for item in data["source_ids"]:
            if isinstance(item, str):
                out.update(s.strip() for s in item.split(";") if s.strip())
            elif item is not None and not (isinstance(item, float) and math.isnan(item)):
                out.update(str(s) for s in item)
    return sorted(out)


def source_text(
    source_ids: Sequence[str], sources: pd.DataFrame | None = None, *, prefix: str = "Source"
) -> str:
    """The source line: ``"Source: id (title); id2 (title2)"``; titles from the sources table.

    Raises ``ValueError`` when no source id is given: every chart must name its sources.
    """
    if not source_ids:
        raise ValueError("a chart needs at least one source id for its source line")
    titles: dict[str, str] = {}
    if sources is not None and {"source_id", "title"} <= set(sources.columns):
        titles = dict(zip(sources["source_id"], sources["title"], strict=True))
    items = [f"{sid} ({titles[sid]})" if titles.get(sid) else sid for sid in source_ids]
    label = f"{prefix}s" if len(items) > 1 and prefix == "Source" else prefix
    return f"{label}: " + "; ".join(items)


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


def _unit_label(unit: str, norwegian: bool) -> str:
    return {
        "NOK": "NOK" if not norwegian else "kr",
        "NOK_1000": "NOK 1,000" if not norwegian else "1 000 kr",
        "NOK_million": "NOK million" if not norwegian else "mill. kr",
        "NOK_billion": "NOK billion" if not norwegian else "mrd. kr",
        "percent": "%",
        "per_1000_inhabitants": "per 1,000 inhabitants" if not norwegian else "per 1 000 innbyggere",
    }.get(unit, unit.replace("_", " "))


def _list_points(points: Sequence[tuple[str, float]], decimals: int, norwegian: bool, limit: int = 12) -> str:
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
    src = source_text(ids, sources)
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
                ax.plot(ok["period"].astype(int), ok["value"], color=colour, label=label, **style)  # type: ignore[arg-type]
                points = list(zip(ok["period"].astype(str), ok["value"].astype(float), strict=True))
                desc = f"{name + ' ' if name else ''}({STATUS_WORDS.get(status, status)})"
                if points:
                    alt_parts.append(f"{desc}: {_list_points(points, dec, norwegian)}")
                missing = sub[sub["value"].isna()]
                for r in missing.itertuples(index=False):
                    reason = getattr(r, "missing_reason", "") or "no value"
                    alt_parts.append(f"{desc} {r.period} missing ({reason})")
        ax.set_title(title, loc="left")
        ax.yaxis.set_major_formatter(number_formatter(dec, norwegian=norwegian))
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.set_ylabel(ylabel if ylabel is not None else _unit_label(unit_, norwegian))
        if len(groups) > 1 or len(statuses) > 1:
            ax.legend(loc="best")
        _add_source_line(fig, src)
    unit_txt = f" Values in {_unit_label(unit_, False)}." if unit_ else ""
    alt = f"Line chart: {title}.{unit_txt} " + "; ".join(alt_parts) + f". {src}."
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
    src = source_text(collect_source_ids(frame, source_ids), sources)
    month_names = MONTHS_NO if norwegian else MONTHS_EN
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
            months_txt = ", ".join(
                f"{month_names[m - 1]} {fmt(v)}" for m, v in zip(sub["month"], sub["value"], strict=True)
            )
            alt_parts.append(
                f"{year}: total {fmt(total)} over {len(sub)} months; "
                f"highest {month_names[int(hi['month']) - 1]} {fmt(hi['value'])}, "
                f"lowest {month_names[int(lo['month']) - 1]} {fmt(lo['value'])} "
                f"(months: {months_txt})"
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
    unit_txt = f" Values in {_unit_label(unit_, False)}." if unit_ else ""
    alt = f"{kind_txt} by month: {title}.{unit_txt} " + "; ".join(alt_parts) + f". {src}."
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
    e.g. ``LMDIResult.contributions`` from :mod:`analysis.decomposition`.
    """
    items = list(contributions.items()) if isinstance(contributions, Mapping) else list(contributions)
    if not items:
        raise ValueError("no contributions to plot")
    ids = list(source_ids or [])
    src = source_text(sorted(set(ids)), sources)
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
        ax.set_xticks(range(len(labels)), labels, rotation=0 if len(labels) <= 5 else 30, ha="center")
        ax.set_title(title, loc="left")
        ax.yaxis.set_major_formatter(number_formatter(dec, norwegian=norwegian))
        ax.set_ylabel(ylabel if ylabel is not None else _unit_label(unit, norwegian))
        _add_source_line(fig, src)
    unit_txt = f" Values in {_unit_label(unit, False)}." if unit else ""
    alt = f"{kind}: {title}.{unit_txt} {alt_body}. {src}."
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

    Typical use: the table of :func:`analysis.compare.compare_entities` with ``x="period"`` and
    ``hue="name"``. Missing values leave a gap and are named with their reason in the alt text,
    which lists every bar's value per group.
    """
    frame = data.copy()
    unit_ = _the_unit(frame, unit)
    dec = auto_decimals(frame[value]) if decimals is None else decimals
    src = source_text(collect_source_ids(frame, source_ids), sources)
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
                    parts.append(f"{names.get(h, h)} missing ({reason or 'no value'})")
                else:
                    parts.append(f"{names.get(h, h)} {fmt(v)}")
            alt_groups.append(f"{xv}: " + ", ".join(parts))
        ax.set_xticks(range(len(xs)), xs)
        ax.set_title(title, loc="left")
        ax.yaxis.set_major_formatter(number_formatter(dec, norwegian=norwegian))
        ax.set_ylabel(ylabel if ylabel is not None else _unit_label(unit_, norwegian))
        if len(hues) > 1:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))  # outside the bars: never hides one
        _add_source_line(fig, src)
    unit_txt = f" Values in {_unit_label(unit_, False)}." if unit_ else ""
    alt = f"Grouped bar chart: {title}.{unit_txt} " + "; ".join(alt_groups) + f". {src}."
    return fig, alt
