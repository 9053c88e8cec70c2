"""A grid of small line charts, one per series, for a page that shows every series at a glance.

The grid has its own layout (margins in inches, so tall grids keep their panels) and a source line
of ids only; the one-axes chart kinds are in :mod:`analysis.present.charts`, which re-exports
:func:`small_multiples_chart`.

May import :mod:`analysis.present.figure`, :mod:`analysis.present.style` and
:mod:`analysis.present.text`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.present.figure import new_figure
from analysis.present.style import FIGSIZE, PALETTE, auto_decimals, house_style, number_formatter, source_text
from analysis.present.text import unit_label


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
        fig = new_figure((FIGSIZE[0], 2.1 * rows + 1.2))
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
            ax.set_ylabel(unit_label(unit), fontsize=8)
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
