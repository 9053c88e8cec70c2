"""What each template can show for one entity-year: which analyses of the catalogue the data carry.

:data:`analysis.sections.catalogue.PLAN` declares each template's analyses; a notebook shows
``page.section(key)`` for each of its keys, and :func:`assess` says, without building anything (no
chart, no model fit), whether the run's observations support the analysis — enough points, the
right period, one counting basis — and if not, why not and which published indicator would be
needed. The page shows only the supported sections; the chapter's index page lists once what is
not published (:func:`analysis.sections.unpublished.not_published`); the runner skips a template
none of whose analyses is supported (:func:`template_verdict`).

The checks mirror the builders' own early exits (they call the same selection functions), and
``tests/test_plan.py`` checks that the builders agree with them on real entity-years.

May import :mod:`analysis.sections` siblings, :mod:`analysis.series`, :mod:`analysis.models`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from analysis.models.trend import MIN_POINTS as TREND_MIN_POINTS
from analysis.observations.run import RunContext
from analysis.sections.base import Section, entity_codes, entity_series, first_available, has_year, label_of
from analysis.sections.catalogue import (  # noqa: F401  (re-exported: the plan's vocabulary)
    BREAK_MIN_PER_SIDE,
    LAST_PRE_SURGE_YEAR,
    PLAN,
    RECIPIENT_COUNTS,
    TEMPLATE_TITLES,
    VOLUME_COUNTS,
    Analysis,
    Verdict,
    analysis,
)
from analysis.sections.coverage import annual_level_series, annual_series_overview
from analysis.sections.unpublished import FETCH_HINT, not_published  # noqa: F401  (re-exported)
from analysis.series.prices import cpi_levels
from analysis.series.prices import price_ratio as cpi_price_ratio

# --- the checks: one per kind, each the builder's own early exit -------------------------------------


def _check_annual(ctx: RunContext, a: Analysis, p: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    if first_available(ctx, a.args["candidates"], years=[ctx.year]) is None:
        return f"no figure in {ctx.year}", a.indicators
    return "", ()


def _check_trend(ctx: RunContext, a: Analysis, p: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    found = first_available(ctx, a.args["candidates"])
    if found is None:
        return "no annual count", a.indicators
    n = int((found[2]["period"].astype(int) <= ctx.year).sum())
    if n < TREND_MIN_POINTS:
        return (
            f"{n} annual figure{'s' if n != 1 else ''} of {label_of(ctx, found[0]).lower()} "
            f"up to {ctx.year}; "
            f"a trend needs at least {TREND_MIN_POINTS}",
            (),
        )
    return "", ()


def _check_composition(
    ctx: RunContext, a: Analysis, p: dict[str, Any]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    obs = ctx.observations
    dimension = a.args["dimension"]
    rows = obs[
        obs["entity_code"].isin(entity_codes(ctx))
        & (obs["indicator"] == a.args["indicator"])
        & obs["category"].str.fullmatch(rf"{dimension}=[^;]+")
        & (obs["period"] == str(ctx.year))
        & (obs["status"] == "actual")
        & obs["preferred"]
    ]
    if rows.empty:
        return f"no breakdown by {dimension.replace('_', ' ')} in {ctx.year}", (
            (a.args["indicator"], dimension),
        )
    if rows["category"].nunique() < 2:
        return f"only one group by {dimension.replace('_', ' ')} is printed for {ctx.year}", ()
    return "", ()


def _months(ctx: RunContext, indicator: str) -> pd.DataFrame:
    series = entity_series(ctx, indicator, frequency="monthly")
    return series[series["period"].str[:4].astype(int) <= ctx.year] if len(series) else series


def _check_monthly(
    ctx: RunContext, a: Analysis, p: dict[str, Any]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    series = _months(ctx, a.args["indicator"])
    if not len(series) or not series["period"].str[:4].isin({str(ctx.year - 1), str(ctx.year)}).any():
        return f"no monthly figures in {ctx.year - 1}–{ctx.year}", ((a.args["indicator"], "monthly"),)
    return "", ()


def _check_break(ctx: RunContext, a: Analysis, p: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    month = str(p.get("break_month", "2022-09"))
    if int(month[:4]) > ctx.year:
        return f"the break month {month} is after {ctx.year}", ()
    series = _months(ctx, a.args["indicator"])
    if not len(series):
        return "no monthly series", ((a.args["indicator"], "monthly"),)
    before = int((series["period"] < month).sum())
    after = len(series) - before
    if min(before, after) < BREAK_MIN_PER_SIDE:
        return (
            f"{before} monthly figures before {month} and {after} from it; a break test needs "
            f"{BREAK_MIN_PER_SIDE} on each side",
            (),
        )
    return "", ()


def _decomposition_needs(ctx: RunContext, year_from: int, year_to: int) -> list[tuple[str, str]]:
    payout = entity_series(ctx, "sa_payout_gross", unit="NOK_1000")
    need: list[tuple[str, str]] = []
    if not (has_year(payout, year_from) and has_year(payout, year_to)):
        need.append(("sa_payout_gross", ""))
    if first_available(ctx, VOLUME_COUNTS, years=[year_from, year_to]) is None:
        need.append(("sa_recipients", ""))
    if cpi_price_ratio(ctx.observations, year_from, year_to) is None:
        need.append(("cpi", ""))
    return need


def _check_decomposition(
    ctx: RunContext, a: Analysis, p: dict[str, Any]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    need = _decomposition_needs(ctx, ctx.year - 1, ctx.year)
    if need:
        return (
            f"needs gross payouts, a count of recipients and CPI for both {ctx.year - 1} and {ctx.year}",
            tuple(need),
        )
    return "", ()


def _check_baseline(
    ctx: RunContext, a: Analysis, p: dict[str, Any]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    if ctx.year <= LAST_PRE_SURGE_YEAR:
        return f"{ctx.year} is before the 2022–2024 surge", ()
    payout = entity_series(ctx, "sa_payout_gross", unit="NOK_1000")
    bases = [int(y) for y in payout["period"] if int(y) <= LAST_PRE_SURGE_YEAR] if len(payout) else []
    if not bases or not any(not _decomposition_needs(ctx, b, ctx.year) for b in bases):
        return (
            f"needs gross payouts, recipients and CPI for {ctx.year} and a year up to {LAST_PRE_SURGE_YEAR}",
            tuple(_decomposition_needs(ctx, max(bases, default=LAST_PRE_SURGE_YEAR), ctx.year)),
        )
    return "", ()  # whether the exact variant adds anything is the builder's call (it is cheap)


def _check_budget(ctx: RunContext, a: Analysis, p: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    category = f"function={a.args['function']}"
    have = {
        status
        for status in ("budget", "revised_budget", "actual")
        if has_year(
            entity_series(ctx, "exp_net_operating", category=category, status=status, unit="NOK_1000"),
            ctx.year,
        )
    }
    if "actual" not in have or not have & {"budget", "revised_budget"}:
        return (
            f"no budget and accounts for function {a.args['function']} in {ctx.year}",
            (("budget_net_operating", category),),
        )
    return "", ()


def _check_projection(
    ctx: RunContext, a: Analysis, p: dict[str, Any]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    rec = entity_series(ctx, "sa_recipients_monthly_avg")
    pay = entity_series(ctx, "sa_payment_per_recipient_month", unit="NOK")
    missing = tuple(
        (ind, "")
        for ind, frame in (("sa_recipients_monthly_avg", rec), ("sa_payment_per_recipient_month", pay))
        if not (has_year(frame, ctx.year) and has_year(frame, ctx.year - 1))
    )
    if missing:
        return (
            f"needs average recipients per month and the average monthly payment for "
            f"{ctx.year - 1} and {ctx.year}",
            missing,
        )
    return "", ()


def _check_real(ctx: RunContext, a: Analysis, p: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    payout = entity_series(ctx, "sa_payout_gross", unit="NOK_1000")
    if not has_year(payout, ctx.year):
        return f"no gross payouts in {ctx.year}", (("sa_payout_gross", ""),)
    base = int(p.get("cpi_base_year", ctx.year))
    cpi = cpi_levels(ctx.observations)
    if not len(cpi) or str(base) not in set(cpi["period"]):
        return f"no CPI for the base year {base}", (("cpi", ""),)
    return "", ()


def _check_by_building(
    ctx: RunContext, a: Analysis, p: dict[str, Any]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Comparisons and the overview: the builder is cheap and its rules are its own, so ask it."""
    section = build(ctx, _template_of(a), a.key, p)
    if section.figure is not None:
        import matplotlib.pyplot as plt

        plt.close(section.figure)
    if section.missing:
        return _built_reason(section), a.indicators[:1]
    return "", ()


