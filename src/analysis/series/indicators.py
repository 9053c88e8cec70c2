"""Derived indicators computed from series frames (see :mod:`analysis.series`).

Every function takes series frames, aligns them on ``period`` and returns a new series frame
(:data:`DERIVED_COLUMNS`: the series columns plus ``numerator``, ``denominator`` and ``formula``).
A point that cannot be computed has ``value`` NaN **and** a ``missing_reason`` saying which input
was missing, itself missing (with its reason), or zero. Nothing is silently filled with zero.

``source_ids`` of a derived point is the union of the source ids of its inputs.

May import :mod:`analysis.series` siblings and :mod:`analysis.schema`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.schema import COUNT_UNITS, MONEY_UNITS
from analysis.series.frame import SERIES_COLUMNS, period_frequency, series_caveats, with_caveats
from analysis.series.units import UnitError, convert, is_money

DERIVED_COLUMNS: tuple[str, ...] = (*SERIES_COLUMNS, "numerator", "denominator", "formula")


def _label(frame: pd.DataFrame, fallback: str) -> str:
    """``indicator [category]`` of the frame's rows; ``fallback`` (the role) for an empty frame."""
    ind = str(frame["indicator"].iloc[0]) if len(frame) and "indicator" in frame else ""
    cat = str(frame["category"].iloc[0]) if len(frame) and "category" in frame else ""
    name = ind or fallback
    return f"{name} [{cat}]" if cat else name


def _ind(frame: pd.DataFrame, fallback: str) -> str:
    if len(frame) and "indicator" in frame and str(frame["indicator"].iloc[0]):
        return str(frame["indicator"].iloc[0])
    return fallback


def unit_of(frame: pd.DataFrame, role: str) -> str | None:
    units = set(frame["unit"]) if len(frame) else set()
    if len(units) > 1:
        raise UnitError(f"{role} has several units {sorted(units)}; select it with one unit")
    return units.pop() if units else None


def _shift_period(period: str, years: int) -> str:
    if period_frequency(period) == "annual":
        return str(int(period) + years)
    return f"{int(period[:4]) + years}{period[4:]}"


def points_by_period(frame: pd.DataFrame, role: str) -> dict[str, tuple[float, str, tuple[str, ...]]]:
    """period → (value, reason, source_ids); reason is '' for a usable value."""
    out: dict[str, tuple[float, str, tuple[str, ...]]] = {}
    for row in frame.itertuples(index=False):
        value = float(row.value)
        reason = str(getattr(row, "missing_reason", "") or "")
        if not reason and math.isnan(value):
            reason = "value is NaN"
        out[str(row.period)] = (value, f"{role}: {reason}" if reason else "", tuple(row.source_ids))
    return out


def _combine(
    inputs: Sequence[tuple[str, pd.DataFrame, int]],
    func: Callable[[list[float]], float],
    *,
    unit: str,
    indicator: str,
    formula: str,
    zero_check: Sequence[int] = (),
    periods_from: int = 0,
) -> pd.DataFrame:
    """Apply ``func`` to aligned values of several series.

    ``inputs`` are ``(role, frame, offset_years)``: the value of input *i* for period *p* is read
    at period *p + offset*. Periods are those of input ``periods_from`` (default: the first).
    Inputs listed in ``zero_check`` must not be zero (they are denominators).
    """
    lookups = [(role, points_by_period(frame, role), offset) for role, frame, offset in inputs]
    base = inputs[periods_from][1]
    first = inputs[0][1]
    entity = str(first["entity_code"].iloc[0]) if len(first) else ""
    category = str(first["category"].iloc[0]) if len(first) else ""
    status = str(first["status"].iloc[0]) if len(first) else ""
    periods = sorted(set(base["period"]))
    freqs = {period_frequency(p) for p in periods}
    if len(freqs) > 1:
        raise ValueError("inputs mix annual and monthly periods")
    rows = []
    for period in periods:
        values: list[float] = []
        reasons: list[str] = []
        sources: set[str] = set()
        for i, (role, table, offset) in enumerate(lookups):
            at = _shift_period(period, offset)
            if at not in table:
                reasons.append(f"no {role} for {at}")
                values.append(math.nan)
                continue
            value, reason, srcs = table[at]
            sources.update(srcs)
            values.append(value)
            if reason:
                reasons.append(reason)
            elif i in zero_check and value == 0:
                reasons.append(f"{role} is zero in {at}")
        result = math.nan if reasons else float(func(values))
        rows.append(
            {
                "entity_code": entity,
                "period": period,
                "indicator": indicator,
                "category": category,
                "status": status,
                "value": result,
                "unit": unit,
                "source_ids": tuple(sorted(sources)),
                "codes": (entity,),
                "harmonisation": "",
                "missing_reason": "; ".join(reasons),
                "caveats": (),
                "numerator": values[0],
                "denominator": values[1] if len(values) > 1 else math.nan,
                "formula": formula,
            }
        )
    frame = pd.DataFrame(rows, columns=list(DERIVED_COLUMNS))
    frame["value"] = frame["value"].astype(float)
    return with_caveats(frame, [c for _, f, _ in inputs for c in series_caveats(f)])


