"""Report sections computed from the committed dataset, checked against arithmetic written out here
from the printed figures (Søndre Nordstrand 2023 annual report, SSB/NOU CPI pages)."""

from __future__ import annotations

import math

import pytest

from analysis import sections as sec
from analysis.observations.run import open_run
from analysis.series.prices import cpi_levels


@pytest.fixture(scope="module")
def sondre_nordstrand():
    return open_run("030115", 2023, [])


def test_cpi_chained_from_published_change(sondre_nordstrand) -> None:
    levels = cpi_levels(sondre_nordstrand.observations)
    by_year = dict(zip(levels["period"], levels["value"], strict=True))
    # CPI 2022 = 122.8 (curated level); 2023 has no level, only "5,5 %" → 122.8 × 1.055 = 129.554
    assert by_year["2022"] == pytest.approx(122.8)
    assert by_year["2023"] == pytest.approx(129.554)


def test_payout_decomposition_2022_2023(sondre_nordstrand) -> None:
    s = sec.payout_decomposition(sondre_nordstrand, "t", 2022, 2023, "d")
    figures = {k.key: k.value for k in s.key_figures}
    # printed year totals of the monthly table (line 6881/6889): 140 199 and 194 302 (NOK 1,000);
    # recipients during the year (line 7400): 1 657 and 1 890; CPI ratio 1.055 (published change)
    v0, v1, r0, r1, ratio = 140199.0, 194302.0, 1657.0, 1890.0, 1.055
    weight = (v1 - v0) / (math.log(v1) - math.log(v0))
    assert figures["d_total"] == pytest.approx(54103.0)
    assert figures["d_volume"] == pytest.approx(weight * math.log(r1 / r0))
    assert figures["d_inflation"] == pytest.approx(weight * math.log(ratio))
    real0, real1 = v0 / r0, v1 / r1 / ratio
    assert figures["d_real_payment"] == pytest.approx(weight * math.log(real1 / real0))


def test_projection_uses_latest_growth(sondre_nordstrand) -> None:
    s = sec.projection(sondre_nordstrand, "p", "proj")
    figures = {k.key: k.value for k in s.key_figures}
    rec = sondre_nordstrand.observations

    def value(ind: str, year: str) -> float:
        rows = rec[
            (rec["entity_code"] == "030115")
            & (rec["indicator"] == ind)
            & (rec["period"] == year)
            & (rec["category"] == "")
            & (rec["status"] == "actual")
            & rec["preferred"]
        ]
        return float(rows["value"].iloc[0])

    r0, r1 = value("sa_recipients_monthly_avg", "2022"), value("sa_recipients_monthly_avg", "2023")
    p0, p1 = value("sa_payment_per_recipient_month", "2022"), value("sa_payment_per_recipient_month", "2023")
    central = r1 * (r1 / r0) * p1 * (p1 / p0) * 12
    assert figures["proj_central"] == pytest.approx(central)
    assert figures["proj_low"] == pytest.approx(r1 * p1 * 12)  # no growth
    assert figures["proj_low"] <= figures["proj_central"] <= figures["proj_high"]


def test_missing_section_names_the_supplier() -> None:
    ctx = open_run("1201", 2011, [])
    s = sec.monthly(ctx, "Monthly", "sa_payout_gross", "m")
    assert not s.available
    assert "No monthly figures" in s.missing and "SSB table 13995" in s.missing


def test_trend_too_short_says_so() -> None:
    ctx = open_run("1201", 2011, [])
    s = sec.count_trend(ctx, "Trend", [("sa_recipients", "")], "t")
    assert s.text.startswith("No trend estimate") and "at least 4" in s.text


