"""The overview page: every published figure the dataset holds for one entity and year.

May import :mod:`analysis.sections.base` and :mod:`analysis.observations`.
"""

from __future__ import annotations

import pandas as pd

from analysis.observations.lineage import related_codes
from analysis.observations.run import RunContext
from analysis.sections.base import KeyFigure, Section
from analysis.series.select import suspect_rows, usable


def figures_for_year(
    observations: pd.DataFrame,
    indicators: pd.DataFrame,
    entities: pd.DataFrame,
    entity_code: str,
    year: int,
    prefixes: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Preferred figures for the entity (and its predecessor/successor codes) in ``year``.

    Annual and monthly periods of that year are included; rows are ordered by indicator, category,
    status and period. ``prefixes`` keeps only indicators starting with one of them (e.g. ``("sa_",)``).
    Columns: entity_code, period, indicator, label, category, status, value, unit, source_id, locator.
    """
    codes = related_codes(entities, entity_code)
    observations = usable(observations)  # suspect rows are listed apart (series.suspect_rows)
    rows = observations[
        observations["entity_code"].isin(codes)
        & observations["period"].str.startswith(str(year))
        & observations["preferred"].astype(str).str.lower().eq("true")
    ]
    if prefixes:
        rows = rows[rows["indicator"].str.startswith(prefixes)]
    labels = indicators.set_index("indicator")["label_en"]
    out = rows.assign(label=rows["indicator"].map(labels))
    columns = [
        "entity_code",
        "period",
        "indicator",
        "label",
        "category",
        "status",
        "value",
        "unit",
        "source_id",
        "locator",
    ]
    out = out.assign(neighbour=out["entity_code"] != entity_code)  # the entity's own rows first
    return out.sort_values(["indicator", "category", "status", "period", "neighbour", "entity_code"])[
        columns
    ].reset_index(drop=True)



def published_figures(ctx: RunContext, title: str, key: str) -> Section:
    """Every preferred figure for the entity in the chapter year (:func:`figures_for_year`), as a
    table with the count as key figure; a missing section when the dataset has none."""
    figures = figures_for_year(
        ctx.observations, ctx.dataset.indicators, ctx.dataset.entities, ctx.entity_code, ctx.year
    )
    if figures.empty:
        return Section(
            title=title, missing=f"The dataset has no published figure for {ctx.entity_name} in {ctx.year}"
        )
    sources = tuple(sorted(set(figures["source_id"])))
    table = figures.drop(columns=["indicator"])
    if table["entity_code"].nunique() == 1:  # the page's own code on every row: the heading says it
        table = table.drop(columns=["entity_code"])
    return Section(
        title=title,
        text=f"**{ctx.entity_name}, {ctx.year}: {len(figures)} published figures.**",
        table=table,
        sources=sources,
        key_figures=[KeyFigure(key, int(len(figures)), "count", sources)],
    )



def set_aside_figures(
    observations: pd.DataFrame, indicators: pd.DataFrame, entities: pd.DataFrame, entity_code: str, year: int
) -> pd.DataFrame:
    """The entity's ``suspect`` figures up to ``year``: printed, kept, and used in no calculation.

    Columns: period, label, category, value, unit, source_id, locator, reason (the curation note).
    Empty for most entities; Oppegård 0217 lists its 2015 payout per recipient "692".
    """
    rows = suspect_rows(observations, related_codes(entities, entity_code))
    rows = rows[rows["period"].str[:4].astype(int) <= year]
    labels = indicators.set_index("indicator")["label_en"]
    rows = rows.assign(label=rows["indicator"].map(labels))
    columns = ["period", "label", "category", "value", "unit", "source_id", "locator", "reason"]
    return rows[columns].reset_index(drop=True)


def set_aside_section(ctx: RunContext, title: str) -> Section | None:
    """The entity's ``suspect`` figures (:func:`set_aside_figures`) as a table with source and
    reason; None when there are none (most entities)."""
    rows = set_aside_figures(
        ctx.observations, ctx.dataset.indicators, ctx.dataset.entities, ctx.entity_code, ctx.year
    )
    if rows.empty:
        return None
    return Section(
        title=title,
        text=f"**Set aside: {len(rows)} printed figure(s) used in no calculation, and why.**",
        table=rows,
        sources=tuple(sorted(set(rows["source_id"]))),
    )
