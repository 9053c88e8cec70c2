"""Trends in annual counts: Poisson GLM and negative binomial (NB2) with the dispersion estimated.

Both models are log-linear in the year, with an optional population offset:

    ln E[y_t] = b0 + b1·(year_t − first year) + ln(N_t)       (ln N_t only with a population)

so exp(b1) − 1 is the annual growth rate of the count (or of the rate y/N with an offset), and its
confidence interval is exp(b1 ± z·se(b1)) − 1 (Wald interval transformed; Cameron & Trivedi 2013,
ch. 3).

* Poisson: ``sm.GLM(y, X, family=sm.families.Poisson(), offset=ln N).fit()``. Var(y) = μ.
  ``pearson_dispersion`` = Pearson χ² / (n − k) is reported; values far above 1 mean the Poisson
  standard errors are too small (use the negative binomial or read the interval with care).
* Negative binomial NB2: ``sm.NegativeBinomial(y, X, loglike_method="nb2", offset=ln N)
  .fit(disp=0, maxiter=…)`` — the discrete-model NB, the same estimator as
  ``smf.negativebinomial``, which ESTIMATES α in Var(y) = μ + α·μ² by maximum likelihood.
  (``GLM(family=NegativeBinomial())`` would silently fix α = 1.)

Annual counts of recipients are large (thousands), so Poisson intervals are usually far too narrow
and α is small but decisive; with very few years α is poorly determined. Series with fewer than
``min_points`` (default 4) observations are not fitted: a :class:`TrendNotEstimated` says why.

References: A. C. Cameron, P. K. Trivedi (2013), Regression Analysis of Count Data, 2nd ed.,
Cambridge UP, ch. 3; statsmodels documentation for ``GLM`` and
``statsmodels.discrete.discrete_model.NegativeBinomial``.

Pure numerical functions; imports nothing from the package.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

MIN_POINTS = 4
Model = Literal["poisson", "negative_binomial"]


@dataclass(frozen=True)
class TrendNotEstimated:
    """No fit: the reason is in ``reason``. ``estimated`` is always False."""

    model: str
    n_obs: int
    reason: str
    estimated: bool = False

    def summary(self) -> dict[str, Any]:
        """The same keys as :meth:`TrendFit.summary` that apply: model, n_obs, estimated, reason."""
        return {"model": self.model, "n_obs": self.n_obs, "estimated": False, "reason": self.reason}


@dataclass(frozen=True)
class TrendFit:
    """A fitted log-linear count trend. ``alpha`` is None for Poisson (α = 0 by assumption)."""

    model: str
    n_obs: int
    first_year: int
    last_year: int
    growth_rate: float
    growth_ci: tuple[float, float]
    log_slope: float
    log_slope_se: float
    p_value: float
    alpha: float | None
    alpha_se: float | None
    aic: float
    log_likelihood: float
    pearson_dispersion: float
    with_offset: bool
    converged: bool
    conf_level: float
    fitted: pd.Series
    warnings: tuple[str, ...] = field(default_factory=tuple)
    estimated: bool = True

    def summary(self) -> dict[str, Any]:
        """Scalars only, for tables and glue."""
        return {
            "model": self.model,
            "n_obs": self.n_obs,
            "estimated": True,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "growth_rate": self.growth_rate,
            "growth_ci_low": self.growth_ci[0],
            "growth_ci_high": self.growth_ci[1],
            "p_value": self.p_value,
            "alpha": self.alpha,
            "aic": self.aic,
            "pearson_dispersion": self.pearson_dispersion,
            "converged": self.converged,
            "with_offset": self.with_offset,
            "reason": "; ".join(self.warnings),
        }


def _years(index: pd.Index) -> np.ndarray:
    years: list[int] = []
    for v in index:
        if isinstance(v, pd.Period):
            years.append(int(v.year))
            continue
        text = str(v).strip()
        if not (text.isdigit() and len(text) == 4):
            raise ValueError(f"index must hold years such as 2022 or '2022', got {v!r}")
        years.append(int(text))
    return np.asarray(years, dtype=int)


def _prepare(
    counts: pd.Series, population: pd.Series | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, pd.Index]:
    """Years, counts and log-offset aligned by year; NaN counts dropped; bad values refused."""
    if not isinstance(counts, pd.Series):
        raise TypeError("counts must be a pandas Series indexed by year")
    years = _years(counts.index)
    y = pd.to_numeric(pd.Series(counts.to_numpy()), errors="raise").astype(float).to_numpy()
    frame = pd.DataFrame({"year": years, "y": y})
    if population is not None:
        pop = pd.Series(
            pd.to_numeric(pd.Series(population.to_numpy()), errors="raise").astype(float).to_numpy(),
            index=_years(population.index),
        )
        if pop.index.duplicated().any():
            raise ValueError("duplicate years in population")
        frame["pop"] = frame["year"].map(pop)
    if frame["year"].duplicated().any():
        raise ValueError(f"duplicate years: {sorted(frame.loc[frame['year'].duplicated(), 'year'])}")
    frame = frame[np.isfinite(frame["y"])].sort_values("year")
    if (frame["y"] < 0).any():
        raise ValueError("counts must be non-negative")
    offset = None
    if population is not None:
        if frame["pop"].isna().any():
            missing = frame.loc[frame["pop"].isna(), "year"].tolist()
            raise ValueError(f"population missing for years {missing}")
        if (frame["pop"] <= 0).any():
            raise ValueError("population must be strictly positive (log offset)")
        offset = np.log(frame["pop"].to_numpy())
    return frame["year"].to_numpy(), frame["y"].to_numpy(), offset, pd.Index(frame["year"], name="year")


def _too_short(model: str, n: int, min_points: int, y: np.ndarray) -> TrendNotEstimated | None:
    if n < min_points:
        return TrendNotEstimated(
            model, n, f"{n} annual observations; at least {min_points} are needed for a trend"
        )
    if np.all(y == 0):
        return TrendNotEstimated(model, n, "all counts are zero; no growth rate is defined")
    return None


def _growth(b: float, se: float, conf_level: float) -> tuple[float, tuple[float, float]]:
    z = float(stats.norm.ppf(0.5 + conf_level / 2.0))
    return math.expm1(b), (math.expm1(b - z * se), math.expm1(b + z * se))


def _trend_fit(
    model: str,
    fit: tuple[np.ndarray, np.ndarray, np.ndarray | None, pd.Index, Any, list],
    conf_level: float,
    *,
    alpha: tuple[float, float] | None,
    chi2: float,
    converged: bool,
    fitted: np.ndarray,
) -> TrendFit:
    """The :class:`TrendFit` of a statsmodels result whose second parameter is the log slope (Poisson
    GLM and NB2 alike). ``fit`` is (years, design matrix, offset, index, result, caught warnings);
    ``alpha`` is NB2's (α, se) or None; ``chi2`` the Pearson χ². Growth and its Wald CI come from the
    slope, the Pearson dispersion is χ²/dof (NaN without degrees of freedom)."""
    years, X, offset, index, res, caught = fit
    b, se = float(np.asarray(res.params)[1]), float(np.asarray(res.bse)[1])
    growth, ci = _growth(b, se, conf_level)
    dof = len(years) - X.shape[1]
    return TrendFit(
        model=model,
        n_obs=len(years),
        first_year=int(years[0]),
        last_year=int(years[-1]),
        growth_rate=growth,
        growth_ci=ci,
        log_slope=b,
        log_slope_se=se,
        p_value=float(np.asarray(res.pvalues)[1]),
        alpha=None if alpha is None else alpha[0],
        alpha_se=None if alpha is None else alpha[1],
        aic=float(res.aic),
        log_likelihood=float(res.llf),
        pearson_dispersion=chi2 / dof if dof > 0 else math.nan,
        with_offset=offset is not None,
        converged=converged,
        conf_level=conf_level,
        fitted=pd.Series(np.asarray(fitted), index=index, name="fitted"),
        warnings=tuple(str(w.message) for w in caught),
    )


def poisson_trend(
    counts: pd.Series,
    population: pd.Series | None = None,
    *,
    min_points: int = MIN_POINTS,
    conf_level: float = 0.95,
) -> TrendFit | TrendNotEstimated:
    """Poisson GLM trend: ``sm.GLM(y, [1, year − first], family=Poisson(), offset=ln N).fit()``.

    Growth = exp(b1) − 1, CI exp(b1 ± z·se) − 1 with z the normal quantile (Wald). ``counts`` and
    ``population`` are Series indexed by year (int, ``'YYYY'`` or annual ``Period``); years may have
    gaps. Returns :class:`TrendNotEstimated` for fewer than ``min_points`` observations.
    """
    years, y, offset, index = _prepare(counts, population)
    short = _too_short("poisson", len(y), min_points, y)
    if short:
        return short
    X = np.column_stack([np.ones(len(y)), (years - years[0]).astype(float)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit()
    fit = (years, X, offset, index, res, caught)
    chi2, converged, mu = float(res.pearson_chi2), bool(res.converged), res.fittedvalues
    return _trend_fit("poisson", fit, conf_level, alpha=None, chi2=chi2, converged=converged, fitted=mu)


def negbin_trend(
    counts: pd.Series,
    population: pd.Series | None = None,
    *,
    min_points: int = MIN_POINTS,
    conf_level: float = 0.95,
    maxiter: int = 500,
) -> TrendFit | TrendNotEstimated:
    """Negative binomial (NB2) trend with α estimated by maximum likelihood.

    ``sm.NegativeBinomial(y, [1, year − first], loglike_method="nb2", offset=ln N)
    .fit(disp=0, maxiter=maxiter)`` (the estimator behind ``smf.negativebinomial``);
    Var(y) = μ + α·μ². Growth = exp(b1) − 1 with a Wald CI as in :func:`poisson_trend`.
    When the data are not over-dispersed, α drifts to 0 and the optimiser may not converge: the
    result then carries ``converged=False`` and the optimiser's warnings; read it as "no evidence
    of extra-Poisson variation" rather than as a precise α.
    """
    years, y, offset, index = _prepare(counts, population)
    short = _too_short("negative_binomial", len(y), min_points, y)
    if short:
        return short
    if len(y) < 3 + 1:
        return TrendNotEstimated("negative_binomial", len(y), "NB2 has 3 parameters; too few years")
    X = np.column_stack([np.ones(len(y)), (years - years[0]).astype(float)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = sm.NegativeBinomial(y, X, loglike_method="nb2", offset=offset)
        res = model.fit(disp=0, maxiter=maxiter)
        if not res.mle_retvals.get("converged", False):
            # BFGS stops on an absolute gradient tolerance; with counts in the hundred thousands it
            # can end at the optimum (gradient ~1e-3 on a log-likelihood of ~1e2) yet report failure,
            # and whether it does differs between CPUs. A few Newton steps from where it stopped
            # settle it: they converge when it was the optimum and fail when it was not.
            polished = model.fit(start_params=res.params, method="newton", disp=0, maxiter=50)
            if polished.mle_retvals.get("converged", False) and np.all(np.isfinite(polished.params)):
                res = polished
    alpha = float(np.asarray(res.params)[-1]), float(np.asarray(res.bse)[-1])
    mu = np.asarray(res.predict())
    chi2 = float(np.sum((y - mu) ** 2 / (mu + alpha[0] * mu**2)))
    converged = bool(res.mle_retvals.get("converged", False)) if res.mle_retvals else False
    fit = (years, X, offset, index, res, caught)
    return _trend_fit(
        "negative_binomial", fit, conf_level, alpha=alpha, chi2=chi2, converged=converged, fitted=mu
    )


def count_trends(
    counts: pd.Series,
    population: pd.Series | None = None,
    *,
    min_points: int = MIN_POINTS,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Both models side by side: one row per model from ``summary()`` (fitted or not)."""
    fits = [
        poisson_trend(counts, population, min_points=min_points, conf_level=conf_level),
        negbin_trend(counts, population, min_points=min_points, conf_level=conf_level),
    ]
    return pd.DataFrame([f.summary() for f in fits])
