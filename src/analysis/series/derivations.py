"""Indicators for one entity as printed, or derived from printed totals where none is printed.

:func:`printed_or_derived` gives an entity's printed series of an indicator (harmonised across code
changes) and fills the periods with nothing usable printed from :data:`DERIVATIONS` (e.g. payout
per recipient = gross payout / recipients, falling back to KOSTRA cases), marked ``derived``.
Used by :mod:`analysis.series.compare`.

May import :mod:`analysis.series` siblings.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analysis.series import indicators as ind
from analysis.series.frame import series_caveats, with_caveats
from analysis.series.harmonise import harmonised_series
from analysis.series.select import select_series


def printed_series(
    obs: pd.DataFrame, entities: pd.DataFrame, code: str, indicator: str, category: str, status: str
) -> pd.DataFrame:
    """The entity's printed series: harmonised across code changes when the entity is known."""
    if (entities["entity_code"] == code).any():
        return harmonised_series(obs, entities, code, indicator, category=category, status=status)
    return select_series(obs, code, indicator, category=category, status=status)


def recipients_or_cases(obs, entities, code, category, status) -> pd.DataFrame:
    """Unique recipients if printed, else KOSTRA cases."""
    frame = printed_series(obs, entities, code, "sa_recipients", category, status)
    if frame.empty or (frame["missing_reason"] != "").all():
        cases = printed_series(obs, entities, code, "sa_cases", category, status)
        if not cases.empty:
            return cases
    return frame


def population_category(category: str) -> tuple[str, str]:
    """Split a requested category into (numerator category, population category: the age band)."""
    parts = [p for p in category.split(";") if p]
    age = [p for p in parts if p.startswith("age=")]
    rest = [p for p in parts if not p.startswith("age=")]
    return ";".join(rest), ";".join(age)


def printed_or_derived(obs, entities, code: str, indicator: str, category: str, status: str) -> pd.DataFrame:
    """Printed values, with derived values filling the periods where nothing usable is printed."""
    printed = printed_series(obs, entities, code, indicator, category, status).copy()
    printed["derived"] = False
    printed["formula"] = ""
    if indicator not in DERIVATIONS:
        return printed
    derived = DERIVATIONS[indicator](obs, entities, code, category, status).copy()
    derived["derived"] = True
    ok = set(printed.loc[printed["missing_reason"] == "", "period"])
    derived_ok = set(derived.loc[derived["missing_reason"] == "", "period"])
    keep_printed = printed[printed["period"].isin(ok) | ~printed["period"].isin(derived_ok)]
    keep_derived = derived[~derived["period"].isin(set(keep_printed["period"]))]
    parts = [f for f in (keep_printed, keep_derived) if len(f)]
    out = pd.concat(parts, ignore_index=True) if parts else printed
    out = out.sort_values("period", ignore_index=True)
    return with_caveats(out, [*series_caveats(printed), *series_caveats(derived)])


Deriver = Callable[[pd.DataFrame, pd.DataFrame, str, str, str], pd.DataFrame]


def derive_payout_per_recipient(obs, entities, code, category, status):
    payout = printed_series(obs, entities, code, "sa_payout_gross", category, status)
    return ind.payout_per_recipient(payout, recipients_or_cases(obs, entities, code, category, status))


def derive_payout_per_inhabitant(obs, entities, code, category, status):
    num_cat, pop_cat = population_category(category)
    payout = printed_series(obs, entities, code, "sa_payout_gross", num_cat, status)
    population = printed_series(obs, entities, code, "pop_inhabitants", pop_cat, "actual")
    return ind.per_inhabitant(payout, population)


def derive_recipients_per_1000(obs, entities, code, category, status):
    num_cat, pop_cat = population_category(category)
    recipients = recipients_or_cases(obs, entities, code, num_cat, status)
    population = printed_series(obs, entities, code, "pop_inhabitants", pop_cat, "actual")
    return ind.per_1000_inhabitants(recipients, population)


def derive_payment_per_month(obs, entities, code, category, status):
    payout = printed_series(obs, entities, code, "sa_payout_gross", category, status)
    monthly = printed_series(obs, entities, code, "sa_recipients_monthly_avg", category, status)
    return ind.payout_per_recipient_month(payout, monthly)


def derive_per_benefit_month(obs, entities, code, category, status):
    payout = printed_series(obs, entities, code, "sa_payout_gross", category, status)
    duration = printed_series(obs, entities, code, "sa_duration_months", category, status)
    recipients = recipients_or_cases(obs, entities, code, category, status)
    return ind.payout_per_benefit_month(payout, recipients, duration)


#: Indicators that can be computed when they are not printed for an entity.
DERIVATIONS: dict[str, Deriver] = {
    "sa_payout_per_recipient": derive_payout_per_recipient,
    "sa_payout_gross_per_inhabitant": derive_payout_per_inhabitant,
    "sa_recipients_per_1000_inhabitants": derive_recipients_per_1000,
    "sa_payment_per_recipient_month": derive_payment_per_month,
    "sa_payout_per_benefit_month": derive_per_benefit_month,
}
