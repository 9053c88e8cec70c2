"""Which SSB tables the book fetches, and how a request is resolved from each table's metadata.

Nothing here trusts a hard-coded ``ContentsCode``: the statistics variables are chosen from the
table's metadata *by label* (``ContentRule.pattern``, a case-insensitive regular expression on the
category label, e.g. ``sosialhjelpsmottakere`` or ``^brutto driftsutgifter``). Codes are fixed only
where they are stable classification codes documented by SSB: KOSTRA functions (``281``, ``276``,
``275``), KOSTRA types (``AGD10`` gross, ``AGD2`` net operating expenditure; their labels are
checked), accounts scope (``A``/``B``) and the CPI group ``TOTAL``.

Region codes come from ``data/reference/entities.csv``: a requested entity is looked up together
with its predecessors (rows whose ``successor_code`` points at it, recursively: e.g. 4601 Bergen
also asks for 1201 for the years before 2020, 3207 Nordre Follo for 3020, 0213 and 0217); only
codes present in the table's region variable are requested, and each row keeps the code SSB used.
KOSTRA's whole-country code ``EAK`` is also tried as ``0`` ("Hele landet") in non-KOSTRA tables;
tables without a region variable (CPI) are recorded for ``EAK``.

Any other variable is set to its elimination value or a total category (label "i alt", "alle",
"begge kjønn", code ``0``/``TOTAL``...) when the metadata offers one; otherwise all its values are
fetched and carried into ``category`` as ``<variable>=<code>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.sources.ssb import jsonstat
from analysis.sources.ssb.selection import Selection


class TableSpecError(ValueError):
    """The table's metadata does not offer what the spec needs; the message names it."""


@dataclass(frozen=True)
class ContentRule:
    """Map ContentsCode categories whose label matches ``pattern`` to an indicator.

    ``indicator`` None means "decided by ``TableSpec.indicator_by``" (e.g. by KOKart). ``unit`` None
    means "read from the label" (``(1000 kr)`` -> NOK_1000 ...), else ``TableSpec.default_unit``.
    """

    pattern: str
    indicator: str | None
    unit: str | None = None
    exclude: str | None = None

    def matches(self, label: str) -> bool:
        if not re.search(self.pattern, label, flags=re.IGNORECASE):
            return False
        return not (self.exclude and re.search(self.exclude, label, flags=re.IGNORECASE))


@dataclass(frozen=True)
class TableSpec:
    table_id: str
    description: str
    first_year: int | None = None
    last_year: int | None = None
    contents: tuple[ContentRule, ...] = ()
    required: tuple[str, ...] = ()
    fixed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fixed_labels: Mapping[str, str] = field(default_factory=dict)
    indicator_by: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    category_by: Mapping[str, Mapping[str, str] | str] = field(default_factory=dict)
    default_unit: str | None = None
    national_entity: str = "EAK"
    codelists: Mapping[str, str] = field(default_factory=dict)

    def covers(self, year_from: int, year_to: int | None) -> bool:
        if self.last_year is not None and year_from > self.last_year:
            return False
        return not (self.first_year is not None and year_to is not None and year_to < self.first_year)


_SA_RULES: tuple[ContentRule, ...] = (
    ContentRule(r"andel.*langtid|langtid.*andel", "sa_long_term_share", "percent"),
    ContentRule(
        r"stønadslengde|stønadsmåneder per|måneder med (økonomisk )?sosialhjelp",
        "sa_duration_months",
        "months",
        exclude=r"andel|prosent",
    ),
    ContentRule(
        r"(utbetal|stønad|bidrag|lån).*per (sosialhjelps)?mottaker|per (sosialhjelps)?mottaker",
        "sa_payout_per_recipient",
        exclude=r"andel|prosent|måned",
    ),
    ContentRule(
        r"(brutto )?utbetal|(sosialhjelp|stønad|bidrag).*\((1 ?000 )?kr\)",
        "sa_payout_gross",
        exclude=r"per |andel|prosent|innbygger|gjennomsnitt",
    ),
    ContentRule(
        r"sosialhjelpsmottakere|mottakere av (økonomisk )?sosialhjelp|sosialhjelpstilfeller",
        "sa_cases",
        "cases",
        exclude=r"andel|prosent|per |langtid|gjennomsnitt|\d+ ?[-–] ?\d+ år|år og eldre|under \d+",
    ),
)

