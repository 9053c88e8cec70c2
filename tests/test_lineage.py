"""The one lineage API (analysis.observations.lineage): each meaning checked on the real reforms in
data/reference/entities.csv (1201 → 4601 Bergen; Ski 0213 + Oppegård 0217 → Nordre Follo 3020 →
3207; Oslo's districts 0301xx) and on an invented table (test data)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.observations.dataset import read_text_table
from analysis.observations.lineage import (
    city_of,
    districts_of,
    lineage,
    predecessor_codes,
    related_codes,
)
from analysis.paths import project_paths


@pytest.fixture(scope="module")
def entities() -> pd.DataFrame:
    return read_text_table(project_paths().entities)


def _invented(*links: tuple[str, str]) -> pd.DataFrame:
    """An invented entities table (test data): (code, successor_code) pairs."""
    return pd.DataFrame(
        [{"entity_code": c, "successor_code": s, "valid_from": "", "valid_to": ""} for c, s in links]
    )


def test_renumbered_code_is_the_same_territory(entities: pd.DataFrame) -> None:
    # entities.csv: "Renumbered 1201 → 4601 in the 2020 county reform"; 3020 "renumbered 3207 in 2024"
    assert lineage(entities, "4601").same == ("1201", "4601")
    assert lineage(entities, "1201").same == ("1201", "4601")
    assert lineage(entities, "3207").same == ("3020", "3207")
    assert lineage(entities, "4601").parts == ()
    assert predecessor_codes(entities, "4601") == ["4601", "1201"]
    assert related_codes(entities, "1201") == {"1201", "4601"}


def test_merged_municipality_has_its_parts(entities: pd.DataFrame) -> None:
    # entities.csv: 0213 and 0217 both have successor 3020 (valid from 2020)
    nordre_follo = lineage(entities, "3207")
    assert nordre_follo.parts == ("0213", "0217")
    assert nordre_follo.merged_from == 2020
    assert lineage(entities, "0213").same == ("0213",)  # a part is not the merged territory
    assert set(predecessor_codes(entities, "3207")) == {"3207", "3020", "0213", "0217"}
    assert predecessor_codes(entities, "3207")[:2] == ["3207", "3020"]  # nearest first
    assert related_codes(entities, "3020") == {"0213", "0217", "3020", "3207"}


def test_a_part_never_reads_its_sibling(entities: pd.DataFrame) -> None:
    # Ski's page reads Ski, Nordre Follo and its successor, never Oppegård (another part of 3020)
    assert related_codes(entities, "0213") == {"0213", "3020", "3207"}
    assert related_codes(entities, "0217") == {"0217", "3020", "3207"}
    invented = _invented(("C", "A"), ("A", "M"), ("B", "M"), ("M", "N"), ("N", ""), ("Z", ""))
    assert related_codes(invented, "A") == {"C", "A", "M", "N"}
    assert related_codes(invented, "B") == {"B", "M", "N"}
    assert related_codes(invented, "N") == {"C", "A", "B", "M", "N"}
    assert related_codes(invented, "Z") == {"Z"}


def test_district_of_a_city(entities: pd.DataFrame) -> None:
    # entities.csv: Bjerke 030109 and Søndre Nordstrand 030115 have parent 0301 and level district
    assert city_of(entities, "030115") == "0301"
    assert city_of(entities, "030109") == "0301"
    assert city_of(entities, "0301") is None  # a municipality is no district
    assert city_of(entities, "4601") is None
    oslo = districts_of(entities, "0301")
    assert oslo == tuple(f"0301{n:02d}" for n in range(1, 18))  # 030101 … 030117
    assert districts_of(entities, "4601") == ()
    # a district's own figures only: its run does not read the city's code
    assert related_codes(entities, "030115") == {"030115"}


def test_unknown_code_is_a_clear_error(entities: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="9999"):
        lineage(entities, "9999")
