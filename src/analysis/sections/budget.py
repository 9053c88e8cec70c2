"""Budget sections: budget against accounts for one function, and next year's projected cost.

May import :mod:`analysis.sections.base`, :mod:`analysis.models`, :mod:`analysis.present`.
"""

from __future__ import annotations

import pandas as pd

from analysis.models import budget
from analysis.observations.run import RunContext
from analysis.present.text import fmt, format_number
from analysis.sections.base import (
    KeyFigure,
    Section,
    entity_series,
    no_data,
    sources_of,
)


def budget_vs_accounts(ctx: RunContext, title: str, function: str, key: str) -> Section:
    """Original budget, revised budget and accounts for one KOSTRA function, with the deviation."""
    category = f"function={function}"
    values: dict[str, tuple[float, str, tuple[str, ...]]] = {}
    for status in ("budget", "revised_budget", "actual"):
        s = entity_series(ctx, "exp_net_operating", category=category, status=status, unit="NOK_1000")
        s = s[s["period"] == str(ctx.year)]
        if len(s):
            values[status] = (float(s["value"].iloc[0]), "NOK_1000", tuple(s["source_ids"].iloc[0]))
    if "actual" not in values or ("revised_budget" not in values and "budget" not in values):
        return no_data(title, f"No budget and accounts for function {function} in {ctx.year}", "budget_")
    basis = "revised_budget" if "revised_budget" in values else "budget"
    planned, _, s1 = values[basis]
    actual, _, s2 = values["actual"]
    srcs = tuple(sorted(set(s1) | set(s2)))
    deviation = budget.budget_deviation(planned, actual)
    share = budget.overspend_share(planned, actual)
    names = {"budget": "original budget", "revised_budget": "revised budget", "actual": "accounts"}
    table = pd.DataFrame(
        [{"item": names[k], "value_nok_1000": v[0], "sources": ", ".join(v[2])} for k, v in values.items()]
    )
    text = (
        f"Function {function}, {ctx.year}: {names[basis]} {fmt(planned, 'NOK_1000')}, accounts "
        f"{fmt(actual, 'NOK_1000')}; deviation (budget − accounts) {fmt(deviation, 'NOK_1000')}"
        f" ({format_number(100 * share, 1)} % {'over' if deviation < 0 else 'under'} budget)."
    )
    kfs = [
        KeyFigure(f"{key}_accounts", actual, "NOK_1000", s2),
        KeyFigure(f"{key}_budget", planned, "NOK_1000", s1),
        KeyFigure(f"{key}_deviation", deviation, "NOK_1000", srcs),
        KeyFigure(f"{key}_overspend", -deviation, "NOK_1000", srcs),
        KeyFigure(f"{key}_overspend_pct", round(100 * share, 1), "percent", srcs),
    ]
    return Section(title=title, text=text, table=table, sources=srcs, key_figures=kfs)


def projection(ctx: RunContext, title: str, key: str) -> Section:
    """Next year's social-assistance cost as average recipients per month × monthly payment × 12.

    Central: both factors grow as in the latest year; interval: from no growth to twice that growth
    (the districts' budget notes use the same product, e.g. Bjerke's 2012 budget premises).
    """
    rec = entity_series(ctx, "sa_recipients_monthly_avg")
    pay = entity_series(ctx, "sa_payment_per_recipient_month", unit="NOK")
    years = sorted(set(rec["period"]) & set(pay["period"])) if len(rec) and len(pay) else []
    years = [y for y in years if int(y) <= ctx.year]
    if str(ctx.year) not in years:
        return no_data(
            title,
            f"The projection needs average recipients per month and the average monthly "
            f"payment for {ctx.year}",
            "sa_",
        )

    def at(frame: pd.DataFrame, y: str) -> float:
        return float(frame.loc[frame["period"] == y, "value"].iloc[0])

    y1 = str(ctx.year)
    y0 = str(ctx.year - 1)
    if y0 not in years:
        return no_data(
            title,
            f"The projection takes its growth assumption from {y0} to {y1}, but there are no "
            f"average recipients per month and monthly payment for {y0}",
            "sa_",
        )
    proj = budget.project_with_last_growth(at(rec, y0), at(rec, y1), at(pay, y0), at(pay, y1))
    g_r, g_p = proj.recipient_growth, proj.payment_growth
    srcs = tuple(sorted(set(sources_of(rec)) | set(sources_of(pay))))
    base = at(rec, y1) * at(pay, y1) * 12
    nxt = str(ctx.year + 1)

    def mill(v: float) -> str:
        return fmt(v / 1e6, "NOK_million", 1)

    text = (
        f"Projected {nxt} cost: about **{mill(proj.central)}** (from {mill(proj.low)} to {mill(proj.high)}). "
        f"Base: {y1}, {fmt(at(rec, y1))} recipients a month on average × {fmt(at(pay, y1), 'NOK')} a month "
        f"× 12 = {mill(base)}. Assumption: both grow as from {y0} to {y1} "
        f"({format_number(100 * g_r, 1)} % and {format_number(100 * g_p, 1)} %); the range runs from no "
        f"growth to twice that growth."
    )
    kfs = [
        KeyFigure(f"{key}_central", proj.central, "NOK", srcs),
        KeyFigure(f"{key}_low", proj.low, "NOK", srcs),
        KeyFigure(f"{key}_high", proj.high, "NOK", srcs),
    ]
    rows = [
        {
            "item": f"{y1} (base)",
            "recipients a month": at(rec, y1),
            "payment a month (NOK)": at(pay, y1),
            "cost (NOK million)": base / 1e6,
        },
        {
            "item": f"{nxt}, projected",
            "recipients a month": float("nan"),
            "payment a month (NOK)": float("nan"),
            "cost (NOK million)": proj.central / 1e6,
        },
    ]
    if nxt in set(rec["period"]) and nxt in set(pay["period"]):
        outcome = at(rec, nxt) * at(pay, nxt) * 12
        srcs = tuple(
            sorted(
                set(srcs)
                | set(sources_of(rec[rec["period"] == nxt]))
                | set(sources_of(pay[pay["period"] == nxt]))
            )
        )
        text += (
            f" Outcome {nxt}: {fmt(at(rec, nxt))} recipients a month × {fmt(at(pay, nxt), 'NOK')} × 12 = "
            f"{mill(outcome)}, {format_number(100 * (outcome / proj.central - 1), 1)} % against "
            f"the projection."
        )
        rows.append(
            {
                "item": f"{nxt}, outcome",
                "recipients a month": at(rec, nxt),
                "payment a month (NOK)": at(pay, nxt),
                "cost (NOK million)": outcome / 1e6,
            }
        )
        kfs.append(KeyFigure(f"{key}_outcome", outcome, "NOK", srcs))
    return Section(title=title, text=text, sources=srcs, key_figures=kfs, table=pd.DataFrame(rows))
