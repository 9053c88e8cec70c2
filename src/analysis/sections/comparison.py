"""The comparison section: the entity against its peers and the country, with caveats.

May import :mod:`analysis.sections.base`, :mod:`analysis.series`, :mod:`analysis.present`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from analysis.observations.run import RunContext
from analysis.present import charts
from analysis.present.text import fmt
from analysis.schema import NATIONAL_CODE
from analysis.sections.base import (
    KeyFigure,
    Section,
    label_of,
    no_data,
)
from analysis.series.compare import compare_entities, comparison_caveats, like_with_like
from analysis.series.prices import cpi_levels


def formula_in_words(ctx: RunContext, formula: str) -> str:
    """A formula over indicator ids with each id in words: ``sa_payout_gross / sa_recipients`` →
    ``gross social assistance paid / social-assistance recipients during the year``."""
    return re.sub(r"[a-z][a-z0-9_]*", lambda m: label_of(ctx, m.group(0)).lower(), formula)


def comparison(
    ctx: RunContext, title: str, specs: Sequence[tuple[str, str]], peers: Sequence[str], key: str
) -> Section:
    """The entity against peers and the country on one indicator, like with like.

    :func:`analysis.compare.like_with_like` picks the first indicator the entity itself has (in the
    chapter year or up to three years before), the same counting basis and the same or the nearest
    year for the others (gap stated), in real kroner of the entity's year. No own figure, no
    comparison; entities left out are named with the reason.
    """
    comp = compare_entities(
        ctx.observations,
        ctx.dataset.entities,
        ctx.dataset.indicators,
        entity=ctx.entity_code,
        peers=[p for p in peers if p not in (ctx.entity_code, NATIONAL_CODE)],
        country=NATIONAL_CODE if ctx.entity_code != NATIONAL_CODE else None,
        indicator_specs=specs,
    )
    levels = cpi_levels(ctx.observations)
    cpi = (
        {int(p): float(v) for p, v in zip(levels["period"], levels["value"], strict=True)}
        if len(levels)
        else {}
    )
    chosen = like_with_like(comp.table, ctx.year, specs, cpi=cpi)
    names = " or ".join(dict.fromkeys(label_of(ctx, i) for i, _ in specs))
    if chosen.table.empty:
        return no_data(
            title, f"No {names.lower()} for {ctx.entity_name} up to {ctx.year}, so no comparison", specs[0][0]
        )
    table = chosen.table
    ref = chosen.reference_year
    if len(table) < 2:
        why = "; ".join(chosen.excluded) or "no other entity has the figure"
        return Section(
            title=title,
            missing=f"No entity to compare {ctx.entity_name}'s {ref} figure with on the same basis ({why})",
        )
    unit = str(table["unit"].iloc[0])
    money = unit.startswith("NOK")
    srcs = tuple(sorted({s for ids in table["source_ids"] for s in ids}))
    label = label_of(ctx, chosen.indicator)
    shown = pd.DataFrame(
        {
            "name": table["name"],
            "year": table["period"],
            "value": table["value"],
            "unit": table["unit"],
            "counting_basis": table["counting_basis"],
            "computed_as": [formula_in_words(ctx, str(f)) for f in table["formula"]],
        }
    )
    if money and (table["gap_years"] != 0).any():  # kroner of other years: show both
        shown = shown.rename(columns={"value": f"value_{ref}_kroner"})
        shown.insert(2, "nominal", table["nominal"])
    if not shown["computed_as"].astype(bool).any():
        shown = shown.drop(columns="computed_as")
    if (shown["counting_basis"] == "not a count").all():
        shown = shown.drop(columns="counting_basis")
    gaps = [
        f"{n} {p}" for n, p, g in zip(table["name"], table["period"], table["gap_years"], strict=True) if g
    ]
    basis = str(table["counting_basis"].iloc[0])
    text = (
        f"{label}, {ref}: {ctx.entity_name} {fmt(float(table['value'].iloc[0]), unit)}, beside "
        f"{len(table) - 1} other entit{'y' if len(table) == 2 else 'ies'}"
        + (f" counted the same way ({basis})." if basis != "not a count" else ".")
    )
    if gaps:
        text += " Not the same year: " + ", ".join(gaps) + f" (the nearest to {ref})."
    if money and gaps:
        text += f" Kroner of other years are set in {ref} kroner with the CPI (2015=100)."
    notes = ["Not compared — " + "; ".join(chosen.excluded) + "."] if chosen.excluded else []
    shown_codes = set(table["entity_code"])
    notes += comparison_caveats(table)  # caveats about what is shown, and the harmonisation of those shown
    notes += [
        c for c in comp.caveats if " joined to " in c and c.split(" joined to ")[1].split()[0] in shown_codes
    ]
    section = Section(
        title=title,
        text=text,
        table=shown,
        sources=srcs,
        notes=list(dict.fromkeys(n.strip().rstrip(":") for n in notes)),
        key_figures=[
            KeyFigure(f"{key}_n", int(len(shown)), "count", srcs),
            KeyFigure(
                f"{key}_entity", float(table["value"].iloc[0]), unit, tuple(table["source_ids"].iloc[0])
            ),
        ],
    )
    bars = table.assign(
        bar=[f"{n} ({p})" if g else n for n, p, g in zip(table["name"], table["period"], table["gap_years"],
                                                           strict=True)],
        legend=f"{ref} kroner" if money else label,
    )  # fmt: skip
    fig, alt = charts.grouped_bar_chart(
        bars,
        x="bar",
        hue="legend",
        unit=unit,
        title=f"{label}, {ref}" + (f" ({ref} kroner)" if money else ""),
        sources=ctx.dataset.sources,
        source_ids=srcs,
    )
    section.figure, section.alt_text = fig, alt
    section.caption = f"{label}: {ctx.entity_name} and entities counted the same way, {ref}."
    return section
