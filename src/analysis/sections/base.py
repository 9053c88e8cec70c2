"""What every section builder shares: the page model (:class:`Section`, :class:`KeyFigure`), where a
missing figure would come from, and the entity's series as a run sees it.

May import :mod:`analysis.series`, :mod:`analysis.present`, :mod:`analysis.observations` and
:mod:`analysis.schema`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.observations.lineage import related_codes
from analysis.observations.run import RunContext
from analysis.present.text import fmt, format_at_precision, rounded_input_note
from analysis.series.frame import SeriesConflictError
from analysis.series.harmonise import harmonised_series
from analysis.series.select import QUALITY_WORDS, rounded_inputs, suspect_rows

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
    derived: tuple[str, ...] = ()  # how each derived (not printed) figure used was computed
    details: pd.DataFrame | None = None  # a model table, shown behind a toggle after the sentence

    @property
    def available(self) -> bool:
        return not self.missing


def sources_of(frame: pd.DataFrame) -> tuple[str, ...]:
    ids: set[str] = set()
    for item in frame.get("source_ids", []):
        ids.update(item)
    return tuple(sorted(ids))


def point_codes(frame: pd.DataFrame, years: Iterable[int]) -> set[str]:
    """The entity codes whose rows make up the points of ``frame`` in ``years``."""
    wanted = {str(y) for y in years}
    return {
        c
        for period, codes in zip(frame["period"], frame["codes"], strict=True)
        if period in wanted
        for c in codes
    }


def label_of(ctx: RunContext, indicator: str) -> str:
    try:
        return str(ctx.dataset.indicator_row(indicator)["label_en"])
    except KeyError:
        return indicator


def no_data(title: str, what: str, indicator: str) -> Section:
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


def has_year(frame: pd.DataFrame, year: int) -> bool:
    """Whether a series frame has a row for ``year`` (annual period ``"YYYY"``)."""
    return bool(len(frame)) and str(year) in set(frame["period"])


def entity_codes(ctx: RunContext) -> set[str]:

    return related_codes(ctx.dataset.entities, ctx.entity_code)


def approximate_inputs(
    obs: pd.DataFrame, codes: Iterable[str], indicator: str, periods: Iterable[str], **selection: str
) -> list[str]:
    """One note per figure behind a result that was printed rounded: :func:`rounded_inputs` (same
    arguments; ``selection`` is its ``category``, ``status`` and ``label``) written as sentences."""
    found = rounded_inputs(obs, codes, indicator, periods, **selection)
    return [
        rounded_input_note(r.label, r.period, r.value, r.unit, r.source_id, r.note, QUALITY_WORDS[r.quality])
        for r in found
    ]


def point_steps(
    ctx: RunContext, frame: pd.DataFrame, indicator: str, category: str = "", status: str = "actual"
) -> dict[str, float]:
    """{period: printed step in the frame's unit} for the points of ``frame`` printed rounded or as a
    bound (:func:`analysis.series.select.rounded_inputs`); exact points are absent (step 0)."""
    if not len(frame):
        return {}
    unit = str(frame["unit"].iloc[0])
    found = rounded_inputs(
        ctx.observations, point_codes(frame, frame["period"]), indicator, frame["period"],
        category=category, status=status,
    )  # fmt: skip
    return {r.period: r.step_in(unit) for r in found}


def set_aside_notes(
    ctx: RunContext, series: pd.DataFrame, indicator: str, category: str, label: str
) -> list[str]:
    """One line per ``suspect`` row of this series' codes (up to the chapter year): the value as
    printed, where, and why no calculation uses it (:func:`analysis.series.select.suspect_rows`)."""
    codes = set(point_codes(series, series["period"])) | {ctx.entity_code}
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
    (:func:`analysis.format_at_precision`: "about 7,4 billion kr")."""
    return format_at_precision(float(value), unit, step) if step else fmt(value, unit)