def _in_unit(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The frame with its values converted to ``unit`` (money scales only)."""
    current = unit_of(frame, "input")
    if current is None or current == unit:
        return frame
    out = frame.copy()
    out["value"] = [convert(v, current, unit) for v in out["value"]]
    out["unit"] = unit
    return out


def ratio(
    numerator: pd.DataFrame,
    denominator: pd.DataFrame,
    *,
    scale: float = 1.0,
    unit: str,
    indicator: str,
    denominator_offset: int = 0,
) -> pd.DataFrame:
    """``value(p) = scale × numerator(p) / denominator(p + denominator_offset)``.

    The building block of the per-capita, per-recipient and share functions. A missing or zero
    denominator gives a missing value with its reason. Reference: KOSTRA key figures are such
    ratios (SSB, "Om KOSTRA", nøkkeltall).
    """
    num_label = _label(numerator, "numerator")
    den_label = _label(denominator, "denominator")
    scale_txt = "" if scale == 1 else f"{scale:g} × "
    offset_txt = f" (denominator at period + {denominator_offset})" if denominator_offset else ""
    return _combine(
        [(num_label, numerator, 0), (den_label, denominator, denominator_offset)],
        lambda v: scale * v[0] / v[1],
        unit=unit,
        indicator=indicator,
        formula=f"{scale_txt}{num_label} / {den_label}{offset_txt}",
        zero_check=(1,),
    )


def _per_population(
    numerator: pd.DataFrame,
    population: pd.DataFrame,
    *,
    scale: float = 1.0,
    unit: str,
    indicator: str,
    offset: int,
) -> pd.DataFrame:
    """:func:`ratio` of ``numerator`` to a population in persons (``offset`` years later)."""
    population_unit = unit_of(population, "population")
    if population_unit not in (None, "persons"):
        raise UnitError(f"population must be in persons, not {population_unit!r}")
    return ratio(
        numerator, population, scale=scale, unit=unit, indicator=indicator, denominator_offset=offset
    )


def per_1000_inhabitants(
    count: pd.DataFrame, population: pd.DataFrame, *, population_offset: int = 0
) -> pd.DataFrame:
    """Recipients (or cases, participants) per 1,000 inhabitants.

    Formula: ``1000 × count(t) / inhabitants(t + population_offset)``; unit ``per_1000_inhabitants``.
    The population frame's category gives the age band (e.g. ``age=20-66``; KOSTRA's rate uses
    20–66). ``pop_inhabitants`` is the population at 1 January; use ``population_offset=1`` for
    the population at 31 December of year *t* (= 1 January of *t+1*), as KOSTRA does.
    Reference: SSB table 12203/13995 (KOSTRA, "andel sosialhjelpsmottakere").
    """
    unit = unit_of(count, "count")
    if unit is not None and unit not in COUNT_UNITS:
        raise UnitError(f"per 1,000 inhabitants needs a count (persons, cases, …), not {unit!r}")
    per = "per_1000_inhabitants"
    indicator = f"{_ind(count, 'count')}_{per}"
    return _per_population(
        count, population, scale=1000.0, unit=per, indicator=indicator, offset=population_offset
    )


def per_inhabitant(
    amount: pd.DataFrame, population: pd.DataFrame, *, population_offset: int = 0, unit: str = "NOK"
) -> pd.DataFrame:
    """Money per inhabitant (e.g. per inhabitant aged 20–66 with a population of ``age=20-66``).

    Formula: ``amount(t) [converted to NOK] / inhabitants(t + population_offset)``; unit ``NOK``.
    Reference: KOSTRA "netto driftsutgifter til økonomisk sosialhjelp per innbygger 20–66 år"
    (SSB table 12362/12367).
    """
    amount_unit = unit_of(amount, "amount")
    if amount_unit is not None and amount_unit not in MONEY_UNITS:
        raise UnitError(f"per inhabitant needs money, not {amount_unit!r}")
    indicator = f"{_ind(amount, 'amount')}_per_inhabitant"
    amount = _in_unit(amount, unit)
    return _per_population(amount, population, unit=unit, indicator=indicator, offset=population_offset)


def payout_per_recipient(
    payout: pd.DataFrame, recipients: pd.DataFrame, *, unit: str = "NOK"
) -> pd.DataFrame:
    """Gross payout per recipient in the year.

    Formula: ``payout(t) [NOK] / recipients(t)``. With ``sa_cases`` as denominator this is KOSTRA's
    "utbetalt per sosialhjelpstilfelle" (per case); with unique persons, per recipient — the two are
    not comparable (``book/glossary.md``, "cases"). Reference: indicator
    ``sa_payout_per_recipient`` in ``data/reference/indicators.csv``.
    """
    rec_unit = unit_of(recipients, "recipients")
    if rec_unit is not None and rec_unit not in {"persons", "cases"}:
        raise UnitError(f"recipients must be persons or cases, not {rec_unit!r}")
    pay_unit = unit_of(payout, "payout")
    if pay_unit is not None and not is_money(pay_unit):
        raise UnitError(f"payout must be money, not {pay_unit!r}")
    per = "case" if rec_unit == "cases" else "recipient"
    return ratio(_in_unit(payout, unit), recipients, unit=unit, indicator=f"payout_per_{per}")


def payout_per_recipient_month(
    payout: pd.DataFrame,
    recipients_monthly_avg: pd.DataFrame,
    *,
    months: int | None = None,
    unit: str = "NOK",
) -> pd.DataFrame:
    """Average payment per recipient per month.

    Formula: ``payout(t) / (average recipients per month(t) × months)``, ``months`` = 12 for an
    annual series and 1 for a monthly one (then the denominator is the month's recipients). This
    is the identity of the Oslo districts' budget premises: budget = recipients × monthly payment ×
    12 (Bjerke 2012 deck, lines 76–94). Reference: indicator ``sa_payment_per_recipient_month``.
    """
    pay_unit = unit_of(payout, "payout")
    if pay_unit is not None and not is_money(pay_unit):
        raise UnitError(f"payout must be money, not {pay_unit!r}")
    if months is None:
        freq = {period_frequency(p) for p in payout["period"]}
        months = 1 if freq == {"monthly"} else 12
    num = _label(payout, "payout")
    den = _label(recipients_monthly_avg, "recipients per month")
    return _combine(
        [(num, _in_unit(payout, unit), 0), (den, recipients_monthly_avg, 0)],
        lambda v: v[0] / (v[1] * months),
        unit=unit,
        indicator="payout_per_recipient_month",
        formula=f"{num} / ({den} × {months})",
        zero_check=(1,),
    )


def payout_per_benefit_month(
    payout: pd.DataFrame, recipients: pd.DataFrame, duration_months: pd.DataFrame, *, unit: str = "NOK"
) -> pd.DataFrame:
    """Payout per benefit month (stønadsmåned).

    Formula: ``payout(t) / (recipients(t) × average duration in months(t))`` — the number of benefit
    months is recipients × average duration. Reference: indicator ``sa_payout_per_benefit_month``;
    KOSTRA "utbetalt per stønadsmåned". ``denominator`` holds recipients × duration.
    """
    num = _label(payout, "payout")
    rec = _label(recipients, "recipients")
    dur = _label(duration_months, "duration")
    frame = _combine(
        [(num, _in_unit(payout, unit), 0), (rec, recipients, 0), (dur, duration_months, 0)],
        lambda v: v[0] / (v[1] * v[2]),
        unit=unit,
        indicator="payout_per_benefit_month",
        formula=f"{num} / ({rec} × {dur})",
        zero_check=(1, 2),
    )
    rec_map = points_by_period(recipients, rec)
    dur_map = points_by_period(duration_months, dur)
    frame["denominator"] = [
        rec_map.get(p, (math.nan,))[0] * dur_map.get(p, (math.nan,))[0] for p in frame["period"]
    ]
    return frame


def share(part: pd.DataFrame, total: pd.DataFrame) -> pd.DataFrame:
    """Share of a part in a total, in percent, keeping numerator and denominator.

    Formula: ``100 × part(t) / total(t)``; unit ``percent``. Money parts are converted to the
    total's scale first; other units must be equal (persons are not cases). Reference: indicator
    ``sa_recipients_share`` ("recipients in the group as a percentage of all recipients").
    """
    part_unit = unit_of(part, "part")
    total_unit = unit_of(total, "total")
    if part_unit and total_unit and part_unit != total_unit:
        if not (is_money(part_unit) and is_money(total_unit)):
            raise UnitError(f"share of {part_unit!r} in {total_unit!r}: the units differ")
        part = _in_unit(part, total_unit)
    return ratio(part, total, scale=100.0, unit="percent", indicator=f"{_ind(part, 'part')}_share")


def year_on_year(series: pd.DataFrame) -> pd.DataFrame:
    """Change from the same period one year earlier, absolute and in percent.

    Formulas: ``change(t) = x(t) − x(t−1)`` (unit of *x*; ``percentage_points`` when *x* is a
    percent) and ``pct_change(t) = 100 × (x(t) − x(t−1)) / x(t−1)``. For a monthly series *t−1* is
    the same month of the previous year. Missing previous values, or a previous value of zero
    for the percent, give NaN with ``missing_reason``. Columns: the series columns with ``value``
    = absolute change, plus ``previous_period``, ``current``, ``previous``, ``pct_change``,
    ``pct_missing_reason``. Reference: standard growth-rate definitions (SSB "endring i prosent").
    """
    unit = unit_of(series, "series")
    change_unit = "percentage_points" if unit == "percent" else (unit or "")
    label = _label(series, "series")
    lookup = points_by_period(series, label)
    rows = []
    for row in series.itertuples(index=False):
        period = str(row.period)
        prev = _shift_period(period, -1)
        cur_value, cur_reason, cur_src = lookup[period]
        reasons = [cur_reason] if cur_reason else []
        if prev not in lookup:
            reasons.append(f"no {label} for {prev}")
            prev_value, prev_src = math.nan, ()
        else:
            prev_value, prev_reason, prev_src = lookup[prev]
            if prev_reason:
                reasons.append(prev_reason)
        change = math.nan if reasons else cur_value - prev_value
        pct_reasons = list(reasons)
        if not reasons and prev_value == 0:
            pct_reasons.append(f"{label} is zero in {prev}: percent change undefined")
        pct = math.nan if pct_reasons else 100.0 * (cur_value - prev_value) / abs(prev_value)
        rows.append(
            {
                "entity_code": row.entity_code,
                "period": period,
                "indicator": f"{row.indicator}_change",
                "category": row.category,
                "status": row.status,
                "value": change,
                "unit": change_unit,
                "source_ids": tuple(sorted(set(cur_src) | set(prev_src))),
                "codes": row.codes,
                "harmonisation": row.harmonisation,
                "missing_reason": "; ".join(reasons),
                "caveats": tuple(getattr(row, "caveats", ())),
                "previous_period": prev,
                "current": cur_value,
                "previous": prev_value,
                "pct_change": pct,
                "pct_missing_reason": "; ".join(pct_reasons),
            }
        )
    columns = [*SERIES_COLUMNS, "previous_period", "current", "previous", "pct_change", "pct_missing_reason"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["value"] = frame["value"].astype(float)
    frame["pct_change"] = frame["pct_change"].astype(float)
    return frame


def missing_points(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a series or derived frame that are missing, with their reasons."""
    mask = frame["missing_reason"].astype(str) != ""
    return frame.loc[mask, ["entity_code", "period", "indicator", "missing_reason"]]


def values_by_period(frame: pd.DataFrame) -> dict[str, float]:
    """``{period: value}`` of the points that are present (reason ''), for quick checks."""
    ok = frame[frame["missing_reason"].astype(str) == ""]
    return {str(p): float(v) for p, v in zip(ok["period"], ok["value"], strict=True) if not np.isnan(v)}
