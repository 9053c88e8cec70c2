"""Time series of one entity and one indicator from the typed observations.

A *series frame* is the common currency of the analysis modules. Its columns
(:data:`SERIES_COLUMNS`) are:

``entity_code``  the entity asked for (after harmonisation: the current code);
``period``       ``YYYY`` or ``YYYY-MM`` (a frame never mixes the two);
``indicator``, ``category``, ``status`` as selected;
``value``        float in ``unit`` (NaN only when ``missing_reason`` says why);
``unit``         one unit for the whole frame;
``source_ids``   tuple of the source ids behind the point (sorted, unique);
``codes``        tuple of the entity codes whose rows were used;
``harmonisation`` how the point was obtained across a code change ('' = read directly);
``missing_reason`` '' when ``value`` is present.

The frame's ``attrs["caveats"]`` holds text caveats (e.g. "sum of parts over-counts cases").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.units import ADDITIVE_UNITS, MONEY_SCALE, UnitError, common_unit, convert

Frequency = Literal["annual", "monthly"]

SERIES_COLUMNS: tuple[str, ...] = (
    "entity_code",
    "period",
    "indicator",
    "category",
    "status",
    "value",
    "unit",
    "source_ids",
    "codes",
    "harmonisation",
    "missing_reason",
)

#: Parts of indicator ids that mark a rate, share, average or ratio: never summed over entities.
NON_ADDITIVE_MARKERS: tuple[str, ...] = (
    "_per_",
    "share",
    "rate",
    "avg",
    "average",
    "duration",
    "index",
    "cpi",
    "guideline",
    "processing_days",
    "premise",
)


class SeriesConflictError(ValueError):
    """Two rows that should give one number disagree (e.g. two preferred rows, different values)."""


def period_frequency(period: str) -> Frequency:
    """``'annual'`` for ``YYYY``, ``'monthly'`` for ``YYYY-MM``; ``ValueError`` otherwise."""
    if len(period) == 4 and period.isdigit():
        return "annual"
    if len(period) == 7 and period[4] == "-" and period[:4].isdigit() and period[5:].isdigit():
        return "monthly"
    raise ValueError(f"period {period!r} is neither YYYY nor YYYY-MM")


def period_year(period: str) -> int:
    """The calendar year of ``YYYY`` or ``YYYY-MM``."""
    period_frequency(period)
    return int(period[:4])


def is_additive(indicator: str, unit: str) -> bool:
    """True when values of ``indicator`` for parts of an area add up to the value for the whole.

    Rule: the unit is a count or money unit (:data:`analysis.units.ADDITIVE_UNITS`) **and** the
    indicator id has none of :data:`NON_ADDITIVE_MARKERS` (``_per_``, ``share``, ``rate``, ``avg``,
    ``duration``, …). So ``sa_payout_gross`` (NOK) is additive, ``sa_payout_per_recipient`` (also
    NOK) is not, and ``sa_recipients_monthly_avg`` is treated as not additive (an average).
    Reference: the definitions in ``data/reference/indicators.csv``; domain.md "How the numbers are
    counted".
    """
    if unit not in ADDITIVE_UNITS:
        return False
    return not any(marker in indicator for marker in NON_ADDITIVE_MARKERS)


def _decimals(value: float) -> int:
    text = repr(float(value))
    if "e" in text or "E" in text:
        return 0
    _, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return len(frac)


def _agree(rows: pd.DataFrame) -> bool:
    """Rows agree when equal after conversion, within half a unit of the coarsest printed digit."""
    units = list(rows["unit"])
    if len(set(units)) == 1:
        return bool(np.isclose(rows["value"].max(), rows["value"].min(), rtol=1e-12, atol=0.0))
    target = common_unit(units)
    coarse_idx = max(rows.index, key=lambda i: MONEY_SCALE.get(rows.at[i, "unit"], 1.0))
    coarse = rows.loc[coarse_idx]
    half_digit = 0.5 * 10 ** (-_decimals(coarse["value"]))
    tol = convert(half_digit, coarse["unit"], target) * (1 + 1e-9)
    converted = [convert(v, u, target) for v, u in zip(rows["value"], rows["unit"], strict=True)]
    return max(converted) - min(converted) <= tol


def _describe(rows: pd.DataFrame) -> str:
    return "; ".join(
        f"{r.source_id} {r.locator}: {r.value:g} {r.unit} (preferred={r.preferred})"
        for r in rows.itertuples()
    )


def _resolve_point(rows: pd.DataFrame, key: str) -> pd.Series:
    """One value for one period: the preferred rows, which must agree."""
    chosen = rows[rows["preferred"]]
    if chosen.empty:
        chosen = rows  # no row marked preferred: usable only if all agree
    if not _agree(chosen):
        raise SeriesConflictError(f"{key}: rows disagree: {_describe(chosen)}")
    finest = min(chosen.index, key=lambda i: MONEY_SCALE.get(chosen.at[i, "unit"], 1.0))
    out = chosen.loc[finest].copy()
    out["source_ids"] = tuple(sorted(set(chosen["source_id"])))
    return out


def _empty_series(entity_code: str, indicator: str, category: str, status: str) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in SERIES_COLUMNS})
    frame["value"] = frame["value"].astype(float)
    frame.attrs["caveats"] = []
    frame.attrs["query"] = dict(
        entity_code=entity_code, indicator=indicator, category=category, status=status
    )
    return frame


def usable(obs: pd.DataFrame) -> pd.DataFrame:
    """The rows a computed value may read: all but ``quality=suspect`` (``data/CURATION.md``).

    A suspect row (digits lost in extraction, a misprint) is listed by :func:`suspect_rows` with
    its source and reason, and never enters a series, an indicator or a model. A frame without a
    ``quality`` column (hand-made in tests) is all usable.
    """
    if "quality" not in obs.columns:
        return obs
    return obs[obs["quality"] != "suspect"]


def suspect_rows(obs: pd.DataFrame, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """The ``suspect`` rows (of ``codes``, if given), with source and reason, for a page to list.

    Columns: entity_code, period, indicator, category, value, unit, source_id, locator, reason
    (the curation note). Sorted by entity, indicator and period.
    """
    columns = ["entity_code", "period", "indicator", "category", "value", "unit", "source_id", "locator"]
    if "quality" not in obs.columns:
        return pd.DataFrame(columns=[*columns, "reason"])
    rows = obs[obs["quality"] == "suspect"]
    if codes is not None:
        rows = rows[rows["entity_code"].isin(set(codes))]
    out = rows[columns].assign(reason=[_reason(str(n)) for n in rows.get("note", [""] * len(rows))])
    return out.sort_values(["entity_code", "indicator", "period"]).reset_index(drop=True)


#: Words of the clauses of a curation note that say why a row is suspect.
_REASON_WORDS = ("lost", "misprint", "do not use", "doubt", "conflict", "implausible", "wrong")


def _reason(note: str) -> str:
    """The clauses (``;``-separated) of a suspect row's note that give the reason; else the note."""
    clauses = [c.strip() for c in note.split(";")]
    picked = [c for c in clauses if any(w in c.lower() for w in _REASON_WORDS)]
    return "; ".join(picked) if picked else note


