"""Interrupted time series (segmented regression) on monthly data, and a data-driven break search.

The model (Wagner et al. 2002; Bernal, Cummins & Gasparrini 2017) for month t = 0, 1, …, counted
from the first observed month:

    y_t = b0 + b1·t + b2·D_t + b3·(t − t_b)·D_t + e_t,     D_t = 1 if t ≥ t_b else 0

t_b is the break month. b2 is the level change at the break month (the jump from the extrapolated
pre-break trend), b3 the change in slope; the post-break slope term (t − t_b)·D_t is zero in the
break month itself, so b2 is measured at t_b. The counterfactual is b0 + b1·t (pre-break trend
continued).

Estimation: ``statsmodels.api.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L,
"use_correction": True}, use_t=True)`` — Newey–West (1987) standard errors with the Bartlett kernel.
L defaults to floor(4·(n/100)^(2/9)), the Newey–West (1994) plug-in rule (n = 24 months gives
L = 2): monthly payouts are autocorrelated, so plain OLS errors are too small, but with two or three
years of data a large L leaves the long-run variance estimate very noisy. ``use_correction`` applies
the small-sample factor n/(n − k) and ``use_t`` uses t(n − k) quantiles; both help with short series.

The default break month is 2022-09: from 1 September 2022 child benefit (barnetrygd) no longer
counts as income when social assistance is assessed.

The break search (:func:`scan_breaks`) fits the same model for every candidate month leaving at
least ``min_segment`` observations on each side and picks the month with the smallest residual
sum of squares, which is the month with the largest Chow-type F statistic for H0: b2 = b3 = 0
(Quandt 1960; Andrews 1993). The pointwise F p-value is NOT valid for the maximum (sup-F); use
Andrews' (1993) critical values for a formal test. It is a check on the chosen month, not a test.

References: A. K. Wagner et al. (2002), J. Clin. Pharm. Ther. 27, 299–309; J. L. Bernal, S. Cummins,
A. Gasparrini (2017), Int. J. Epidemiol. 46(1), 348–355; W. K. Newey, K. D. West (1987),
Econometrica 55, 703–708, and (1994), Rev. Econ. Stud. 61, 631–653; D. W. K. Andrews (1993),
Econometrica 61, 821–856; statsmodels ``RegressionResults`` / ``cov_type="HAC"`` documentation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

DEFAULT_BREAK_MONTH = "2022-09"
COEFFICIENTS: tuple[str, ...] = ("const", "time", "level_change", "slope_change")


class InsufficientDataError(ValueError):
    """Too few observations to fit the model (e.g. too few months on one side of the break)."""


def newey_west_maxlags(n_obs: int) -> int:
    """Newey–West (1994) plug-in lag length floor(4·(n/100)^(2/9)) (at least 0)."""
    if n_obs < 1:
        raise ValueError("n_obs must be positive")
    return int(math.floor(4.0 * (n_obs / 100.0) ** (2.0 / 9.0)))


def _monthly(y: pd.Series) -> pd.Series:
    """``y`` re-indexed by a monthly ``PeriodIndex``, sorted, NaN dropped; duplicates refused."""
    if not isinstance(y, pd.Series):
        raise TypeError("y must be a pandas Series indexed by month")
    index = y.index
    if isinstance(index, pd.PeriodIndex):
        months = index.asfreq("M")
    elif isinstance(index, pd.DatetimeIndex):
        months = index.to_period("M")
    else:
        try:
            months = pd.PeriodIndex([pd.Period(str(v), freq="M") for v in index])
        except (ValueError, TypeError) as exc:
            raise ValueError(f"index must hold months such as '2022-09': {exc}") from exc
    out = pd.Series(pd.to_numeric(y.to_numpy(), errors="raise").astype(float), index=months)
    if out.index.duplicated().any():
        dupes = sorted({str(p) for p in out.index[out.index.duplicated()]})
        raise ValueError(f"duplicate months: {dupes}")
    out = out.sort_index()
    out = out[np.isfinite(out.to_numpy())]
    return out


def _month(value: str | pd.Period) -> pd.Period:
    return value.asfreq("M") if isinstance(value, pd.Period) else pd.Period(str(value), freq="M")


def _design(months: pd.PeriodIndex, break_month: pd.Period, seasonal: bool) -> pd.DataFrame:
    first = months[0]
    t = np.array([p.ordinal - first.ordinal for p in months], dtype=float)
    tb = float(break_month.ordinal - first.ordinal)
    d = (t >= tb).astype(float)
    frame = pd.DataFrame(
        {"const": 1.0, "time": t, "level_change": d, "slope_change": (t - tb) * d}, index=months
    )
    if seasonal:
        for m in range(2, 13):
            frame[f"month_{m:02d}"] = np.array([float(p.month == m) for p in months])
        # drop month dummies that are constant zero (months never observed)
        frame = frame.loc[:, (frame != 0).any(axis=0) | frame.columns.isin(COEFFICIENTS)]
    return frame


@dataclass(frozen=True)
class ITSResult:
    """Segmented-regression estimates for one break month (see the module docstring)."""

    break_month: str
    n_obs: int
    n_pre: int
    n_post: int
    maxlags: int
    conf_level: float
    level_change: float
    level_change_ci: tuple[float, float]
    level_change_pvalue: float
    slope_change: float
    slope_change_ci: tuple[float, float]
    slope_change_pvalue: float
    pre_slope: float
    post_slope: float
    counterfactual_at_break: float
    r_squared: float
    params: pd.Series
    bse: pd.Series
    observed: pd.Series
    fitted: pd.Series
    counterfactual: pd.Series
    seasonal: bool
    method: str

    @property
    def relative_level_change(self) -> float:
        """b2 / (counterfactual in the break month); NaN when that counterfactual is not positive."""
        if self.counterfactual_at_break <= 0:
            return math.nan
        return self.level_change / self.counterfactual_at_break

    def summary(self) -> dict[str, Any]:
        """Scalars only, for tables and glue."""
        return {
            "break_month": self.break_month,
            "n_obs": self.n_obs,
            "n_pre": self.n_pre,
            "n_post": self.n_post,
            "maxlags": self.maxlags,
            "level_change": self.level_change,
            "level_change_ci_low": self.level_change_ci[0],
            "level_change_ci_high": self.level_change_ci[1],
            "level_change_pvalue": self.level_change_pvalue,
            "slope_change": self.slope_change,
            "slope_change_ci_low": self.slope_change_ci[0],
            "slope_change_ci_high": self.slope_change_ci[1],
            "slope_change_pvalue": self.slope_change_pvalue,
            "pre_slope": self.pre_slope,
            "post_slope": self.post_slope,
            "relative_level_change": self.relative_level_change,
            "r_squared": self.r_squared,
        }


def _split_counts(months: pd.PeriodIndex, brk: pd.Period) -> tuple[int, int]:
    n_pre = int(sum(p < brk for p in months))
    return n_pre, len(months) - n_pre


def fit_its(
    y: pd.Series,
    break_month: str | pd.Period = DEFAULT_BREAK_MONTH,
    *,
    maxlags: int | None = None,
    min_per_side: int = 6,
    conf_level: float = 0.95,
    seasonal: bool = False,
) -> ITSResult:
    """Fit y_t = b0 + b1·t + b2·D_t + b3·(t − t_b)·D_t by OLS with Newey–West (HAC) errors.

    Exact call: ``sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags,
    "use_correction": True}, use_t=True)``; ``maxlags`` defaults to :func:`newey_west_maxlags`
    (floor(4·(n/100)^(2/9)), Newey & West 1994). ``y`` is a Series indexed by month (``PeriodIndex``,
    ``DatetimeIndex`` or strings ``'YYYY-MM'``); missing months are allowed (t counts calendar
    months), NaN values are dropped. ``seasonal=True`` adds calendar-month dummies (February …
    December against January), which costs up to 11 degrees of freedom.

    Raises :class:`InsufficientDataError` when fewer than ``min_per_side`` observations lie on
    either side of the break (the break month counts as post-break) or when fewer than two residual
    degrees of freedom remain.
    """
    if min_per_side < 2:
        raise ValueError("min_per_side must be at least 2 (a slope needs two points on each side)")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be in (0, 1)")
    series = _monthly(y)
    brk = _month(break_month)
    n_pre, n_post = _split_counts(series.index, brk)
    if n_pre < min_per_side or n_post < min_per_side:
        raise InsufficientDataError(
            f"break {brk}: {n_pre} observations before and {n_post} from the break month; "
            f"at least {min_per_side} are required on each side"
        )
    design = _design(series.index, brk, seasonal)
    n, k = design.shape
    if n - k < 2:
        raise InsufficientDataError(
            f"{n} observations for {k} parameters: too few residual degrees of freedom"
        )
    lags = newey_west_maxlags(n) if maxlags is None else int(maxlags)
    if lags < 0:
        raise ValueError("maxlags must be non-negative")
    res = sm.OLS(series, design).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    alpha = 1.0 - conf_level
    ci = res.conf_int(alpha=alpha)
    params = res.params
    cf_design = design.copy()
    cf_design["level_change"] = 0.0
    cf_design["slope_change"] = 0.0
    counterfactual = pd.Series(
        cf_design.to_numpy() @ params.to_numpy(), index=series.index, name="counterfactual"
    )
    # the counterfactual in the break month itself (t = t_b), also when that month is not observed
    t_b = float(brk.ordinal - series.index[0].ordinal)
    cf_at_break = float(params["const"] + params["time"] * t_b)
    if seasonal and f"month_{brk.month:02d}" in params.index:
        cf_at_break += float(params[f"month_{brk.month:02d}"])
    return ITSResult(
        break_month=str(brk),
        n_obs=int(n),
        n_pre=n_pre,
        n_post=n_post,
        maxlags=lags,
        conf_level=conf_level,
        level_change=float(params["level_change"]),
        level_change_ci=(float(ci.loc["level_change", 0]), float(ci.loc["level_change", 1])),
        level_change_pvalue=float(res.pvalues["level_change"]),
        slope_change=float(params["slope_change"]),
        slope_change_ci=(float(ci.loc["slope_change", 0]), float(ci.loc["slope_change", 1])),
        slope_change_pvalue=float(res.pvalues["slope_change"]),
        pre_slope=float(params["time"]),
        post_slope=float(params["time"] + params["slope_change"]),
        counterfactual_at_break=cf_at_break,
        r_squared=float(res.rsquared),
        params=params.copy(),
        bse=res.bse.copy(),
        observed=series.rename("observed"),
        fitted=pd.Series(res.fittedvalues.to_numpy(), index=series.index, name="fitted"),
        counterfactual=counterfactual,
        seasonal=seasonal,
        method=(
            f"OLS, HAC (Newey-West, Bartlett kernel, maxlags={lags}, small-sample correction), "
            f"t({n - k}) inference"
        ),
    )


@dataclass(frozen=True)
class BreakScan:
    """Result of :func:`scan_breaks`: one row per candidate month, and the best candidate."""

    table: pd.DataFrame
    best_month: str
    sup_f: float
    ssr_no_break: float
    min_segment: int
    note: str


def _ssr(design: np.ndarray, y: np.ndarray) -> float:
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(resid @ resid)


def scan_breaks(
    y: pd.Series,
    *,
    min_segment: int = 6,
    candidates: list[str] | None = None,
    seasonal: bool = False,
) -> BreakScan:
    """Scan candidate break months; choose the one with the smallest SSR (= the largest F).

    For each candidate month m with at least ``min_segment`` observations on each side, fit the
    segmented model by least squares (``numpy.linalg.lstsq``) and compute the Chow-type statistic
    for H0: b2 = b3 = 0 against the linear trend (plus month dummies if ``seasonal``):

        F(m) = [(SSR_0 − SSR(m)) / 2] / [SSR(m) / (n − k)]

    ``sup_f`` = max_m F(m) (Andrews 1993). ``p_pointwise`` is the F(2, n − k) p-value for one
    pre-specified month and does not account for the search. Raises :class:`InsufficientDataError`
    when no candidate satisfies the segment length.
    """
    if min_segment < 2:
        raise ValueError("min_segment must be at least 2")
    series = _monthly(y)
    months = series.index
    values = series.to_numpy()
    if candidates is None:
        cand = list(months[min_segment : len(months) - min_segment + 1])
    else:
        cand = [_month(c) for c in candidates]
    rows: list[dict[str, Any]] = []
    ssr0: float | None = None
    for brk in cand:
        n_pre, n_post = _split_counts(months, brk)
        if n_pre < min_segment or n_post < min_segment:
            continue
        design = _design(months, brk, seasonal)
        n, k = design.shape
        if n - k < 1:
            continue
        if ssr0 is None:
            ssr0 = _ssr(design.drop(columns=["level_change", "slope_change"]).to_numpy(), values)
        ssr = _ssr(design.to_numpy(), values)
        f_stat = ((ssr0 - ssr) / 2.0) / (ssr / (n - k)) if ssr > 0 else math.inf
        rows.append(
            {
                "month": str(brk),
                "n_pre": n_pre,
                "n_post": n_post,
                "ssr": ssr,
                "f_stat": f_stat,
                "p_pointwise": float(stats.f.sf(f_stat, 2, n - k)) if math.isfinite(f_stat) else 0.0,
            }
        )
    if not rows or ssr0 is None:
        raise InsufficientDataError(
            f"no candidate break month leaves {min_segment} observations on each side of {len(months)} months"
        )
    table = pd.DataFrame(rows)
    best = int(table["ssr"].to_numpy().argmin())
    return BreakScan(
        table=table,
        best_month=str(table.loc[best, "month"]),
        sup_f=float(table.loc[best, "f_stat"]),
        ssr_no_break=ssr0,
        min_segment=min_segment,
        note=(
            "best month = minimum SSR = maximum F; p_pointwise ignores the search over months, "
            "so it overstates significance of sup-F (use Andrews 1993 critical values)"
        ),
    )
