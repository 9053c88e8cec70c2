"""The charts' house style: palette, rcParams, tick formatters and the source line.

House style: seaborn's ``ticks`` style and ``notebook`` context with readable sizes, and the
Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design";
https://jfly.uni-koeln.de/color/). May import :mod:`analysis.present.text`.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator, Sequence

import matplotlib as mpl
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from analysis.present.text import format_number

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
    "derived": {"linestyle": "none", "marker": "D", "markerfacecolor": "white", "markersize": 8},
}


STATUS_WORDS: dict[str, str] = {
    "actual": "actual, solid line",
    "preliminary": "preliminary, hollow markers",
    "budget": "budget, dashed line",
    "revised_budget": "revised budget, dash-dot line",
    "forecast": "forecast, dotted line",
    "target": "target, cross markers",
    "derived": "derived from published rates, not printed; hollow diamond",
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


def fitted_source_text(
    source_ids: Sequence[str], sources: pd.DataFrame | None = None, *, limit: int = 240, overflow: str = ""
) -> str:
    """:func:`source_text` in at most ``limit`` characters where it can be: with titles if they
    fit, else the ids alone, else (when ``overflow`` is given) ``"Sources: <n> documents, <overflow>"``.

    A chart over a comparison can cite twenty documents; their titles under the chart would be
    taller than the chart. The caption names the ids; the page's Provenance lists every title.
    """
    full = source_text(source_ids, sources)
    if len(full) <= limit:
        return full
    ids_only = source_text(source_ids)
    if len(ids_only) <= limit or not overflow:
        return ids_only
    return f"Sources: {len(source_ids)} documents, {overflow}"