def _matching_rows(
    obs: pd.DataFrame, codes: tuple[str, ...], indicator: str, category: str, status: str
) -> pd.DataFrame:
    """The usable observations of ``indicator`` for these entity codes, breakdown and status."""
    obs = usable(obs)
    return obs[
        obs["entity_code"].isin(codes)
        & (obs["indicator"] == indicator)
        & (obs["category"] == category)
        & (obs["status"] == status)
    ]


#: How a rounded input is named in a note (``quality`` → words).
QUALITY_WORDS: dict[str, str] = {
    "rounded": "rounded",
    "lower_bound": "a lower bound",
    "upper_bound": "an upper bound",
}


def printed_step(value: float, quality: str) -> float:
    """The size of the last printed digit of an approximate figure, in its own unit; 0 if exact.

    ``7,4`` (billion) → 0,1; ``6,71`` → 0,01; ``131 000`` → 1 000; ``119 400`` → 100; ``45`` → 1.
    The trailing zeros of a whole number printed rounded are taken as rounded away ("om lag 131
    000" is known to the thousand). A bound ("over 130 000") is read the same way.
    """
    if quality not in QUALITY_WORDS:
        return 0.0
    decimals = _decimals(value)
    if decimals:
        return 10.0**-decimals
    whole = abs(int(round(value)))
    zeros = 0
    while whole and whole % 10 == 0:
        whole //= 10
        zeros += 1
    return 10.0**zeros


