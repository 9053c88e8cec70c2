"""Report sections for a year whose levels are derived from published rates, not printed.

No public page the dataset cites prints the national 2024 recipients or gross payouts; NAV prints
their changes from 2023 and SSB the exact 2023 levels, so ``data/curated/derived_observations.csv``
derives the 2024 levels (:mod:`analysis.observations.derived`). These sections use such a derived
figure where a printed one is missing, always say so, and carry the interval that the rounding of
every printed input allows: through the level (:func:`analysis.observations.derived.corner_bounds`)
and through the LMDI shares (:func:`analysis.models.decomposition.decompose_payout_change_bounds`).

:func:`analysis.sections.decomposition.payout_decomposition` and
:func:`analysis.sections.annual.annual_indicator` hand over to :func:`derived_payout_decomposition`
and :func:`derived_indicator` when a year they need is derived; with printed figures nothing here
is used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.models.decomposition import LMDIBounds, decompose_payout_change_bounds
from analysis.observations.derived import (
    DerivedError,
    DerivedFigure,
    PrintedInput,
    corner_bounds,
    evaluate,
    find_derived,
    printed_input,
)
from analysis.observations.run import RunContext
from analysis.present import charts
from analysis.present.text import fmt, format_number
from analysis.schema import MONEY_SCALE
from analysis.series.units import convert

#: The price index for every step that ends in a derived year: the CPI's published annual changes,
#: chained. NAV's "price-adjusted" growth is read as deflated by the CPI (annual average), and the
#: derived payout is re-inflated with the same published change, so the decomposition's real payment
#: per recipient moves exactly as NAV's real expenditure per recipient.
PRICE_INDICATOR = "cpi_change"


@dataclass(frozen=True)
class Term:
    """A quantity as a formula of printed inputs; a printed figure is the formula ``x``."""

    formula: str
    inputs: dict[str, PrintedInput]
    unit: str
    derived: DerivedFigure | None = None


def _text_observations(ctx: RunContext) -> pd.DataFrame:
    """The run's observations as text (as printed), restricted to the run's scope."""
    return ctx.dataset.observations.loc[ctx.observations.index]


def term(ctx: RunContext, year: int, indicator: str, entity_code: str | None = None) -> Term | None:
    """The printed figure, else the derived one, else None."""
    code = entity_code or ctx.entity_code
    obs = _text_observations(ctx)
    try:
        p = printed_input(obs, code, str(year), indicator)
        return Term("x", {"x": p}, p.unit)
    except DerivedError:
        pass
    table = ctx.dataset.derived
    if table is None or table.empty:
        return None
    found = find_derived(table, obs, code, str(year), indicator)
    return None if found is None else Term(found.formula, found.inputs, found.unit, found)


def price_term(ctx: RunContext, year_from: int, year_to: int) -> Term | None:
    """P(year_to)/P(year_from) = Π (1 + c_t/100), t in (year_from, year_to], from the published
    annual CPI changes (national), or None when one is missing."""
    obs = _text_observations(ctx)
    inputs: dict[str, PrintedInput] = {}
    for year in range(year_from + 1, year_to + 1):
        try:
            inputs[f"c_{year}"] = printed_input(obs, "EAK", str(year), PRICE_INDICATOR)
        except DerivedError:
            return None
    if not inputs:
        return None
    formula = " * ".join(f"(1 + {n} / 100)" for n in inputs)
    return Term(formula, inputs, "ratio")


@dataclass
class Model:
    """Several terms over one set of printed inputs: a figure used twice is one input."""

    terms: dict[str, Term]
    inputs: dict[str, PrintedInput] = field(default_factory=dict)
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # role → local → global name

    def __post_init__(self) -> None:
        by_key: dict[tuple[str, str, str, str], str] = {}
        for role, t in self.terms.items():
            local: dict[str, str] = {}
            for name, p in t.inputs.items():
                if p.key not in by_key:
                    by_key[p.key] = f"v{len(by_key)}"
                    self.inputs[by_key[p.key]] = p
                local[name] = by_key[p.key]
            self.names[role] = local

    @property
    def central(self) -> dict[str, float]:
        return {n: p.value for n, p in self.inputs.items()}

    @property
    def intervals(self) -> dict[str, tuple[float, float]]:
        return {n: (p.low, p.high) for n, p in self.inputs.items()}

    def value(self, role: str, values: Mapping[str, float], unit: str | None = None) -> float:
        """The term ``role`` at ``values`` (global names), converted to ``unit`` if given."""
        t = self.terms[role]
        v = evaluate(t.formula, {local: values[g] for local, g in self.names[role].items()})
        return convert(v, t.unit, unit) if unit and unit != t.unit else v

    def bounds(self, func: object) -> tuple[float, float]:
        return corner_bounds(func, self.central, self.intervals)  # type: ignore[arg-type]

    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({s for p in self.inputs.values() for s in p.source_ids}))

    def derived(self) -> list[DerivedFigure]:
        return [t.derived for t in self.terms.values() if t.derived is not None]


# ------------------------------------------------------------------------------------ formatting


def _display_unit(value: float, unit: str) -> str:
    if unit not in MONEY_SCALE:
        return unit
    nok = abs(convert(value, unit, "NOK"))
    return "NOK_billion" if nok >= 1e9 else "NOK_million" if nok >= 1e6 else unit


def display_step(value: float, low: float, high: float, unit: str) -> float:
    """The rounding step (in ``unit``) that shows ``value`` to the precision its interval allows:
    one digit of the interval's half-width, in the unit it is displayed in (:func:`approx`)."""
    shown = _display_unit(value, unit)
    half = (
        convert(max(value - low, high - value), unit, shown)
        if shown != unit
        else max(value - low, high - value)
    )
    if half <= 5e-4 * abs(value if shown == unit else convert(value, unit, shown)):
        return 1.0
    step = 10.0 ** math.floor(math.log10(half))
    return convert(step, shown, unit) if shown != unit else step