def _assert_lmdi(
    figures: dict, key: str, v: tuple[float, float], r: tuple[float, float], p: tuple[float, float]
):
    """The log-mean (LMDI-I) contributions written out: w = (V1 − V0) / (ln V1 − ln V0)."""
    (v0, v1), (r0, r1), (p0, p1) = v, r, p
    weight = (v1 - v0) / (math.log(v1) - math.log(v0))
    assert figures[f"{key}_total"] == pytest.approx(v1 - v0)
    assert figures[f"{key}_volume"] == pytest.approx(weight * math.log(r1 / r0))
    assert figures[f"{key}_inflation"] == pytest.approx(weight * math.log(p1 / p0))
    assert figures[f"{key}_real_payment"] == pytest.approx(weight * math.log((v1 / r1 / p1) / (v0 / r0 / p0)))
    parts = figures[f"{key}_volume"] + figures[f"{key}_real_payment"] + figures[f"{key}_inflation"]
    assert parts == pytest.approx(v1 - v0)


def test_national_baseline_decomposition_2021_2023() -> None:
    ctx = open_run("EAK", 2023, [])
    s = sec.baseline_decomposition(ctx, "b")
    # 2021 is the latest pre-surge year with national payouts and recipients printed
    assert s.title.endswith("2021→2023")
    figures = {k.key: k.value for k in s.key_figures}
    # As printed: gross payouts 6,71 milliarder (2021, NTB/KOSTRA) = 6 710 000 NOK 1,000 and
    # 9 770 381 NOK 1,000 (2023, SSB key figures); recipients "om lag 119 400" (2021) and 152 645
    # (2023); CPI 2021 = 116.1, CPI 2023 = 122.8 × 1.055 (no 2023 level is curated).
    _assert_lmdi(figures, "b", (6_710_000.0, 9_770_381.0), (119_400.0, 152_645.0), (116.1, 122.8 * 1.055))
    # both rounded 2021 inputs are named under the section
    assert len(s.notes) == 2 and all("2021" in n for n in s.notes)
    assert "printed rounded" in s.text


def test_national_decomposition_2019_2023() -> None:
    ctx = open_run("EAK", 2023, [])
    s = sec.payout_decomposition(ctx, "t", 2019, 2023, "d")
    figures = {k.key: k.value for k in s.key_figures}
    # SSB figures as printed on the cited pages: gross payouts (NOK 1,000) 6 983 773 (2019) and
    # 9 770 381 (2023); recipients 129 894 and 152 645; CPI 2019 = 110.8, CPI 2022 = 122.8 and the
    # published change 2023 = 5.5 % → CPI 2023 = 122.8 × 1.055.
    _assert_lmdi(figures, "d", (6_983_773.0, 9_770_381.0), (129_894.0, 152_645.0), (110.8, 122.8 * 1.055))
    # every input exact: no rounding caveat
    assert s.notes == [] and "rounded" not in s.text
    # the notebook's "exact figures" baseline is this same split
    exact = sec.baseline_decomposition(ctx, "d", exact=True)
    assert exact.title.endswith("2019→2023")
    assert {k.key: k.value for k in exact.key_figures} == figures


def test_derived_2024_payout_is_marked_and_its_derivation_is_in_the_footer() -> None:
    from analysis.page.notebook import provenance_footer

    ctx = open_run("EAK", 2024, [])
    s = sec.annual_indicator(ctx, "Gross payouts", [("sa_payout_gross", "")], "p")
    assert s.title == "Gross payouts (2024 derived, not printed)"
    assert "derived, not printed" in s.text
    statuses = dict(zip(s.table["period"], s.table["status"], strict=True))
    assert statuses["2024"] == "derived, not printed" and statuses["2023"] == "actual"
    # 9 770 381 × 1,18 × 1,031 = 11 886 450 thousand kr, shown to the interval's precision only
    assert "11,89 billion kr (11,83–11,95)" in s.text and "11 886 450" not in s.text
    footer = provenance_footer(ctx, {}, s.sources, "d.csv", "n.ipynb", s.derived)
    assert "Derived figures on this page" in footer
    assert (
        "V_2023 * (1 + g_V / 100) * (1 + c_2024 / 100)" in footer
        and "nav-av-2025-06-sosialhjelp-2024" in footer
    )


def test_printed_years_do_not_use_derived_figures() -> None:
    ctx = open_run("EAK", 2023, [])
    s = sec.payout_decomposition(ctx, "t", 2022, 2023, "d")
    assert "derived" not in s.title and not s.derived
    assert not any(k.key.endswith("_low") for k in s.key_figures)
