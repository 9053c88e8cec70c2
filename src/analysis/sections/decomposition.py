"""The decomposition sections: how a change in gross payouts splits into volume, real payment and
inflation, between two years and since before the surge.

May import :mod:`analysis.sections.base`, :mod:`analysis.models`, :mod:`analysis.series`,
:mod:`analysis.present`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.models.decomposition import decompose_payout_change
from analysis.observations.run import RunContext
from analysis.present import charts
from analysis.present.text import fmt, format_number, round_to_step
from analysis.sections.base import (
    KeyFigure,
    Section,
    approximate_inputs,
    entity_series,
    first_available,
    fmt_result,
    label_of,
    no_data,
    point_codes,
    point_steps,
    sources_of,
)
from analysis.series.prices import price_ratio as cpi_price_ratio
from analysis.series.select import propagated_step


def price_ratio(ctx: RunContext, year_from: int, year_to: int) -> tuple[float, tuple[str, ...], str] | None:
    """The CPI ratio of :func:`analysis.series.prices.price_ratio` with a sentence saying how it was
    obtained (for the decomposition's text); None when neither levels nor changes are available."""
    found = cpi_price_ratio(ctx.observations, year_from, year_to)
    if found is None:
        return None
    if found.changes:
        how = "chained published annual CPI changes " + ", ".join(
            f"{y}: {fmt(pct, 'percent')}" for y, pct in found.changes
        )
    else:
        how = f"CPI {year_to} / CPI {year_from} (2015=100)"
        if found.chained_levels:
            how += " with " + "; ".join(found.chained_levels)
    return found.ratio, found.source_ids, how


#: How the LMDI factors are named in prose and tables, and on the waterfall chart's axis.
FACTOR_LABELS = {
    "volume": "more recipients (volume)",
    "real_payment": "more per recipient in real terms",
    "inflation": "inflation (CPI)",
}
FACTOR_CHART_LABELS = {
    "volume": "Volume\n(recipients)",
    "real_payment": "Real payment\nper recipient",
    "inflation": "Inflation\n(CPI)",
}


def payout_decomposition(ctx: RunContext, title: str, year_from: int, year_to: int, key: str) -> Section:
    """LMDI decomposition of the change in gross payouts into volume, real payment and inflation.

    V = R × (V / (R·P)) × P with R recipients (or KOSTRA cases, or monthly average recipients — the
    first the entity has for both years) and P the CPI;
    see :func:`analysis.decomposition.decompose_payout_change`.
    """
    from analysis.sections.derived_decomposition import derived_payout_decomposition

    derived = derived_payout_decomposition(ctx, title, year_from, year_to, key)
    if derived is not None:  # a year's level is derived from published rates, not printed
        return derived
    payout = entity_series(ctx, "sa_payout_gross", unit="NOK_1000")
    volume = first_available(
        ctx,
        [("sa_recipients", ""), ("sa_cases", ""), ("sa_recipients_monthly_avg", ""), ("sa_active_cases", "")],
        years=[year_from, year_to],
    )
    prices = price_ratio(ctx, year_from, year_to)
    need = [
        f"gross payouts {y}"
        for y in (year_from, year_to)
        if not len(payout) or str(y) not in set(payout["period"])
    ]
    if volume is None:
        need.append(f"a count of recipients for both {year_from} and {year_to}")
    if prices is None:
        need.append(f"CPI for {year_from} and {year_to} (or the published annual CPI change)")
    if need:
        return no_data(
            title,
            f"The decomposition {year_from}→{year_to} needs " + ", ".join(need),
            "sa_payout" if any("payout" in n for n in need) else ("sa_" if volume is None else "cpi"),
        )
    assert volume is not None and prices is not None
    ratio, price_sources, how = prices

    def at(frame: pd.DataFrame, y: int) -> float:
        return float(frame.loc[frame["period"] == str(y), "value"].iloc[0])

    result = decompose_payout_change(
        at(payout, year_from),
        at(payout, year_to),
        at(volume[2], year_from),
        at(volume[2], year_to),
        1.0,
        ratio,
    )
    srcs = tuple(sorted(set(sources_of(payout)) | set(sources_of(volume[2])) | set(price_sources)))
    # how far each result moves with the rounded inputs (exact inputs: 0), to print it at their precision
    inputs = [at(payout, year_from), at(payout, year_to), at(volume[2], year_from), at(volume[2], year_to)]
    pay_steps = point_steps(ctx, payout, "sa_payout_gross")
    vol_steps = point_steps(ctx, volume[2], volume[0], volume[1])
    input_steps = [pay_steps.get(str(year_from), 0.0), pay_steps.get(str(year_to), 0.0),
                   vol_steps.get(str(year_from), 0.0), vol_steps.get(str(year_to), 0.0)]  # fmt: skip
    steps = {
        k: propagated_step(
            lambda v0, v1, r0, r1, k=k: decompose_payout_change(v0, v1, r0, r1, 1.0, ratio).contributions[k],
            inputs,
            input_steps,
        )
        for k in result.contributions
    }
    total_step = input_steps[0] + input_steps[1]
    contributions = [(FACTOR_LABELS.get(k, k), v, steps[k]) for k, v in result.contributions.items()]
    total = result.total_change
    parts = (
        "; ".join(
            f"{label} {fmt_result(v, 'NOK_1000', step)} ({format_number(100 * v / total, 0)} %)"
            for label, v, step in contributions
        )
        if total
        else ""
    )
    v0, v1, r0, r1 = (
        fmt_result(v, u, st)
        for v, u, st in zip(inputs, ["NOK_1000"] * 2 + [""] * 2, input_steps, strict=True)
    )
    text = (
        f"Gross payouts changed by **{fmt_result(total, 'NOK_1000', total_step)}** from {year_from} to "
        f"{year_to} ({v0} → {v1}). Exact LMDI decomposition: {parts}. Volume is measured by "
        f"{label_of(ctx, volume[0]).lower()} ({r0} → {r1}); prices by {how} "
        f"(ratio {format_number(ratio, 4)})."
    )
    kfs = [
        KeyFigure(f"{key}_year_from", year_from, "year", srcs),
        KeyFigure(f"{key}_year_to", year_to, "year", srcs),
        KeyFigure(f"{key}_total", total, "NOK_1000", srcs),
        KeyFigure(f"{key}_price_ratio", round(ratio, 6), "ratio", tuple(price_sources)),
    ] + [KeyFigure(f"{key}_{k}", v, "NOK_1000", srcs) for k, v in result.contributions.items()]
    kfs += [
        KeyFigure(f"{key}_{k}_pct", round(100 * v / total, 1), "percent", srcs)
        for k, v in result.contributions.items()
        if total
    ]
    table = pd.DataFrame(
        {
            "component": [c for c, _, _ in contributions],
            "contribution_nok_1000": [round_to_step(v, step) for _, v, step in contributions],
        }
    )
    years = (year_from, year_to)
    rounded = [
        note
        for frame, indicator, category in ((payout, "sa_payout_gross", ""), (volume[2], volume[0], volume[1]))
        for note in approximate_inputs(
            ctx.observations,
            point_codes(frame, years),
            indicator,
            map(str, years),
            category=category,
            label=label_of(ctx, indicator),
        )
    ]
    if rounded:
        text += (
            " Some inputs are printed rounded (below), so the results are given at the precision of the "
            "least precise of them."
        )
    # the contributions are exact: they sum to the end bar
    section = Section(title=title, text=text, table=table, sources=srcs, key_figures=kfs, notes=rounded)
    start = at(payout, year_from)
    return decomposition_section(ctx, section, (year_from, year_to), start, result.contributions)


def decomposition_section(
    ctx: RunContext,
    section: Section,
    years: tuple[int, int],
    start: float,
    contributions: Mapping[str, float],
    *,
    unit: str = "NOK_1000",
    derived: str = "",
    derived_end: bool = False,
    decimals: int | None = None,
) -> Section:
    """A payout decomposition's ``section`` (text, table, sources, key figures, notes) with its
    waterfall and caption: ``contributions`` (LMDI factor → change, in ``unit``) from the level
    ``start`` of the first of ``years``.

    ``derived`` names the years whose levels are derived from published rates, not printed
    (``"2024"``, :mod:`analysis.sections.derived_decomposition`): the title, chart and caption
    then say so, and ``derived_end`` marks the end bar when the last year is one of them.
    """
    year_from, year_to = years
    mark = f" ({derived} derived, not printed)" if derived else ""
    section.figure, section.alt_text = charts.waterfall_chart(
        [(FACTOR_CHART_LABELS.get(k, k), v) for k, v in contributions.items()],
        title=f"Change in gross payouts {year_from}→{year_to}{mark}\n{ctx.entity_name}",
        start=(str(year_from), start),
        end_label=f"{year_to}\n(derived)" if derived_end else str(year_to),
        unit=unit,
        sources=ctx.dataset.sources,
        source_ids=section.sources,
        decimals=decimals,
    )
    section.title += mark
    section.caption = f"Decomposition of the change in gross payouts, {year_from}–{year_to}" + (
        f"; {derived} derived from published rates of change, not printed (interval in the table)."
        if derived
        else "."
    )
    return section


def baseline_decomposition(
    ctx: RunContext, key: str, last_base_year: int = 2021, *, exact: bool = False
) -> Section:
    """The decomposition from the latest pre-surge year with the needed figures (≤ ``last_base_year``)
    to the chapter year: how the whole surge splits into volume, real payment and inflation.

    With ``exact=True`` only base years whose inputs are all printed exactly count (no rounded
    figure, see :func:`analysis.series.select.rounded_inputs`); when the plain baseline is exact already,
    the section is missing and says so, so that a notebook can show both without repeating one.
    """
    heading = f"Since before the surge{' (exact figures)' if exact else ''}"
    title = f"{heading}: up to {ctx.year}"
    if ctx.year <= last_base_year:
        return Section(
            title=title, missing=f"{ctx.year} is before the 2022–2024 surge; no baseline comparison"
        )
    payout = entity_series(ctx, "sa_payout_gross", unit="NOK_1000")
    candidates = (
        sorted((int(p) for p in payout["period"] if int(p) <= last_base_year), reverse=True)
        if len(payout)
        else []
    )
    rounded_base_seen = False  # exact mode: a later base year with rounded inputs came first
    for base in candidates:
        section = payout_decomposition(ctx, f"{heading}: {base}→{ctx.year}", base, ctx.year, key)
        if not section.available:
            continue
        if not exact:
            return section
        if section.notes:  # some input printed rounded: look further back
            rounded_base_seen = True
            continue
        if not rounded_base_seen:
            return Section(
                title=title,
                missing="The comparison above uses exact figures only; no second split is needed.",
            )
        return section
    if exact:
        why = "no base year has exact figures" if rounded_base_seen else "no base year at all"
        return Section(title=title, missing=f"No split from exact figures: {why} (see above).")
    return no_data(
        title,
        f"No year up to {last_base_year} with gross payouts, recipients and CPI to compare with {ctx.year}",
        "sa_payout",
    )


def surge_decomposition(ctx: RunContext, key: str, first_year: int = 2022) -> Section:
    """The split of the surge years, ``first_year`` (2022, when payouts began to rise) → the chapter
    year; missing when that is the year-on-year split already shown, or the year is not later."""
    title = f"The surge years: {first_year}→{ctx.year}"
    if ctx.year <= first_year:
        return Section(title=title, missing=f"{ctx.year} is not after the surge began in {first_year}.")
    if ctx.year == first_year + 1:
        return Section(title=title, missing=f"The {first_year}→{ctx.year} split above is the surge so far.")
    return payout_decomposition(ctx, title, first_year, ctx.year, key)
