"""The furniture every chart shares: a new figure, the dressed axes, the source line, the alt text.

:func:`new_figure` gives a plain :class:`matplotlib.figure.Figure` on an Agg canvas (not registered
with ``pyplot``, so nothing leaks between charts); :func:`dress_axes` gives it the title, y-axis
numbers and label, legend and source line of the house style; :func:`alt_text` writes what a chart
shows in at most :data:`ALT_LIMIT` characters; :func:`tidy_xticks` keeps category tick labels
from overlapping. The chart kinds are in :mod:`analysis.present.charts`.

May import :mod:`analysis.present.style` and :mod:`analysis.present.text`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.present.style import FIGSIZE, fitted_source_text, number_formatter, source_text
from analysis.present.text import format_number, unit_label

#: Alt texts stay under this many characters (issue 12): what the chart shows and its key numbers;
#: every value is in the table under the chart and the sources are in the caption.
ALT_LIMIT = 300


def new_figure(figsize: tuple[float, float] = FIGSIZE) -> Figure:
    """An empty figure on its own Agg canvas."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def add_source_line(fig: Figure, text: str, width_chars: int = 120) -> None:
    """The source line at the foot of ``fig`` (wrapped), kept as ``fig.source_line`` for tests."""
    lines = textwrap.wrap(text, width=width_chars) or [text]
    fig.text(0.01, 0.01, "\n".join(lines), ha="left", va="bottom", fontsize=8.5, color="#444444")
    fig.source_line = text  # type: ignore[attr-defined]
    # room for the x tick labels above the source line: a fixed margin fits flat labels, turned ones
    # (see tidy_xticks) are as deep as they are long and would run into the source line
    bottom = max(0.13, _tick_label_depth(fig) + 0.06) + 0.035 * len(lines)
    fig.subplots_adjust(left=0.11, right=0.97, top=0.9, bottom=bottom)


def _tick_label_depth(fig: Figure) -> float:
    """The height of the tallest x tick label of ``fig``'s axes, as a fraction of the figure's."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    heights = [
        label.get_window_extent(renderer).height
        for ax in fig.axes
        for label in ax.get_xticklabels()
        if label.get_text()
    ]
    return max(heights, default=0.0) / (fig.get_figheight() * fig.dpi)


def dress_axes(
    fig: Figure,
    ax: Axes,
    *,
    title: str,
    decimals: int,
    norwegian: bool,
    unit: str,
    ylabel: str | None,
    source_line: str,
    legend: Mapping[str, Any] | None = None,
) -> None:
    """The house furniture of a one-axes chart: the title top left, y-axis numbers written as in the
    tables, the unit's words (or ``ylabel``) as y label, a legend when ``legend`` gives its keyword
    arguments, and the source line."""
    ax.set_title(title, loc="left")
    ax.yaxis.set_major_formatter(number_formatter(decimals, norwegian=norwegian))
    ax.set_ylabel(ylabel if ylabel is not None else unit_label(unit))
    if legend is not None:
        ax.legend(**legend)
    add_source_line(fig, source_line)


def figure_texts(fig: Figure) -> list[str]:
    """All text in a figure (title, labels, ticks, legend, source line), unwrapped; for tests."""
    texts = [t.get_text() for t in fig.findobj(mpl.text.Text)]
    return [t.replace("\n", " ") for t in texts if t]


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


def chart_source_line(source_ids: Sequence[str], sources: pd.DataFrame | None) -> str:
    """The line under a chart: at most two lines of text (see :func:`fitted_source_text`)."""
    source_text(source_ids)  # every chart names its sources: raises when there are none
    return fitted_source_text(source_ids, sources, limit=240, overflow="named in the caption")


def with_gaps(years: Sequence[int], values: Sequence[float]) -> tuple[list[int], list[float]]:
    """Years and values with NaN in every missing year between the first and the last, so that the
    line breaks over a gap instead of drawing a straight line across years with no figure."""
    known = dict(zip(years, values, strict=True))
    if not known:
        return [], []
    span = list(range(min(known), max(known) + 1))
    return span, [known.get(y, math.nan) for y in span]


def tidy_xticks(ax: Axes, positions: Sequence[float], labels: Sequence[str]) -> None:
    """Category tick labels that never overlap: short ones flat, long or many ones wrapped at 14
    characters and, when there are more than six or they are still wider than the axis, turned 30°
    and right-aligned at their tick."""
    wrapped = [textwrap.fill(" ".join(str(label).split()), width=14) for label in labels]
    widest = sum(max(len(line) for line in w.split("\n")) for w in wrapped)
    crowded = len(labels) > 6 or widest > 80  # about 80 characters of tick labels fit across
    if crowded:
        flat = [" ".join(str(label).split()) for label in labels]
        ax.set_xticks(positions, flat, rotation=30, ha="right")
    else:
        ax.set_xticks(positions, wrapped)


def list_points(points: Sequence[tuple[str, float]], decimals: int, norwegian: bool, limit: int = 4) -> str:
    """Every ``(label, value)`` when there are at most ``limit``; else the count, the first and last,
    the highest and lowest (for an alt text)."""
    fmt = lambda v: format_number(v, decimals, norwegian=norwegian)  # noqa: E731
    if len(points) <= limit:
        return ", ".join(f"{p} {fmt(v)}" for p, v in points)
    first, last = points[0], points[-1]
    hi = max(points, key=lambda pv: pv[1])
    lo = min(points, key=lambda pv: pv[1])
    return (
        f"{len(points)} points from {first[0]} ({fmt(first[1])}) to {last[0]} ({fmt(last[1])}); "
        f"highest {fmt(hi[1])} in {hi[0]}, lowest {fmt(lo[1])} in {lo[0]}"
    )


def the_unit(data: pd.DataFrame, unit: str | None) -> str:
    """``unit`` if given, else the one unit of ``data["unit"]`` ("" without a unit column); data that
    mix units are an error."""
    if unit:
        return unit
    units = sorted(set(data["unit"])) if "unit" in data else []
    if len(units) > 1:
        raise ValueError(f"the data mix units {units}; convert them to one unit first")
    return units[0] if units else ""
