"""Which SSB tables the book fetches (:data:`TABLES`) and what each one's spec asks for.

A :class:`TableSpec` names a table, its years, the :class:`~analysis.sources.ssb.rules.ContentRule`
for each concept its content codes carry, the codes fixed for its other variables and how they
map to indicators and categories; :mod:`analysis.sources.ssb.resolution` turns a spec and the
table's metadata into a request. Between tables, the first table in :data:`TABLES` that gives an
indicator and category for a year keeps it (a later table's code is dropped with a note), so one
figure never comes from two tables.

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

May import :mod:`analysis.schema` and :mod:`analysis.sources.ssb.rules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.schema import NATIONAL_CODE
from analysis.sources.ssb.rules import SA_RULES, ContentRule

SCOPE_VAR = "KOKregnskapsomfa0000"
SCOPE_LABELS = {"A": r"^kommuner/fylkeskommuner$", "B": r"eksl\. foretak"}
SCOPE_CATEGORY = {"A": "", "B": "accounts=municipal_fund"}


@dataclass(frozen=True)
class TableSpec:
    """One SSB table: its years, content rules, fixed codes and how rows map to indicators."""

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
    # KOSTRA accounts, one table per accounts scope
    *(
        TableSpec(
            tid,
            description,
            first_year=2015,
            fixed={**KOSTRA_FIXED, SCOPE_VAR: (scope,)},
            accounts_scope=scope,
            **KOSTRA_EXPENDITURE_MAPPING,
        )
        for tid, scope, description in (
            ("12362", "A", "Expenditure by function and type, kommunekonsern (accounts scope A), NOK 1,000"),
            ("12367", "B", "Detailed operating accounts, municipal fund (accounts scope B), NOK 1,000"),
        )
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
