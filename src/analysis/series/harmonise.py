"""One series for an entity across code changes: renumbered codes joined, merged parts summed.

May import :mod:`analysis.series` siblings and :mod:`analysis.observations.lineage`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from analysis.observations.lineage import lineage
from analysis.series.frame import SERIES_COLUMNS, Frequency, period_year
from analysis.series.select import is_additive, select_series
from analysis.series.units import common_unit, convert


def _names(entities: pd.DataFrame, codes: Iterable[str]) -> str:
    table = entities.set_index("entity_code")["name"]
    return " + ".join(f"{c} {table.get(c, '?')}" for c in codes)


def harmonised_series(
    obs: pd.DataFrame,
    entities: pd.DataFrame,
    entity_code: str,
    indicator: str,
    *,
    category: str = "",
    status: str = "actual",
    unit: str | None = None,
    frequency: Frequency = "annual",
    additive: bool | None = None,
) -> pd.DataFrame:
    """One series for an entity across code changes, labelled with ``entity_code``.

    1. Renumbered codes are joined: rows under any code of the same territory
       (:func:`lineage`; e.g. 1201/4601 Bergen, 1601/5001 Trondheim, 3020/3207 Nordre Follo) form
       one series; if two codes give the same period, their preferred values must agree.
    2. For a period before a merger with no row for the territory itself, the parts are summed:
       ``value(Nordre Follo, t) = value(Ski 0213, t) + value(Oppegård 0217, t)`` — only for additive
       quantities (:func:`is_additive`: persons, cases, participants, money; override with
       ``additive``). For a rate, share or average the point is returned missing with the reason,
       and so is a year where a part has no value.

    Caveats go to ``attrs["caveats"]``: summed cases and recipients can over-count persons counted
    in both parts; a renumbering that came with a boundary change (the entity's note) is quoted.
    Reference: domain.md "Entities and codes"; entities.csv.
    """
    lin = lineage(entities, entity_code)
    direct = select_series(
        obs,
        lin.same,
        indicator,
        category=category,
        status=status,
        unit=unit,
        frequency=frequency,
        label_code=entity_code,
    )
    caveats: list[str] = []
    notes = entities.set_index("entity_code")["note"]
    if len(lin.same) > 1:
        used: set[str] = set().union(*direct["codes"]) if len(direct) else set()
        for code in lin.same:
            if code != entity_code and code in used:
                caveats.append(f"{code} joined to {entity_code} as the same territory: {notes.get(code, '')}")
        direct["harmonisation"] = [
            "" if codes == (entity_code,) else f"read under code {'/'.join(codes)}"
            for codes in direct["codes"]
        ]
    if not lin.parts:
        direct.attrs["caveats"] = caveats
        return direct

    part_series = {
        code: select_series(
            obs, code, indicator, category=category, status=status, unit=None, frequency=frequency
        )
        for code in lin.parts
    }
    have = set(direct["period"])
    periods = sorted({p for s in part_series.values() for p in s["period"]} - have)
    periods = [p for p in periods if lin.merged_from is None or period_year(p) < lin.merged_from]
    if not periods:
        direct.attrs["caveats"] = caveats
        return direct
    all_units = [u for s in part_series.values() for u in s["unit"]] + list(direct["unit"])
    target = unit or common_unit(all_units)
    if len(direct):
        direct["value"] = [
            convert(v, u, target) for v, u in zip(direct["value"], direct["unit"], strict=True)
        ]
        direct["unit"] = target
    can_add = is_additive(indicator, target) if additive is None else additive
    names = _names(entities, lin.parts)
    rows = []
    for period in periods:
        values, sources, missing = [], set(), []
        for code, s in part_series.items():
            hit = s[s["period"] == period]
            if hit.empty:
                missing.append(code)
                continue
            values.append(convert(hit["value"].iloc[0], hit["unit"].iloc[0], target))
            sources.update(hit["source_ids"].iloc[0])
        if not can_add:
            reason = (
                f"{indicator} ({target}) is a rate, share or average: the values of {names} "
                "cannot be summed into the merged municipality"
            )
            value = math.nan
        elif missing:
            reason = f"no value for part(s) {', '.join(missing)} in {period}; the sum {names} is incomplete"
            value = math.nan
        else:
            reason = ""
            value = float(sum(values))
        rows.append(
            {
                "entity_code": entity_code,
                "period": period,
                "indicator": indicator,
                "category": category,
                "status": status,
                "value": value,
                "unit": target,
                "source_ids": tuple(sorted(sources)),
                "codes": tuple(lin.parts),
                "harmonisation": f"sum of {names}" if can_add else f"not summed: {names}",
                "missing_reason": reason,
            }
        )
    summed = pd.DataFrame(rows, columns=list(SERIES_COLUMNS))
    frame = pd.concat([d for d in (direct, summed) if len(d)], ignore_index=True)
    frame = frame.sort_values("period", ignore_index=True)
    frame["value"] = frame["value"].astype(float)
    if can_add and target in {"persons", "cases", "participants", "households"}:
        caveats.append(
            f"values before {lin.merged_from} are sums of {names}; a person counted in both "
            "municipalities in one year is counted twice, so the sum can exceed the merged count"
        )
    elif can_add:
        caveats.append(f"values before {lin.merged_from} are sums of {names}")
    frame.attrs["caveats"] = caveats
    frame.attrs["query"] = direct.attrs.get("query", {})
    return frame
