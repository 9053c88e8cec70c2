"""Which SSB tables the book fetches, and how a request is resolved from each table's metadata.

Exactly one content code per indicator
--------------------------------------
Nothing here trusts a hard-coded ``ContentsCode``: statistics variables are chosen from the table's
metadata *by label*, one :class:`ContentRule` per concept. A rule names the words a label must
contain (``all_of``, every regular expression must match) and the words it must not contain
(``none_of``); labels are compared lower-case with ``1 000`` read as ``1000``. Resolution is strict:

* a label that matches two rules stops the run (the rules overlap; the message names both);
* two content codes of one table that resolve to the same indicator *and category* stop the run,
  naming both codes and their labels (``resolve`` never lets two codes collide in one row key);
* a label that matches no rule is not fetched and is listed (``fetch-ssb --plan`` shows it).

Concepts are kept apart instead of hidden by exclusions: *cases* (``tilfeller``, a person counted
once per municipality) and *recipients* (``mottakere``) are separate indicators; rates per 1,000
inhabitants, duration bands, "with children" (``forsørger barn``), average payment per month and
long-term shares are indicators of their own (``data/reference/indicators.csv``). An age band
(``18-24 år``), a duration band (``1-3 måneder``), social assistance as the main income
(``hovedinntekt``, ``viktigste kilde til livsopphold``) and grant/loan (``bidrag``/``lån``) in a
label become the row's category (``age=18-24``, ``duration=1-3_months``,
``main_income=social_assistance``, ``type=grant``).

Between tables, the first table in :data:`TABLES` that gives an indicator and category for a year
keeps it; a later table's code for the same indicator, category and years is dropped with a note
(:func:`claim_across_tables`), so one figure never comes from two tables.

Accounts scope (which table gives which scope)
----------------------------------------------
* **12362** "Utgifter til tjenesteområdene" gives *kommunekonsern* (the municipality with its
  municipal enterprises, scope ``A``, group accounts). As published it has no accounts-scope
  variable (its statbank page lists contents, year, region, function and type only); if one
  appears, only ``A`` is selected. Category: ``function=281``.
* **12367** "Detaljerte regnskapstall driftsregnskapet" has ``KOKregnskapsomfa0000`` and gives the
  *municipal fund* (``kommunekasse``, scope ``B``). Only ``B`` is fetched from it (its ``A`` would
  repeat 12362). Category: ``function=281;accounts=municipal_fund``.

Other stable codes fixed here are classification codes documented by SSB: KOSTRA functions
(``281``, ``276``, ``275``), types (``AGD10`` gross, ``AGD2`` net operating expenditure; their
labels are checked), accounts scope (``A``/``B``, labels checked) and the CPI group ``TOTAL``.

Regions and other variables
---------------------------
Region codes come from ``data/reference/entities.csv``: a requested entity is looked up together
with its predecessors (rows whose ``successor_code`` points at it, recursively: 4601 Bergen also
asks for 1201 before 2020); only codes present in the table are requested, and each row keeps the
code SSB used. ``EAK`` is also tried as ``0`` ("Hele landet") in non-KOSTRA tables; tables without a
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
from analysis.sources.ssb.selection import Selection

SCOPE_VAR = "KOKregnskapsomfa0000"
SCOPE_LABELS = {"A": r"^kommuner/fylkeskommuner$", "B": r"eksl\. foretak"}
SCOPE_CATEGORY = {"A": "", "B": "accounts=municipal_fund"}


class TableSpecError(ValueError):
    """The table's metadata does not offer what the spec needs, or offers it twice; one line."""


def normalise_label(label: str) -> str:
    """Lower case, one space between words, ``1 000`` read as ``1000`` (how rules see a label)."""
    text = re.sub(r"\s+", " ", label.replace("\xa0", " ")).strip().lower()
    return re.sub(r"(\d) (\d{3})\b", r"\1\2", text)


