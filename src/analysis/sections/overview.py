"""The overview page: every published figure the dataset holds for one entity and year.

May import :mod:`analysis.sections.base` and :mod:`analysis.observations`.
"""

from __future__ import annotations

import pandas as pd

from analysis.observations.lineage import related_codes
from analysis.observations.run import RunContext
from analysis.sections.base import KeyFigure, Section


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
    return (
        out[columns]
        .sort_values(["indicator", "category", "status", "period", "entity_code"])
        .reset_index(drop=True)
    )


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
    return Section(
        title=title,
        text=f"**{ctx.entity_name}, {ctx.year}: {len(figures)} published figures.**",
        table=figures.drop(columns=["indicator"]),
        sources=sources,
        key_figures=[KeyFigure(key, int(len(figures)), "count", sources)],
    )