def approx(value: float, low: float, high: float, unit: str) -> str:
    """``11,89 billion kr (11,83–11,95)``: the value and its interval, rounded to the interval's
    precision (one digit of its half-width), the interval rounded outwards."""
    shown = _display_unit(value, unit)
    v, lo, hi = (convert(x, unit, shown) if shown != unit else x for x in (value, low, high))
    half = max(v - lo, hi - v)
    if half <= 5e-4 * abs(v):  # rounding below the fourth digit (an exact level): as printed
        return fmt(value, unit)
    step = 10.0 ** math.floor(math.log10(half))
    decimals = max(0, -int(math.floor(math.log10(step))))
    lo_r, hi_r = math.floor(lo / step) * step, math.ceil(hi / step) * step
    span = f"{format_number(lo_r, decimals)}–{format_number(hi_r, decimals)}"
    return f"{fmt(round(v / step) * step, shown, decimals)} ({span})"


def _pct(value: float, low: float, high: float) -> str:
    return approx(100 * value, 100 * low, 100 * high, "percent")


def _derivation_text(model: Model) -> str:
    parts = []
    for d in model.derived():
        ins = ", ".join(f"{n} = {printed_text(p)} ({', '.join(p.source_ids)})" for n, p in d.inputs.items())
        parts.append(f"{d.indicator} {d.period} = `{d.formula}` with {ins}")
    return "; ".join(parts)


# ------------------------------------------------------------------------------------ sections


def derived_payout_decomposition(
    ctx: RunContext, title: str, year_from: int, year_to: int, key: str
) -> object | None:
    """The LMDI split of the change in gross payouts when a year's payouts or recipients are
    derived (None when both years are printed, or an input is missing: the printed path then says
    what is missing). Key figures as in :func:`analysis.sections.decomposition.payout_decomposition`, plus
    ``_low``/``_high`` of the total, each contribution and share, and ``_text`` companions for prose.
    """
    from analysis.sections.base import Section, approximate_inputs, label_of
    from analysis.sections.decomposition import FACTOR_CHART_LABELS, FACTOR_LABELS

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
    # in billions with two decimals: the derived values carry no more precision than that
    to_bn = lambda x: convert(x, "NOK_1000", "NOK_billion")  # noqa: E731
    fig, alt = charts.waterfall_chart(
        [(FACTOR_CHART_LABELS[k], to_bn(v)) for k, v in bounds.central.contributions.items()],
        title=(
            f"Change in gross payouts {year_from}→{year_to} ({which} derived, not printed)\n{ctx.entity_name}"
        ),
        start=(str(year_from), to_bn(v0)),
        end_label=f"{year_to}\n(derived)" if year_to in derived_years else str(year_to),
        unit="NOK_billion",
        sources=ctx.dataset.sources,
        source_ids=srcs,
        decimals=2,
    )
    # NOK million, rounded to the million: the intervals are tens of millions wide
    table = pd.DataFrame(
        [
            {
                "component": FACTOR_LABELS[k],
                "contribution (NOK million)": round(c / 1000),
                "low (NOK million)": math.floor(bounds.contributions[k][0] / 1000),
                "high (NOK million)": math.ceil(bounds.contributions[k][1] / 1000),
                "share %": round(100 * bounds.central.shares()[k], 1),
                "share low %": math.floor(1000 * bounds.shares[k][0]) / 10,
                "share high %": math.ceil(1000 * bounds.shares[k][1]) / 10,
            }
            for k, c in bounds.central.contributions.items()
        ]
    )
    notes = []  # printed levels that were printed rounded (as in the printed decomposition)
    for role, (year, indicator) in roles.items():
        t = terms[role]
        if t is not None and t.derived is None:
            notes += approximate_inputs(
                ctx.observations, {ctx.entity_code}, indicator, [str(year)], label=label_of(ctx, indicator)
            )
    title = title.replace(" (exact figures)", f" (exact {year_from} figures)")  # 2024 is not exact
    return Section(
        title=f"{title} ({which} derived, not printed)",
        text=text,
        table=table,
        figure=fig,
        alt_text=alt,
        sources=srcs,
        key_figures=kfs,
        caption=(
            f"Decomposition of the change in gross payouts, {year_from}–{year_to}; {which} derived from "
            "published rates of change, not printed (interval in the table)."
        ),
        notes=notes,
        derived=tuple(d.describe() for d in model.derived()),
    )


