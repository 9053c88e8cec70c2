"""The surge models on the curated data, each checked against an independent calculation.

(a) LMDI decomposition of the national (EAK) 2021 → 2024 change in gross payouts into volume
    (sa_recipients), real payment and inflation (cpi), checked against the log-mean formula written
    out with numpy.
(b) Interrupted time series of Søndre Nordstrand's (030115) monthly gross payouts 2022-01 … 2023-12
    (NOK 1000) with the break in 2022-09, checked against plain numpy least squares.

(a) no longer skips: no stored page prints the 2024 level, so the test derives it by hand from SSB's
2023 levels and NAV's printed 2023→2024 rates, as ``data/curated/derived_observations.csv`` does;
(b) skips, saying what is missing, when the monthly figures are not there.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.models.breaks import fit_its
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


def _printed(obs: pd.DataFrame, indicator: str, period: str) -> float:
    """A national printed figure in NOK 1,000 for money, else as printed; fails (never skips) if absent."""
    found = _one_value(obs, "EAK", indicator, period)
    assert found is not None, f"EAK {indicator} {period} is not in the curated dataset"
    value, unit = found
    return value * NOK_PER_UNIT[unit] / 1000 if unit in NOK_PER_UNIT else value


@pytest.fixture(scope="module")
def national_2024():
    from analysis.observations.run import open_run

    return open_run("EAK", 2024, [])


def _figures(section) -> dict:
    assert section.available, section.missing
    return {k.key: k.value for k in section.key_figures}


def test_national_payout_change_2021_2024_lmdi(observations: pd.DataFrame, national_2024) -> None:
    """2021→2024 from the printed inputs, 2024 derived by hand: no stored page prints the 2024 level."""
    from analysis import sections as sec
    from analysis.observations.dataset import read_text_table

    # Printed inputs: SSB's exact 2023 levels; NAV's 2023→2024 changes (recipients +14 %,
    # price-adjusted expenditure +18 %); CPI changes 2022 5,8 %, 2023 5,5 %, 2024 3,1 %;
    # 2021: 6,71 milliarder (NTB/KOSTRA) and "om lag 119 400".
    r23, v23 = (
        _printed(observations, "sa_recipients", "2023"),
        _printed(observations, "sa_payout_gross", "2023"),
    )
    g_r = _printed(observations, "sa_recipients_change_pct", "2024")
    g_v = _printed(observations, "sa_payout_gross_real_change_pct", "2024")
    c22, c23, c24 = (_printed(observations, "cpi_change", y) for y in ("2022", "2023", "2024"))
    v21, r21 = (
        _printed(observations, "sa_payout_gross", "2021"),
        _printed(observations, "sa_recipients", "2021"),
    )
    assert (r23, v23, g_r, g_v, c24) == (152_645, 9_770_381, 14, 18, 3.1)
    assert (v21, r21, c22, c23) == (6_710_000, 119_400, 5.8, 5.5)

    # 2024 derived by hand: R = 152 645 × 1,14 = 174 015,3; V = 9 770 381 × 1,18 × 1,031 = 11 886 450,1
    r24 = r23 * (1 + g_r / 100)
    v24 = v23 * (1 + g_v / 100) * (1 + c24 / 100)
    assert r24 == pytest.approx(174_015.3)
    assert v24 == pytest.approx(11_886_450.117, abs=1e-3)
    derived = read_text_table(project_paths().derived_observations).set_index("indicator")
    assert float(derived.at["sa_recipients", "value"]) == pytest.approx(r24, abs=0.5)
    assert float(derived.at["sa_payout_gross", "value"]) == pytest.approx(v24, abs=0.5)

    s = sec.baseline_decomposition(national_2024, "b")
    assert s.title.startswith("Since before the surge: 2021→2024") and "derived, not printed" in s.title
    figures = _figures(s)
    # LMDI-I by hand (Ang 2005): w = (V1 − V0)/(ln V1 − ln V0), P ratio chained from the changes
    ratio = (1 + c22 / 100) * (1 + c23 / 100) * (1 + c24 / 100)
    weight = (v24 - v21) / (np.log(v24) - np.log(v21))
    expected = {
        "volume": weight * np.log(r24 / r21),
        "real_payment": weight * np.log((v24 / r24 / ratio) / (v21 / r21)),
        "inflation": weight * np.log(ratio),
    }
    assert figures["b_total"] == pytest.approx(v24 - v21)
    assert figures["b_price_ratio"] == pytest.approx(ratio, abs=1e-6)
    for factor, value in expected.items():
        assert figures[f"b_{factor}"] == pytest.approx(value, rel=1e-9), factor
    assert sum(expected.values()) == pytest.approx(v24 - v21, rel=1e-9)
    # the rounded 2021 inputs are named under the section; 2024 is said to be derived
    assert len(s.notes) == 2 and all("2021" in n for n in s.notes)
    assert "2024 is derived, not printed" in s.text and s.derived


def test_national_2023_2024_interval_bounds_by_hand(national_2024) -> None:
    """The interval the rounding of 14 %, 18 % and 3,1 % allows, worked out by hand.

    With u = ln(1 + g_V), v = ln(1 + g_R), w = ln(1 + c): ln(V1/V0) = u + w, volume share
    v/(u + w), real payment (u − v)/(u + w), inflation w/(u + w) — each monotone in each rate, so
    the bounds take each rate at the end that pushes the share down (or up). V₂₀₂₃ = 9 770 381
    (NOK 1,000, ± 0,5) and R₂₀₂₃ = 152 645 (exact) drop out of the shares.
    """
    from analysis import sections as sec

    ln = math.log
    u_lo, u_hi = ln(1.175), ln(1.185)
    v_lo, v_hi = ln(1.135), ln(1.145)
    w_lo, w_hi = ln(1.0305), ln(1.0315)
    shares = {
        "volume": (v_lo / (u_hi + w_hi), v_hi / (u_lo + w_lo)),
        "real_payment": ((u_lo - v_hi) / (u_lo + w_hi), (u_hi - v_lo) / (u_hi + w_lo)),
        "inflation": (w_lo / (u_hi + w_lo), w_hi / (u_lo + w_hi)),
    }
    total = (9_770_380.5 * (1.175 * 1.0305 - 1), 9_770_381.5 * (1.185 * 1.0315 - 1))
    s = sec.payout_decomposition(national_2024, "t", 2023, 2024, "d")
    figures = _figures(s)
    assert figures["d_total_low"] == pytest.approx(total[0], rel=1e-12)
    assert figures["d_total_high"] == pytest.approx(total[1], rel=1e-12)
    for factor, (lo, hi) in shares.items():
        assert figures[f"d_{factor}_pct_low"] == pytest.approx(100 * lo, abs=0.006), factor
        assert figures[f"d_{factor}_pct_high"] == pytest.approx(100 * hi, abs=0.006), factor
        # contributions: total × share, both positive, so the ends multiply
        assert figures[f"d_{factor}_low"] == pytest.approx(total[0] * lo, rel=1e-9), factor
        assert figures[f"d_{factor}_high"] == pytest.approx(total[1] * hi, rel=1e-9), factor
    # by hand at the printed rates: volume ln 1,14 / ln(1,18 × 1,031) = 0,13103 / 0,19604 = 66,8 %
    assert figures["d_volume_pct"] == pytest.approx(66.8, abs=0.05)
    # the derived levels' own intervals: 152 645 × [1,135; 1,145] and V₂₀₂₃ × [1,175 × 1,0305; 1,185 × 1,0315]
    pay = _figures(sec.annual_indicator(national_2024, "Gross payouts", [("sa_payout_gross", "")], "p"))
    assert (pay["p_low"], pay["p_high"]) == pytest.approx(
        (9_770_380.5 * 1.175 * 1.0305, 9_770_381.5 * 1.185 * 1.0315), rel=1e-12
    )
    rec = _figures(sec.annual_indicator(national_2024, "Recipients", [("sa_recipients", "")], "r"))
    assert (rec["r_low"], rec["r_high"]) == pytest.approx((152_645 * 1.135, 152_645 * 1.145), rel=1e-12)


def test_national_2021_2024_cross_check_with_nav(national_2024) -> None:
    """NAV prints "over 50 %" and "nesten 4 milliarder" for 2021→2024 (price-adjusted): by hand,
    V₂₀₂₄ / (V₂₀₂₁ × P) − 1 = 11 886 450 / (6 710 000 × 1,058 × 1,055 × 1,031) − 1 = 53,9 %, and
    V₂₀₂₄ − V₂₀₂₁ × P = 11 886 450 − 7 721 814 = 4 164 637 thousand kr (2024 kroner): over 4 billion."""
    from analysis import sections as sec

    figures = _figures(sec.payout_decomposition(national_2024, "t", 2021, 2024, "d"))
    ratio = 1.058 * 1.055 * 1.031
    v24 = 9_770_381 * 1.18 * 1.031
    assert 100 * (v24 / (6_710_000 * ratio) - 1) == pytest.approx(53.93, abs=0.01)
    assert (
        figures["d_check_growth_low"] < 100 * (v24 / (6_710_000 * ratio) - 1) < figures["d_check_growth_high"]
    )
    assert figures["d_check_growth_low"] > 50 and figures["d_check_growth_verdict"] == "agrees"
    change = v24 - 6_710_000 * ratio
    assert change == pytest.approx(4_164_637, abs=1)
    assert figures["d_check_change_low"] < change < figures["d_check_change_high"]
    # even the lowest corner exceeds 4 billion: change = (1 + c₂₄)[V₂₀₂₃(1 + g_V) − V₂₀₂₁(1 + c₂₂)(1 + c₂₃)]
    # rises with c₂₄, g_V, V₂₀₂₃ and falls with V₂₀₂₁, c₂₂, c₂₃, so the lowest corner is
    # 1,0305 × (9 770 380,5 × 1,175 − 6 715 000 × 1,0585 × 1,0555) = 4 099 210 (> 4 000 000)
    low = 1.0305 * (9_770_380.5 * 1.175 - 6_715_000 * 1.0585 * 1.0555)
    assert figures["d_check_change_low"] == pytest.approx(low, rel=1e-12)
    assert figures["d_check_change_high"] == pytest.approx(
        1.0315 * (9_770_381.5 * 1.185 - 6_705_000 * 1.0575 * 1.0545), rel=1e-12
    )
    assert figures["d_check_change_verdict"] == "does not agree"


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