def _built_reason(section: Section) -> str:
    """Why a section checked by building it is not supported: its ``missing``, without the supplier."""
    return section.missing.split(". It would come from")[0].rstrip(".")


def _check_series(ctx: RunContext, a: Analysis, p: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    if not annual_level_series(ctx):
        return f"no annual series with two or more years up to {ctx.year}", ()
    return "", ()


CHECKS: dict[
    str, Callable[[RunContext, Analysis, dict[str, Any]], tuple[str, tuple[tuple[str, str], ...]]]
] = {
    "annual": _check_annual,
    "trend": _check_trend,
    "composition": _check_composition,
    "monthly": _check_monthly,
    "break": _check_break,
    "decomposition": _check_decomposition,
    "baseline": _check_baseline,
    "budget": _check_budget,
    "projection": _check_projection,
    "real": _check_real,
    "comparison": _check_by_building,
    "overview": _check_by_building,
    "series": _check_series,
}


def _template_of(a: Analysis) -> str:
    return next(t for t, items in PLAN.items() if a in items)


#: Kinds whose builders fall back to figures derived from published rates
#: (:mod:`analysis.sections.derived`) when the year's level is not printed.
DERIVED_KINDS = frozenset({"annual", "decomposition", "baseline"})


def _has_derived(ctx: RunContext) -> bool:
    """Whether ``data/curated/derived_observations.csv`` holds a figure for the run's entity-year."""
    derived = getattr(ctx.dataset, "derived", None)
    if derived is None or derived.empty:
        return False
    return bool(((derived["entity_code"] == ctx.entity_code) & (derived["period"] == str(ctx.year))).any())


def assess_one(ctx: RunContext, template: str, key: str, parameters: dict[str, Any] | None = None) -> Verdict:
    """The verdict on one analysis of ``template`` for the run's entity and year.

    The checks read printed figures; where they find none and the entity-year has derived figures,
    an analysis whose builder can use them is asked directly (it shows them marked as derived).
    """
    item = analysis(template, key)
    params = parameters or {}
    reason, missing = CHECKS[item.kind](ctx, item, params)
    if reason and item.kind in DERIVED_KINDS and _has_derived(ctx):
        built_reason, built_missing = _check_by_building(ctx, item, params)
        if not built_reason:
            reason, missing = "", ()
    return Verdict(template, item, not reason, reason, missing)


def checked_build(
    ctx: RunContext, template: str, key: str, parameters: dict[str, Any] | None = None
) -> Section:
    """The section ``key`` of ``template``, built only when the data support it; otherwise a section
    whose ``missing`` says why. A kind whose check is its builder (comparisons, the overview) is
    built once, not once to check and again to show."""
    params = parameters or {}
    item = analysis(template, key)
    if CHECKS[item.kind] is _check_by_building:
        section = build(ctx, template, key, params)
        if section.missing:
            return Section(title=item.heading(ctx.year, params), missing=_built_reason(section))
        return section
    reason, _ = CHECKS[item.kind](ctx, item, params)
    if not reason:
        return build(ctx, template, key, params)
    if item.kind in DERIVED_KINDS and _has_derived(ctx):  # as in assess_one, but built only once
        section = build(ctx, template, key, params)
        if not section.missing:
            return section
        if section.figure is not None:
            import matplotlib.pyplot as plt

            plt.close(section.figure)
    return Section(title=item.heading(ctx.year, params), missing=reason)


def assess(ctx: RunContext, template: str, parameters: dict[str, Any] | None = None) -> list[Verdict]:
    """One verdict per analysis of ``template`` for the run's entity and year."""
    return [assess_one(ctx, template, item.key, parameters) for item in PLAN[template]]


def template_verdict(verdicts: Sequence[Verdict]) -> tuple[bool, str]:
    """Whether a template runs (any analysis supported) and, if not, why in one line."""
    if any(v.supported for v in verdicts):
        shown = sum(v.supported for v in verdicts)
        return True, f"{shown} of {len(verdicts)} sections supported"
    reasons = list(dict.fromkeys(v.reason for v in verdicts))
    more = f" (+{len(reasons) - 3} more)" if len(reasons) > 3 else ""
    return False, "no section supported: " + "; ".join(reasons[:3]) + more


# --- building: the one call per kind ----------------------------------------------------------------


def build(ctx: RunContext, template: str, key: str, parameters: dict[str, Any] | None = None) -> Section:
    """Build the section ``key`` of ``template`` for the run (heading from the catalogue)."""
    from analysis import sections as sec

    params = parameters or {}
    a = analysis(template, key)
    title = a.heading(ctx.year, params)
    args = a.args
    if a.kind == "annual":
        return sec.annual_indicator(
            ctx, title, args["candidates"], key, extra_status=args.get("extra_status", ())
        )
    if a.kind == "trend":
        return sec.count_trend(ctx, title, args["candidates"], key)
    if a.kind == "composition":
        return sec.composition(ctx, title, args["indicator"], args["dimension"], key)
    if a.kind == "monthly":
        return sec.monthly(ctx, title, args["indicator"], key)
    if a.kind == "break":
        return sec.monthly_break(
            ctx, title, args["indicator"], str(params.get("break_month", "2022-09")), key
        )
    if a.kind == "decomposition":
        return sec.payout_decomposition(ctx, title, ctx.year - 1, ctx.year, key)
    if a.kind == "baseline":
        return sec.baseline_decomposition(ctx, key, exact=bool(args.get("exact", False)))
    if a.kind == "budget":
        return sec.budget_vs_accounts(ctx, title, args["function"], key)
    if a.kind == "projection":
        return sec.projection(ctx, title, key)
    if a.kind == "real":
        return sec.real_payouts(ctx, title, int(params.get("cpi_base_year", ctx.year)), key)
    if a.kind == "comparison":
        return sec.comparison(ctx, title, args["specs"], params.get("comparison_entities", []), key)
    if a.kind == "series":
        return annual_series_overview(ctx, title, key)
    if a.kind == "overview":
        figures = sec.figures_for_year(
            ctx.observations, ctx.dataset.indicators, ctx.dataset.entities, ctx.entity_code, ctx.year
        )
        if figures.empty:
            return Section(title=title, missing=f"No published figure for {ctx.year}")
        return Section(title=title, text=f"{len(figures)} published figures.")
    raise ValueError(f"unknown analysis kind {a.kind!r}")
