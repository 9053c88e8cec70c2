"""Tests for the additive LMDI-I decomposition (analysis.models.decomposition).

Expected values are worked out by hand below (or by a second route: the general ``lmdi`` on the
explicit factors, or the definition of the logarithmic mean), never copied from the output.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.models.decomposition import (
    LMDIResult,
    decompose_payout_chain,
    decompose_payout_change,
    decompose_payout_change_per_inhabitant,
    lmdi,
    log_mean,
    log_ratio,
)

positive = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)
cpi_values = st.floats(min_value=50.0, max_value=300.0, allow_nan=False, allow_infinity=False)


# ---------------------------------------------------------------- logarithmic mean


def test_log_mean_equal_arguments_is_the_value():
    # L(a, a) = a by definition (the limit of (a − b)/(ln a − ln b) as b → a)
    assert log_mean(7.5, 7.5) == 7.5


def test_log_mean_by_hand():
    # L(1, e) = (e − 1)/(ln e − ln 1) = e − 1 = 1.718281828...
    assert log_mean(1.0, math.e) == pytest.approx(math.e - 1.0, rel=1e-14)
    # L(100, 200) = 100 / ln 2 = 144.26950408889634
    assert log_mean(100.0, 200.0) == pytest.approx(144.26950408889634, rel=1e-14)


def test_log_mean_near_equal_arguments_uses_the_series_continuously():
    # For b = a(1 + x), L ≈ a(1 + x/2): with a = 1, x = 1e-9 → 1 + 5e-10
    assert log_mean(1.0, 1.0 + 1e-9) == pytest.approx(1.0 + 5e-10, rel=1e-15)
    # Either side of the series threshold (x = 1e-6) gives the same value to ~1e-15:
    # the exact formula and the series agree where they meet.
    x = 1e-6
    below = log_mean(1.0, 1.0 + x * (1 - 1e-9))
    above = log_mean(1.0, 1.0 + x * (1 + 1e-9))
    assert below == pytest.approx(above, rel=1e-14)
    assert below == pytest.approx(1.0 + x / 2 - x * x / 12, rel=1e-14)


@given(positive, positive)
def test_log_mean_between_geometric_and_arithmetic_mean(a, b):
    # Known inequality: sqrt(ab) ≤ L(a, b) ≤ (a + b)/2 (Carlson 1972)
    value = log_mean(a, b)
    assert value == log_mean(b, a)
    assert math.sqrt(a * b) * (1 - 1e-12) <= value <= (a + b) / 2 * (1 + 1e-12)


@given(positive, positive)
def test_log_ratio_is_antisymmetric_and_matches_math_log(a, b):
    assert log_ratio(a, b) == -log_ratio(b, a)
    assert log_ratio(a, b) == pytest.approx(math.log(a) - math.log(b), abs=1e-9)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, "x"])
def test_log_mean_refuses_non_positive(bad):
    with pytest.raises(ValueError):
        log_mean(bad, 1.0)


# ---------------------------------------------------------------- two-period payout decomposition


def test_hand_worked_two_period_example():
    # Period 0: R = 10 recipients, CPI = 100, V = 100 (so real payment p = 10 per recipient).
    # Period 1: R = 12, CPI = 125, V = 240 (p = 240 / (12 × 1.25) = 16).
    # Factor ratios: R 1.2, p 1.6, P 1.25; 1.2 × 1.6 × 1.25 = 2.4 = V1/V0.
    # L(240, 100) = 140 / ln 2.4 = 140 / 0.8754687 = 159.91433
    # volume       = 159.91433 × ln 1.2  = 159.91433 × 0.1823216 = 29.15583
    # real_payment = 159.91433 × ln 1.6  = 159.91433 × 0.4700036 = 75.16032
    # inflation    = 159.91433 × ln 1.25 = 159.91433 × 0.2231436 = 35.68385
    # sum          = 29.15583 + 75.16032 + 35.68385 = 140.00000 = 240 − 100
    result = decompose_payout_change(100.0, 240.0, 10.0, 12.0, 100.0, 125.0)
    assert result.total_change == 140.0
    assert result.weight == pytest.approx(159.91433, abs=1e-5)
    assert result.contributions["volume"] == pytest.approx(29.15583, abs=1e-5)
    assert result.contributions["real_payment"] == pytest.approx(75.16032, abs=1e-5)
    assert result.contributions["inflation"] == pytest.approx(35.68385, abs=1e-5)
    assert abs(result.residual) < 1e-12
    assert list(result.contributions) == ["volume", "real_payment", "inflation"]


def test_no_real_change_splits_by_log_shares():
    # V 100 → 200, R 10 → 16, CPI 100 → 125: p ratio = 2 / (1.6 × 1.25) = 1, so real_payment = 0.
    # volume = 100 × ln 1.6 / ln 2 = 100 × log2(1.6) = 67.80719; inflation = 100 × log2(1.25) = 32.19281
    result = decompose_payout_change(100.0, 200.0, 10.0, 16.0, 100.0, 125.0)
    assert result.contributions["real_payment"] == pytest.approx(0.0, abs=1e-12)
    assert result.contributions["volume"] == pytest.approx(67.80719, abs=1e-5)
    assert result.contributions["inflation"] == pytest.approx(32.19281, abs=1e-5)
    shares = result.shares()
    assert shares["volume"] == pytest.approx(0.6780719, abs=1e-7)


def test_cpi_base_does_not_matter():
    # ln(CPI1/CPI0) is unchanged when both indices are rebased (× 0.8)
    a = decompose_payout_change(100.0, 240.0, 10.0, 12.0, 100.0, 125.0)
    b = decompose_payout_change(100.0, 240.0, 10.0, 12.0, 80.0, 100.0)
    for k in a.contributions:
        assert a.contributions[k] == pytest.approx(b.contributions[k], rel=1e-12)


def test_no_change_gives_zero_contributions():
    result = decompose_payout_change(50.0, 50.0, 5.0, 5.0, 110.0, 110.0)
    assert result.contributions == {"volume": 0.0, "real_payment": 0.0, "inflation": 0.0}
    assert math.isnan(result.shares()["volume"])


def test_agrees_with_general_lmdi_on_explicit_factors():
    # Second route: build the factors explicitly (P = CPI/CPI0, p = V/(R P)) and use lmdi().
    v0, v1, r0, r1, c0, c1 = 1.8e9, 2.9e9, 130_000, 150_000, 118.0, 133.0
    explicit = lmdi(
        {"volume": r0, "real_payment": v0 / (r0 * 1.0), "inflation": 1.0},
        {"volume": r1, "real_payment": v1 / (r1 * c1 / c0), "inflation": c1 / c0},
    )
    direct = decompose_payout_change(v0, v1, r0, r1, c0, c1)
    assert explicit.value_to == pytest.approx(v1, rel=1e-12)
    for k in direct.contributions:
        assert direct.contributions[k] == pytest.approx(explicit.contributions[k], rel=1e-9)


@pytest.mark.parametrize(
    "args",
    [
        (0.0, 1.0, 1.0, 1.0, 100.0, 100.0),
        (1.0, 1.0, -3.0, 1.0, 100.0, 100.0),
        (1.0, 1.0, 1.0, 1.0, 100.0, math.nan),
    ],
)
def test_refuses_zero_negative_nan(args):
    with pytest.raises(ValueError, match="positive|finite"):
        decompose_payout_change(*args)


def test_error_names_the_bad_input():
    with pytest.raises(ValueError, match="recipients_from"):
        decompose_payout_change(1.0, 2.0, 0.0, 1.0, 100.0, 100.0)


def test_lmdi_refuses_mismatched_factors():
    with pytest.raises(ValueError, match="factor names"):
        lmdi({"a": 1.0}, {"b": 1.0})


@settings(max_examples=300)
@given(positive, positive, positive, positive, cpi_values, cpi_values)
def test_exactness_property(v0, v1, r0, r1, c0, c1):
    result = decompose_payout_change(v0, v1, r0, r1, c0, c1)
    total = v1 - v0
    assert math.fsum(result.contributions.values()) == pytest.approx(total, rel=1e-9, abs=1e-9 * max(v0, v1))


@settings(max_examples=300)
@given(positive, positive, positive, positive, cpi_values, cpi_values)
def test_time_reversal_property(v0, v1, r0, r1, c0, c1):
    forward = decompose_payout_change(v0, v1, r0, r1, c0, c1)
    backward = decompose_payout_change(v1, v0, r1, r0, c1, c0)
    assert backward.total_change == -forward.total_change
    for k in forward.contributions:
        # exact: L is symmetric and log ratios are antisymmetric by construction
        assert backward.contributions[k] == -forward.contributions[k]


# ---------------------------------------------------------------- per inhabitant


def test_per_inhabitant_hand_example():
    # Same as the hand-worked example, with inhabitants 1000 → 1100 (ratio 1.1).
    # rate r = R/N: 0.01 → 12/1100 = 0.0109091, ratio 1.2/1.1 = 1.0909091
    # population     = 159.91433 × ln 1.1        = 159.91433 × 0.0953102 = 15.24146
    # recipient_rate = 159.91433 × ln(1.2/1.1)  = 159.91433 × 0.0870114 = 13.91437
    # together = 29.15583 = the volume contribution of the three-factor split
    result = decompose_payout_change_per_inhabitant(100.0, 240.0, 10.0, 12.0, 1000.0, 1100.0, 100.0, 125.0)
    assert result.contributions["population"] == pytest.approx(15.24146, abs=1e-5)
    assert result.contributions["recipient_rate"] == pytest.approx(13.91437, abs=1e-5)
    assert result.contributions["real_payment"] == pytest.approx(75.16032, abs=1e-5)
    assert result.contributions["inflation"] == pytest.approx(35.68385, abs=1e-5)


@given(positive, positive, positive, positive, positive, positive, cpi_values, cpi_values)
def test_per_inhabitant_exact_and_consistent_with_volume(v0, v1, r0, r1, n0, n1, c0, c1):
    four = decompose_payout_change_per_inhabitant(v0, v1, r0, r1, n0, n1, c0, c1)
    three = decompose_payout_change(v0, v1, r0, r1, c0, c1)
    assert math.fsum(four.contributions.values()) == pytest.approx(v1 - v0, rel=1e-9, abs=1e-9 * max(v0, v1))
    assert four.contributions["population"] + four.contributions["recipient_rate"] == pytest.approx(
        three.contributions["volume"], rel=1e-9, abs=1e-9 * max(v0, v1)
    )
    backward = decompose_payout_change_per_inhabitant(v1, v0, r1, r0, n1, n0, c1, c0)
    for k in four.contributions:
        assert backward.contributions[k] == -four.contributions[k]


# ---------------------------------------------------------------- chained


def test_chain_steps_match_two_period_and_telescope():
    frame = pd.DataFrame(
        {
            "period": [2023, 2021, 2022],  # unsorted on purpose
            "payout": [240.0, 100.0, 150.0],
            "recipients": [12.0, 10.0, 11.0],
            "cpi": [125.0, 100.0, 110.0],
        }
    )
    out = decompose_payout_chain(frame)
    assert list(out.columns) == [
        "period_from",
        "period_to",
        "factor",
        "contribution",
        "log_change",
        "value_from",
        "value_to",
        "total_change",
    ]
    assert len(out) == 2 * 3
    step1 = out[out["period_to"] == 2022].set_index("factor")["contribution"]
    expected1 = decompose_payout_change(100.0, 150.0, 10.0, 11.0, 100.0, 110.0).contributions
    # hand: L(150, 100) = 50/ln 1.5 = 123.31517; volume = 123.31517 × 0.0953102 = 11.75319
    assert step1["volume"] == pytest.approx(11.75319, abs=1e-5)
    for k, v in expected1.items():
        assert step1[k] == pytest.approx(v, rel=1e-12)
    # telescoping: the step totals add up to V_2023 − V_2021 = 140
    assert out["contribution"].sum() == pytest.approx(140.0, rel=1e-12)


def test_chain_with_population_has_four_factors():
    frame = pd.DataFrame(
        {
            "period": ["2021", "2022"],
            "payout": [100.0, 240.0],
            "recipients": [10.0, 12.0],
            "cpi": [100.0, 125.0],
            "pop": [1000.0, 1100.0],
        }
    )
    out = decompose_payout_chain(frame, population="pop")
    assert set(out["factor"]) == {"population", "recipient_rate", "real_payment", "inflation"}
    assert out.set_index("factor").loc["population", "contribution"] == pytest.approx(15.24146, abs=1e-5)


def test_chain_refuses_duplicates_and_short_input():
    frame = pd.DataFrame(
        {"period": [1, 1], "payout": [1.0, 2.0], "recipients": [1.0, 1.0], "cpi": [1.0, 1.0]}
    )
    with pytest.raises(ValueError, match="duplicate"):
        decompose_payout_chain(frame)
    with pytest.raises(ValueError, match="two periods"):
        decompose_payout_chain(frame.iloc[:1])
    with pytest.raises(ValueError, match="missing columns"):
        decompose_payout_chain(frame.drop(columns=["cpi"]))


def test_result_frame():
    result = decompose_payout_change(100.0, 240.0, 10.0, 12.0, 100.0, 125.0)
    assert isinstance(result, LMDIResult)
    frame = result.to_frame()
    assert list(frame["factor"]) == ["volume", "real_payment", "inflation"]
    assert frame["share"].sum() == pytest.approx(1.0, rel=1e-12)
