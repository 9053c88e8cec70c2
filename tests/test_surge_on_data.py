"""The surge models on the curated data, each checked against an independent calculation.

(a) LMDI decomposition of the national (EAK) 2021 → 2024 change in gross payouts into volume
    (sa_recipients), real payment and inflation (cpi), checked against the log-mean formula written
    out with numpy.
(b) Interrupted time series of Søndre Nordstrand's (030115) monthly gross payouts 2022-01 … 2023-12
    (NOK 1000) with the break in 2022-09, checked against plain numpy least squares.

Both skip, saying what is missing, when the curated file or the figures are not there.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.models.breaks import fit_its
from analysis.models.decomposition import decompose_payout_change
from analysis.paths import project_paths

# Units the payouts may be printed in, as multiples of NOK (kept local: this test must not depend
# on the conversion module it would otherwise be checking).
NOK_PER_UNIT = {"NOK": 1.0, "NOK_1000": 1_000.0, "NOK_million": 1_000_000.0, "NOK_billion": 1_000_000_000.0}


@pytest.fixture(scope="module")
def observations() -> pd.DataFrame:
    path = project_paths().observations
    if not path.exists():
        pytest.skip(f"{path} does not exist yet (being curated)")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    frame = frame[(frame["preferred"].str.lower() == "true") & (frame["status"] == "actual")]
    return frame[frame["category"] == ""]


def _one_value(obs: pd.DataFrame, entity: str, indicator: str, period: str) -> tuple[float, str] | None:
    """The single preferred total for (entity, indicator, period) as (value, unit), or None."""
    rows = obs[(obs["entity_code"] == entity) & (obs["indicator"] == indicator) & (obs["period"] == period)]
    if rows.empty:
        return None
    distinct = {(float(v), u) for v, u in zip(rows["value"], rows["unit"], strict=True)}
    if len(distinct) > 1:
        # differing preferred values would be a curation error; in different units they may agree
        in_nok = {round(v * NOK_PER_UNIT.get(u, 1.0), 6) for v, u in distinct}
        if len(in_nok) > 1:
            pytest.fail(f"{entity} {indicator} {period}: several preferred values {sorted(distinct)}")
    return next(iter(sorted(distinct)))


def test_national_payout_change_2021_2024_lmdi(observations: pd.DataFrame) -> None:
    needed = {
        (ind, year): _one_value(observations, "EAK", ind, year)
        for ind in ("sa_payout_gross", "sa_recipients", "cpi")
        for year in ("2021", "2024")
    }
    missing = [f"{ind} {year}" for (ind, year), v in needed.items() if v is None]
    if missing:
        pytest.skip(
            "national (EAK) figures missing from the curated dataset (no stored public page prints them; "
            f"see data/curated/notes/README.md): {', '.join(missing)}"
        )
    v0 = needed[("sa_payout_gross", "2021")][0] * NOK_PER_UNIT[needed[("sa_payout_gross", "2021")][1]]
    v1 = needed[("sa_payout_gross", "2024")][0] * NOK_PER_UNIT[needed[("sa_payout_gross", "2024")][1]]
    r0, r1 = needed[("sa_recipients", "2021")][0], needed[("sa_recipients", "2024")][0]
    c0, c1 = needed[("cpi", "2021")][0], needed[("cpi", "2024")][0]

    result = decompose_payout_change(v0, v1, r0, r1, c0, c1)

    # Independent: the log-mean formula written out (Ang 2005), real payment per recipient in
    # 2021 prices computed directly as p_t = V_t / (R_t × CPI_t / CPI_2021).
    weight = (v1 - v0) / (np.log(v1) - np.log(v0))
    p0 = v0 / (r0 * 1.0)
    p1 = v1 / (r1 * (c1 / c0))
    expected = {
        "volume": weight * np.log(r1 / r0),
        "real_payment": weight * np.log(p1 / p0),
        "inflation": weight * np.log(c1 / c0),
    }
    for factor, value in expected.items():
        assert result.contributions[factor] == pytest.approx(value, rel=1e-9), factor
    assert sum(expected.values()) == pytest.approx(v1 - v0, rel=1e-9)
    assert math.fsum(result.contributions.values()) == pytest.approx(v1 - v0, rel=1e-12)


def test_sondre_nordstrand_monthly_break_2022_09(observations: pd.DataFrame) -> None:
    rows = observations[
        (observations["entity_code"] == "030115")
        & (observations["indicator"] == "sa_payout_gross")
        & (observations["unit"] == "NOK_1000")
        & observations["period"].str.fullmatch(r"20(22|23)-\d{2}")
    ]
    months = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)]
    got = set(rows["period"])
    missing = [m for m in months if m not in got]
    if missing:
        pytest.skip(f"Søndre Nordstrand monthly gross payouts not curated for {missing}")
    if rows["period"].duplicated().any():
        pytest.fail(
            f"several preferred values for months {sorted(rows.loc[rows['period'].duplicated(), 'period'])}"
        )
    series = pd.Series(rows["value"].astype(float).to_numpy(), index=rows["period"].to_numpy()).loc[months]

    result = fit_its(series, "2022-09")

    # Independent: y = b0 + b1 t + b2 D + b3 (t − 8) D by numpy least squares, t = 0 … 23 from 2022-01,
    # the break month 2022-09 is t = 8 (8 months before it, 16 from it).
    t = np.arange(24, dtype=float)
    d = (t >= 8).astype(float)
    X = np.column_stack([np.ones(24), t, d, (t - 8) * d])
    beta, *_ = np.linalg.lstsq(X, series.to_numpy(), rcond=None)
    assert (result.n_obs, result.n_pre, result.n_post) == (24, 8, 16)
    assert result.level_change == pytest.approx(beta[2], rel=1e-9)
    assert result.slope_change == pytest.approx(beta[3], rel=1e-9, abs=1e-9)
    assert result.pre_slope == pytest.approx(beta[1], rel=1e-9)
    assert result.counterfactual_at_break == pytest.approx(beta[0] + 8 * beta[1], rel=1e-9)
    fitted = X @ beta
    assert result.fitted.to_numpy() == pytest.approx(fitted, rel=1e-9)
    # R² = 1 − SSR/SST
    ssr = float(np.sum((series.to_numpy() - fitted) ** 2))
    sst = float(np.sum((series.to_numpy() - series.mean()) ** 2))
    assert result.r_squared == pytest.approx(1 - ssr / sst, rel=1e-9)
    assert result.maxlags == 2  # floor(4 × 0.24^(2/9)) = floor(2.913)
