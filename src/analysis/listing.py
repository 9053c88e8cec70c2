"""Tables of published figures for the book: what the dataset holds for one entity and year."""

from __future__ import annotations

import pandas as pd

from analysis.scope import related_codes
from analysis.series import usable


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
    return (
        out[columns]
        .sort_values(["indicator", "category", "status", "period", "entity_code"])
        .reset_index(drop=True)
    )
