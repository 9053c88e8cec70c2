"""Resolve a table's request from its metadata: which content codes, regions, years and other
codes to ask for, and what each fetched row will be (:class:`Resolved`).

Resolution is strict:

* a label that matches two rules stops the run (the rules overlap; the message names both);
* two content codes of one table that resolve to the same indicator *and category* stop the run,
  naming both codes and their labels (``resolve`` never lets two codes collide in one row key);
* a label that matches no rule is not fetched and is listed (``fetch-ssb --plan`` shows it);
* between tables, :func:`claim_across_tables` drops a later table's code for an indicator,
  category and years an earlier table in :data:`~analysis.sources.ssb.tables.TABLES` gives.

Regions come from ``data/reference/entities.csv``: a requested entity is looked up together with
its predecessors (rows whose ``successor_code`` points at it, recursively: 4601 Bergen also asks
for 1201 before 2020); only codes present in the table are requested, and each row keeps the code
SSB used. ``EAK`` is also tried as ``0`` ("Hele landet") in non-KOSTRA tables; tables without a
region variable (CPI) are recorded for ``EAK``. Any other variable is set to its elimination value
or a total category ("i alt", "alle", code ``0``/``TOTAL``...) when the metadata offers one;
otherwise all its values are fetched and carried into ``category`` as ``<variable>=<code>``.

May import :mod:`analysis.observations.lineage`, :mod:`analysis.schema` and ssb siblings.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.observations.lineage import predecessor_codes
from analysis.schema import NATIONAL_CODE
from analysis.sources.ssb import jsonstat
from analysis.sources.ssb.rules import label_category, unit_from_label
from analysis.sources.ssb.selection import Selection
from analysis.sources.ssb.tables import SCOPE_CATEGORY, SCOPE_LABELS, SCOPE_VAR, TableSpec


class TableSpecError(ValueError):
    """The table's metadata does not offer what the spec needs, or offers it twice; one line."""


def lineage_codes(entities: pd.DataFrame, code: str) -> list[str]:
    """``code`` and its predecessors (via ``successor_code``), nearest first
    (:func:`analysis.observations.lineage.predecessor_codes`)."""
    return predecessor_codes(entities, code)


def region_aliases(code: str) -> list[str]:
    return ["0"] if code == NATIONAL_CODE else []


TOTAL_CODES = frozenset({"0", "00", "000", "TOTAL", "T", "999", "99"})
TOTAL_LABEL = re.compile(r"\b(i alt|alle|totalt?|begge kjønn|hele landet|all)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ContentMatch:
    """What one ContentsCode resolved to: SSB's label, the rule's indicator, unit and category."""

    code: str
    label: str
    indicator: str | None
    unit: str | None
    category: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.indicator or "(by variable)", self.category)


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
    content_map: dict[str, ContentMatch]
    carried: tuple[str, ...]
    notes: list[str] = field(default_factory=list)
    unmatched: dict[str, str] = field(default_factory=dict)  # code -> label (not fetched)
    dropped: dict[str, str] = field(default_factory=dict)  # code -> why (claimed by another table)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # variable -> code -> label
    entity_regions: dict[str, list[str]] = field(default_factory=dict)  # entity -> region codes asked

    @property
    def table_id(self) -> str:
        return self.spec.table_id

    def years(self) -> tuple[str, ...]:
        return dict(self.selection.variables).get(self.time_var, ())

    def indicator_unit(self, row: Mapping[str, Any]) -> tuple[str, str]:
        """Indicator and unit of one decoded row."""
        spec = self.spec
        match = self.content_map.get(str(row.get("ContentsCode", "")))
        indicator = match.indicator if match else None
        unit = match.unit if match else None
        for var, mapping in spec.indicator_by.items():
            if indicator is None and var in row and str(row[var]) in mapping:
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
        match = self.content_map.get(str(row.get("ContentsCode", "")))
        if match and match.category:
            parts.append(match.category)
        if self.spec.accounts_scope:
            parts.append(SCOPE_CATEGORY[self.spec.accounts_scope])
        for var in self.carried:
            if var in row:
                parts.append(f"{_slug(var)}={_slug(str(row[var]))}")
        return ";".join(p for p in parts if p)

    def outputs(self) -> dict[str, list[tuple[str, str, str]]]:
        """For each fetched ContentsCode: the (indicator, category, unit) rows it will give."""
        sel = dict(self.selection.variables)
        fixed_vars = [
            v
            for v in sel
            if v not in (self.time_var, self.region_var, "ContentsCode")
            and (v in self.spec.indicator_by or v in self.spec.category_by or v in self.carried)
        ]
        out: dict[str, list[tuple[str, str, str]]] = {}
        for code in self.content_map:
            rows: list[tuple[str, str, str]] = []
            for combo in itertools.product(*[sel[v] for v in fixed_vars]):
                row = {"ContentsCode": code, **dict(zip(fixed_vars, combo, strict=True))}
                try:
                    ind, unit = self.indicator_unit(row)
                except TableSpecError:
                    continue
                item = (ind, self.category(row), unit)
                if item not in rows:
                    rows.append(item)
            out[code] = rows
        return out

    def drop(self, code: str, why: str) -> None:
        """Stop fetching ``code`` (it is claimed elsewhere); the selection shrinks accordingly."""
        self.content_map.pop(code, None)
        self.dropped[code] = why
        self.selection = Selection(
            tuple(
                (v, tuple(c for c in codes if c != code) if v == "ContentsCode" else codes)
                for v, codes in self.selection.variables
            ),
            self.selection.codelists,
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "_", text.lower()).strip("_")


