"""Budget against accounts for KOSTRA function 281 (social assistance), and next year's projection.

Sign conventions follow the Oslo district reports (see ``data/reference/indicators.csv``):

    deviation       = revised budget − accounts          (negative = overspend, merforbruk)
    overspend       = accounts − revised budget          (positive = overspend)
    overspend share = (accounts − revised budget) / revised budget

The projection is the one the district documents use (e.g. the Bjerke 2012 deck):

    annual cost = recipients × monthly payment per recipient × 12

projected for next year with the municipality's own growth assumptions g_R (recipients) and
g_p (monthly payment):

    projection = R · (1 + g_R) × p · (1 + g_p) × 12

and an interval either from low/high assumptions for both growth rates (the product is increasing
in each, so low–low and high–high give the bounds) or from a relative uncertainty u around the
central projection: [central · (1 − u), central · (1 + u)].

Reference: KOSTRA function 281 "Ytelse til livsopphold" (SSB, KOSTRA function list); the budget
terms (opprinnelig/regulert budsjett, regnskap, avvik) as in Oslo kommune's district annual reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MONTHS_PER_YEAR = 12


def _finite(name: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


def budget_deviation(revised_budget: float, accounts: float) -> float:
    """Deviation = revised budget − accounts; negative means overspend (as in Oslo district tables)."""
    return _finite("revised_budget", revised_budget) - _finite("accounts", accounts)


def overspend(revised_budget: float, accounts: float) -> float:
    """Overspend = accounts − revised budget (positive = merforbruk, negative = mindreforbruk)."""
    return _finite("accounts", accounts) - _finite("revised_budget", revised_budget)


def overspend_share(revised_budget: float, accounts: float) -> float:
    """Overspend as a fraction of the revised budget: (accounts − revised budget) / revised budget.

    Multiply by 100 for percent. Raises ``ValueError`` for a budget ≤ 0 (the share is not defined).
    """
    budget = _finite("revised_budget", revised_budget)
    if budget <= 0:
        raise ValueError(f"revised_budget must be positive for a share, got {budget!r}")
    return (_finite("accounts", accounts) - budget) / budget


def annual_cost(recipients: float, monthly_payment: float, months: float = MONTHS_PER_YEAR) -> float:
    """Annual cost = recipients × monthly payment per recipient × months (default 12).

    ``recipients`` is the average number of recipients per month; the result is in the unit of
    ``monthly_payment`` (NOK per recipient per month gives NOK).
    """
    r = _finite("recipients", recipients)
    p = _finite("monthly_payment", monthly_payment)
    m = _finite("months", months)
    if r < 0 or p < 0 or m < 0:
        raise ValueError("recipients, monthly_payment and months must be non-negative")
    return r * p * m


@dataclass(frozen=True)
class Projection:
    """Next-year projection R·(1 + g_R) × p·(1 + g_p) × 12, with an interval [low, high]."""

    central: float
    low: float
    high: float
    recipients: float
    monthly_payment: float
    recipient_growth: float
    payment_growth: float
    interval_from: str
    formula: str = "recipients*(1+g_R) * monthly_payment*(1+g_p) * 12"

    def summary(self) -> dict[str, Any]:
        """Scalars only, for tables and glue."""
        return {
            "central": self.central,
            "low": self.low,
            "high": self.high,
            "recipients": self.recipients,
            "monthly_payment": self.monthly_payment,
            "recipient_growth": self.recipient_growth,
            "payment_growth": self.payment_growth,
            "interval_from": self.interval_from,
        }


def project_next_year(
    recipients: float,
    monthly_payment: float,
    recipient_growth: float = 0.0,
    payment_growth: float = 0.0,
    *,
    recipient_growth_range: tuple[float, float] | None = None,
    payment_growth_range: tuple[float, float] | None = None,
    relative_uncertainty: float | None = None,
) -> Projection:
    """Project next year's cost: R·(1 + g_R) × p·(1 + g_p) × 12.

    Growth rates are fractions (0.05 = 5 %). Interval, in this order of precedence:

    * ``recipient_growth_range`` and/or ``payment_growth_range`` = (low, high): the bounds are the
      projection at the low and at the high assumptions (a missing range uses the central rate);
      each range must contain its central rate.
    * ``relative_uncertainty`` u ≥ 0: [central·(1 − u), central·(1 + u)].
    * neither: low = high = central (``interval_from="none"``).

    Growth rates must be > −1 (a factor 1 + g ≤ 0 is meaningless).
    """
    g_r = _finite("recipient_growth", recipient_growth)
    g_p = _finite("payment_growth", payment_growth)
    for name, g in (("recipient_growth", g_r), ("payment_growth", g_p)):
        if g <= -1:
            raise ValueError(f"{name} must be greater than -1, got {g!r}")
    base_r = _finite("recipients", recipients)
    base_p = _finite("monthly_payment", monthly_payment)

    def cost(gr: float, gp: float) -> float:
        return annual_cost(base_r * (1.0 + gr), base_p * (1.0 + gp))

    central = cost(g_r, g_p)
    if recipient_growth_range is not None or payment_growth_range is not None:
        r_lo, r_hi = recipient_growth_range if recipient_growth_range is not None else (g_r, g_r)
        p_lo, p_hi = payment_growth_range if payment_growth_range is not None else (g_p, g_p)
        for name, lo, mid, hi in (("recipient", r_lo, g_r, r_hi), ("payment", p_lo, g_p, p_hi)):
            if not (lo <= mid <= hi):
                raise ValueError(f"{name} growth range ({lo}, {hi}) must contain the central rate {mid}")
            if lo <= -1:
                raise ValueError(f"{name} growth low bound must be greater than -1, got {lo}")
        return Projection(
            central, cost(r_lo, p_lo), cost(r_hi, p_hi), base_r, base_p, g_r, g_p, "growth_ranges"
        )
    if relative_uncertainty is not None:
        u = _finite("relative_uncertainty", relative_uncertainty)
        if u < 0:
            raise ValueError("relative_uncertainty must be non-negative")
        return Projection(
            central, central * (1 - u), central * (1 + u), base_r, base_p, g_r, g_p, "relative_uncertainty"
        )
    return Projection(central, central, central, base_r, base_p, g_r, g_p, "none")


def project_with_last_growth(
    recipients_before: float, recipients: float, payment_before: float, payment: float
) -> Projection:
    """Next year's cost with both factors growing as from the year before to the latest year;
    the interval runs from no growth to twice that growth (the districts' budget notes use the same
    product, e.g. Bjerke's 2012 budget premises)."""
    g_r = recipients / recipients_before - 1
    g_p = payment / payment_before - 1
    return project_next_year(
        recipients,
        payment,
        g_r,
        g_p,
        recipient_growth_range=(min(0.0, 2 * g_r), max(0.0, 2 * g_r)),
        payment_growth_range=(min(0.0, 2 * g_p), max(0.0, 2 * g_p)),
    )
