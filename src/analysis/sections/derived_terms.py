"""Quantities as formulas of printed inputs, for the sections on years whose levels are derived
from published rates (:mod:`analysis.sections.derived`, :mod:`analysis.sections.derived_decomposition`).

A :class:`Term` is a printed figure (the formula ``x``) or a derived one
(:mod:`analysis.observations.derived`); a :class:`Model` puts several terms over one set of printed
inputs, so that a figure used twice is one input, and bounds any function of them over the inputs'
rounding intervals (:func:`analysis.observations.intervals.corner_bounds`). :func:`approx` and
:func:`printed_text` write a value with the interval its inputs allow.

May import :mod:`analysis.observations`, :mod:`analysis.series`, :mod:`analysis.present` and
:mod:`analysis.sections.base`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.observations.derived import DerivedFigure, PrintedInput, find_derived, printed_input
from analysis.observations.intervals import DerivedError, corner_bounds, evaluate
from analysis.observations.run import RunContext
from analysis.present.text import fmt, format_number
from analysis.schema import MONEY_SCALE
from analysis.sections.base import KeyFigure
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


def text_observations(ctx: RunContext) -> pd.DataFrame:
    """The run's observations as text (as printed), restricted to the run's scope."""
    return ctx.dataset.observations.loc[ctx.observations.index]


def term(ctx: RunContext, year: int, indicator: str, entity_code: str | None = None) -> Term | None:
    """The printed figure, else the derived one, else None."""
    code = entity_code or ctx.entity_code
    obs = text_observations(ctx)
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
    obs = text_observations(ctx)
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
        """Minimum and maximum of ``func`` (of the global names) over the inputs' intervals."""
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


def rounded_interval(
    value: float, low: float, high: float, decimals: int | None = None
) -> tuple[float, float, float, int] | None:
    """``value`` and its interval rounded to the interval's precision — one digit of its half-width,
    the interval outwards — and the decimals that step shows: 1 414 (1 299–1 538) → 1 400
    (1 200–1 600), 0 decimals. None when the interval is below the fourth digit (an exact level).
    With ``decimals`` the step is 10^−decimals (one precision for a column of a table)."""
    if decimals is None:
        half = max(value - low, high - value)
        if half <= 5e-4 * abs(value):
            return None
        step = 10.0 ** math.floor(math.log10(half))
        decimals = max(0, -int(math.floor(math.log10(step))))
    else:
        step = 10.0**-decimals
    rounded = (round(value / step) * step, math.floor(low / step) * step, math.ceil(high / step) * step)
    return (*(round(x, decimals) for x in rounded), decimals)  # type: ignore[return-value]


def approx(value: float, low: float, high: float, unit: str) -> str:
    """``11,89 billion kr (11,83–11,95)``: the value and its interval, rounded to the interval's
    precision (:func:`rounded_interval`)."""
    shown = _display_unit(value, unit)
    v, lo, hi = (convert(x, unit, shown) if shown != unit else x for x in (value, low, high))
    rounded = rounded_interval(v, lo, hi)
    if rounded is None:  # rounding below the fourth digit (an exact level): as printed
        return fmt(value, unit)
    v_r, lo_r, hi_r, decimals = rounded
    span = f"{format_number(lo_r, decimals)}–{format_number(hi_r, decimals)}"
    return f"{fmt(v_r, shown, decimals)} ({span})"


def pct(value: float, low: float, high: float) -> str:
    """A share or growth (0.223) and its interval as :func:`approx` writes percent: ``22 % (18–26)``."""
    return approx(100 * value, 100 * low, 100 * high, "percent")


def derivation_text(model: Model, labels: Mapping[str, str] | None = None) -> str:
    """How each derived term of ``model`` is computed: ``label year = `formula` with inputs``
    (``labels``: indicator code → words for the reader; the code where none is given)."""
    labels = labels or {}
    parts = []
    for d in model.derived():
        ins = ", ".join(f"{n} = {printed_text(p)} ({', '.join(p.source_ids)})" for n, p in d.inputs.items())
        parts.append(f"{labels.get(d.indicator, d.indicator)} {d.period} = `{d.formula}` with {ins}")
    return "; ".join(parts)


def printed_text(p: PrintedInput) -> str:
    """A printed input as printed, with its rounding interval when that matters: ``18 % (17,5–18,5)``."""
    text = fmt(p.value, p.unit, _decimals(p.text))
    if p.high - p.low <= 1e-3 * abs(p.value):
        return text
    d = _decimals(f"{(p.high - p.low) / 2:g}")
    return f"{text} ({format_number(p.low, d)}–{format_number(p.high, d)})"


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def input_key_figures(key: str, derived: list[DerivedFigure]) -> list[KeyFigure]:
    """``{key}_in_{indicator}_{name}_text``: each printed input of each derived figure, for prose."""
    return [
        KeyFigure(f"{key}_in_{d.indicator}_{name}_text", printed_text(p), "text", p.source_ids)
        for d in derived
        for name, p in d.inputs.items()
    ]
