"""Tests for analysis.present.charts: alt text carries the numbers; every chart has its source line."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis.observations.numbers import parse_norwegian_number  # noqa: E402
from analysis.present.charts import (  # noqa: E402
    annual_line_chart,
    figure_texts,
    grouped_bar_chart,
    monthly_chart,
    waterfall_chart,
)
from analysis.present.style import PALETTE, source_text  # noqa: E402
from analysis.present.text import format_number  # noqa: E402
from analysis.series.frame import series_frame  # noqa: E402

SOURCES = pd.DataFrame(
    {"source_id": ["sn-2023", "bjerke-2024"], "title": ["Årsberetning 2023 SN", "Årsberetning 2024 Bjerke"]}
)


def has_text(fig: Figure, text: str) -> bool:
    return any(text in t for t in figure_texts(fig))


def test_format_number() -> None:
    assert format_number(1657) == "1 657"
    assert format_number(10.5, 1) == "10,5"
    assert format_number(-17440) == "\u221217 440"
    assert format_number(1657, norwegian=False) == "1,657"
    assert format_number(-0.04, 1) == "0,0"
    assert format_number(float("nan")) == "n/a"  # the one missing-value rendering (present.text)


@given(st.integers(-(10**9), 10**9))
def test_norwegian_format_parses_back(n: int) -> None:
    assert int(parse_norwegian_number(format_number(n))) == n


def test_source_text_requires_ids() -> None:
    assert source_text(["sn-2023"], SOURCES) == "Source: sn-2023 (Årsberetning 2023 SN)"
    with pytest.raises(ValueError):
        source_text([])


def test_annual_line_chart() -> None:
    actual = series_frame({"2022": 25_000, "2023": 31_657, "2024": float("nan")}, "NOK_1000",
                          entity_code="030115", source_ids=["sn-2023"])  # fmt: skip
    actual.loc[2, "missing_reason"] = "not yet published"
    budget = series_frame({"2024": 28_000}, "NOK_1000", entity_code="030115", status="budget",
                          source_ids=["bjerke-2024"])  # fmt: skip
    fig, alt = annual_line_chart(
        pd.concat([actual, budget]),
        title="Gross payout",
        labels={"030115": "Søndre Nordstrand"},
        sources=SOURCES,
    )
    assert isinstance(fig, Figure)
    for expected in ("2022 25 000", "2023 31 657", "2024 28 000", "budget, dashed line", "not yet published"):
        assert expected in alt
    src = "Sources: bjerke-2024 (Årsberetning 2024 Bjerke); sn-2023 (Årsberetning 2023 SN)"
    assert has_text(fig, src)  # the source line is in the image (and the caption), not in the alt text
    assert "sn-2023" not in alt and len(alt) <= 300
    ax = fig.axes[0]
    styles = {line.get_label(): line.get_linestyle() for line in ax.get_lines()}
    assert styles["Søndre Nordstrand"] == "-" and styles["Søndre Nordstrand (budget)"] == "--"
    assert ax.get_lines()[0].get_color().lower() == PALETTE[0].lower()
    assert ax.get_ylim()[0] == 0  # levels (all ≥ 0) are drawn from zero


def test_annual_line_chart_english_and_no_sources() -> None:
    data = series_frame({"2015": 1657.25, "2016": 10.5}, "NOK", source_ids=["x"])
    _, alt = annual_line_chart(data, title="t", norwegian=False, decimals=1)
    assert "2015 1,657.2" in alt or "2015 1,657.3" in alt
    with pytest.raises(ValueError):
        annual_line_chart(series_frame({"2015": 1.0}, "NOK"), title="t")


def test_monthly_chart() -> None:
    # 2022: months 1..12 worth 100..210 in steps of 10 → total = 12 × 155 = 1 860
    # 2023: each month 50 higher → total 1 860 + 600 = 2 460; change 600 = 32,3 % (600 / 1 860)
    values = {f"2022-{m:02d}": 90 + 10 * m for m in range(1, 13)}
    values |= {f"2023-{m:02d}": 140 + 10 * m for m in range(1, 13)}
    data = series_frame(values, "NOK_1000", source_ids=["sn-2023"])
    for kind in ("bar", "line"):
        fig, alt = monthly_chart(data, years=(2022, 2023), title="Monthly gross payout", kind=kind)
        assert "2022: total 1 860 over 12 months" in alt
        assert "2023: total 2 460" in alt
        assert "highest Dec 260" in alt  # 2023 December = 140 + 10 × 12 = 260; English months
        assert "lowest Jan 100" in alt  # 2022 January = 90 + 10 × 1 = 100
        assert len(alt) <= 300
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert ticks == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        assert "600 (32,3 %)" in alt
        assert has_text(fig, "Source: sn-2023")


def test_waterfall_chart() -> None:
    # start 100, +12,5, −3,2, +8,0 → end 100 + 12,5 − 3,2 + 8,0 = 117,3
    fig, alt = waterfall_chart(
        {"Volume": 12.5, "Price": -3.2, "Inflation": 8.0}, start=("2022", 100.0), end_label="2023",
        title="Change in gross payout", unit="NOK_million", source_ids=["sn-2023"], sources=SOURCES,
    )  # fmt: skip
    for expected in (
        "start (2022) 100,0",
        "Volume +12,5",
        "Price \u22123,2",
        "Inflation +8,0",
        "end (2023) 117,3",
    ):
        assert expected in alt
    assert has_text(fig, "Source: sn-2023 (Årsberetning 2023 SN)")
    fig2, alt2 = waterfall_chart([("a", 1000.0), ("b", -250.0)], title="Contributions", source_ids=["x"])
    assert "a +1 000; b \u2212250; sum +750" in alt2  # 1 000 − 250 = 750
    with pytest.raises(ValueError):
        waterfall_chart({"a": 1.0}, title="t")


def test_grouped_bar_chart() -> None:
    data = pd.DataFrame(
        {
            "period": ["2015", "2015", "2016", "2016"],
            "name": ["Ski", "Oppegård", "Ski", "Oppegård"],
            "value": [53_661.0, float("nan"), 61_928.0, 54_738.0],
            "unit": "NOK",
            "source_ids": [("nf-kb",)] * 4,
            "missing_reason": ["", "printed value implausible", "", ""],
        }
    )
    fig, alt = grouped_bar_chart(data, x="period", hue="name", title="Payout per case")
    assert "2015: Ski 53 661, Oppegård n/a (printed value implausible)" in alt
    assert "2016: Ski 61 928, Oppegård 54 738" in alt
    assert has_text(fig, "Source: nf-kb")
    assert len(fig.axes[0].patches) == 3  # the missing bar is left out
