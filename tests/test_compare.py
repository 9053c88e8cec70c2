"""Tests for analysis.series.compare: a tidy table with caveats about counting bases."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.observations.dataset import read_text_table
from analysis.paths import project_paths
from analysis.series.compare import (
    AGGREGATES,
    CASES_VS_RECIPIENTS,
    COMPARISON_COLUMNS,
    OSLO_DISTRICTS,
    compare_entities,
    counting_basis,
)


def row(entity, period, indicator, value, unit, category="", status="actual", source="s1"):
    return {
        "entity_code": entity, "period": period, "indicator": indicator, "category": category,
        "value": float(value), "unit": unit, "status": status, "source_id": source, "locator": "line 1",
        "excerpt": "", "preferred": True, "note": "",
    }  # fmt: skip


@pytest.fixture(scope="module")
def ref() -> tuple[pd.DataFrame, pd.DataFrame]:
    p = project_paths()
    return read_text_table(p.entities), read_text_table(p.indicators)


@pytest.fixture()
def obs() -> pd.DataFrame:
    return pd.DataFrame(
        [
            # Ski: printed KOSTRA per-case payout 2016, totals for 2015 only
            row("0213", "2016", "sa_payout_per_recipient", 61928, "NOK", source="kb"),
            row("0213", "2015", "sa_payout_gross", 39_548, "NOK_1000", source="kb"),
            row("0213", "2015", "sa_cases", 737, "cases", source="kb"),
            row("0213", "2015", "pop_inhabitants", 18_000, "persons", "age=20-66", source="ssb"),
            # Bergen (old code) with unique recipients
            row("1201", "2015", "sa_payout_gross", 400, "NOK_million", source="bergen"),
            row("1201", "2015", "sa_recipients", 8_000, "persons", source="bergen"),
            # the country: unique recipients
            row("EAK", "2015", "sa_payout_per_recipient", 50_000, "NOK", source="ssb"),
            row("EAK", "2016", "sa_payout_per_recipient", 52_000, "NOK", source="ssb"),
        ]
    )


def test_table_values_and_relative(ref, obs) -> None:
    entities, indicators = ref
    c = compare_entities(
        obs, entities, indicators, entity="0213", peers=["4601"],
        indicator_specs=["sa_payout_per_recipient"], periods=["2015", "2016"],
    )  # fmt: skip
    t = c.table
    assert list(t.columns) == list(COMPARISON_COLUMNS)
    get = lambda code, p: t[(t["entity_code"] == code) & (t["period"] == p)].iloc[0]  # noqa: E731
    # Ski 2015 derived: 39 548 thousand = 39 548 000 NOK / 737 cases = 53 661.-  (53 660.79…)
    ski15 = get("0213", "2015")
    assert ski15["value"] == pytest.approx(53_660.79, abs=0.01)
    assert bool(ski15["derived"]) and ski15["counting_basis"] == "cases"
    assert ski15["formula"] == "sa_payout_gross / sa_cases"
    # relative to the country: 100 × 53 660.79 / 50 000 = 107.32
    assert ski15["relative_to_country"] == pytest.approx(107.32, abs=0.01)
    # Ski 2016 printed (KOSTRA per case): 100 × 61 928 / 52 000 = 119.09
    ski16 = get("0213", "2016")
    assert not ski16["derived"] and ski16["counting_basis"] == "cases"
    assert ski16["relative_to_country"] == pytest.approx(119.09, abs=0.01)
    # Bergen under 4601, data under 1201: 400 mill / 8 000 persons = 50 000
    bergen = get("4601", "2015")
    assert bergen["value"] == 50_000.0 and bergen["counting_basis"] == "unique recipients"
    assert bergen["source_ids"] == ("bergen",)
    # Bergen 2016 missing with a reason
    b16 = get("4601", "2016")
    assert math.isnan(b16["value"]) and "2016" in b16["missing_reason"]
    assert get("EAK", "2015")["counting_basis"] == "unique recipients"
    assert get("EAK", "2015")["relative_to_country"] == 100.0


def test_caveats(ref, obs) -> None:
    entities, indicators = ref
    c = compare_entities(
        obs, entities, indicators, entity="0213", peers=["4601"],
        indicator_specs=["sa_payout_per_recipient"], periods=["2015"],
    )  # fmt: skip
    text = " ".join(c.caveats)
    assert CASES_VS_RECIPIENTS in text
    assert AGGREGATES in text
    assert OSLO_DISTRICTS not in text
    assert "KOSTRA: per case" in c.definitions["sa_payout_per_recipient"]


def test_district_caveat_and_per_inhabitant(ref) -> None:
    entities, indicators = ref
    obs = pd.DataFrame(
        [
            row("030109", "2024", "sa_payout_gross", 100_000, "NOK_1000", source="bjerke"),
            row("030109", "2024", "pop_inhabitants", 25_000, "persons", "age=20-66", source="ssb"),
        ]
    )
    c = compare_entities(
        obs, entities, indicators, entity="030109", country=None,
        indicator_specs=[("sa_payout_gross_per_inhabitant", "age=20-66")],
    )  # fmt: skip
    # 100 000 thousand = 100 000 000 NOK / 25 000 inhabitants 20–66 = 4 000 NOK
    assert c.table["value"].tolist() == [4000.0]
    assert c.table["category"].tolist() == ["age=20-66"]
    assert OSLO_DISTRICTS in c.caveats
    assert AGGREGATES not in c.caveats


def test_counting_basis_rules() -> None:
    assert counting_basis("sa_cases", "cases", "municipality") == "cases"
    assert counting_basis("sa_recipients", "persons", "country") == "unique recipients"
    assert counting_basis("sa_active_cases", "cases", "district") == "district system"
    assert counting_basis("sa_payout_per_recipient", "NOK", "municipality") == "cases"
    assert counting_basis("sa_payout_gross_per_inhabitant", "NOK", "municipality") == "not a count"