def _decomposition_text(
    ctx: RunContext,
    model: Model,
    bounds: LMDIBounds,
    year_from: int,
    year_to: int,
    which: str,
    point: tuple[float, float, float, float, float],
) -> str:
    from analysis.sections.decomposition import FACTOR_LABELS

    v0, v1, r0, r1, ratio = point
    lo_t, hi_t = bounds.total
    res = bounds.central
    shares = res.shares()
    parts = "; ".join(
        f"{FACTOR_LABELS[k]} {approx(c, *bounds.contributions[k], 'NOK_1000')}, "
        f"{_pct(shares[k], *bounds.shares[k])} of the change"
        for k, c in res.contributions.items()
    )

    def level(role: str, unit: str | None) -> str:
        """A printed level as printed (with its rounding), a derived one with its interval."""
        t = model.terms[role]
        if t.derived is None:
            return printed_text(t.inputs["x"])
        lo, hi = model.bounds(lambda v: model.value(role, v, unit))
        return approx(model.value(role, model.central, unit), lo, hi, unit or t.unit)

    return (
        f"**{which} is derived, not printed.** No page the dataset cites prints the gross payouts or "
        f"recipients of {ctx.entity_name} for {which}; they are computed from printed levels and published "
        f"rates of change ({_derivation_text(model)}), and every figure here carries, in brackets, the "
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
) -> list:
    from analysis.sections.base import KeyFigure

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
            KeyFigure(f"{key}_{k}_pct_text", _pct(shares[k], s_lo, s_hi), "text", srcs),
        ]
    return kfs


def _bound_kind(p: PrintedInput) -> str:
    note = p.note.lower()
    return "lower" if "lower bound" in note else "upper" if "upper bound" in note else ""


def _verdict(low: float, high: float, bound: float, kind: str) -> str:
    inside = (low > bound) if kind == "lower" else (high < bound)
    outside = (high < bound) if kind == "lower" else (low > bound)
    return "agrees" if inside else "does not agree" if outside else "agrees only in part"


def _cross_check(
    ctx: RunContext, model: Model, key: str, year_from: int, year_to: int, srcs: tuple[str, ...]
) -> tuple[str, list]:
    """Compare the derived real growth from ``year_from`` with what the source prints for it
    (``sa_payout_gross_real_change_pct`` and ``sa_payout_gross_real_change``, category
    ``base_year=<year_from>``, printed as bounds: "over 50 %", "nesten 4 milliarder"). The real
    change is V1 − V0 × P1/P0, in kroner of ``year_to``."""
    from analysis.sections.base import KeyFigure

    obs = _text_observations(ctx)
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
                (r["source_id"],), r["locator"], r["excerpt"], r["note"],
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
        shown = _pct(value, lo, hi) if unit == "percent" else approx(value, lo, hi, unit)
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


def printed_text(p: PrintedInput) -> str:
    """A printed input as printed, with its rounding interval when that matters: ``18 % (17,5–18,5)``."""
    text = fmt(p.value, p.unit, _decimals(p.text))
    if p.high - p.low <= 1e-3 * abs(p.value):
        return text
    d = _decimals(f"{(p.high - p.low) / 2:g}")
    return f"{text} ({format_number(p.low, d)}–{format_number(p.high, d)})"


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def input_key_figures(key: str, derived: list[DerivedFigure]) -> list:
    """``{key}_in_{indicator}_{name}_text``: each printed input of each derived figure, for prose."""
    from analysis.sections.base import KeyFigure

    return [
        KeyFigure(f"{key}_in_{d.indicator}_{name}_text", printed_text(p), "text", p.source_ids)
        for d in derived
        for name, p in d.inputs.items()
    ]


def price_index_check(ctx: RunContext, year: int, key: str) -> tuple[str, list]:
    """Is "price-adjusted" the CPI? For ``year``, the printed nominal and price-adjusted growth of
    gross payouts imply a deflator (1 + nominal)/(1 + real) − 1, bounded by their rounding; compare
    it with the CPI's published change. Empty when a figure is missing."""
    from analysis.sections.base import KeyFigure

    obs = _text_observations(ctx)
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


def derived_indicator(ctx: RunContext, title: str, indicator: str, key: str) -> object | None:
    """The chapter year's value of ``indicator`` when it is derived, not printed (None otherwise):
    the printed series with the derived point beside it, its interval and how it was computed."""
    from analysis.sections.annual import _series_table
    from analysis.sections.base import KeyFigure, Section, entity_series, label_of

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
        f"{_derivation_text(model).split(' with ', 1)[1]}; the interval is what the rounding of those "
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
