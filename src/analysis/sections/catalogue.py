"""The catalogue of analyses: which sections each template declares, with their builder kind, title
and arguments (:data:`PLAN`), and the verdict type the plan returns.

A template (``notebooks/<name>.py``) is a list of analyses; each analysis is one section builder
called with fixed arguments. :mod:`analysis.sections.plan` says which of them the data carry.

May import nothing from the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

BREAK_MIN_PER_SIDE = 6  # analysis.models.breaks.fit_its' default: months needed on each side
LAST_PRE_SURGE_YEAR = 2021  # baseline decompositions compare with a year up to this one

RECIPIENT_COUNTS = (("sa_recipients", ""), ("sa_cases", ""), ("sa_active_cases", ""))
VOLUME_COUNTS = (
    ("sa_recipients", ""),
    ("sa_cases", ""),
    ("sa_recipients_monthly_avg", ""),
    ("sa_active_cases", ""),
)


@dataclass(frozen=True)
class Analysis:
    """One section of a template: the builder kind, its title (``str.format`` fields: ``year``,
    ``prev``, ``next``, ``cpi_base_year``, ``break_month``) and the builder's arguments."""

    key: str
    kind: str
    title: str
    args: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    group: str = ""  # a sub-heading shared by consecutive sections ("Composition")

    def heading(self, year: int, parameters: dict[str, Any]) -> str:
        return self.title.format(
            year=year,
            prev=year - 1,
            next=year + 1,
            cpi_base_year=parameters.get("cpi_base_year", year),
            break_month=parameters.get("break_month", "2022-09"),
        )

    @property
    def indicators(self) -> tuple[tuple[str, str], ...]:
        """The (indicator, category) pairs the analysis reads first, for 'not published' lists."""
        if "candidates" in self.args:
            return tuple(self.args["candidates"])
        if "indicator" in self.args:
            return ((self.args["indicator"], ""),)
        if "specs" in self.args:
            return tuple(self.args["specs"])
        return ()


@dataclass(frozen=True)
class Verdict:
    """Whether the data carry one analysis. ``missing`` lists the (indicator, category) pairs whose
    absence is the reason (the 'not published' part); ``reason`` says why in words."""

    template: str
    analysis: Analysis
    supported: bool
    reason: str = ""
    missing: tuple[tuple[str, str], ...] = ()


def _annual(key: str, title: str, candidates: Sequence[tuple[str, str]], **extra: Any) -> Analysis:
    return Analysis(key, "annual", title, {"candidates": tuple(candidates), **extra})


def _composition(key: str, title: str, indicator: str, dimension: str, group: str = "") -> Analysis:
    return Analysis(key, "composition", title, {"indicator": indicator, "dimension": dimension}, group)


