"""Tests for analysis.series.units: money scales convert, everything else refuses."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.schema import ADDITIVE_UNITS, MONEY_UNITS
from analysis.series.units import UnitError, common_unit, conversion_factor, convert, convert_values


def test_money_conversions_by_hand() -> None:
    # 63 441 thousand NOK = 63 441 × 1 000 / 1 000 000 = 63.441 NOK million
    assert convert(63441, "NOK_1000", "NOK_million") == pytest.approx(63.441)
    # 29.7 NOK million = 29.7 × 1 000 000 = 29 700 000 NOK
    assert convert(29.7, "NOK_million", "NOK") == pytest.approx(29_700_000)
    # 17 440 NOK = 17 440 / 1 000 = 17.44 NOK 1,000
    assert convert(-17440, "NOK", "NOK_1000") == pytest.approx(-17.44)
    assert conversion_factor("NOK_million", "NOK_1000") == 1000.0
    # 6.7 billion ("6,7 milliarder") = 6.7 × 10⁹ / 10³ = 6 700 000 NOK 1,000
    assert convert(6.7, "NOK_billion", "NOK_1000") == pytest.approx(6_700_000)
    assert conversion_factor("persons", "persons") == 1.0


@pytest.mark.parametrize(
    ("src", "dst"),
    [("percent", "NOK"), ("NOK", "percent"), ("persons", "cases"), ("NOK", "persons"), ("months", "days")],
)
def test_incompatible_units_raise_naming_both(src: str, dst: str) -> None:
    with pytest.raises(UnitError) as err:
        convert(1.0, src, dst)
    assert src in str(err.value) and dst in str(err.value)


def test_unknown_unit_raises() -> None:
    with pytest.raises(UnitError, match="unknown unit 'kroner'"):
        convert(1.0, "kroner", "NOK")


def test_convert_values_mixed_column() -> None:
    values = pd.Series([1.5, 2000.0, 3.0])
    units = pd.Series(["NOK_million", "NOK_1000", "NOK"])
    # 1.5 mill = 1 500 000; 2 000 thousand = 2 000 000; 3 NOK = 3
    assert list(convert_values(values, units, "NOK")) == [1_500_000.0, 2_000_000.0, 3.0]
    with pytest.raises(UnitError, match="'percent'"):
        convert_values(values, pd.Series(["NOK", "percent", "NOK"]), "NOK")


def test_common_unit() -> None:
    assert common_unit(["NOK_1000", "NOK_million"]) == "NOK_1000"
    assert common_unit(["cases", "cases"]) == "cases"
    with pytest.raises(UnitError):
        common_unit(["persons", "cases"])
    with pytest.raises(UnitError):
        common_unit([])


def test_additive_units_are_counts_and_money() -> None:
    assert MONEY_UNITS <= ADDITIVE_UNITS
    assert "percent" not in ADDITIVE_UNITS and "per_1000_inhabitants" not in ADDITIVE_UNITS


money = st.sampled_from(sorted(MONEY_UNITS))


@given(value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), a=money, b=money)
def test_round_trip(value: float, a: str, b: str) -> None:
    back = convert(convert(value, a, b), b, a)
    assert math.isclose(back, value, rel_tol=1e-12, abs_tol=1e-9)


@given(value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), a=money, b=money, c=money)
def test_conversion_is_transitive(value: float, a: str, b: str, c: str) -> None:
    assert math.isclose(
        convert(convert(value, a, b), b, c), convert(value, a, c), rel_tol=1e-12, abs_tol=1e-9
    )
