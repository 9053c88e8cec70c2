"""Prices: the CPI series (levels chained from published changes), price ratios, real values.

May import :mod:`analysis.series` siblings and :mod:`analysis.schema`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.schema import NATIONAL_CODE
from analysis.series.frame import period_year
from analysis.series.indicators import points_by_period, unit_of
from analysis.series.select import select_series
from analysis.series.units import UnitError, is_money


def real_values(series: pd.DataFrame, cpi: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Money in constant kroner of ``base_year``.

    Formula: ``real(t) = nominal(t) × CPI(base_year) / CPI(year of t)`` with the annual-average CPI
    (SSB table 03014, ``KpiAar``, 2015 = 100; indicator ``cpi``). A monthly series is deflated with
    its year's annual average (an approximation: the month's own index would be exact). A missing
    CPI year gives a missing value with the reason. Columns: the series columns plus ``nominal``,
    ``cpi``, ``deflator`` (= CPI(base) / CPI(t)) and ``price_base``, e.g. "constant 2024 NOK".
    Reference: SSB, "Konsumprisindeksen", and any deflation textbook.
    """
    unit = unit_of(series, "series")
    if unit is not None and not is_money(unit):
        raise UnitError(f"real values need money, not {unit!r}")
    cpi_unit = unit_of(cpi, "CPI")
    if cpi_unit not in (None, "index_2015_100"):
        raise UnitError(f"CPI must be an index (index_2015_100), not {cpi_unit!r}")
    cpi_map = points_by_period(cpi, "CPI")
    base = cpi_map.get(str(base_year))
    rows = []
    for row in series.itertuples(index=False):
        year = str(period_year(str(row.period)))
        reasons = [str(row.missing_reason)] if row.missing_reason else []
        if base is None:
            reasons.append(f"no CPI for the base year {base_year}")
        elif base[1]:
            reasons.append(base[1])
        point = cpi_map.get(year)
        if point is None:
            reasons.append(f"no CPI for {year}")
        elif point[1]:
            reasons.append(point[1])
        elif point[0] == 0:
            reasons.append(f"CPI is zero in {year}")
        deflator = math.nan if reasons else base[0] / point[0]  # type: ignore[index]
        sources = set(row.source_ids)
        if point is not None:
            sources.update(point[2])
        if base is not None:
            sources.update(base[2])
        rows.append(
            {
                **row._asdict(),
                "value": math.nan if reasons else float(row.value) * deflator,
                "source_ids": tuple(sorted(sources)),
                "missing_reason": "; ".join(reasons),
                "nominal": float(row.value),
                "cpi": point[0] if point is not None else math.nan,
                "deflator": deflator,
                "price_base": f"constant {base_year} {unit or 'NOK'}",
            }
        )
    extra = ("nominal", "cpi", "deflator", "price_base")
    columns = [*series.columns, *[c for c in extra if c not in series.columns]]
    frame = pd.DataFrame(rows, columns=columns)
    frame["value"] = frame["value"].astype(float)
    return frame


def cpi_levels(observations: pd.DataFrame) -> pd.DataFrame:
    """Annual CPI levels (2015=100): the curated levels, and for a year without a level but with a
    published annual change, the previous level chained forward, CPI_t = CPI_{t-1} (1 + c_t/100)
    (``harmonisation`` says so; changes are printed to one decimal)."""
    levels = select_series(observations, NATIONAL_CODE, "cpi")
    changes = select_series(observations, NATIONAL_CODE, "cpi_change")
    if not len(levels):
        return levels
    rows = levels.copy()
    by_year = {int(p): r for p, r in zip(rows["period"], rows.to_dict("records"), strict=True)}
    change = {
        int(p): (v, s)
        for p, v, s in zip(changes["period"], changes["value"], changes["source_ids"], strict=True)
    }
    for year in sorted(change):
        if year not in by_year and year - 1 in by_year:
            prev = by_year[year - 1]
            value = prev["value"] * (1 + change[year][0] / 100)
            by_year[year] = {
                **prev,
                "period": str(year),
                "value": value,
                "source_ids": tuple(sorted(set(prev["source_ids"]) | set(change[year][1]))),
                "harmonisation": f"chained: CPI {year - 1} × (1 + {change[year][0]:g} %)".replace(".", ","),
            }
    out = pd.DataFrame([by_year[y] for y in sorted(by_year)], columns=rows.columns)
    return out


@dataclass(frozen=True)
class PriceRatio:
    """CPI(year_to) / CPI(year_from) and how it was obtained.

    ``changes`` is empty when the ratio comes from two index levels (``chained_levels`` then holds
    the notes of a level chained from a published change); otherwise it lists the published annual
    changes ``(year, percent)`` that were multiplied.
    """

    ratio: float
    source_ids: tuple[str, ...]
    chained_levels: tuple[str, ...] = ()
    changes: tuple[tuple[str, float], ...] = ()


def price_ratio(observations: pd.DataFrame, year_from: int, year_to: int) -> PriceRatio | None:
    """CPI(year_to) / CPI(year_from): from the two annual index levels when both are curated (see
    :func:`cpi_levels`), else chained from the published annual changes, Π (1 + c_t / 100) for t in
    (year_from, year_to].

    The decomposition needs only this ratio, so a published change (e.g. "KPI økte 5,5 prosent")
    serves as well as two index levels; changes are printed to one decimal, which bounds the
    rounding error of the ratio at about ±0.05 % a year. Returns None when neither is available.
    """
    levels = cpi_levels(observations)
    have = (
        dict(
            zip(
                levels["period"],
                zip(levels["value"], levels["source_ids"], levels["harmonisation"], strict=True),
                strict=True,
            )
        )
        if len(levels)
        else {}
    )
    if str(year_from) in have and str(year_to) in have:
        (v0, s0, h0), (v1, s1, h1) = have[str(year_from)], have[str(year_to)]
        chained = tuple(h for h in (h0, h1) if h)
        return PriceRatio(v1 / v0, tuple(sorted(set(s0) | set(s1))), chained_levels=chained)
    changes = select_series(observations, NATIONAL_CODE, "cpi_change")
    by_year = dict(
        zip(changes["period"], zip(changes["value"], changes["source_ids"], strict=True), strict=True)
    )
    years = [str(y) for y in range(year_from + 1, year_to + 1)]
    if not years or any(y not in by_year for y in years):
        return None
    ratio = 1.0
    srcs: set[str] = set()
    for y in years:
        ratio *= 1 + by_year[y][0] / 100
        srcs.update(by_year[y][1])
    return PriceRatio(ratio, tuple(sorted(srcs)), changes=tuple((y, float(by_year[y][0])) for y in years))
