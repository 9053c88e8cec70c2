"""The decomposition of the change in gross payouts when a year's payouts or recipients are derived
from published rates, not printed (the national 2024 figures, ``data/curated/derived_observations.csv``).

The same LMDI split as :func:`analysis.sections.decomposition.payout_decomposition`, which hands
over to :func:`derived_payout_decomposition` when a year it needs is derived; here every result
carries the interval that the rounding of the printed inputs allows, through the LMDI shares
(:func:`analysis.models.decomposition.decompose_payout_change_bounds`), and is cross-checked
against what the source prints as bounds for the same change.

May import :mod:`analysis.models`, :mod:`analysis.observations`, :mod:`analysis.series`,
:mod:`analysis.present` and the sections modules it builds on (``base``, ``decomposition``,
``derived_terms``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.models.decomposition import LMDIBounds, decompose_payout_change_bounds
from analysis.observations.derived import PrintedInput
from analysis.observations.intervals import DerivedError, quality_of
from analysis.observations.run import RunContext
from analysis.present.text import fmt, format_number
from analysis.sections.base import KeyFigure, Section, approximate_inputs, label_of
from analysis.sections.decomposition import FACTOR_LABELS, decomposition_section
from analysis.sections.derived_terms import (
    Model,
    Term,
    approx,
    derivation_text,
    input_key_figures,
    pct,
    price_term,
    printed_text,
    rounded_interval,
    term,
    text_observations,
)
from analysis.series.units import convert


def derived_payout_decomposition(
    ctx: RunContext, title: str, year_from: int, year_to: int, key: str
) -> Section | None:
    """The LMDI split of the change in gross payouts when a year's payouts or recipients are
    derived (None when both years are printed, or an input is missing: the printed path then says
    what is missing). Key figures as in :func:`analysis.sections.decomposition.payout_decomposition`, plus
    ``_low``/``_high`` of the total, each contribution and share, and ``_text`` companions for prose.
    """
    roles = {
        "V0": (year_from, "sa_payout_gross"),
        "V1": (year_to, "sa_payout_gross"),
        "R0": (year_from, "sa_recipients"),
        "R1": (year_to, "sa_recipients"),
    }
    terms = {role: term(ctx, y, ind) for role, (y, ind) in roles.items()}
    price = price_term(ctx, year_from, year_to)
    if any(t is None for t in terms.values()) or price is None:
        return None
    if not any(t.derived for t in terms.values() if t is not None):
        return None
    model = Model({**{r: t for r, t in terms.items() if t is not None}, "P": price})

    def build(v: Mapping[str, float]) -> tuple[float, float, float, float, float, float]:
        return (
            model.value("V0", v, "NOK_1000"),
            model.value("V1", v, "NOK_1000"),
            model.value("R0", v),
            model.value("R1", v),
            1.0,
            model.value("P", v),
        )

    try:
        bounds = decompose_payout_change_bounds(build, model.central, model.intervals)
    except (DerivedError, ValueError) as exc:
        return Section(
            title=title, missing=f"The decomposition {year_from}→{year_to} cannot be bounded: {exc}"
        )
    derived_years = sorted({int(t.derived.period) for t in terms.values() if t and t.derived})
    which = " and ".join(map(str, derived_years))
    srcs = model.sources()
    central = model.central
    v0, v1, r0, r1, _, ratio = build(central)
    text = _decomposition_text(ctx, model, bounds, year_from, year_to, which, (v0, v1, r0, r1, ratio))
    kfs = _decomposition_key_figures(key, bounds, year_from, year_to, ratio, srcs, price)
    kfs += input_key_figures(key, model.derived())
    check_text, check_kfs = _cross_check(ctx, model, key, year_from, year_to, srcs)
    text += check_text
    kfs += check_kfs
    # NOK million and percent, rounded as the text rounds them (one digit of an interval's
    # half-width, the interval outwards), the shares at the coarsest precision of their column so
    # that no share shows a digit its inputs do not carry: the table shows what the text says
    share_of = bounds.central.shares()
    money, shares = {}, {}
    for k, c in bounds.central.contributions.items():
        lo, hi = bounds.contributions[k]
        in_millions = (c / 1000, lo / 1000, hi / 1000)
        money[k] = rounded_interval(*in_millions) or (*in_millions, 0)
        s_lo, s_hi = bounds.shares[k]
        shares[k] = (100 * share_of[k], 100 * s_lo, 100 * s_hi)
    digits = [r[3] for r in (rounded_interval(*v) for v in shares.values()) if r is not None]
    share_decimals = min(digits, default=1)
    rows = []
    for k in bounds.central.contributions:
        share = rounded_interval(*shares[k], share_decimals)
        assert share is not None  # with decimals given, always rounded
        rows.append(
            {
                "component": FACTOR_LABELS[k],
                "contribution (NOK million)": money[k][0],
                "low (NOK million)": money[k][1],
                "high (NOK million)": money[k][2],
                "share %": share[0],
                "share low %": share[1],
                "share high %": share[2],
            }
        )
    table = pd.DataFrame(rows)
    notes = []  # printed levels that were printed rounded (as in the printed decomposition)
    for role, (year, indicator) in roles.items():
        t = terms[role]
        if t is not None and t.derived is None:
            notes += approximate_inputs(
                ctx.observations, {ctx.entity_code}, indicator, [str(year)], label=label_of(ctx, indicator)
            )
    title = title.replace(" (exact figures)", f" (exact {year_from} figures)")  # 2024 is not exact
    section = Section(title=title, text=text, table=table, sources=srcs, key_figures=kfs, notes=notes)
    section.derived = tuple(d.describe() for d in model.derived())
    # in billions with two decimals: the derived values carry no more precision than that
    to_bn = lambda x: convert(x, "NOK_1000", "NOK_billion")  # noqa: E731
    contributions = {k: to_bn(v) for k, v in bounds.central.contributions.items()}
    return decomposition_section(
        ctx, section, (year_from, year_to), to_bn(v0), contributions, unit="NOK_billion", derived=which,
        derived_end=year_to in derived_years, decimals=2,
    )  # fmt: skip


def _decomposition_text(
    ctx: RunContext,
    model: Model,
    bounds: LMDIBounds,
    year_from: int,
    year_to: int,
    which: str,
    point: tuple[float, float, float, float, float],
) -> str:

    v0, v1, r0, r1, ratio = point
    lo_t, hi_t = bounds.total
    res = bounds.central
    shares = res.shares()
    parts = "; ".join(
        f"{FACTOR_LABELS[k]} {approx(c, *bounds.contributions[k], 'NOK_1000')}, "
        f"{pct(shares[k], *bounds.shares[k])} of the change"
        for k, c in res.contributions.items()
    )

    def level(role: str, unit: str | None) -> str:
        """A printed level as printed (with its rounding), a derived one with its interval."""
        t = model.terms[role]
        if t.derived is None:
            return printed_text(t.inputs["x"])
        lo, hi = model.bounds(lambda v: model.value(role, v, unit))
        return approx(model.value(role, model.central, unit), lo, hi, unit or t.unit)

    words = {d.indicator: label_of(ctx, d.indicator).lower() for d in model.derived()}
    return (
        f"**{which} is derived, not printed.** No page the dataset cites prints the gross payouts or "
        f"recipients of {ctx.entity_name} for {which}; they are computed from printed levels and published "
        f"rates of change ({derivation_text(model, words)}), and every figure here carries, in brackets, the "
        "range that the rounding of the printed inputs allows.\n\n"
        f"Gross payouts changed by **{approx(res.total_change, lo_t, hi_t, 'NOK_1000')}** from {year_from} "
        f"to {year_to} ({level('V0', 'NOK_1000')} → {level('V1', 'NOK_1000')}). "
        f"LMDI decomposition: {parts}. Volume is measured by recipients during the year "
        f"({level('R0', None)} → {level('R1', None)}); prices by the "
        f"published annual CPI changes, chained (ratio {format_number(ratio, 4)}), the index NAV's "
        "price adjustment is taken to use. The intervals are worked bounds, evaluated at the corners of the "
        "inputs' rounding intervals (see the methods chapter), not a simulation."
    )


def _decomposition_key_figures(
    key: str,
    bounds: LMDIBounds,
    year_from: int,
    year_to: int,
    ratio: float,
    srcs: tuple[str, ...],
    price: Term,
) -> list[KeyFigure]:
    """The key figures of :func:`derived_payout_decomposition`: each result, its bounds and its text."""
    res = bounds.central
    price_srcs = tuple(sorted({s for p in price.inputs.values() for s in p.source_ids}))
    kfs = [
        KeyFigure(f"{key}_year_from", year_from, "year", srcs),
        KeyFigure(f"{key}_year_to", year_to, "year", srcs),
        KeyFigure(f"{key}_total", res.total_change, "NOK_1000", srcs),
        KeyFigure(f"{key}_total_low", bounds.total[0], "NOK_1000", srcs),
        KeyFigure(f"{key}_total_high", bounds.total[1], "NOK_1000", srcs),
        KeyFigure(f"{key}_total_text", approx(res.total_change, *bounds.total, "NOK_1000"), "text", srcs),
        KeyFigure(f"{key}_price_ratio", round(ratio, 6), "ratio", price_srcs),
    ]
    shares = res.shares()
    for k, c in res.contributions.items():
        lo, hi = bounds.contributions[k]
        s_lo, s_hi = bounds.shares[k]
        kfs += [
            KeyFigure(f"{key}_{k}", c, "NOK_1000", srcs),
            KeyFigure(f"{key}_{k}_low", lo, "NOK_1000", srcs),
            KeyFigure(f"{key}_{k}_high", hi, "NOK_1000", srcs),
            KeyFigure(f"{key}_{k}_text", approx(c, lo, hi, "NOK_1000"), "text", srcs),
            KeyFigure(f"{key}_{k}_pct", round(100 * shares[k], 1), "percent", srcs),
            KeyFigure(f"{key}_{k}_pct_low", round(100 * s_lo, 2), "percent", srcs),
            KeyFigure(f"{key}_{k}_pct_high", round(100 * s_hi, 2), "percent", srcs),
            KeyFigure(f"{key}_{k}_pct_text", pct(shares[k], s_lo, s_hi), "text", srcs),
        ]
    return kfs


def _bound_kind(p: PrintedInput) -> str:
    """``lower`` or ``upper`` for a figure printed as a bound (its ``quality``), else ``""``."""
    return {"lower_bound": "lower", "upper_bound": "upper"}.get(p.quality, "")


def _verdict(low: float, high: float, bound: float, kind: str) -> str:
    inside = (low > bound) if kind == "lower" else (high < bound)
    outside = (high < bound) if kind == "lower" else (low > bound)
    return "agrees" if inside else "does not agree" if outside else "agrees only in part"


def _cross_check(
    ctx: RunContext, model: Model, key: str, year_from: int, year_to: int, srcs: tuple[str, ...]
) -> tuple[str, list[KeyFigure]]:
    """Compare the derived real growth from ``year_from`` with what the source prints for it
    (``sa_payout_gross_real_change_pct`` and ``sa_payout_gross_real_change``, category
    ``base_year=<year_from>``, printed as bounds: "over 50 %", "nesten 4 milliarder"). The real
    change is V1 − V0 × P1/P0, in kroner of ``year_to``."""
    obs = text_observations(ctx)
    category = f"base_year={year_from}"
    printed: dict[str, PrintedInput] = {}
    for indicator in ("sa_payout_gross_real_change_pct", "sa_payout_gross_real_change"):
        rows = obs[
            (obs["entity_code"] == ctx.entity_code)
            & (obs["period"] == str(year_to))
            & (obs["indicator"] == indicator)
            & (obs["category"] == category)
            & (obs["preferred"] == "true")
        ]
        if len(rows):
            r = rows.iloc[0]
            v = float(r["value"])
            printed[indicator] = PrintedInput(
                ctx.entity_code, str(year_to), indicator, category, v, r["unit"], v, v, r["value"],
                (r["source_id"],), r["locator"], r["excerpt"], r["note"], quality_of(r),
            )  # fmt: skip
    if not printed:
        return "", []

    def growth(v: Mapping[str, float]) -> float:
        return model.value("V1", v) / model.value("V0", v, model.terms["V1"].unit) / model.value("P", v) - 1

    def change(v: Mapping[str, float]) -> float:
        return model.value("V1", v, "NOK_1000") - model.value("V0", v, "NOK_1000") * model.value("P", v)

    c = model.central
    sentences, kfs = [], []
    all_srcs = tuple(sorted(set(srcs) | {s for p in printed.values() for s in p.source_ids}))
    for indicator, func, unit, label in (
        ("sa_payout_gross_real_change_pct", growth, "percent", "Price-adjusted growth"),
        ("sa_payout_gross_real_change", change, "NOK_1000", f"price-adjusted change in {year_to} kroner"),
    ):
        if indicator not in printed:
            continue
        p = printed[indicator]
        kind = _bound_kind(p)
        value, (lo, hi) = func(c), model.bounds(func)
        bound = p.value / 100 if unit == "percent" else convert(p.value, p.unit, "NOK_1000")
        verdict = (
            _verdict(lo, hi, bound, kind) if kind else ("agrees" if lo <= bound <= hi else "does not agree")
        )
        shown = pct(value, lo, hi) if unit == "percent" else approx(value, lo, hi, unit)
        said = {"lower": "more than", "upper": "just under", "": ""}[kind]
        sentences.append(
            f"{label}: derived {shown}, printed “{said} {fmt(p.value, p.unit)}” — the derived series "
            f"**{verdict}**"
        )
        stem = f"{key}_check_{'growth' if unit == 'percent' else 'change'}"
        kfs += [
            KeyFigure(f"{stem}_text", shown, "text", srcs),
            KeyFigure(f"{stem}_printed", p.value, p.unit, p.source_ids),
            KeyFigure(f"{stem}_verdict", verdict, "text", all_srcs),
            KeyFigure(f"{stem}_low", lo * (100 if unit == "percent" else 1), unit, srcs),
            KeyFigure(f"{stem}_high", hi * (100 if unit == "percent" else 1), unit, srcs),
        ]
    first = next(iter(printed.values()))
    excerpts = list(dict.fromkeys(p.excerpt for p in printed.values()))
    quotes = " ".join(f"“{e}”" for e in excerpts if not any(e != o and e in o for o in excerpts))
    text = (
        f"\n\n**Cross-check with what {first.source_ids[0]} prints for {year_from}→{year_to}**: {quotes} "
        + "; ".join(sentences)
        + ". These statements are bounds, not inputs: nothing above is computed from them."
    )
    return text, kfs