@dataclass(frozen=True)
class RoundedInput:
    """A preferred figure behind a result that the source printed rounded or as a bound."""

    label: str
    period: str
    value: float
    unit: str
    quality: str
    step: float  # last printed digit, in ``unit`` (see :func:`printed_step`)
    source_id: str
    note: str

    def step_in(self, unit: str) -> float:
        """The printed step converted to ``unit`` (money scales convert; others must match)."""
        return convert(self.step, self.unit, unit) if unit != self.unit else self.step

    @property
    def sentence(self) -> str:
        """One line for the notes under a result: what was printed, how exactly, where."""
        value = self.value
        # Norwegian style as in the sources: "119 400", "6,71"
        shown = f"{int(value):,}".replace(",", " ") if value.is_integer() else f"{value:g}".replace(".", ",")
        text = (
            f"{self.label} {self.period}: {shown} {self.unit.replace('_', ' ')} as printed "
            f"({self.source_id}), {QUALITY_WORDS[self.quality]}"
        )
        return text + (f" — {self.note}" if self.note else "")


def _row_quality(row: pd.Series) -> str:
    """A row's ``quality``; a hand-made frame without the column counts rows in billions as rounded."""
    quality = str(row.get("quality", "") or "")
    if quality:
        return quality
    return "rounded" if row["unit"] in ROUNDED_UNITS else "exact"


def rounded_inputs(
    obs: pd.DataFrame,
    codes: Iterable[str],
    indicator: str,
    periods: Iterable[str],
    *,
    category: str = "",
    status: str = "actual",
    label: str = "",
) -> list[RoundedInput]:
    """The preferred figures behind series points that were printed rounded or as a bound.

    A period counts when every preferred (usable) row of it has an approximate ``quality``
    (rounded, lower_bound, upper_bound); an exact printing of the same value makes the point exact.
    One :class:`RoundedInput` per such period, from its first row by source id (``label`` defaults
    to the indicator id). Exact figures give none.
    """
    rows = _matching_rows(obs, tuple(codes), indicator, category, status)
    rows = rows[rows["period"].isin({str(p) for p in periods}) & rows["preferred"].astype(bool)]
    out = []
    for period, group in rows.sort_values(["period", "source_id"]).groupby("period", sort=True):
        qualities = [_row_quality(r) for _, r in group.iterrows()]
        if any(q not in QUALITY_WORDS for q in qualities):  # an exact printing exists: the point is exact
            continue
        row = group.iloc[0]
        value = float(row["value"])
        out.append(
            RoundedInput(
                label=label or indicator,
                period=str(period),
                value=value,
                unit=str(row["unit"]),
                quality=qualities[0],
                step=printed_step(value, qualities[0]),
                source_id=str(row["source_id"]),
                note=str(row.get("note", "")),
            )
        )
    return out


#: Money scales that are only ever printed rounded ("6,7 milliarder"): a hand-made frame without a
#: ``quality`` column treats them as rounded (validate refuses ``exact`` for them).
ROUNDED_UNITS: frozenset[str] = frozenset({"NOK_billion"})


