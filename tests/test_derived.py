"""Derived figures (analysis.observations.derived, .intervals): formulas, rounding, corner bounds, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.models.decomposition import decompose_payout_change_bounds
from analysis.observations.derived import compute, parse_inputs, printed_input
from analysis.observations.intervals import (
    DerivedError,
    corner_bounds,
    evaluate,
    formula_names,
    half_width,
    rounding_interval,
)
from analysis.sections.derived import approx


def test_evaluate_arithmetic_by_hand() -> None:
    # 152 645 × (1 + 14/100) = 174 015,3
    assert evaluate("R * (1 + g / 100)", {"R": 152645, "g": 14}) == pytest.approx(174015.3)
    assert evaluate("-(a - b) / 2", {"a": 3, "b": 7}) == 2.0
    assert formula_names("V * (1 + g / 100) * (1 + c / 100)") == {"V", "g", "c"}


@pytest.mark.parametrize("formula", ["abs(x)", "x ** 2", "x.real", "[x]", "x if x else 1", "'a'"])
def test_evaluate_refuses_anything_but_arithmetic(formula: str) -> None:
    with pytest.raises(DerivedError):
        evaluate(formula, {"x": 1.0})


def test_evaluate_names_a_missing_input() -> None:
    with pytest.raises(DerivedError, match="'y', which is not among its inputs"):
        evaluate("x + y", {"x": 1.0})


@pytest.mark.parametrize(
    ("text", "unit", "quality", "half"),
    [
        ("14", "percent", "exact", 0.5),  # "14 %" stands for 13,5–14,5 %
        ("3.1", "percent", "exact", 0.05),
        ("9770381", "NOK_1000", "exact", 0.5),  # thousand kroner, rounded to the thousand
        ("152645", "persons", "exact", 0.0),  # a count printed exactly is exact
        ("131000", "persons", "rounded", 500.0),  # "om lag 131 000"
        ("119400", "persons", "rounded", 50.0),
        ("6.71", "NOK_billion", "rounded", 0.005),  # billions are only ever printed rounded
        ("7.4", "NOK_billion", "rounded", 0.05),
    ],
)
def test_half_width_of_printed_numbers(text: str, unit: str, quality: str, half: float) -> None:
    assert half_width(text, unit, quality) == pytest.approx(half)


def test_a_bound_has_no_rounding_interval() -> None:
    with pytest.raises(DerivedError, match="bound"):
        rounding_interval("50", "percent", "lower_bound")
    with pytest.raises(DerivedError, match="suspect"):
        rounding_interval("692", "persons", "suspect")


def test_corner_bounds_of_a_product_by_hand() -> None:
    f = lambda v: v["R"] * (1 + v["g"] / 100)  # noqa: E731
    assert corner_bounds(f, {"R": 100.0, "g": 14.0}, {"R": (99.5, 100.5), "g": (13.5, 14.5)}) == (
        pytest.approx(99.5 * 1.135),
        pytest.approx(100.5 * 1.145),
    )


def test_corner_bounds_refuse_a_formula_that_is_not_monotone() -> None:
    # x(y − 0.5) on the unit square: falls in x along the edge y = 0, rises along y = 1
    f = lambda v: v["x"] * (v["y"] - 0.5)  # noqa: E731
    with pytest.raises(DerivedError, match="not monotone in 'x'"):
        corner_bounds(f, {"x": 0.5, "y": 0.5}, {"x": (0.0, 1.0), "y": (0.0, 1.0)})


def test_parse_inputs() -> None:
    refs = parse_inputs("R=EAK/2023/sa_recipients//src-a | g=EAK/2024/x_pct/base_year=2021/src-b")
    assert [(r.name, r.period, r.category, r.source_id) for r in refs] == [
        ("R", "2023", "", "src-a"),
        ("g", "2024", "base_year=2021", "src-b"),
    ]
    with pytest.raises(DerivedError, match="not name="):
        parse_inputs("R=EAK/2023")


def _obs(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(entity_code="EAK", period=p, indicator=i, category="", value=v, unit=u, status="actual",
                 source_id=s, locator="section: x", excerpt=v, preferred="true", note="")
            for p, i, v, u, s in rows
        ]
    )  # fmt: skip


def test_printed_input_keeps_the_narrowest_of_agreeing_rows() -> None:
    obs = _obs(
        [
            ("2021", "sa_payout_gross", "6.71", "NOK_billion", "a"),
            ("2021", "sa_payout_gross", "6710", "NOK_million", "b"),
        ]
    )
    p = printed_input(obs, "EAK", "2021", "sa_payout_gross")
    assert (p.text, p.unit, p.source_ids) == ("6710", "NOK_million", ("a", "b"))
    assert (p.low, p.high) == (6709.5, 6710.5)
    disagree = _obs(
        [
            ("2021", "sa_payout_gross", "6.71", "NOK_billion", "a"),
            ("2021", "sa_payout_gross", "6800", "NOK_million", "b"),
        ]
    )
    with pytest.raises(DerivedError, match="disagree"):
        printed_input(disagree, "EAK", "2021", "sa_payout_gross")
    with pytest.raises(DerivedError, match="no preferred printed row for EAK 2020"):
        printed_input(obs, "EAK", "2020", "sa_payout_gross")


def test_rounding_is_read_from_the_quality_column_not_the_note() -> None:
    # 2022: "131000" with quality rounded and a note without any hedge word → ±500 (to the thousand);
    # 2021: "119400" with quality exact although the note says "om lag" → an exact count, ±0.
    obs = pd.DataFrame(
        [
            dict(entity_code="EAK", period=p, indicator="sa_recipients", category="", value=v, unit="persons",
                 status="actual", source_id="src", locator="section: x", excerpt=v, preferred="true",
                 note=n, quality=q)
            for p, v, n, q in [
                ("2022", "131000", "from the SSB article's intro", "rounded"),
                ("2021", "119400", "'om lag' in the sentence before", "exact"),
            ]
        ]
    )  # fmt: skip
    rounded = printed_input(obs, "EAK", "2022", "sa_recipients")
    exact = printed_input(obs, "EAK", "2021", "sa_recipients")
    assert (rounded.low, rounded.high, rounded.quality) == (130500.0, 131500.0, "rounded")
    assert (exact.low, exact.high, exact.quality) == (119400.0, 119400.0, "exact")
    # a derived ratio R_2022 / R_2021 over those intervals:
    # 130 500 / 119 400 = 1.092965 (low) … 131 500 / 119 400 = 1.101340 (high); 2021 does not widen it
    inputs = "R_2022=EAK/2022/sa_recipients//src | R_2021=EAK/2021/sa_recipients//src"
    row = dict(derived_id="d", entity_code="EAK", period="2022", indicator="x", category="", unit="ratio",
               formula="R_2022 / R_2021", inputs=inputs, note="")  # fmt: skip
    fig = compute(row, obs)
    assert fig.value == pytest.approx(131000 / 119400)
    assert (fig.low, fig.high) == (pytest.approx(130500 / 119400), pytest.approx(131500 / 119400))
    assert round(fig.low, 6) == 1.092965 and round(fig.high, 6) == 1.10134


def test_lmdi_bounds_on_a_hand_example() -> None:
    # V 100 → 100 × 1.2 × 1.1 = 132 with growth g ∈ [19, 21] %, prices c ∈ [9, 11] %, R 10 → 11 exact.
    # Shares: volume ln 1.1/ln(1.2 × 1.1) = 0.0953102/0.2776317 = 0.343297 at the centre;
    # min ln 1.1/ln(1.21 × 1.11), max ln 1.1/ln(1.19 × 1.09).
    def build(v):
        return 100.0, 100.0 * (1 + v["g"] / 100) * (1 + v["c"] / 100), 10.0, 11.0, 1.0, 1 + v["c"] / 100

    b = decompose_payout_change_bounds(build, {"g": 20.0, "c": 10.0}, {"g": (19.0, 21.0), "c": (9.0, 11.0)})
    assert b.central.shares()["volume"] == pytest.approx(math.log(1.1) / math.log(1.32))
    lo, hi = b.shares["volume"]
    assert lo == pytest.approx(math.log(1.1) / math.log(1.21 * 1.11))
    assert hi == pytest.approx(math.log(1.1) / math.log(1.19 * 1.09))
    assert b.total == (pytest.approx(100 * (1.19 * 1.09 - 1)), pytest.approx(100 * (1.21 * 1.11 - 1)))
    # real payment ln(1 + g) − ln 1.1: share min at g low, c high
    assert b.shares["real_payment"][0] == pytest.approx(
        (math.log(1.19) - math.log(1.1)) / math.log(1.19 * 1.11)
    )
    assert b.corners == 4


def test_lmdi_bounds_refuse_a_change_that_may_be_zero() -> None:
    def build(v):
        return 100.0, 100.0 * (1 + v["g"] / 100), 10.0, 10.0, 1.0, 1.0

    with pytest.raises(DerivedError, match="can be zero"):
        decompose_payout_change_bounds(build, {"g": 0.2}, {"g": (-0.3, 0.7)})


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((11_886_450.1, 11_830_343.1, 11_942_606.0, "NOK_1000"), "11,89 billion kr (11,83–11,95)"),
        ((174_015.3, 173_252.1, 174_778.5, "persons"), "174 000 persons (173 200–174 800)"),
        # an exact level follows the book's money convention: 9 770 381 000 kr → 9,8 billion kr
        ((9_770_381.0, 9_770_380.5, 9_770_381.5, "NOK_1000"), "9,8 billion kr"),
    ],
)
def test_approx_rounds_to_the_interval_and_outwards(args, text) -> None:
    assert approx(*args) == text


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [
        # the 2023→2024 volume contribution, NOK million: half-width 124 → hundreds, outwards
        (1414.2, 1299.4, 1538.1, (1400, 1200, 1600, 0)),
        (372.0, 277.3, 469.6, (370, 270, 470, 0)),  # half-width 97 → tens
        (66.8, 63.04, 70.8, (67, 63, 71, 0)),  # a share in percent
        (11.894, 11.831, 11.952, (11.89, 11.83, 11.96, 2)),  # billions: half-width 0.063 → 0.01
    ],
)
def test_a_value_is_rounded_to_its_interval(value, low, high, expected) -> None:
    from analysis.sections.derived_terms import rounded_interval

    got = rounded_interval(value, low, high)
    assert got is not None
    assert got[3] == expected[3]
    assert got[:3] == pytest.approx(expected[:3], abs=1e-9)


def test_an_exact_level_is_not_rounded() -> None:
    from analysis.sections.derived_terms import rounded_interval

    assert rounded_interval(152645.0, 152645.0, 152645.0) is None
    assert rounded_interval(1000.0, 999.9, 1000.1) is None  # below the fourth digit


def test_a_column_is_rounded_at_one_precision() -> None:
    from analysis.sections.derived_terms import rounded_interval

    # the inflation share 15,6 % (15,0–16,2) beside shares known to the whole per cent
    assert rounded_interval(15.6, 15.04, 16.2) == (15.6, 15.0, 16.2, 1)
    assert rounded_interval(15.6, 15.04, 16.2, 0) == (16, 15, 17, 0)
