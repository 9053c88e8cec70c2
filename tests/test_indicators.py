"""Tests for analysis.series.indicators: hand-computed derived values and explicit missing reasons."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.series.frame import series_frame
from analysis.series.indicators import (
    DERIVED_COLUMNS,
    missing_points,
    payout_per_benefit_month,
    payout_per_recipient,
    payout_per_recipient_month,
    per_1000_inhabitants,
    per_inhabitant,
    share,
    values_by_period,
    year_on_year,
)
from analysis.series.prices import real_values
from analysis.series.units import UnitError

NAN = float("nan")


def s(values, unit, indicator="x", category="", src="src"):
    return series_frame(
        values, unit, entity_code="0213", indicator=indicator, category=category, source_ids=[src]
    )


def test_per_1000_inhabitants() -> None:
    rec = s({"2015": 737, "2016": 677}, "cases", "sa_cases")
    pop = s({"2015": 18_400, "2016": 18_500}, "persons", "pop_inhabitants", "age=20-66", src="ssb")
    out = per_1000_inhabitants(rec, pop)
    assert list(out.columns) == list(DERIVED_COLUMNS)
    # 1000 × 737 / 18 400 = 40.054…; 1000 × 677 / 18 500 = 36.594…
    assert out["value"].tolist() == pytest.approx([40.0543, 36.5946], abs=1e-4)
    assert out["unit"].iloc[0] == "per_1000_inhabitants"
    assert out["source_ids"].iloc[0] == ("src", "ssb")
    assert out["numerator"].iloc[0] == 737 and out["denominator"].iloc[0] == 18_400
    assert "age=20-66" in out["formula"].iloc[0]


def test_population_offset_and_missing_reason() -> None:
    rec = s({"2015": 737, "2016": 677}, "cases", "sa_cases")
    pop = s({"2016": 18_500}, "persons", "pop_inhabitants")
    out = per_1000_inhabitants(rec, pop, population_offset=1)
    # 2015 uses the population of 2016: 1000 × 737 / 18 500 = 39.8378…
    assert out["value"].iloc[0] == pytest.approx(39.8378, abs=1e-4)
    assert math.isnan(out["value"].iloc[1])
    assert out["missing_reason"].iloc[1] == "no pop_inhabitants for 2017"


def test_per_inhabitant_money_converted_to_nok() -> None:
    pay = s({"2016": 40_000}, "NOK_1000", "sa_payout_gross")
    pop = s({"2016": 20_000}, "persons", "pop_inhabitants", "age=20-66")
    out = per_inhabitant(pay, pop)
    # 40 000 thousand = 40 000 000 NOK; / 20 000 = 2 000 NOK per inhabitant 20–66
    assert out["value"].tolist() == [2000.0] and out["unit"].iloc[0] == "NOK"
    with pytest.raises(UnitError):
        per_inhabitant(s({"2016": 5}, "percent"), pop)
    with pytest.raises(UnitError):
        per_1000_inhabitants(pay, pop)


def test_payout_per_recipient_and_zero_denominator() -> None:
    pay = s({"2014": 34_958_000, "2015": 39_000_000}, "NOK", "sa_payout_gross")
    rec = s({"2014": 713, "2015": 0}, "cases", "sa_cases")
    out = payout_per_recipient(pay, rec)
    # 34 958 000 / 713 = 49 029.45…
    assert out["value"].iloc[0] == pytest.approx(49_029.45, abs=0.01)
    assert out["indicator"].iloc[0] == "payout_per_case"
    assert math.isnan(out["value"].iloc[1])
    assert "zero" in out["missing_reason"].iloc[1]


def test_payout_per_recipient_month_bjerke_identity() -> None:
    # Bjerke 2012 introduction premise: 50 participants × 10 625 NOK × 12 = 6 375 000 NOK = 6 375 thousand
    pay = s({"2012": 6_375}, "NOK_1000", "intro_benefit_gross")
    avg = s({"2012": 50}, "participants", "intro_participants_monthly_avg")
    out = payout_per_recipient_month(pay, avg)
    assert out["value"].tolist() == [10_625.0]
    monthly = payout_per_recipient_month(
        s({"2023-01": 2_000_000}, "NOK"), s({"2023-01": 400}, "persons")
    )  # 2 000 000 / (400 × 1) = 5 000
    assert monthly["value"].tolist() == [5000.0]


def test_payout_per_benefit_month() -> None:
    pay = s({"2016": 4_200_000}, "NOK")
    rec = s({"2016": 100}, "persons")
    dur = s({"2016": 5.25}, "months")
    out = payout_per_benefit_month(pay, rec, dur)
    # 4 200 000 / (100 × 5.25 = 525 benefit months) = 8 000
    assert out["value"].tolist() == [8000.0]
    assert out["denominator"].tolist() == [525.0]


def test_share_keeps_denominator() -> None:
    part = s({"2011": 5624}, "persons", "sa_recipients", "citizenship=norwegian")
    total = s({"2011": 7092}, "persons", "sa_recipients")
    out = share(part, total)
    # 100 × 5 624 / 7 092 = 79.30…
    assert out["value"].iloc[0] == pytest.approx(79.30, abs=0.01)
    assert out["numerator"].iloc[0] == 5624 and out["denominator"].iloc[0] == 7092
    assert out["unit"].iloc[0] == "percent"
    money = share(s({"2023": 1.5}, "NOK_million"), s({"2023": 3000}, "NOK_1000"))
    assert money["value"].tolist() == [50.0]  # 1 500 thousand / 3 000 thousand
    with pytest.raises(UnitError):
        share(part, s({"2011": 7000}, "cases"))


def test_year_on_year() -> None:
    x = s({"2014": 54_411, "2015": 58_061, "2016": 65_308, "2018": 70_000}, "NOK_1000")
    out = year_on_year(x)
    by = out.set_index("period")
    assert math.isnan(by.at["2014", "value"]) and by.at["2014", "missing_reason"] == "no x for 2013"
    # 58 061 − 54 411 = 3 650; 100 × 3 650 / 54 411 = 6.708…
    assert by.at["2015", "value"] == 3650.0
    assert by.at["2015", "pct_change"] == pytest.approx(6.7082, abs=1e-4)
    assert by.at["2018", "missing_reason"] == "no x for 2017"
    pct = year_on_year(s({"2015": 40.0, "2016": 42.5}, "percent"))
    assert pct["unit"].iloc[1] == "percentage_points" and pct["value"].iloc[1] == 2.5
    zero = year_on_year(s({"2015": 0.0, "2016": 3.0}, "persons"))
    assert zero["value"].iloc[1] == 3.0 and math.isnan(zero["pct_change"].iloc[1])
    assert "zero" in zero["pct_missing_reason"].iloc[1]
    monthly = year_on_year(s({"2022-03": 100.0, "2023-03": 130.0}, "NOK"))
    assert monthly["previous_period"].iloc[1] == "2022-03" and monthly["pct_change"].iloc[1] == pytest.approx(
        30.0
    )


def test_missing_input_propagates_reason() -> None:
    x = series_frame({"2015": NAN, "2016": 3.0}, "persons", indicator="x")
    out = year_on_year(x)
    assert "x: not given" in out["missing_reason"].iloc[1]
    assert len(missing_points(out)) == 2


def test_real_values() -> None:
    pay = s({"2022": 100.0, "2023": 120.0, "2024": 130.0}, "NOK_million")
    cpi = s({"2022": 110.0, "2023": 120.0}, "index_2015_100", "cpi", src="ssb-03014")
    out = real_values(pay, cpi, 2023)
    # 2022: 100 × 120 / 110 = 109.0909…; 2023: 120 × 120 / 120 = 120; 2024: no CPI
    assert out["value"].iloc[0] == pytest.approx(109.0909, abs=1e-4)
    assert out["value"].iloc[1] == 120.0
    assert math.isnan(out["value"].iloc[2]) and out["missing_reason"].iloc[2] == "no CPI for 2024"
    assert out["source_ids"].iloc[0] == ("src", "ssb-03014")
    assert out.attrs["price_base"] == "constant 2023 NOK_million"
    missing_base = real_values(pay, cpi, 2015)
    assert missing_base["missing_reason"].str.contains("base year 2015").all()
    with pytest.raises(UnitError):
        real_values(s({"2023": 5.0}, "percent"), cpi, 2023)


@given(
    value=st.floats(min_value=1, max_value=1e9),
    cpi_t=st.floats(min_value=50, max_value=200),
    cpi_b=st.floats(min_value=50, max_value=200),
)
def test_real_values_round_trip(value: float, cpi_t: float, cpi_b: float) -> None:
    """Deflating to base b and back to base t returns the nominal value."""
    pay = s({"2020": value}, "NOK")
    cpi = s({"2020": cpi_t, "2010": cpi_b}, "index_2015_100")
    real = real_values(pay, cpi, 2010)
    back = real["value"].iloc[0] * cpi_t / cpi_b
    assert math.isclose(back, value, rel_tol=1e-9)


@given(
    part=st.integers(0, 10**6),
    extra=st.integers(0, 10**6),
)
def test_share_bounds(part: int, extra: int) -> None:
    total = part + extra
    out = share(s({"2020": part}, "persons"), s({"2020": total}, "persons"))
    if total == 0:
        assert math.isnan(out["value"].iloc[0]) and out["missing_reason"].iloc[0]
    else:
        assert 0 <= out["value"].iloc[0] <= 100
        assert values_by_period(out) == {"2020": pytest.approx(100 * part / total)}