@dataclass(frozen=True)
class ContentRule:
    """ContentsCode labels for one concept -> ``indicator``.

    ``all_of``: every pattern must be found in the (normalised) label; ``none_of``: none may be.
    ``indicator`` None means "decided by ``TableSpec.indicator_by``" (KOSTRA accounts: by KOKart).
    ``unit`` None means "read from the label" (``(1000 kr)`` -> NOK_1000 ...), else
    ``TableSpec.default_unit``. ``category`` is added to the row's category, after what
    :func:`label_category` reads from the label (age band, duration band, grant/loan).
    """

    indicator: str | None
    all_of: tuple[str, ...]
    none_of: str | None = None
    unit: str | None = None
    category: str = ""

    def matches(self, label: str) -> bool:
        text = normalise_label(label)
        if not all(re.search(p, text) for p in self.all_of):
            return False
        return not (self.none_of and re.search(self.none_of, text))

    @property
    def name(self) -> str:
        return self.indicator or "indicator by variable"


@dataclass(frozen=True)
class TableSpec:
    table_id: str
    description: str
    first_year: int | None = None
    last_year: int | None = None
    contents: tuple[ContentRule, ...] = ()
    #: indicators whose total (no category) must resolve; ``"a|b"`` means either
    required: tuple[str, ...] = ()
    fixed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fixed_labels: Mapping[str, str] = field(default_factory=dict)
    indicator_by: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    category_by: Mapping[str, Mapping[str, str] | str] = field(default_factory=dict)
    default_unit: str | None = None
    national_entity: str = NATIONAL_CODE
    codelists: Mapping[str, str] = field(default_factory=dict)
    #: KOSTRA accounts scope this table gives: "A" kommunekonsern, "B" municipal fund (kommunekasse)
    accounts_scope: str | None = None

    def covers(self, year_from: int, year_to: int | None) -> bool:
        if self.last_year is not None and year_from > self.last_year:
            return False
        return not (self.first_year is not None and year_to is not None and year_to < self.first_year)


# ------------------------------------------------------------------ social-assistance rules

CASE = r"tilfell|\bcases?\b"
RECIP = r"mottaker|recipients?\b"
PER1000 = r"per 1000 (innbygg|inhabit)"
SHARE = r"\bandel\b|prosent|\bshare\b|per cent|\(%\)"
LONG = r"langtid|\b(6|seks) måneder eller (mer|lengre)|6 months or more|long[- ]term"
BAND = r"\d+ ?[-–] ?\d+ (måneder|months)"
CHILD = r"\bbarn\b|forsørg|children"
MONTHLY = r"per (stønads)?måned\b|per month"
DURATION = r"stønadslengde|stønadstid|\bduration\b|(gjennomsnittlig|average) (antall )?(stønads)?måneder"
MONEY = r"utbetal|\bkr\b|\bnok\b|expenditure|payment|bidrag|\blån\b|allowance|\bloan\b"
INCOME = r"hovedinntekt|kilde til livsopphold|source of income"
POP = r"innbygg|inhabitant|befolkning|population|capita"
AVERAGE = r"gjennomsnitt|average|\bper\b"


def _any(*parts: str) -> str:
    return "|".join(f"(?:{p})" for p in parts)


