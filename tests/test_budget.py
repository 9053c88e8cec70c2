"""Tests for budget vs accounts and the next-year projection (analysis.models.budget).

All expected numbers are computed by hand in the comments.
"""

from __future__ import annotations

import math

import pytest

from analysis.models.budget import (
    annual_cost,
    budget_deviation,
    overspend,
    overspend_share,
    project_next_year,
)


def test_deviation_and_overspend_signs():
    # revised budget 120 000, accounts 137 440: deviation = 120 000 − 137 440 = −17 440 (overspend)
    assert budget_deviation(120_000, 137_440) == -17_440
    assert overspend(120_000, 137_440) == 17_440
    # underspend: budget 100, accounts 90 → deviation +10, overspend −10
    assert budget_deviation(100, 90) == 10
    assert overspend(100, 90) == -10


def test_overspend_share_by_hand():
    # 17 440 / 120 000 = 0.1453333…
    assert overspend_share(120_000, 137_440) == pytest.approx(0.1453333333, rel=1e-9)
    with pytest.raises(ValueError, match="positive"):
        overspend_share(0, 10)


def test_annual_cost_by_hand():
    # 529 recipients × 10 970 NOK/month × 12:
    #   10 970 × 529 = 10 970 × 500 + 10 970 × 29 = 5 485 000 + 318 130 = 5 803 130
    #   5 803 130 × 12 = 69 637 560
    # (a source prints "63 441 mill" for this product; that mismatch is a data finding.)
    assert annual_cost(529, 10_970) == 69_637_560
    assert annual_cost(529, 10_970, months=6) == 34_818_780
    with pytest.raises(ValueError):
        annual_cost(-1, 10)
    with pytest.raises(ValueError):
        annual_cost(math.nan, 10)


def test_projection_with_growth_ranges():
    # central: 500 × 1.10 = 550 recipients, 10 000 × 1.05 = 10 500 NOK → 550 × 10 500 × 12 = 69 300 000
    # low  (g_R 5 %, g_p 3 %): 525 × 10 300 × 12 = 5 407 500 × 12 = 64 890 000
    # high (g_R 15 %, g_p 8 %): 575 × 10 800 × 12 = 6 210 000 × 12 = 74 520 000
    p = project_next_year(
        500, 10_000, 0.10, 0.05, recipient_growth_range=(0.05, 0.15), payment_growth_range=(0.03, 0.08)
    )
    assert p.central == pytest.approx(69_300_000, rel=1e-12)
    assert p.low == pytest.approx(64_890_000, rel=1e-12)
    assert p.high == pytest.approx(74_520_000, rel=1e-12)
    assert p.interval_from == "growth_ranges"


def test_projection_with_one_range_only():
    # only payment uncertain: low = 550 × 10 300 × 12 = 67 980 000; high = 550 × 10 800 × 12 = 71 280 000
    p = project_next_year(500, 10_000, 0.10, 0.05, payment_growth_range=(0.03, 0.08))
    assert p.low == pytest.approx(67_980_000, rel=1e-12)
    assert p.high == pytest.approx(71_280_000, rel=1e-12)


def test_projection_with_relative_uncertainty():
    # 69 300 000 × 0.9 = 62 370 000; × 1.1 = 76 230 000
    p = project_next_year(500, 10_000, 0.10, 0.05, relative_uncertainty=0.10)
    assert p.low == pytest.approx(62_370_000, rel=1e-12)
    assert p.high == pytest.approx(76_230_000, rel=1e-12)
    assert p.interval_from == "relative_uncertainty"


def test_projection_without_growth_is_the_annual_cost():
    p = project_next_year(529, 10_970)
    assert p.central == p.low == p.high == 69_637_560
    assert p.interval_from == "none"


def test_projection_refuses_bad_assumptions():
    with pytest.raises(ValueError, match="contain"):
        project_next_year(500, 10_000, 0.10, 0.05, recipient_growth_range=(0.11, 0.15))
    with pytest.raises(ValueError, match="greater than -1"):
        project_next_year(500, 10_000, -1.0, 0.0)
    with pytest.raises(ValueError, match="non-negative"):
        project_next_year(500, 10_000, relative_uncertainty=-0.1)