def approximate_inputs(
    obs: pd.DataFrame, codes: Iterable[str], indicator: str, periods: Iterable[str], **selection: str
) -> list[str]:
    """One sentence per rounded input of :func:`rounded_inputs` (label, period, value as printed
    with its unit, source, how it was printed, note), for the notes under a result. ``selection``:
    ``category``, ``status`` and ``label`` as for :func:`rounded_inputs`."""
    return [r.sentence for r in rounded_inputs(obs, codes, indicator, periods, **selection)]


def propagated_step(func, values: Sequence[float], steps: Sequence[float]) -> float:
    """How far a result can move when each input moves by its printed step (linear, worst case).

    ``Σ_i |f(x + s_i e_i) − f(x)|`` — for a sum the sum of the steps, for a ratio the sum of the
    relative steps times the ratio. Exact inputs have step 0. Used to print a result at the
    precision of its least precise input (:func:`analysis.figures.format_at_precision`).
    """
    base = func(*values)
    total = 0.0
    for i, step in enumerate(steps):
        if step:
            moved = list(values)
            moved[i] += step
            total += abs(func(*moved) - base)
    return total


def select_series(
    obs: pd.DataFrame,
    entity_code: str | Iterable[str],
    indicator: str,
    *,
    category: str = "",
    status: str = "actual",
    unit: str | None = None,
    frequency: Frequency = "annual",
    label_code: str | None = None,
) -> pd.DataFrame:
    """The series of ``indicator`` for one entity (or several codes of the *same* entity).

    Steps: keep rows with the entity code(s), indicator, category (``''`` = total), status and
    frequency (``YYYY`` for ``annual``, ``YYYY-MM`` for ``monthly`` — never mixed); per period keep
    the rows with ``preferred=True`` (if none is preferred, all rows); they must agree, else
    :class:`SeriesConflictError` names every conflicting row (source, locator, value, unit). Rows
    printed in different money scales agree when equal within half a unit of the coarsest printed
    digit; the finest-scale value is kept. Values are converted to ``unit``
    (default: the one unit of the rows, or the finest money scale) with
    :func:`analysis.units.convert`. ``source_ids`` lists every source that printed the value.

    Reference: the ``preferred`` rule of ``data/CURATION.md``.
    """
    codes = (entity_code,) if isinstance(entity_code, str) else tuple(entity_code)
    label = label_code or codes[0]
    rows = _matching_rows(obs, codes, indicator, category, status)
    rows = rows[rows["period"].map(period_frequency) == frequency]
    if rows.empty:
        return _empty_series(label, indicator, category, status)
    target = unit or common_unit(rows["unit"])
    points = []
    for period, group in rows.groupby("period", sort=True):
        key = f"{'/'.join(codes)} {indicator} [{category or 'total'}] {status} {period}"
        point = _resolve_point(group, key)
        points.append(
            {
                "entity_code": label,
                "period": period,
                "indicator": indicator,
                "category": category,
                "status": status,
                "value": convert(point["value"], point["unit"], target),
                "unit": target,
                "source_ids": point["source_ids"],
                "codes": tuple(sorted(set(group["entity_code"]))),
                "harmonisation": "",
                "missing_reason": "",
            }
        )
    frame = pd.DataFrame(points, columns=list(SERIES_COLUMNS))
    frame["value"] = frame["value"].astype(float)
    frame.attrs["caveats"] = []
    frame.attrs["query"] = dict(entity_code=label, indicator=indicator, category=category, status=status)
    return frame


# --------------------------------------------------------------------------------------------------
# Code changes


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


@dataclass(frozen=True)
class Lineage:
    """The codes behind one entity over time.

    ``same``: codes for the same territory linked by one-to-one renumbering (e.g. 1201 and 4601
    Bergen; 3020 and 3207 Nordre Follo). ``parts``: codes of municipalities merged into it, with
    the first year of the merged entity (e.g. Ski 0213 and Oppegård 0217, merged from 2020).
    """

    entity_code: str
    same: tuple[str, ...]
    parts: tuple[str, ...]
    merged_from: int | None
    valid: dict[str, tuple[int | None, int | None]]

    def codes_for_year(self, year: int) -> tuple[str, ...]:
        """Codes of ``same`` that were valid in ``year`` (open ends count as valid)."""
        out = []
        for code in self.same:
            start, end = self.valid[code]
            if (start is None or year >= start) and (end is None or year <= end):
                out.append(code)
        return tuple(out)