SA_RULES: tuple[ContentRule, ...] = (
    ContentRule("sa_recipients_per_1000_inhabitants", (RECIP, PER1000), CASE, "per_1000_inhabitants"),
    ContentRule("sa_cases_per_1000_inhabitants", (CASE, PER1000), None, "per_1000_inhabitants"),
    ContentRule("sa_long_term_share", (SHARE, LONG), _any(CASE, PER1000), "percent"),
    ContentRule("sa_cases_long_term_share", (CASE, SHARE, LONG), PER1000, "percent"),
    ContentRule("sa_long_term_recipients", (RECIP, LONG), _any(CASE, SHARE, PER1000, MONEY), "persons"),
    ContentRule("sa_cases_long_term", (CASE, LONG), _any(SHARE, PER1000, MONEY), "cases"),
    ContentRule("sa_cases_by_duration", (CASE, BAND), _any(SHARE, PER1000, MONEY, LONG, AVERAGE), "cases"),
    ContentRule(
        "sa_recipients_by_duration",
        (RECIP, BAND),
        _any(CASE, SHARE, PER1000, MONEY, LONG, AVERAGE),
        "persons",
    ),
    ContentRule(
        "sa_cases_with_children", (CASE, CHILD), _any(SHARE, PER1000, MONEY, LONG, BAND, DURATION), "cases"
    ),
    ContentRule(
        "sa_recipients_with_children",
        (RECIP, CHILD),
        _any(CASE, SHARE, PER1000, MONEY, LONG, BAND, DURATION),
        "persons",
    ),
    ContentRule(
        "sa_payment_per_recipient_month",
        (MONTHLY, r"utbetal|sosialhjelp|stønad|payment|assistance"),
        _any(CASE, SHARE, DURATION),
    ),
    ContentRule("sa_duration_months", (DURATION,), _any(SHARE, LONG, BAND, MONEY, PER1000), "months"),
    ContentRule(
        "sa_payout_per_recipient", (r"per (sosialhjelps)?mottaker|per recipient",), _any(MONTHLY, SHARE)
    ),
    ContentRule(
        "sa_payout_per_case", (r"per (stønads|sosialhjelps)?tilfelle|per case",), _any(MONTHLY, SHARE)
    ),
    ContentRule(
        "sa_payout_gross",
        (r"utbetal|brutto.*sosialhjelp|expenditure on social assistance|\(1000 kr\)|\(nok 1000\)",),
        _any(AVERAGE, SHARE, POP),
    ),
    ContentRule(
        "sa_cases",
        (CASE,),
        _any(SHARE, PER1000, LONG, BAND, CHILD, MONEY, DURATION, AVERAGE, POP),
        "cases",
    ),
    ContentRule(
        "sa_recipients",
        (r"sosialhjelpsmottaker|mottakere av (økonomisk )?sosialhjelp|recipients of social assistance",),
        _any(CASE, SHARE, PER1000, LONG, BAND, CHILD, MONEY, DURATION, AVERAGE, POP),
        "persons",
    ),
    ContentRule(
        "sa_recipients_rate_population",
        (SHARE, RECIP, r"av (innbygg|befolkning)|of (the )?(population|inhabitants)"),
        _any(CASE, LONG),
        "percent",
    ),
    ContentRule("sa_recipients_share", (SHARE, RECIP), _any(CASE, LONG, POP, PER1000), "percent"),
)


def label_category(label: str) -> str:
    """Category parts a label carries: age, duration band, main income, grant or loan (``;``-joined)."""
    text = normalise_label(label)
    parts: list[str] = []
    if m := re.search(r"(\d+) ?[-–] ?(\d+) (år|years)", text):
        parts.append(f"age={m.group(1)}-{m.group(2)}")
    elif m := re.search(r"(\d+) (år|years) (og eldre|or (more|older))", text):
        parts.append(f"age={m.group(1)}+")
    if m := re.search(r"(\d+) ?[-–] ?(\d+) (måneder|months)", text):
        parts.append(f"duration={m.group(1)}-{m.group(2)}_months")
    if re.search(INCOME, text):
        parts.append("main_income=social_assistance")
    if not re.search(r"bidrag (og|/) ?lån|allowance and loan", text):
        if re.search(r"\bbidrag\b|\bgrants?\b", text):
            parts.append("type=grant")
        elif re.search(r"\blån\b|\bloans?\b", text):
            parts.append("type=loan")
    return ";".join(parts)


# ------------------------------------------------------------------ the tables

