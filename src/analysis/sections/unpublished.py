"""The chapter's one 'not published' list: which indicators the unsupported analyses of an
entity-year would need, in words, grouped by where they would come from.

May import :mod:`analysis.sections.base`, :mod:`analysis.sections.catalogue`, :mod:`analysis.series`.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.observations.run import RunContext
from analysis.sections.base import entity_codes, entity_series, has_year, label_of, supplier
from analysis.sections.catalogue import Verdict
from analysis.series.prices import price_ratio as cpi_price_ratio

FETCH_HINT = "; `python -m analysis fetch-ssb` fetches the SSB tables."  # said once, under the list


def not_published(ctx: RunContext, verdicts: Sequence[Verdict]) -> list[tuple[str, str]]:
    """The chapter's one 'not published' list: (indicators in words, where they would come from),
    one row per source, for the unsupported analyses whose reason is a missing indicator."""
    by_supplier: dict[str, list[str]] = {}
    for v in verdicts:
        if v.supported:
            continue
        for indicator, category in v.missing:
            if _published_in_year(ctx, indicator, category):  # needed for another year: not a gap
                continue
            name = _indicator_words(ctx, indicator, category)
            names = by_supplier.setdefault(supplier(indicator).replace(FETCH_HINT, "."), [])
            if name not in names:
                names.append(name)
    return [(", ".join(names), source) for source, names in by_supplier.items()]


def _published_in_year(ctx: RunContext, indicator: str, category: str) -> bool:
    """Whether the entity has any figure of ``indicator`` (in ``category``: exact, a dimension such
    as ``age``, or ``monthly``) in the chapter year."""
    obs = ctx.observations
    if indicator == "cpi":
        return cpi_price_ratio(obs, ctx.year - 1, ctx.year) is not None
    if indicator == "budget_net_operating":
        return any(
            has_year(entity_series(ctx, "exp_net_operating", category=category, status=status), ctx.year)
            for status in ("budget", "revised_budget")
        )
    if category == "monthly":
        series = entity_series(ctx, indicator, frequency="monthly")
        return bool(len(series)) and bool(series["period"].str.startswith(str(ctx.year)).any())
    if category and "=" not in category:  # a breakdown dimension: the composition's own rows
        rows = obs[
            obs["entity_code"].isin(entity_codes(ctx))
            & (obs["indicator"] == indicator)
            & obs["category"].str.startswith(f"{category}=")
            & (obs["period"] == str(ctx.year))
            & (obs["status"] == "actual")
        ]
        return not rows.empty
    return has_year(entity_series(ctx, indicator, category=category), ctx.year)


def _indicator_words(ctx: RunContext, indicator: str, category: str) -> str:
    if indicator == "cpi":
        return "consumer price index"
    if indicator == "budget_net_operating":
        return f"Budget and accounts, {category.replace('=', ' ')}"
    label = label_of(ctx, indicator)
    if category == "monthly":
        return f"{label} by month"
    if category and "=" not in category:
        return f"{label} by {category.replace('_', ' ')}"
    if category:
        return f"{label} ({category.split('=', 1)[1].replace('_', ' ')})"
    return label