def lineage(entities: pd.DataFrame, entity_code: str) -> Lineage:
    """Follow ``successor_code`` links in the entities table around ``entity_code``.

    A successor with exactly one predecessor in the table is a renumbering (same territory); a
    successor with two or more predecessors is a merger, whose predecessors become ``parts``.
    Example from ``data/reference/entities.csv``: for 3207, ``same`` = (3020, 3207), ``parts`` =
    (0213, 0217), merged from 2020; for 4601, ``same`` = (1201, 4601) and no parts.
    Raises ``KeyError`` for an unknown code.

    Reference: SSB's code changes (domain.md "Entities and codes"; SSB KLASS 131 changes).
    """
    table = entities.set_index("entity_code")
    if entity_code not in table.index:
        raise KeyError(f"unknown entity code {entity_code!r}")
    successor = {c: s for c, s in table["successor_code"].items() if s}
    predecessors: dict[str, list[str]] = {}
    for code, succ in successor.items():
        predecessors.setdefault(succ, []).append(code)

    same = {entity_code}
    frontier = [entity_code]
    while frontier:  # walk renumberings both ways
        code = frontier.pop()
        linked = []
        succ = successor.get(code)
        if succ is not None and len(predecessors.get(succ, [])) == 1:
            linked.append(succ)
        preds = predecessors.get(code, [])
        if len(preds) == 1:
            linked.extend(preds)
        for other in linked:
            if other not in same and other in table.index:
                same.add(other)
                frontier.append(other)
    parts: list[str] = []
    merged_from: int | None = None
    for code in same:
        preds = predecessors.get(code, [])
        if len(preds) >= 2:
            parts.extend(preds)
            start = _year(str(table.at[code, "valid_from"]))
            merged_from = start if merged_from is None or (start and start < merged_from) else merged_from
    valid = {
        code: (_year(str(table.at[code, "valid_from"])), _year(str(table.at[code, "valid_to"])))
        for code in same | set(parts)
    }
    order = sorted(same, key=lambda c: (valid[c][0] or -1, c))
    return Lineage(entity_code, tuple(order), tuple(sorted(parts)), merged_from, valid)


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


def series_frame(
    values: dict[str, float],
    unit: str,
    *,
    entity_code: str = "",
    indicator: str = "",
    category: str = "",
    status: str = "actual",
    source_ids: Iterable[str] = (),
) -> pd.DataFrame:
    """A series frame from ``{period: value}`` (for CPI tables, tests and hand-made inputs).

    NaN values get the missing reason "not given". Periods must share one frequency.
    """
    periods = sorted(values)
    freqs = {period_frequency(p) for p in periods}
    if len(freqs) > 1:
        raise ValueError("a series frame cannot mix annual and monthly periods")
    srcs = tuple(sorted(set(source_ids)))
    frame = pd.DataFrame(
        {
            "entity_code": entity_code,
            "period": periods,
            "indicator": indicator,
            "category": category,
            "status": status,
            "value": [float(values[p]) for p in periods],
            "unit": unit,
            "source_ids": [srcs] * len(periods),
            "codes": [(entity_code,)] * len(periods),
            "harmonisation": "",
            "missing_reason": ["not given" if math.isnan(float(values[p])) else "" for p in periods],
        },
        columns=list(SERIES_COLUMNS),
    )
    frame.attrs["caveats"] = []
    return frame


__all__ = [
    "SERIES_COLUMNS",
    "Lineage",
    "SeriesConflictError",
    "UnitError",
    "RoundedInput",
    "approximate_inputs",
    "harmonised_series",
    "is_additive",
    "lineage",
    "period_frequency",
    "period_year",
    "printed_step",
    "propagated_step",
    "rounded_inputs",
    "select_series",
    "series_frame",
    "suspect_rows",
    "usable",
]
