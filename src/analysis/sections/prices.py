"""Payouts in constant kroner of a base year.

May import :mod:`analysis.sections.base`, :mod:`analysis.series`, :mod:`analysis.present`.
"""

from __future__ import annotations

from analysis.observations.run import RunContext
from analysis.sections.base import (
    KeyFigure,
    Section,
    entity_series,
    fmt_result,
    no_data,
    point_steps,
    sources_of,
)
from analysis.series.prices import cpi_levels, real_values


def real_payouts(ctx: RunContext, title: str, base_year: int, key: str) -> Section:
    """Gross payouts in constant kroner of ``base_year`` (annual CPI, SSB table 03014)."""

    payout = entity_series(ctx, "sa_payout_gross", unit="NOK_1000")
    cpi = cpi_levels(ctx.observations)
    if not len(payout):
        return no_data(title, "No gross payouts to deflate", "sa_payout")
    if not len(cpi) or str(base_year) not in set(cpi["period"]):
        return no_data(title, f"No CPI for the base year {base_year}", "cpi")
    real = real_values(payout, cpi, base_year)
    ok = real[real["missing_reason"] == ""]
    srcs = tuple(sorted(set(sources_of(payout)) | set(sources_of(cpi))))
    table = real[["period", "nominal", "cpi", "value", "missing_reason"]].rename(
        columns={
            "nominal": "nominal_nok_1000",
            "value": f"real_{base_year}_nok_1000",
            "missing_reason": "note",
        }
    )
    this = ok[ok["period"] == str(ctx.year)]
    kfs: list[KeyFigure] = []
    text = f"Gross payouts in constant {base_year} kroner (CPI, 2015=100)."
    chained = cpi[cpi["harmonisation"] != ""]
    if len(chained):
        text += " CPI " + "; ".join(chained["harmonisation"]) + " (no index level is curated for that year)."
    if len(this):
        value = float(this["value"].iloc[0])
        nominal = float(this["nominal"].iloc[0])
        step = point_steps(ctx, payout, "sa_payout_gross").get(str(ctx.year), 0.0) * value / nominal
        text += f" {ctx.year}: {fmt_result(value, 'NOK_1000', step)} in {base_year} kroner."
        kfs.append(KeyFigure(f"{key}_{ctx.year}", value, "NOK_1000", srcs))
    missing = real[real["missing_reason"] != ""]
    if len(missing):
        text += (
            f" {len(missing)} year(s) cannot be deflated: "
            + "; ".join(
                f"{p}: {r}" for p, r in zip(missing["period"], missing["missing_reason"], strict=True)
            )
            + "."
        )
    return Section(title=title, text=text, table=table.reset_index(drop=True), sources=srcs, key_figures=kfs)