PLAN: dict[str, tuple[Analysis, ...]] = {
    "recipients": (
        _annual("recipients", "Recipients during the year", RECIPIENT_COUNTS),
        Analysis(
            "recipients_trend", "trend", "Trend in the number of recipients", {"candidates": RECIPIENT_COUNTS}
        ),
        _annual(
            "recipients_monthly_avg", "Average recipients per month", [("sa_recipients_monthly_avg", "")]
        ),
        _annual(
            "youth",
            "Young recipients (18–24)",
            [("sa_recipients", "age=18-24"), ("sa_cases", "age=18-24"), ("sa_recipients_share", "age=18-24")],
        ),
        _annual(
            "long_term",
            "Long-term recipients (6 months or more)",
            [("sa_long_term_recipients", ""), ("sa_long_term_share", "")],
        ),
        _annual("duration", "Average duration", [("sa_duration_months", "")]),
        _annual(
            "main_income_sa",
            "Social assistance as main income",
            [
                ("sa_recipients_share", "main_income=social_assistance"),
                ("sa_recipients", "main_income=social_assistance"),
            ],
        ),
        _composition("by_age", "By age", "sa_recipients", "age", "Composition"),
        _composition("by_sex", "By sex", "sa_recipients", "sex", "Composition"),
        _composition("by_civil_status", "By civil status", "sa_recipients", "civil_status", "Composition"),
        _composition("by_citizenship", "By citizenship", "sa_recipients", "citizenship", "Composition"),
        _composition(
            "by_provider_status", "By provider status", "sa_recipients", "provider_status", "Composition"
        ),
        _composition("by_main_income", "By main income", "sa_recipients_share", "main_income", "Composition"),
    ),
    "payouts": (
        _annual("payout_gross", "Gross payouts", [("sa_payout_gross", "")]),
        Analysis("payout_gross_real", "real", "Gross payouts in constant {cpi_base_year} kroner"),
        _annual("payout_net", "Net payouts", [("sa_payout_net", "")]),
        _annual(
            "payment_per_month",
            "Average payment per recipient per month",
            [("sa_payment_per_recipient_month", "")],
            extra_status=("budget",),
        ),
        _annual(
            "payout_per_recipient",
            "Gross payout per recipient",
            [("sa_payout_per_recipient", ""), ("exp_gross_operating_per_recipient", "function=281")],
        ),
        _annual(
            "payout_per_benefit_month", "Payout per benefit month", [("sa_payout_per_benefit_month", "")]
        ),
        _annual(
            "f281_net",
            "Net operating expenditure, function 281",
            [("exp_net_operating", "function=281")],
            extra_status=("budget", "revised_budget"),
        ),
        Analysis("monthly_gross", "monthly", "Month by month", {"indicator": "sa_payout_gross"}),
    ),
    "qualification": (
        _annual(
            "kvp_participants",
            "KVP participants",
            [
                ("kvp_participants", ""),
                ("kvp_participants_monthly_avg", ""),
                ("kvp_participants_year_end", ""),
            ],
            extra_status=("budget", "target"),
        ),
        _annual("kvp_completed", "Completed the programme", [("kvp_completed", "")]),
        _composition("kvp_outcomes", "After the programme", "kvp_outcome", "outcome"),
        _composition("kvp_outcome_shares", "After the programme (shares)", "kvp_outcome_share", "outcome"),
        _annual(
            "kvp_benefit",
            "Qualification benefit paid",
            [("kvp_benefit_gross", ""), ("exp_net_operating", "function=276")],
        ),
        _annual(
            "intro_participants",
            "Introduction-programme participants",
            [
                ("intro_participants", ""),
                ("intro_participants_year_end", ""),
                ("intro_participants_monthly_avg", ""),
            ],
        ),
        _annual(
            "intro_expenditure",
            "Introduction programme, net expenditure (function 275)",
            [("exp_net_operating", "function=275"), ("intro_benefit_gross", "")],
        ),
    ),
    "cost_surge": (
        Analysis("decomposition", "decomposition", "Volume, real payment and inflation, {prev}→{year}"),
        Analysis("baseline", "baseline", "Since before the surge"),
        Analysis("baseline_exact", "baseline", "Since before the surge (exact figures)", {"exact": True}),
        Analysis("monthly_gross", "monthly", "Monthly gross payouts", {"indicator": "sa_payout_gross"}),
        Analysis("break", "break", "A break in {break_month}?", {"indicator": "sa_payout_gross"}),
        Analysis(
            "f281", "budget", "Budget and accounts, social assistance (function 281)", {"function": "281"}
        ),
        Analysis(
            "f276",
            "budget",
            "Budget and accounts, qualification programme (function 276)",
            {"function": "276"},
        ),
        Analysis("projection", "projection", "Projection for {next}"),
    ),
    "comparison": (
        Analysis(
            "cmp_per_recipient",
            "comparison",
            "Payout per recipient",
            {
                "specs": (
                    ("sa_payout_per_recipient", ""),
                    ("exp_gross_operating_per_recipient", "function=281"),
                )
            },
        ),
        Analysis(
            "cmp_rate",
            "comparison",
            "Recipients as a share of inhabitants",
            {
                "specs": (
                    ("sa_recipients_rate_population", "age=20-66"),
                    ("sa_recipients_rate_population", ""),
                )
            },
        ),
        Analysis("cmp_duration", "comparison", "Average duration", {"specs": (("sa_duration_months", ""),)}),
    ),
    "overview": (
        Analysis("figures", "overview", "Published figures"),
        Analysis("series", "series", "Every annual series"),
    ),
}


TEMPLATE_TITLES = {
    "overview": "Published figures",
    "recipients": "Recipients",
    "payouts": "Payouts",
    "qualification": "Qualification and introduction programmes",
    "cost_surge": "The cost surge",
    "comparison": "Comparison",
}


def analysis(template: str, key: str) -> Analysis:
    """The catalogue entry; a KeyError names the template's keys."""
    for item in PLAN.get(template, ()):
        if item.key == key:
            return item
    known = ", ".join(a.key for a in PLAN.get(template, ())) or "none (unknown template)"
    raise KeyError(f"template {template!r} has no analysis {key!r} (known: {known})")
