"""The comparison section: the entity against its peers and the country, with caveats.

May import :mod:`analysis.sections.base`, :mod:`analysis.series`, :mod:`analysis.present`.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.observations.run import RunContext
from analysis.present import charts
from analysis.schema import NATIONAL_CODE
from analysis.sections.base import (
    KeyFigure,
    Section,
    label_of,
    no_data,
)
from analysis.series.compare import compare_entities


def _about_later_year(note: str, year: int) -> bool:
    """A 'Missing: …' caveat about a period after the chapter year is noise on this page."""
    import re

    years = [int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", note)]
    return note.startswith("Missing:") and bool(years) and min(years) > year


def comparison(
    ctx: RunContext, title: str, specs: Sequence[tuple[str, str]], peers: Sequence[str], key: str
) -> Section:
    """The entity against peers and the country on the given indicators, with caveats."""
    comp = compare_entities(
        ctx.observations,
        ctx.dataset.entities,
        ctx.dataset.indicators,
        entity=ctx.entity_code,
        peers=[p for p in peers if p not in (ctx.entity_code, NATIONAL_CODE)],
        country=NATIONAL_CODE if ctx.entity_code != NATIONAL_CODE else None,
        indicator_specs=specs,
    )
    table = comp.table[comp.table["missing_reason"] == ""] if len(comp.table) else comp.table
    if table.empty:
        return no_data(title, "No comparable figures for this entity and its peers", specs[0][0])
    table = table[table["period"].str[:4].astype(int) <= ctx.year]
    if table.empty:
        return no_data(title, f"No comparable figures up to {ctx.year}", specs[0][0])
    srcs = tuple(sorted({s for ids in table["source_ids"] for s in ids}))
    shown = (
        table[["name", "label", "period", "value", "unit", "counting_basis", "formula"]]
        .rename(columns={"label": "indicator", "formula": "computed_as"})
        .reset_index(drop=True)
    )
    text = f"{len(shown)} comparable figures for {shown['name'].nunique()} entities."
    section = Section(
        title=title,
        text=text,
        table=shown,
        sources=srcs,
        notes=[
            note.strip().rstrip(":") + ("." if note.strip().endswith(":") else "")
            for note in comp.caveats
            if not _about_later_year(note, ctx.year)
        ],
        key_figures=[KeyFigure(f"{key}_n", int(len(shown)), "count", srcs)],
    )
    latest = table.sort_values("period").groupby(["indicator"]).tail(1)
    chart = table[table["indicator"] == latest["indicator"].iloc[0]]
    if chart["name"].nunique() >= 2 and chart["unit"].nunique() == 1:
        fig, alt = charts.grouped_bar_chart(
            chart,
            x="period",
            hue="name",
            unit=chart["unit"].iloc[0],
            title=label_of(ctx, chart["indicator"].iloc[0]),
            sources=ctx.dataset.sources,
            source_ids=srcs,
        )
        section.figure, section.alt_text = fig, alt
        section.caption = (
            f"{label_of(ctx, chart['indicator'].iloc[0])}: {ctx.entity_name} and comparison entities."
        )
    return section