#: How a KOSTRA accounts table (function × art × accounts scope, NOK 1,000) maps to indicators and
#: categories; shared by every KOSTRA expenditure table (12362 here, 12367 in the tests).
KOSTRA_EXPENDITURE_MAPPING: dict[str, Any] = {
    "fixed_labels": {"AGD10": r"^brutto driftsutgifter", "AGD2": r"^netto driftsutgifter"},
    "indicator_by": {"KOKart0000": {"AGD10": "exp_gross_operating", "AGD2": "exp_net_operating"}},
    "category_by": {
        "KOKfunksjon0000": "function",
        "KOKregnskapsomfa0000": {"A": "", "B": "accounts=municipal_fund"},
    },
    "default_unit": "NOK_1000",
}

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "13995",
        "Social-assistance cases, amounts paid and duration by municipality (KOSTRA), 2022-",
        first_year=2022,
        contents=_SA_RULES,
        required=("sa_cases",),
    ),
    *(
        TableSpec(tid, f"Closed KOSTRA social-services table {tid}, 2015-2021", 2015, 2021, _SA_RULES)
        for tid in ("12210", "12203", "13138", "12213")
    ),
    TableSpec(
        "12362",
        "Expenditure by function and type (KOSTRA), NOK 1,000",
        first_year=2015,
        contents=(
            ContentRule(r"^brutto driftsutgifter", "exp_gross_operating", exclude=r"per |korrigert"),
            ContentRule(r"^netto driftsutgifter", "exp_net_operating", exclude=r"per |korrigert"),
            ContentRule(r"beløp|1 ?000 kr", None),
        ),
        fixed={
            "KOKfunksjon0000": ("281", "276", "275"),
            "KOKart0000": ("AGD10", "AGD2"),
            "KOKregnskapsomfa0000": ("A", "B"),
        },
        **KOSTRA_EXPENDITURE_MAPPING,
    ),
    TableSpec(
        "07459",
        "Population by region, sex and age, 1 January",
        contents=(ContentRule(r"^personer|folkemengde|befolkning", "pop_inhabitants", "persons"),),
        required=("pop_inhabitants",),
    ),
    TableSpec(
        "03014",
        "Consumer price index, annual average (2015=100)",
        contents=(
            ContentRule(r"konsumprisindeks", "cpi", "index_2015_100", exclude=r"endring|prosent|vekt"),
        ),
        required=("cpi",),
        fixed={"Konsumgrp": ("TOTAL",)},
    ),
)


def table_spec(table_id: str) -> TableSpec:
    for spec in TABLES:
        if spec.table_id == table_id:
            return spec
    raise KeyError(f"no spec for SSB table {table_id}")


def unit_from_label(label: str) -> str | None:
    text = label.lower()
    if re.search(r"1 ?000 kr|tusen kr|1000 nok", text):
        return "NOK_1000"
    if re.search(r"mill\.? ?kr", text):
        return "NOK_million"
    if re.search(r"\(kr\)|\bkroner\b|\(nok\)", text):
        return "NOK"
    if re.search(r"prosent|\(%\)|per cent", text):
        return "percent"
    if re.search(r"2015 ?= ?100", text):
        return "index_2015_100"
    if re.search(r"måneder|\(months\)", text):
        return "months"
    return None


# ------------------------------------------------------------------ entities


def lineage_codes(entities: pd.DataFrame, code: str) -> list[str]:
    """``code`` and its predecessors (via ``successor_code``), nearest first."""
    succ = dict(zip(entities["entity_code"], entities["successor_code"], strict=True))
    out = [code]
    frontier = [code]
    while frontier:
        nxt = [c for c, s in succ.items() if s in frontier and c not in out]
        out.extend(nxt)
        frontier = nxt
    return out


def region_aliases(code: str) -> list[str]:
    return ["0"] if code == "EAK" else []


# ------------------------------------------------------------------ resolution


TOTAL_CODES = frozenset({"0", "00", "000", "TOTAL", "T", "999", "99"})
TOTAL_LABEL = re.compile(r"\b(i alt|alle|totalt?|begge kjønn|hele landet|all)\b", re.IGNORECASE)


@dataclass
class Resolved:
    """A table request built from metadata, plus what was chosen and why."""

    spec: TableSpec
    updated: str | None
    label: str | None
    selection: Selection
    region_var: str | None
    time_var: str
    region_to_entity: dict[str, str]
    content_map: dict[str, tuple[str | None, str | None]]
    carried: tuple[str, ...]
    notes: list[str] = field(default_factory=list)

    def indicator_unit(self, row: Mapping[str, Any]) -> tuple[str, str]:
        """Indicator and unit of one decoded row."""
        spec = self.spec
        content = str(row.get("ContentsCode", "")) if "ContentsCode" in row else ""
        indicator, unit = self.content_map.get(content, (None, None))
        for var, mapping in spec.indicator_by.items():
            if var in row and str(row[var]) in mapping and indicator is None:
                indicator = mapping[str(row[var])]
        if indicator is None:
            raise TableSpecError(f"table {spec.table_id}: no indicator for {dict(row)}")
        return indicator, unit or spec.default_unit or "count"

    def category(self, row: Mapping[str, Any]) -> str:
        parts: list[str] = []
        for var, how in self.spec.category_by.items():
            if var not in row:
                continue
            code = str(row[var])
            if isinstance(how, str):
                parts.append(f"{how}={_slug(code)}")
            elif how.get(code):
                parts.append(how[code])
        for var in self.carried:
            if var in row:
                parts.append(f"{_slug(var)}={_slug(str(row[var]))}")
        return ";".join(p for p in parts if p)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "_", text.lower()).strip("_")


def _is_region(dim: jsonstat.Dimension, role: Mapping[str, Any]) -> bool:
    return dim.id in (role.get("geo") or []) or "region" in dim.id.lower()


