"""Tests for the count trends (analysis.models.trend).

Expectations come from the construction (exact exponential growth has an exact Poisson fit), from
hand calculation (Fisher information of a flat series) and from a second computation (scipy's
Poisson log-pmf for the AIC; direct maximisation of the NB2 log-likelihood for α).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from analysis.models.trend import TrendFit, TrendNotEstimated, count_trends, negbin_trend, poisson_trend


def test_exact_exponential_growth_is_recovered_by_poisson():
    # y_t = 1000 × 1.05^t: the Poisson score equations Σ(y − μ) = 0, Σ t(y − μ) = 0 are solved by
    # μ = y, so b1 = ln 1.05 and the growth rate is exactly 5 %.
    years = range(2015, 2023)
    y = pd.Series([1000 * 1.05**t for t in range(8)], index=years)
    fit = poisson_trend(y)
    assert isinstance(fit, TrendFit)
    assert fit.growth_rate == pytest.approx(0.05, abs=1e-10)
    assert fit.log_slope == pytest.approx(math.log(1.05), abs=1e-10)
    assert fit.first_year == 2015 and fit.last_year == 2022 and fit.n_obs == 8
    assert fit.pearson_dispersion == pytest.approx(0.0, abs=1e-12)


def test_offset_gives_the_growth_of_the_rate():
    # population grows 2 %/year, rate per inhabitant grows 3 %/year → counts grow 5.06 %,
    # the offset model returns the rate's 3 %.
    years = list(range(2016, 2024))
    pop = pd.Series([50_000 * 1.02**t for t in range(8)], index=years)
    y = pd.Series([0.04 * 50_000 * (1.02 * 1.03) ** t for t in range(8)], index=years)
    fit = poisson_trend(y, pop)
    assert fit.with_offset
    assert fit.growth_rate == pytest.approx(0.03, abs=1e-10)
    no_offset = poisson_trend(y)
    assert no_offset.growth_rate == pytest.approx(1.02 * 1.03 - 1, abs=1e-10)  # 0.0506


def test_flat_series_standard_error_by_hand():
    # y = 100 for t = 0..3 → b1 = 0. Fisher information X'WX with W = diag(μ) = 100:
    #   100 × [[4, 6], [6, 14]] (Σ1 = 4, Σt = 6, Σt² = 14), determinant 100² × (56 − 36) = 100² × 20.
    #   var(b1) = 100 × 4 / (100² × 20) = 0.002 → se = 0.0447214
    # 95 % CI of growth: exp(±1.959964 × 0.0447214) − 1 = exp(±0.0876524) − 1 = (−0.083920, +0.091609)
    y = pd.Series([100, 100, 100, 100], index=["2020", "2021", "2022", "2023"])
    fit = poisson_trend(y)
    assert fit.growth_rate == pytest.approx(0.0, abs=1e-12)
    assert fit.log_slope_se == pytest.approx(0.0447214, abs=1e-7)
    assert fit.growth_ci[0] == pytest.approx(-0.083920, abs=1e-6)
    assert fit.growth_ci[1] == pytest.approx(0.091609, abs=1e-6)


def test_poisson_aic_matches_scipy_loglikelihood():
    y = np.array([120, 131, 150, 149, 170, 188])
    fit = poisson_trend(pd.Series(y, index=range(2018, 2024)))
    mu = fit.fitted.to_numpy()
    llf = stats.poisson.logpmf(y, mu).sum()
    assert fit.log_likelihood == pytest.approx(llf, rel=1e-10)
    assert fit.aic == pytest.approx(-2 * llf + 2 * 2, rel=1e-10)
    # Pearson dispersion by definition: Σ (y − μ)²/μ / (n − 2)
    assert fit.pearson_dispersion == pytest.approx(np.sum((y - mu) ** 2 / mu) / 4, rel=1e-10)


def test_too_short_series_is_not_estimated():
    y = pd.Series([10, 12, 15], index=[2021, 2022, 2023])
    for fit in (poisson_trend(y), negbin_trend(y)):
        assert isinstance(fit, TrendNotEstimated)
        assert fit.estimated is False
        assert "3 annual observations" in fit.reason
    table = count_trends(y)
    assert list(table["estimated"]) == [False, False]


def test_all_zero_is_not_estimated_and_negative_refused():
    assert isinstance(poisson_trend(pd.Series([0, 0, 0, 0], index=range(2020, 2024))), TrendNotEstimated)
    with pytest.raises(ValueError, match="non-negative"):
        poisson_trend(pd.Series([1, -1, 2, 3], index=range(2020, 2024)))


def test_monthly_index_refused():
    with pytest.raises(ValueError, match="years"):
        poisson_trend(pd.Series([1, 2, 3, 4], index=["2022-01", "2022-02", "2022-03", "2022-04"]))


def _nb2_negloglik(theta: np.ndarray, y: np.ndarray, t: np.ndarray) -> float:
    # NB2: P(y) = Γ(y + 1/α) / (Γ(1/α) y!) × (1/(1 + αμ))^(1/α) × (αμ/(1 + αμ))^y, α = exp(θ₂)
    b0, b1, log_alpha = theta
    alpha = math.exp(log_alpha)
    mu = np.exp(b0 + b1 * t)
    size = 1.0 / alpha
    ll = (
        special.gammaln(y + size)
        - special.gammaln(size)
        - special.gammaln(y + 1)
        + size * np.log(size / (size + mu))
        + y * np.log(mu / (size + mu))
    )
    return -float(ll.sum())


def _direct_nb2_fit(y: np.ndarray, t: np.ndarray, alpha_start: float) -> optimize.OptimizeResult:
    """Maximise the NB2 log-likelihood with Nelder-Mead over (b0, b1, ln α): a second route."""
    start = np.array([math.log(y.mean()), 0.0, math.log(alpha_start)])
    return optimize.minimize(
        _nb2_negloglik,
        start,
        args=(y, t),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 20000},
    )


def test_negative_binomial_alpha_is_estimated_and_matches_direct_mle():
    rng = np.random.default_rng(3)
    t = np.arange(12, dtype=float)
    mu = 5000 * 1.04**t
    alpha_true = 0.01
    y = rng.negative_binomial(n=1 / alpha_true, p=1 / (1 + alpha_true * mu)).astype(float)
    series = pd.Series(y, index=range(2012, 2024))
    fit = negbin_trend(series)
    assert isinstance(fit, TrendFit)
    assert fit.converged
    opt = _direct_nb2_fit(y, t, alpha_start=0.05)  # second route: scipy on the log-likelihood
    assert fit.alpha == pytest.approx(math.exp(opt.x[2]), rel=1e-3)
    assert fit.log_slope == pytest.approx(opt.x[1], abs=1e-5)
    assert fit.log_likelihood == pytest.approx(-opt.fun, abs=1e-4)
    # AIC = −2 llf + 2 × 3 parameters (b0, b1, α)
    assert fit.aic == pytest.approx(2 * opt.fun + 6, abs=1e-3)
    # α is not fixed at 1 (the GLM-family default) and is near the construction
    assert 0.001 < fit.alpha < 0.05
    # the Poisson fit of the same data is strongly over-dispersed and has narrower intervals
    pois = poisson_trend(series)
    assert pois.pearson_dispersion > 10
    assert (pois.growth_ci[1] - pois.growth_ci[0]) < (fit.growth_ci[1] - fit.growth_ci[0])


def test_negative_binomial_converges_on_large_counts_where_bfgs_alone_stops_short():
    # the national recipients 2013–2023 as the book reads them (real curated figures): BFGS ends at
    # the optimum with a gradient of ~1e-3 and, on some CPUs, reports failure; the fit must
    # converge and agree with a direct maximisation of the NB2 log-likelihood
    y = np.array([120775, 125400, 127400, 130000, 132659, 133140, 129894, 124400, 119400, 131000, 152645.0])
    t = np.arange(len(y), dtype=float)
    fit = negbin_trend(pd.Series(y, index=range(2013, 2024)))
    assert isinstance(fit, TrendFit)
    assert fit.converged
    opt = _direct_nb2_fit(y, t, alpha_start=0.01)
    assert fit.log_slope == pytest.approx(opt.x[1], abs=1e-5)
    assert fit.alpha == pytest.approx(math.exp(opt.x[2]), rel=1e-3)


def test_negative_binomial_with_offset_recovers_rate_growth():
    # Exactly exponential counts with an offset: α goes to the boundary, growth is still exact-ish
    years = list(range(2014, 2024))
    pop = pd.Series([10_000 + 500 * t for t in range(10)], index=years)
    y = pd.Series([pop.iloc[t] * 0.05 * 1.06**t for t in range(10)], index=years)
    fit = negbin_trend(y, pop)
    assert fit.with_offset
    assert fit.growth_rate == pytest.approx(0.06, abs=1e-4)


def test_count_trends_table():
    y = pd.Series([120, 131, 150, 149, 170, 188], index=range(2018, 2024))
    table = count_trends(y)
    assert list(table["model"]) == ["poisson", "negative_binomial"]
    assert {"growth_rate", "growth_ci_low", "growth_ci_high", "alpha", "aic"} <= set(table.columns)
