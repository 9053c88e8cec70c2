"""Tests for the segmented regression and the break search (analysis.models.breaks).

Constructed series with a known step and slope change; the estimates are checked against the
construction and, for the exact numbers, against a second computation in plain numpy (least
squares and a hand-written Newey–West sandwich).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.models.breaks import (
    DEFAULT_BREAK_MONTH,
    InsufficientDataError,
    fit_its,
    newey_west_maxlags,
    scan_breaks,
)

MONTHS = pd.period_range("2021-01", "2023-12", freq="M")  # 36 months
T = np.arange(len(MONTHS), dtype=float)
T_B = 20.0  # MONTHS[20] = 2022-09


def constructed(noise_sd: float = 0.0, seed: int = 7, t_b: float = T_B) -> pd.Series:
    """y = 100 + 2 t + 30 D + 5 (t − t_b) D (+ noise): level change 30, slope change 5."""
    d = (t_b <= T).astype(float)
    y = 100 + 2 * T + 30 * d + 5 * (T - t_b) * d
    if noise_sd:
        y = y + np.random.default_rng(seed).normal(0.0, noise_sd, len(T))
    return pd.Series(y, index=MONTHS.astype(str))


def test_default_break_month_is_september_2022():
    assert DEFAULT_BREAK_MONTH == "2022-09"
    assert str(MONTHS[int(T_B)]) == "2022-09"


def test_newey_west_rule_by_hand():
    # floor(4 (24/100)^(2/9)): 0.24^(0.2222) = exp(0.2222 × ln 0.24) = exp(−0.31714) = 0.72826 → 2.913 → 2
    assert newey_west_maxlags(24) == 2
    # n = 100: 4 × 1 = 4
    assert newey_west_maxlags(100) == 4
    # n = 36: 0.36^(2/9) = exp(0.2222 × −1.02165) = 0.79686 → 3.187 → 3
    assert newey_west_maxlags(36) == 3


def test_noiseless_series_is_recovered_exactly():
    result = fit_its(constructed())
    assert result.break_month == "2022-09"
    assert result.n_obs == 36 and result.n_pre == 20 and result.n_post == 16
    assert result.level_change == pytest.approx(30.0, abs=1e-8)
    assert result.slope_change == pytest.approx(5.0, abs=1e-9)
    assert result.pre_slope == pytest.approx(2.0, abs=1e-9)
    assert result.post_slope == pytest.approx(7.0, abs=1e-9)
    # counterfactual in the break month: 100 + 2 × 20 = 140; relative level change 30/140
    assert result.counterfactual_at_break == pytest.approx(140.0, abs=1e-8)
    assert result.relative_level_change == pytest.approx(30.0 / 140.0, abs=1e-10)
    # counterfactual in the last month (t = 35): 100 + 70 = 170; observed 100 + 70 + 30 + 75 = 275
    assert result.counterfactual.iloc[-1] == pytest.approx(170.0, abs=1e-8)
    assert result.fitted.iloc[-1] == pytest.approx(275.0, abs=1e-8)


def test_noisy_series_recovers_step_and_slope_within_tolerance():
    result = fit_its(constructed(noise_sd=2.0))
    # noise sd 2 over 36 months: standard errors are ~1 for the level and ~0.1 for the slope
    assert result.level_change == pytest.approx(30.0, abs=3.0)
    assert result.slope_change == pytest.approx(5.0, abs=0.4)
    assert result.level_change_ci[0] < 30.0 < result.level_change_ci[1]
    assert result.slope_change_ci[0] < 5.0 < result.slope_change_ci[1]
    assert result.level_change_pvalue < 1e-6
    assert result.maxlags == 3  # newey_west_maxlags(36), worked out above


def test_coefficients_and_hac_errors_match_a_numpy_computation():
    y = constructed(noise_sd=2.0, seed=11)
    result = fit_its(y, maxlags=2)
    # Second route: least squares by numpy and a hand-written Newey–West sandwich
    d = (T >= T_B).astype(float)
    X = np.column_stack([np.ones_like(T), T, d, (T - T_B) * d])
    yv = y.to_numpy()
    beta, *_ = np.linalg.lstsq(X, yv, rcond=None)
    u = yv - X @ beta
    n, k = X.shape
    lags = 2
    S = (X * u[:, None]).T @ (X * u[:, None])
    for j in range(1, lags + 1):
        w = 1.0 - j / (lags + 1.0)  # Bartlett weight
        G = (X[j:] * u[j:, None]).T @ (X[:-j] * u[:-j, None])
        S += w * (G + G.T)
    bread = np.linalg.inv(X.T @ X)
    cov = bread @ S @ bread * n / (n - k)  # small-sample correction n/(n − k)
    se = np.sqrt(np.diag(cov))
    assert result.level_change == pytest.approx(beta[2], rel=1e-9)
    assert result.slope_change == pytest.approx(beta[3], rel=1e-9)
    assert result.bse["level_change"] == pytest.approx(se[2], rel=1e-8)
    assert result.bse["slope_change"] == pytest.approx(se[3], rel=1e-8)
    q = stats.t.ppf(0.975, n - k)
    assert result.level_change_ci[0] == pytest.approx(beta[2] - q * se[2], rel=1e-8)
    assert result.slope_change_pvalue == pytest.approx(2 * stats.t.sf(abs(beta[3] / se[3]), n - k), rel=1e-6)


def test_index_types_give_the_same_fit():
    y = constructed(noise_sd=1.0)
    by_period = y.copy()
    by_period.index = MONTHS
    by_timestamp = y.copy()
    by_timestamp.index = MONTHS.to_timestamp()
    a = fit_its(y)
    b = fit_its(by_period)
    c = fit_its(by_timestamp, pd.Period("2022-09", freq="M"))
    assert a.level_change == pytest.approx(b.level_change, rel=1e-12)
    assert a.level_change == pytest.approx(c.level_change, rel=1e-12)


def test_unsorted_input_and_a_missing_month():
    y = constructed()
    shuffled = y.iloc[np.random.default_rng(0).permutation(len(y))]
    gapped = shuffled.drop("2023-03")
    result = fit_its(gapped)
    # noiseless: the gap does not change the exact recovery because t counts calendar months
    assert result.n_obs == 35
    assert result.level_change == pytest.approx(30.0, abs=1e-8)
    assert result.slope_change == pytest.approx(5.0, abs=1e-9)


def test_too_few_points_on_one_side_is_refused():
    y = constructed()
    with pytest.raises(InsufficientDataError, match="3 observations before"):
        fit_its(y, "2021-04")
    with pytest.raises(InsufficientDataError, match="at least 6"):
        fit_its(y, "2023-09")  # 4 months from the break
    with pytest.raises(InsufficientDataError):
        fit_its(y.iloc[:5], "2021-03", min_per_side=2)  # 5 obs, 4 parameters: 1 residual dof
    assert issubclass(InsufficientDataError, ValueError)


def test_duplicate_months_refused():
    y = pd.Series([1.0, 2.0], index=["2022-01", "2022-01"])
    with pytest.raises(ValueError, match="duplicate"):
        fit_its(y)


def test_seasonal_dummies_absorb_a_calendar_pattern():
    # Add a December spike of 50; with month dummies the step and slope are still exact.
    y = constructed()
    december = np.array([p.month == 12 for p in MONTHS], dtype=float)
    y = y + 50 * december
    result = fit_its(y, seasonal=True)
    assert result.level_change == pytest.approx(30.0, abs=1e-7)
    assert result.slope_change == pytest.approx(5.0, abs=1e-8)
    assert result.params["month_12"] == pytest.approx(50.0, abs=1e-7)
    # counterfactual in the break month (September, no spike) is still 140
    assert result.counterfactual_at_break == pytest.approx(140.0, abs=1e-7)


# ---------------------------------------------------------------- break search


def test_scan_finds_the_true_month_noiseless_and_noisy():
    assert scan_breaks(constructed()).best_month == "2022-09"
    assert scan_breaks(constructed(noise_sd=2.0)).best_month == "2022-09"
    # another true month
    assert scan_breaks(constructed(noise_sd=1.0, t_b=12.0)).best_month == "2022-01"


def test_scan_f_statistic_by_second_route():
    y = constructed(noise_sd=2.0)
    scan = scan_breaks(y, min_segment=6)
    # candidates: months 6 … 30 (each side keeps ≥ 6 observations) → 25 rows
    assert len(scan.table) == 25
    assert scan.table["month"].iloc[0] == "2021-07" and scan.table["month"].iloc[-1] == "2023-07"
    # F at the true month from two numpy regressions
    yv = y.to_numpy()
    X0 = np.column_stack([np.ones_like(T), T])
    d = (T >= T_B).astype(float)
    X1 = np.column_stack([X0, d, (T - T_B) * d])
    ssr0 = float(np.sum((yv - X0 @ np.linalg.lstsq(X0, yv, rcond=None)[0]) ** 2))
    ssr1 = float(np.sum((yv - X1 @ np.linalg.lstsq(X1, yv, rcond=None)[0]) ** 2))
    f_true = ((ssr0 - ssr1) / 2) / (ssr1 / (36 - 4))
    assert scan.sup_f == pytest.approx(f_true, rel=1e-9)
    assert scan.ssr_no_break == pytest.approx(ssr0, rel=1e-12)
    assert scan.table["f_stat"].max() == scan.sup_f
    assert math.isfinite(scan.sup_f)


def test_scan_refuses_when_no_candidate_fits():
    with pytest.raises(InsufficientDataError):
        scan_breaks(constructed().iloc[:10], min_segment=6)
