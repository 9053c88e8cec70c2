"""Like with like, on small hand-made observation tables (INVENTED TEST DATA, not from any source):
a breakdown reads only the entity's own rows of one table, a suspect row never enters a computed
value, and a result from rounded inputs is printed at the precision of its least precise input."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import sections as sec
from analysis.observations.dataset import Dataset, load_dataset
from analysis.observations.run import RunContext


def row(entity, period, indicator, value, unit="percent", *, category="", source="doc-a", locator="line 1",
        preferred=True, quality="exact", status="actual"):  # fmt: skip
    """One invented observation (typed: value float, preferred bool)."""
    return {
        "entity_code": entity, "period": period, "indicator": indicator, "category": category,
        "value": float(value), "unit": unit, "status": status, "source_id": source, "locator": locator,
        "excerpt": "", "preferred": preferred, "note": "invented", "quality": quality,
    }  # fmt: skip


@pytest.fixture(scope="module")
def reference() -> Dataset:
    """The real entities, indicators and sources tables (the observations are replaced per test)."""
    return load_dataset(include_ssb=False)


SHARES = ("sa_recipients_share", "main_income")


def context(reference: Dataset, entity: str, year: int, rows: list[dict]) -> RunContext:
    obs = pd.DataFrame(rows)
    data = Dataset(obs, reference.sources, reference.entities, reference.indicators)
    return RunContext(entity, year, reference.entity_name(entity), obs, data, "test")


def test_composition_for_ski_reads_only_skis_rows(reference: Dataset) -> None:
    # Ski 0213 and Oppegård 0217 (siblings, merged into 3020 in 2020) each print shares by main income
    rows = [
        row("0213", "2016", "sa_recipients_share", 53.2, category="main_income=social_assistance"),
        row("0213", "2016", "sa_recipients_share", 46.8, category="main_income=other"),
        row("0217", "2016", "sa_recipients_share", 55.0, category="main_income=social_assistance"),
        row("0217", "2016", "sa_recipients_share", 10.0, category="main_income=work"),
        row("3020", "2016", "sa_recipients_share", 99.0, category="main_income=national_insurance"),
    ]
    parts = sec.composition_rows(pd.DataFrame(rows), reference.entities, "0213", 2016, "sa_recipients_share",
                                 "main_income")  # fmt: skip
    assert dict(zip(parts["group"], parts["value"], strict=True)) == {
        "social_assistance": 53.2,
        "other": 46.8,
    }
    # Nordre Follo 3020 in 2016 (before the merger) has no breakdown of its own: none of Ski's or
    # Oppegård's shares is presented as Nordre Follo's, and its own 99 is one group, not a breakdown
    nf = sec.composition(
        context(reference, "3020", 2016, rows), "t", "sa_recipients_share", "main_income", "k"
    )
    assert not nf.available and "one group only" in nf.missing


def test_single_group_is_not_a_breakdown(reference: Dataset) -> None:
    rows = [row("0213", "2016", "sa_recipients_share", 53.2, category="main_income=social_assistance")]
    s = sec.composition(
        context(reference, "0213", 2016, rows), "t", "sa_recipients_share", "main_income", "k"
    )
    assert not s.available
    assert "one group only (social assistance: 53,2 %)" in s.missing


def test_composition_uses_one_table_and_says_when_parts_do_not_add_up(reference: Dataset) -> None:
    # Bergen-like: a table on line 18 (28.8 + 71.2 = 100) and the text on line 10 printing 31.7 for
    # one group (preferred for the series). Mixing them would sum to 102.9; the table alone adds up.
    rows = [
        row("1201", "2011", "sa_recipients_share", 28.8, category="main_income=social_assistance",
            locator="line 18", preferred=False),
        row("1201", "2011", "sa_recipients_share", 71.2, category="main_income=other", locator="line 18"),
        row("1201", "2011", "sa_recipients_share", 31.7, category="main_income=social_assistance",
            locator="line 10"),
    ]  # fmt: skip
    s = sec.composition(
        context(reference, "1201", 2011, rows), "t", "sa_recipients_share", "main_income", "k"
    )
    assert list(s.table["value"]) == [28.8, 71.2]
    assert set(s.table["locator"]) == {"line 18"}
    assert s.figure is not None
    # a table whose printed shares sum to 90 % (invented): said, not charted
    short = [
        row("1201", "2011", "sa_recipients_share", 60.0, category="main_income=work", locator="line 5"),
        row("1201", "2011", "sa_recipients_share", 30.0, category="main_income=other", locator="line 5"),
    ]
    s = sec.composition(
        context(reference, "1201", 2011, short), "t", "sa_recipients_share", "main_income", "k"
    )
    assert s.figure is None
    assert "The parts sum to 90 %, not the 100 % of the whole" in s.text


def test_suspect_row_never_enters_a_computed_value(reference: Dataset) -> None:
    # Oppegård-like: 2015 payout per recipient printed "692" (digits lost) between 49 030 and 54 738
    rows = [
        row("0217", "2014", "sa_payout_per_recipient", 49030, "NOK"),
        row("0217", "2015", "sa_payout_per_recipient", 692, "NOK", preferred=False, quality="suspect"),
        row("0217", "2016", "sa_payout_per_recipient", 54738, "NOK"),
    ]
    ctx = context(reference, "0217", 2016, rows)
    s = sec.annual_indicator(ctx, "t", [("sa_payout_per_recipient", "")], "k")
    figures = {k.key: k.value for k in s.key_figures}
    assert figures == {"k": 54738.0}  # no 2015 point, so no change from 692
    assert list(s.table["period"]) == ["2014", "2016"]
    ctx15 = context(reference, "0217", 2015, rows)
    assert not sec.annual_indicator(ctx15, "t", [("sa_payout_per_recipient", "")], "k").available


def comparison_row(code, role, period, value, unit="NOK", basis="cases", indicator="sa_payout_per_recipient"):
    """One invented row of a compare_entities table."""
    from analysis.series.compare import COMPARISON_COLUMNS

    values = dict.fromkeys(COMPARISON_COLUMNS, "")
    values.update(entity_code=code, name=code, role=role, indicator=indicator, period=period,
                  value=float(value), unit=unit, counting_basis=basis, source_ids=("s",))  # fmt: skip
    values["derived"] = False
    return values


def test_comparison_needs_the_entitys_own_figure_and_one_basis() -> None:
    from analysis.series.compare import like_with_like

    spec = [("sa_payout_per_recipient", "")]
    table = pd.DataFrame(
        [
            comparison_row("P", "peer", "2011", 48580),  # a peer's figure, but none for the entity
            comparison_row("E", "entity", "2008", 40000),  # the entity's, 16 years before 2024
        ]
    )
    assert like_with_like(table, 2024, spec).table.empty
    table = pd.DataFrame(
        [
            comparison_row("E", "entity", "2023", 50000),
            comparison_row("P", "peer", "2021", 40000),  # nearest within three years, in 2021 kroner
            comparison_row("Q", "peer", "2023", 45000, basis="unique recipients"),  # other basis
            comparison_row("R", "peer", "2011", 30000),  # twelve years away
        ]
    )
    chosen = like_with_like(table, 2024, spec, cpi={2021: 100.0, 2023: 110.0})
    assert chosen.reference_year == 2023
    assert list(chosen.table["entity_code"]) == ["E", "P"]
    # 40 000 kroner of 2021 in 2023 kroner: 40 000 × 110 / 100 = 44 000
    assert list(chosen.table["value"]) == pytest.approx([50000.0, 44000.0])
    assert list(chosen.table["gap_years"]) == [0, -2]
    assert chosen.excluded == (
        "Q: counted as unique recipients, not cases like the entity",
        "R: the nearest figure is from 2011, 12 years from 2023",
    )


@pytest.mark.parametrize(
    ("value", "unit", "step", "expected"),
    [
        # worked by hand: 7 400 000 thousand kr known to 100 000 thousand (0,1 billion)
        (7_400_000, "NOK_1000", 100_000, "about 7,4 billion kr"),
        (6.71, "NOK_billion", 0.01, "about 6,71 billion kr"),
        (131_000, "persons", 1_000, "about 131 000 persons"),
        (2_370_381, "NOK_1000", 100_000, "about 2,4 billion kr"),
        (32.03, "percent", 1.8, "about 32 %"),
        (9_770_381, "NOK_1000", 0, "9 770 381 thousand kr"),  # exact: as printed, no "about"
    ],
)
def test_format_at_precision(value: float, unit: str, step: float, expected: str) -> None:
    from analysis.present.text import format_at_precision

    assert format_at_precision(value, unit, step) == expected


def test_result_from_rounded_inputs_is_printed_at_their_precision(reference: Dataset) -> None:
    # national-like: 2022 printed "7,4 milliarder" (rounded), 2023 exact in thousand kroner
    rows = [
        row("EAK", "2022", "sa_payout_gross", 7.4, "NOK_billion", quality="rounded", source="article"),
        row("EAK", "2023", "sa_payout_gross", 9_770_381, "NOK_1000", source="table"),
    ]
    s = sec.annual_indicator(context(reference, "EAK", 2023, rows), "t", [("sa_payout_gross", "")], "k")
    # 9 770 381 − 7 400 000 = 2 370 381 thousand kr, known to 0,1 billion → "about 2,4 billion kr";
    # 2 370 381 / 7 400 000 = 32,03 %, which moves by 32,03 − 30,27 = 1,8 points with 0,1 billion
    # money in prose has one decimal in billions (book/methods.md): 9 770 381 thousand kr → 9,8 billion
    assert "2023: **9,8 billion kr**" in s.text
    assert "In 2022: about 7,4 billion kr (change about 2,4 billion kr, about 32 %)" in s.text
    assert s.notes == [
        "Gross social assistance paid 2022: 7,4 billion kr as printed (article), rounded — invented"
    ]
    # the same inputs printed exactly: no "about"
    exact = [dict(r, quality="exact", unit="NOK_1000", value=7_400_000.0) if r["period"] == "2022" else r
             for r in rows]  # fmt: skip
    s = sec.annual_indicator(context(reference, "EAK", 2023, exact), "t", [("sa_payout_gross", "")], "k")
    assert "about" not in s.text and "(change 2,4 billion kr, 32,0 %)" in s.text


def test_oppegard_lists_its_set_aside_692_and_ski_does_not(reference: Dataset) -> None:
    # the committed data: Nordre Follo knowledge base line 541 prints "692" for Oppegård 2015
    # (digits lost in extraction, curation note); it is listed on Oppegård's page, not on Ski's
    from analysis.sections.overview import set_aside_figures

    obs = reference.typed_observations()
    listed = set_aside_figures(obs, reference.indicators, reference.entities, "0217", 2016)
    assert list(zip(listed["period"], listed["value"], listed["locator"], strict=True)) == [
        ("2015", 692.0, "line 541")
    ]
    assert set_aside_figures(obs, reference.indicators, reference.entities, "0213", 2016).empty
    ctx = RunContext("0217", 2016, "Oppegård", obs, reference, "test")
    s = sec.annual_indicator(ctx, "t", [("sa_payout_per_recipient", "")], "k")
    assert "2015" not in set(s.table["period"])
    assert any(n.startswith("Gross payout per recipient 2015: 692 kr as printed") for n in s.notes)


def test_change_in_a_share_is_in_percentage_points(reference: Dataset) -> None:
    # Ski 2015 49,7 % → 2016 53,2 %: +3,5 percentage points; no relative "7,0 %" of a share
    rows = [
        row("0213", "2015", "sa_recipients_share", 49.7, category="main_income=social_assistance"),
        row("0213", "2016", "sa_recipients_share", 53.2, category="main_income=social_assistance"),
    ]
    s = sec.annual_indicator(
        context(reference, "0213", 2016, rows),
        "t",
        [("sa_recipients_share", "main_income=social_assistance")],
        "k",
    )
    assert "In 2015: 49,7 % (change 3,5 percentage points)." in s.text
    assert [kf.key for kf in s.key_figures if kf.key.endswith("_change_pct")] == []