def _year(code: str) -> int | None:
    m = re.match(r"^(\d{4})", code)
    return int(m.group(1)) if m else None


def resolve(
    spec: TableSpec,
    metadata: Mapping[str, Any],
    entities: pd.DataFrame,
    requested: Iterable[str],
    year_from: int,
    year_to: int | None,
) -> Resolved:
    """Build the selection for ``spec`` from the table's metadata (JSON-stat 2.0)."""
    tid = spec.table_id
    dims = jsonstat.dimensions(metadata)
    role = metadata.get("role") or {}
    time_var = jsonstat.time_dimension(metadata, dims)
    if time_var is None:
        raise TableSpecError(f"table {tid}: metadata has no time variable")
    notes: list[str] = []
    chosen: dict[str, tuple[str, ...]] = {}
    region_var: str | None = None
    region_to_entity: dict[str, str] = {}
    content_map: dict[str, tuple[str | None, str | None]] = {}
    carried: list[str] = []
    requested = list(requested)
    known = set(entities["entity_code"])

    for dim in dims:
        codes = set(dim.codes)
        if dim.id == time_var:
            years = [
                c
                for c in dim.codes
                if (y := _year(c)) is not None and y >= year_from and (year_to is None or y <= year_to)
            ]
            if not years:
                raise TableSpecError(
                    f"table {tid}: no period between {year_from} and {year_to or 'latest'} "
                    f"(table has {dim.codes[0]}..{dim.codes[-1]})"
                )
            chosen[dim.id] = tuple(years)
        elif dim.id == "ContentsCode":
            for code in dim.codes:
                label = dim.label_of(code)
                rule = next((r for r in spec.contents if r.matches(label)), None)
                if rule is None:
                    notes.append(f"ContentsCode {code} '{label}' matches no rule; not fetched")
                    continue
                unit = rule.unit or unit_from_label(label) or spec.default_unit
                content_map[code] = (rule.indicator, unit)
            matched = {ind for ind, _ in content_map.values()}
            for need in spec.required:
                if need not in matched:
                    labels = "; ".join(f"{c} '{dim.label_of(c)}'" for c in dim.codes)
                    raise TableSpecError(
                        f"table {tid}: no ContentsCode label for indicator {need} (labels: {labels})"
                    )
            if not content_map:
                raise TableSpecError(f"table {tid}: no ContentsCode label matches the rules")
            chosen[dim.id] = tuple(c for c in dim.codes if c in content_map)
        elif region_var is None and _is_region(dim, role):
            region_var = dim.id
            for ent in requested:
                found = [c for c in lineage_codes(entities, ent) + region_aliases(ent) if c in codes]
                if not found:
                    notes.append(f"entity {ent} is not in {dim.id}; skipped for this table")
                for c in found:
                    region_to_entity.setdefault(c, c if c in known else ent)
            if not region_to_entity:
                raise TableSpecError(
                    f"table {tid}: none of the entities {', '.join(requested)} is in {dim.id}"
                )
            chosen[dim.id] = tuple(c for c in dim.codes if c in region_to_entity)
        elif dim.id in spec.fixed:
            want = spec.fixed[dim.id]
            have = tuple(c for c in want if c in codes)
            missing = [c for c in want if c not in codes]
            if not have:
                raise TableSpecError(f"table {tid}: {dim.id} has none of {', '.join(want)}")
            if missing:
                notes.append(f"{dim.id}: {', '.join(missing)} not in the table")
            for c in have:
                pattern = spec.fixed_labels.get(c)
                if pattern and not re.search(pattern, dim.label_of(c), re.IGNORECASE):
                    raise TableSpecError(
                        f"table {tid}: {dim.id}={c} is labelled '{dim.label_of(c)}', expected /{pattern}/"
                    )
            chosen[dim.id] = have
        else:
            ext = dim.extension or {}
            elim_code = ext.get("eliminationValueCode")
            if elim_code and elim_code in codes:
                chosen[dim.id] = (str(elim_code),)
            elif ext.get("elimination") is True:
                notes.append(f"{dim.id}: eliminated (server total)")
            elif total := [c for c in dim.codes if c in TOTAL_CODES or TOTAL_LABEL.search(dim.label_of(c))]:
                chosen[dim.id] = (total[0],)
            elif len(dim.codes) == 1:
                chosen[dim.id] = dim.codes
            else:
                chosen[dim.id] = dim.codes
                carried.append(dim.id)
                notes.append(f"{dim.id}: no total; all {len(dim.codes)} values kept in category")

    for var in spec.fixed:
        if var not in chosen:
            notes.append(f"{var} (fixed in the spec) is not a variable of table {tid}")
    if "ContentsCode" not in chosen:
        raise TableSpecError(f"table {tid}: metadata has no ContentsCode variable")
    return Resolved(
        spec=spec,
        updated=metadata.get("updated"),
        label=metadata.get("label"),
        selection=Selection.of(chosen, {k: v for k, v in spec.codelists.items() if k in chosen}),
        region_var=region_var,
        time_var=time_var,
        region_to_entity=region_to_entity,
        content_map=content_map,
        carried=tuple(carried),
        notes=notes,
    )
