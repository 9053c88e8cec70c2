"""Report sections for a year whose levels are derived from published rates, not printed.

No public page the dataset cites prints the national 2024 recipients or gross payouts; NAV prints
their changes from 2023 and SSB the exact 2023 levels, so ``data/curated/derived_observations.csv``
derives the 2024 levels (:mod:`analysis.observations.derived`). These sections use such a derived
figure where a printed one is missing, always say so, and carry the interval that the rounding of
every printed input allows (:mod:`analysis.sections.derived_terms`).

:func:`analysis.sections.annual.annual_indicator` hands over to :func:`derived_indicator` when the
chapter year's figure is derived, and :func:`analysis.sections.decomposition.payout_decomposition`
to :func:`analysis.sections.derived_decomposition.derived_payout_decomposition`; with printed
figures nothing here is used.

May import :mod:`analysis.observations`, :mod:`analysis.series`, :mod:`analysis.present`,
:mod:`analysis.sections.base` and :mod:`analysis.sections.derived_terms`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from analysis.observations.derived import printed_input
from analysis.observations.intervals import DerivedError
from analysis.observations.run import RunContext
from analysis.present import charts
from analysis.present.text import fmt, format_number
from analysis.sections.base import KeyFigure, Section, entity_series, label_of
from analysis.sections.derived_terms import (
    PRICE_INDICATOR,
    Model,
    Term,
    approx,
    derivation_text,
    display_step,
    input_key_figures,
    printed_text,
    term,
    text_observations,
)


def price_index_check(ctx: RunContext, year: int, key: str) -> tuple[str, list[KeyFigure]]:
    """Is "price-adjusted" the CPI? For ``year``, the printed nominal and price-adjusted growth of
    gross payouts imply a deflator (1 + nominal)/(1 + real) − 1, bounded by their rounding; compare
    it with the CPI's published change. Empty when a figure is missing."""
    obs = text_observations(ctx)
    try:
        nominal = printed_input(obs, ctx.entity_code, str(year), "sa_payout_gross_change_pct")
        real = printed_input(obs, ctx.entity_code, str(year), "sa_payout_gross_real_change_pct")
        cpi = printed_input(obs, "EAK", str(year), PRICE_INDICATOR)
    except DerivedError:
        return "", []
    t = {"N": Term("x", {"x": nominal}, "percent"), "Q": Term("x", {"x": real}, "percent")}
    model = Model(t)

    def deflator(v: Mapping[str, float]) -> float:
        return 100 * ((1 + model.value("N", v) / 100) / (1 + model.value("Q", v) / 100) - 1)

    lo, hi = model.bounds(deflator)
    inside = lo <= cpi.value <= hi
    srcs = tuple(sorted(set(nominal.source_ids) | set(real.source_ids) | set(cpi.source_ids)))
    span = f"{format_number(lo, 1)}–{format_number(hi, 1)} %"
    text = (
        f" **Which price index?** For {year} the sources print gross payouts up {printed_text(nominal)} "
        f"and price-adjusted expenditure up {printed_text(real)}: an implied price rise of {span}, which "
        f"{'contains' if inside else 'does not contain'} the CPI's {printed_text(cpi)} — so the CPI is "
        f"{'consistent with' if inside else 'not'} what NAV calls price adjustment, and it is the index "
        "used here."
    )
    kfs = [
        KeyFigure(f"{key}_deflator_year", year, "year", srcs),
        KeyFigure(f"{key}_deflator_nominal_text", printed_text(nominal), "text", nominal.source_ids),
        KeyFigure(f"{key}_deflator_real_text", printed_text(real), "text", real.source_ids),
        KeyFigure(f"{key}_deflator_text", span, "text", srcs),
        KeyFigure(f"{key}_deflator_cpi_text", printed_text(cpi), "text", cpi.source_ids),
        KeyFigure(f"{key}_deflator_verdict", "contains" if inside else "does not contain", "text", srcs),
    ]
    return text, kfs


def derived_indicator(ctx: RunContext, title: str, indicator: str, key: str) -> Section | None:
    """The chapter year's value of ``indicator`` when it is derived, not printed (None otherwise):
    the printed series with the derived point beside it, its interval and how it was computed."""
    from analysis.sections.annual import _series_table

    t = term(ctx, ctx.year, indicator)
    if t is None or t.derived is None:
        return None
    d = t.derived
    model = Model({"X": t})
    series = entity_series(ctx, indicator, unit=d.unit)
    label = label_of(ctx, indicator)
    srcs = model.sources()
    text = (
        f"**{label}**, {ctx.entity_name}, {ctx.year}: **{approx(d.value, d.low, d.high, d.unit)} — "
        f"derived, not printed.** No page the dataset cites prints it; it is computed as `{d.formula}` from "
        f"{derivation_text(model).split(' with ', 1)[1]}; the interval is what the rounding of those "
        "printed figures (in brackets) allows."
    )
    kfs = [
        KeyFigure(key, d.value, d.unit, srcs),
        KeyFigure(f"{key}_low", d.low, d.unit, srcs),
        KeyFigure(f"{key}_high", d.high, d.unit, srcs),
        KeyFigure(f"{key}_text", approx(d.value, d.low, d.high, d.unit), "text", srcs),
    ]
    kfs += input_key_figures(key, [d])
    previous = series[series["period"] == str(ctx.year - 1)]
    if len(previous):
        before = float(previous["value"].iloc[0])
        lo, hi = 100 * (d.low / before - 1), 100 * (d.high / before - 1)
        pct = 100 * (d.value / before - 1)
        shown = approx(pct, lo, hi, "percent")
        text += f" In {ctx.year - 1} (printed): {fmt(before, d.unit)}; change {shown}."
        kfs.append(KeyFigure(f"{key}_change_pct_text", shown, "text", srcs))
    if any(p.indicator == PRICE_INDICATOR for p in d.inputs.values()):
        check, check_kfs = price_index_check(ctx, ctx.year - 1, key)
        text += check
        kfs += check_kfs
    step = display_step(d.value, d.low, d.high, d.unit)
    point = pd.DataFrame(
        [
            {
                "entity_code": ctx.entity_code,
                "period": str(ctx.year),
                "indicator": indicator,
                "category": "",
                "status": "derived",
                "value": round(d.value / step) * step,  # to the interval's precision
                "unit": d.unit,
                "source_ids": srcs,
            }
        ]
    )
    data = pd.concat([series, point], ignore_index=True)
    table = _series_table(data)
    table["low"] = [math.floor(d.low / step) * step if s == "derived" else math.nan for s in table["status"]]
    table["high"] = [math.ceil(d.high / step) * step if s == "derived" else math.nan for s in table["status"]]
    table.loc[table["status"] == "derived", "status"] = "derived, not printed"
    section = Section(
        title=f"{title} ({ctx.year} derived, not printed)",
        text=text,
        table=table,
        sources=tuple(sorted(set(srcs) | {s for ids in series["source_ids"] for s in ids})),
        key_figures=kfs,
        derived=(d.describe(),),
    )
    fig, alt = charts.annual_line_chart(
        data.assign(entity_code=ctx.entity_name),
        title=f"{label}\n{ctx.entity_name} ({ctx.year} derived, not printed)",
        unit=d.unit,
        sources=ctx.dataset.sources,
        source_ids=section.sources,
    )
    section.figure, section.alt_text = fig, alt
    section.caption = (
        f"{label}, {ctx.entity_name}, {data['period'].min()}–{ctx.year}; the {ctx.year} point is derived "
        f"from published rates (interval {approx(d.value, d.low, d.high, d.unit)}), not printed."
    )
    return section