#: How a KOSTRA accounts table (function × art, NOK 1,000) maps to indicators and categories;
#: shared by 12362 (scope A) and 12367 (scope B).
KOSTRA_EXPENDITURE_MAPPING: dict[str, Any] = {
    "contents": (ContentRule(None, (r"^(beløp|sum) \((1000 kr|nok 1000)\)$",)),),
    "fixed_labels": {"AGD10": r"^brutto driftsutgifter", "AGD2": r"^netto driftsutgifter"},
    "indicator_by": {"KOKart0000": {"AGD10": "exp_gross_operating", "AGD2": "exp_net_operating"}},
    "category_by": {"KOKfunksjon0000": "function"},
    "default_unit": "NOK_1000",
}
KOSTRA_FIXED = {"KOKfunksjon0000": ("281", "276", "275"), "KOKart0000": ("AGD10", "AGD2")}

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "13995",
        "Social-assistance cases, amounts paid and duration by municipality (KOSTRA), 2022-",
        first_year=2022,
        contents=SA_RULES,
        required=("sa_cases|sa_recipients",),
    ),
    # closed series, 2015-2021 (13995 from 2022); 13138 is 13995's predecessor, so it comes first
    *(
        TableSpec(tid, f"Closed KOSTRA social-services table {tid}, 2015-2021", 2015, 2021, SA_RULES)
        for tid in ("13138", "12210", "12203", "12213")
    ),
    TableSpec(
        "12362",
        "Expenditure by function and type, kommunekonsern (accounts scope A), NOK 1,000",
        first_year=2015,
        fixed={**KOSTRA_FIXED, SCOPE_VAR: ("A",)},
        accounts_scope="A",
        **KOSTRA_EXPENDITURE_MAPPING,
    ),
    TableSpec(
        "12367",
        "Detailed operating accounts, municipal fund (accounts scope B), NOK 1,000",
        first_year=2015,
        fixed={**KOSTRA_FIXED, SCOPE_VAR: ("B",)},
        accounts_scope="B",
        **KOSTRA_EXPENDITURE_MAPPING,
    ),
    TableSpec(
        "07459",
        "Population by region, sex and age, 1 January",
        contents=(ContentRule("pop_inhabitants", (r"^personer$|folkemengde|befolkning",), None, "persons"),),
        required=("pop_inhabitants",),
    ),
    TableSpec(
        "03014",
        "Consumer price index, annual average (2015=100)",
        contents=(ContentRule("cpi", (r"konsumprisindeks",), r"endring|prosent|vekt", "index_2015_100"),),
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
    text = normalise_label(label)
    if re.search(r"1000 kr|tusen kr|1000 nok|nok 1000", text):
        return "NOK_1000"
    if re.search(r"mill\.? ?kr", text):
        return "NOK_million"
    if re.search(r"\(kr\)|\bkroner\b|\(nok\)", text):
        return "NOK"
    if re.search(r"per 1000 (innbygg|inhabit)", text):
        return "per_1000_inhabitants"
    if re.search(r"prosent|\(%\)|per cent", text):
        return "percent"
    if re.search(r"2015 ?= ?100", text):
        return "index_2015_100"
    if re.search(r"måneder|\(months\)", text):
        return "months"
    return None


# ------------------------------------------------------------------ entities


def lineage_codes(entities: pd.DataFrame, code: str) -> list[str]:
    """``code`` and its predecessors (via ``successor_code``), nearest first
    (:func:`analysis.observations.lineage.predecessor_codes`)."""
    return predecessor_codes(entities, code)


def region_aliases(code: str) -> list[str]:
    return ["0"] if code == NATIONAL_CODE else []


# ------------------------------------------------------------------ resolution


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
                "the rules in tables.py must tell them apart"
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
                "exactly one is allowed (make the rule in tables.py tell them apart)"
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


# ------------------------------------------------------------------ review (fetch-ssb --plan)


def plan_rows(res: Resolved) -> list[dict[str, str]]:
    """The mapping table of one resolved table: one row per ContentsCode and indicator."""
    rows: list[dict[str, str]] = []
    outputs = res.outputs()
    for code, label in res.labels.get("ContentsCode", {}).items():
        base = {"table": res.table_id, "code": code, "label": label}
        if code in outputs:
            for ind, cat, unit in outputs[code]:
                rows.append({**base, "indicator": ind, "category": cat, "unit": unit})
        elif code in res.dropped:
            rows.append(
                {**base, "indicator": "-", "category": "", "unit": f"not fetched: {res.dropped[code]}"}
            )
        else:
            rows.append({**base, "indicator": "-", "category": "", "unit": "not fetched: matches no rule"})
    return rows


def regions_requested(res: Resolved) -> list[str]:
    """``entity: code 'label', ...`` for each requested entity (what the region variable asks for)."""
    if res.region_var is None:
        return [f"(no region variable: recorded for {res.spec.national_entity})"]
    labels = res.labels.get(res.region_var, {})
    out = []
    for ent, codes in res.entity_regions.items():
        shown = ", ".join(f"{c} '{labels.get(c, c)}'" for c in codes) or "not in this table"
        out.append(f"{ent}: {shown}")
    return out


def format_table(rows: Sequence[Mapping[str, str]], columns: Sequence[str]) -> str:
    """A plain fixed-width text table (header, rule, rows)."""
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) if rows else len(c) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return "\n".join(lines)