def _is_region(dim: jsonstat.Dimension, role: Mapping[str, Any]) -> bool:
    return dim.id in (role.get("geo") or []) or "region" in dim.id.lower()


def _year(code: str) -> int | None:
    m = re.match(r"^(\d{4})", code)
    return int(m.group(1)) if m else None


def match_contents(
    spec: TableSpec, dim: jsonstat.Dimension
) -> tuple[dict[str, ContentMatch], dict[str, str]]:
    """Each ContentsCode -> its match (at most one rule; one code per indicator and category).

    Returns (matched, unmatched). Raises :class:`TableSpecError` naming the codes and labels when a
    label matches two rules or two codes give the same indicator and category.
    """
    tid = spec.table_id
    matched: dict[str, ContentMatch] = {}
    unmatched: dict[str, str] = {}
    for code in dim.codes:
        label = dim.label_of(code)
        rules = [r for r in spec.contents if r.matches(label)]
        if not rules:
            unmatched[code] = label
            continue
        if len(rules) > 1:
            names = " and ".join(r.name for r in rules)
            raise TableSpecError(
                f"table {tid}: ContentsCode {code} '{label}' matches the rules for {names}; "
                "the rules in rules.py and tables.py must tell them apart"
            )
        rule = rules[0]
        unit = rule.unit or unit_from_label(label) or spec.default_unit
        category = ";".join(p for p in (label_category(label), rule.category) if p)
        matched[code] = ContentMatch(code, label, rule.indicator, unit, category)
    by_key: dict[tuple[str, str], list[ContentMatch]] = {}
    for m in matched.values():
        by_key.setdefault(m.key, []).append(m)
    for (indicator, category), ms in by_key.items():
        if len(ms) > 1:
            what = f"indicator {indicator}" + (f" (category {category})" if category else "")
            codes = ", ".join(f"{m.code} '{m.label}'" for m in ms)
            raise TableSpecError(
                f"table {tid}: {len(ms)} ContentsCodes match {what}: {codes}; "
                "exactly one is allowed (make the rule in rules.py or tables.py tell them apart)"
            )
    return matched, unmatched


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
    content_map: dict[str, ContentMatch] = {}
    unmatched: dict[str, str] = {}
    carried: list[str] = []
    entity_regions: dict[str, list[str]] = {}
    requested = list(requested)
    known = set(entities["entity_code"])
    lo = max(year_from, spec.first_year or year_from)
    hi = min(x for x in (year_to, spec.last_year) if x is not None) if (year_to or spec.last_year) else None

    for dim in dims:
        codes = set(dim.codes)
        if dim.id == time_var:
            years = [
                c for c in dim.codes if (y := _year(c)) is not None and y >= lo and (hi is None or y <= hi)
            ]
            if not years:
                raise TableSpecError(
                    f"table {tid}: no period between {lo} and {hi or 'latest'} "
                    f"(table has {dim.codes[0]}..{dim.codes[-1]})"
                )
            chosen[dim.id] = tuple(years)
        elif dim.id == "ContentsCode":
            content_map, unmatched = match_contents(spec, dim)
            for code, label in unmatched.items():
                notes.append(f"ContentsCode {code} '{label}' matches no rule; not fetched")
            have = {m.indicator for m in content_map.values() if not m.category}  # the totals
            for need in spec.required:
                if not have & set(need.split("|")):
                    labels = "; ".join(f"{c} '{dim.label_of(c)}'" for c in dim.codes)
                    raise TableSpecError(
                        f"table {tid}: no ContentsCode label for indicator {need.replace('|', ' or ')} "
                        f"(labels: {labels})"
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
                entity_regions[ent] = found
                for c in found:
                    region_to_entity.setdefault(c, c if c in known else ent)
            if not region_to_entity:
                raise TableSpecError(
                    f"table {tid}: none of the entities {', '.join(requested)} is in {dim.id}"
                )
            chosen[dim.id] = tuple(c for c in dim.codes if c in region_to_entity)
        elif dim.id in spec.fixed:
            want = spec.fixed[dim.id]
            have_codes = tuple(c for c in want if c in codes)
            missing = [c for c in want if c not in codes]
            if not have_codes:
                raise TableSpecError(f"table {tid}: {dim.id} has none of {', '.join(want)}")
            if missing:
                notes.append(f"{dim.id}: {', '.join(missing)} not in the table")
            patterns = {**spec.fixed_labels, **(SCOPE_LABELS if dim.id == SCOPE_VAR else {})}
            for c in have_codes:
                pattern = patterns.get(c)
                if pattern and not re.search(pattern, dim.label_of(c), re.IGNORECASE):
                    raise TableSpecError(
                        f"table {tid}: {dim.id}={c} is labelled '{dim.label_of(c)}', expected /{pattern}/"
                    )
            chosen[dim.id] = have_codes
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
        if var in chosen:
            continue
        if var == SCOPE_VAR and spec.accounts_scope == "B":
            raise TableSpecError(
                f"table {tid}: has no accounts-scope variable {SCOPE_VAR}; it cannot give "
                "municipal-fund (B) figures"
            )
        if var == SCOPE_VAR:
            notes.append(f"no {SCOPE_VAR} variable: figures are kommunekonsern (scope A) as the table says")
        else:
            notes.append(f"{var} (fixed in the spec) is not a variable of table {tid}")
    if "ContentsCode" not in chosen:
        raise TableSpecError(f"table {tid}: metadata has no ContentsCode variable")
    labels = {d.id: dict(d.labels) for d in dims}
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
        unmatched=unmatched,
        labels=labels,
        entity_regions=entity_regions,
    )


def claim_across_tables(resolved: Sequence[Resolved]) -> None:
    """One figure, one table: a later table's code is dropped where an earlier one gives the same
    indicator and category for a year both select (order of :data:`TABLES`). Notes say so."""
    claimed: dict[tuple[str, str], list[tuple[str, str, set[str]]]] = {}
    for res in resolved:
        years = set(res.years())
        for code, rows in res.outputs().items():
            clash = None
            for ind, cat, _unit in rows:
                for tid, other_code, other_years in claimed.get((ind, cat), []):
                    if years & other_years:
                        clash = (ind, cat, tid, other_code, sorted(years & other_years))
                        break
                if clash:
                    break
            if clash:
                ind, cat, tid, other_code, both = clash
                what = ind + (f" [{cat}]" if cat else "")
                res.drop(code, f"{what} {both[0]}-{both[-1]} comes from table {tid} ({other_code})")
                res.notes.append(f"ContentsCode {code}: {res.dropped[code]}; not fetched here")
                continue
            for ind, cat, _unit in rows:
                claimed.setdefault((ind, cat), []).append((res.table_id, code, years))
