"""Compare an entity with peers and the country on per-capita and per-recipient indicators.

The result is a tidy table (one row per entity × indicator × period) plus the caveats that make
the numbers comparable or not. The caveats come from the indicator definitions
(``data/reference/indicators.csv``) and the entity levels: municipal KOSTRA tables count *cases*
(a person once per municipality per year), national tables count *unique recipients*, and Oslo
districts count active cases or monthly averages in their own systems (``book/glossary.md``;
``book/methods.md``, "Comparisons"). Each entity's values, printed or derived from printed totals,
come from :mod:`analysis.series.derivations`.

May import :mod:`analysis.series` siblings, :mod:`analysis.observations` and :mod:`analysis.schema`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from analysis.schema import NATIONAL_CODE
from analysis.series.derivations import DERIVATIONS, printed_or_derived
from analysis.series.frame import series_caveats

IndicatorSpec = str | tuple[str, str]

COMPARISON_COLUMNS: tuple[str, ...] = (
    "entity_code",
    "name",
    "level",
    "role",
    "indicator",
    "category",
    "label",
    "period",
    "value",
    "unit",
    "counting_basis",
    "derived",
    "formula",
    "source_ids",
    "harmonisation",
    "missing_reason",
    "relative_to_country",
)

CASES_VS_RECIPIENTS = (
    "Municipal KOSTRA tables count social-assistance cases (a person is counted once per municipality "
    "per year), while national tables count unique recipients; summing municipalities gives more cases "
    "than the national number of recipients, so per-case and per-recipient figures are not strictly "
    "comparable."
)
OSLO_DISTRICTS = (
    "Oslo districts report from their own case systems: 'active cases' and average clients per month, "
    "not KOSTRA cases or unique recipients during the year."
)
AGGREGATES = (
    "Country figures (EAK, EAKUO) are SSB estimates for the KOSTRA aggregate, not sums of the "
    "municipalities shown."
)
DERIVED_NOTE = (
    "Some values are computed here from printed totals (see 'formula'); printed KOSTRA key figures may "
    "use another population date (31.12 vs 1.1) or a per-case denominator and can differ slightly."
)

#: Definitions of derived indicators that are not in indicators.csv.
EXTRA_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "sa_recipients_per_1000_inhabitants": (
        "Recipients (or cases) per 1,000 inhabitants",
        "per_1000_inhabitants",
        "1000 × recipients (or KOSTRA cases) during the year / inhabitants in the age band given by "
        "category (population at 1 January).",
    ),
}


@dataclass(frozen=True)
class Comparison:
    """A comparison table with its caveats and the definitions of the indicators used.

    ``table`` has :data:`COMPARISON_COLUMNS`; ``caveats`` are sentences to print under the table
    or chart; ``definitions`` maps indicator id → "label (unit): definition".
    """

    table: pd.DataFrame
    caveats: tuple[str, ...]
    definitions: dict[str, str] = field(default_factory=dict)


def _spec(spec: IndicatorSpec) -> tuple[str, str]:
    return (spec, "") if isinstance(spec, str) else (spec[0], spec[1])


def _entity_info(entities: pd.DataFrame, code: str) -> tuple[str, str]:
    hit = entities[entities["entity_code"] == code]
    if hit.empty:
        return code, "unknown"
    return str(hit["name"].iloc[0]), str(hit["level"].iloc[0])


def counting_basis(indicator: str, unit: str, level: str, formula: str = "") -> str:
    """How the people behind a value are counted: ``cases``, ``unique recipients``, ``district system``.

    Rule: an Oslo district (level ``district``) → ``district system``; an indicator or formula that
    uses ``sa_cases`` or the unit ``cases`` → ``cases``; KOSTRA per-recipient key figures of
    municipalities (``sa_payout_per_recipient``, ``sa_payout_per_benefit_month`` printed,
    defined "per case" by KOSTRA) → ``cases``; the country → ``unique recipients``; money or
    population ratios without a recipient count → ``not a count``. Reference: indicators.csv
    definitions of ``sa_recipients`` and ``sa_cases``.
    """
    if level == "district":
        return "district system"
    if "sa_cases" in indicator or "sa_cases" in formula or unit == "cases":
        return "cases"
    uses_recipients = "recipient" in indicator or "recipient" in formula or "benefit_month" in indicator
    if not uses_recipients:
        return "not a count"
    if level == "country":
        return "unique recipients"
    if level == "municipality" and not formula:
        return "cases"  # printed KOSTRA municipal key figures are per case
    return "unique recipients"


def _definition(indicators: pd.DataFrame, indicator: str) -> tuple[str, str, str]:
    hit = indicators[indicators["indicator"] == indicator]
    if not hit.empty:
        row = hit.iloc[0]
        return str(row["label_en"]), str(row["unit"]), str(row["definition"])
    if indicator in EXTRA_DEFINITIONS:
        return EXTRA_DEFINITIONS[indicator]
    return indicator, "", "(no definition in indicators.csv)"


def compare_entities(
    obs: pd.DataFrame,
    entities: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    entity: str,
    peers: Sequence[str] = (),
    country: str | None = NATIONAL_CODE,
    indicator_specs: Sequence[IndicatorSpec],
    periods: Sequence[str] | None = None,
    status: str = "actual",
) -> Comparison:
    """Compare ``entity`` with ``peers`` and ``country`` on the given indicators.

    Each indicator spec is an id or ``(id, category)``, e.g. ``("sa_payout_gross_per_inhabitant",
    "age=20-66")``. For each entity the printed series is used (harmonised across code changes,
    :func:`analysis.series.harmonised_series`); if none is printed and the indicator is in
    :data:`analysis.series.derivations.DERIVATIONS`, it is computed from printed totals (e.g. payout
    per recipient = gross payout / recipients, falling back to KOSTRA cases), with ``derived=True``
    and the formula.
    ``relative_to_country`` = ``100 × value / country value`` for the same indicator and period
    (NaN when the country value is missing or in another unit).

    Caveats attached: cases vs unique recipients when the counting bases differ, Oslo districts'
    own counts, KOSTRA aggregates as SSB estimates, harmonisation notes, derived values, missing
    points. Reference: ``book/methods.md`` "Comparisons"; indicators.csv.
    """
    roles = [(entity, "entity")] + [(p, "peer") for p in peers]
    if country:
        roles.append((country, "country"))
    rows: list[dict] = []
    caveats: list[str] = []
    definitions: dict[str, str] = {}
    for spec in indicator_specs:
        indicator, category = _spec(spec)
        label, def_unit, definition = _definition(indicators, indicator)
        definitions[indicator] = f"{label} ({def_unit or 'unit as printed'}): {definition}"
        for code, role in roles:
            name, level = _entity_info(entities, code)
            frame = printed_or_derived(obs, entities, code, indicator, category, status)
            caveats.extend(series_caveats(frame))
            if periods is not None:
                present = set(frame["period"])
                frame = frame[frame["period"].isin(list(periods))]
                for period in periods:
                    if period not in present:
                        reason = f"no {indicator} printed for {code} in {period}"
                        if indicator in DERIVATIONS:
                            reason += " and none derivable from printed totals"
                        rows.append(
                            _row(code, name, level, role, indicator, category, label, period, math.nan,
                                 def_unit, "", False, "", (), "", reason)
                        )  # fmt: skip
            for r in frame.itertuples(index=False):
                formula = str(r.formula) if r.derived else ""
                rows.append(
                    _row(code, name, level, role, indicator, category, label, str(r.period), float(r.value),
                         str(r.unit), formula, bool(r.derived), str(r.harmonisation), tuple(r.source_ids),
                         counting_basis(indicator, str(r.unit), level, formula), str(r.missing_reason))
                )  # fmt: skip
    table = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    table = _relative(table)
    table = table.sort_values(["indicator", "category", "period", "role"], kind="stable", ignore_index=True)
    caveats = _caveats(table, caveats)
    return Comparison(table=table, caveats=tuple(dict.fromkeys(caveats)), definitions=definitions)


def _row(code, name, level, role, indicator, category, label, period, value, unit, formula, derived,
         harmonisation, sources, basis, reason) -> dict:  # fmt: skip
    """One row of the comparison table (see :data:`COMPARISON_COLUMNS`)."""
    if not reason and math.isnan(value):
        reason = "value missing"
    values = (code, name, level, role, indicator, category, label, period, value, unit, basis, derived,
              formula, sources, harmonisation, reason, math.nan)  # fmt: skip
    return dict(zip(COMPARISON_COLUMNS, values, strict=True))


def _relative(table: pd.DataFrame) -> pd.DataFrame:
    if table.empty:
        return table
    country = table[table["role"] == "country"].set_index(["indicator", "category", "period"])
    rel = []
    for r in table.itertuples(index=False):
        key = (r.indicator, r.category, r.period)
        if key in country.index:
            c = country.loc[[key]].iloc[0]
            if c["unit"] == r.unit and c["value"] and not math.isnan(c["value"]):
                rel.append(100.0 * r.value / c["value"])
                continue
        rel.append(math.nan)
    table = table.copy()
    table["relative_to_country"] = rel
    return table


def comparison_caveats(table: pd.DataFrame) -> list[str]:
    """The caveats that hold for the rows of ``table`` (e.g. a :class:`LikeWithLike` table):
    counting bases mixed, Oslo districts, country aggregates, derived values, missing points."""
    return _caveats(table, [])


def _caveats(table: pd.DataFrame, extra: list[str]) -> list[str]:
    out: list[str] = []
    counted = table[table["counting_basis"].isin(["cases", "unique recipients", "district system"])]
    for (indicator, category), group in counted.groupby(["indicator", "category"]):
        bases = set(group["counting_basis"])
        if len(bases) > 1:
            out.append(
                f"{indicator}{' [' + category + ']' if category else ''} mixes counting bases "
                f"({', '.join(sorted(bases))}). " + CASES_VS_RECIPIENTS
            )
    if (table["level"] == "district").any():
        out.append(OSLO_DISTRICTS)
    if (table["level"] == "country").any():
        out.append(AGGREGATES)
    if table["derived"].any():
        out.append(DERIVED_NOTE)
    out.extend(extra)
    missing = table[table["missing_reason"] != ""]
    for r in missing.itertuples(index=False):
        out.append(f"Missing: {r.indicator} {r.entity_code} {r.period}: {r.missing_reason}")
    return out


@dataclass(frozen=True)
class LikeWithLike:
    """One indicator, one counting basis, one year (or the nearest, gap stated), one kroner base.

    ``table``: one row per entity (the entity first) with the columns of
    :data:`COMPARISON_COLUMNS` plus ``reference_year`` (the entity's year), ``gap_years`` (period −
    reference year) and ``nominal`` (the printed or derived value before deflation). ``value`` is in
    kroner of ``reference_year`` for money units. ``excluded``: one sentence per entity left out and
    why. Empty ``table`` when the entity has no figure of its own (then no comparison is shown).
    """

    table: pd.DataFrame
    excluded: tuple[str, ...]
    indicator: str = ""
    category: str = ""
    reference_year: int | None = None


def like_with_like(
    table: pd.DataFrame,
    year: int,
    specs: Sequence[IndicatorSpec],
    *,
    cpi: dict[int, float] | None = None,
    max_gap: int = 3,
) -> LikeWithLike:
    """Choose from a :func:`compare_entities` table what may be set side by side on one page.

    Rules (issue 12): the first indicator spec for which the entity (role ``entity``) has a usable
    annual figure in ``year`` or at most ``max_gap`` years before it; that year is the reference
    year. For every other entity, the figure of the same indicator and category, in the same unit
    and on the same counting basis, in the reference year or the nearest year within ``max_gap``
    (the earlier year on a tie); entities without one are left out and named in ``excluded``.
    Money is set in real kroner of the reference year: ``value × CPI(ref) / CPI(period)`` (annual
    CPI levels ``cpi``); a figure whose year has no CPI is left out. The three-year window is this
    project's choice (written down in the methods chapter): wider gaps set 2011 beside 2023.
    """
    from analysis.series.units import is_money

    ok = table[(table["missing_reason"] == "") & (table["period"].str.len() == 4)].copy()
    ok["year"] = ok["period"].astype(int)
    for spec in specs:
        indicator, category = _spec(spec)
        rows = ok[(ok["indicator"] == indicator) & (ok["category"] == category)]
        own = rows[(rows["role"] == "entity") & rows["year"].between(year - max_gap, year)]
        if own.empty:
            continue
        mine = own.sort_values("year").iloc[-1]
        ref = int(mine["year"])
        chosen, excluded = [mine], []
        for code in dict.fromkeys(rows.loc[rows["role"] != "entity", "entity_code"]):
            theirs = rows[rows["entity_code"] == code]
            name = str(theirs["name"].iloc[0])
            same = theirs[
                (theirs["unit"] == mine["unit"]) & (theirs["counting_basis"] == mine["counting_basis"])
            ]
            if same.empty:
                bases = ", ".join(sorted(set(theirs["counting_basis"])))
                excluded.append(f"{name}: counted as {bases}, not {mine['counting_basis']} like the entity")
                continue
            near = same.assign(gap=(same["year"] - ref).abs()).sort_values(["gap", "year"]).iloc[0]
            if near["gap"] > max_gap:
                excluded.append(
                    f"{name}: the nearest figure is from {near['year']}, {near['gap']} years from {ref}"
                )
                continue
            chosen.append(near.drop("gap"))
        out = pd.DataFrame(chosen).reset_index(drop=True)
        out["reference_year"] = ref
        out["gap_years"] = out["year"] - ref
        out["nominal"] = out["value"]
        if is_money(str(mine["unit"])):
            keep = []
            for i, r in out.iterrows():
                if r["year"] == ref:
                    keep.append(True)
                elif cpi and r["year"] in cpi and ref in cpi:
                    out.at[i, "value"] = r["value"] * cpi[ref] / cpi[r["year"]]
                    keep.append(True)
                else:
                    excluded.append(f"{r['name']}: no CPI for {r['year']} to set it in {ref} kroner")
                    keep.append(False)
            out = out[keep].reset_index(drop=True)
        return LikeWithLike(out.drop(columns="year"), tuple(excluded), indicator, category, ref)
    return LikeWithLike(table.iloc[0:0], (), "", "", None)
