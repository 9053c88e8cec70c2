"""Tests for analysis.series: selection, preferred rows, units, frequencies, code changes."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.observations.dataset import read_text_table
from analysis.observations.lineage import lineage
from analysis.paths import project_paths
from analysis.sections.base import approximate_inputs
from analysis.series.frame import SERIES_COLUMNS, SeriesConflictError, series_caveats, series_frame
from analysis.series.harmonise import harmonised_series
from analysis.series.select import (
    RoundedInput,
    is_additive,
    printed_step,
    propagated_step,
    rounded_inputs,
    select_series,
    suspect_rows,
)
from analysis.series.units import UnitError


def obs_row(entity, period, indicator, value, unit="persons", *, category="", status="actual",
            source="src-a", locator="line 1", preferred=True, quality="exact"):  # fmt: skip
    return {
        "entity_code": entity, "period": period, "indicator": indicator, "category": category,
        "value": float(value), "unit": unit, "status": status, "source_id": source, "locator": locator,
        "excerpt": "", "preferred": preferred, "note": "", "quality": quality,
    }  # fmt: skip


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


@pytest.fixture(scope="module")
def entities() -> pd.DataFrame:
    return read_text_table(project_paths().entities)


def test_select_basic_sorted_with_sources() -> None:
    obs = frame(
        obs_row("030109", "2011", "sa_recipients", 1200, source="b"),
        obs_row("030109", "2009", "sa_recipients", 1100, source="a"),
        obs_row("030109", "2009", "sa_recipients", 1100, source="c", locator="line 9"),  # same number twice
        obs_row("030109", "2011", "sa_recipients", 99, category="age=18-24"),
        obs_row("030109", "2011", "sa_recipients", 1300, status="budget"),
        obs_row("030115", "2011", "sa_recipients", 5),
    )
    s = select_series(obs, "030109", "sa_recipients")
    assert list(s.columns) == list(SERIES_COLUMNS)
    assert list(s["period"]) == ["2009", "2011"]
    assert list(s["value"]) == [1100.0, 1200.0]
    assert s["source_ids"].iloc[0] == ("a", "c")
    assert (s["missing_reason"] == "").all()
    assert list(select_series(obs, "030109", "sa_recipients", status="budget")["value"]) == [1300.0]
    assert list(select_series(obs, "030109", "sa_recipients", category="age=18-24")["value"]) == [99.0]


def test_preferred_row_wins_and_conflict_names_rows() -> None:
    obs = frame(
        obs_row("1201", "2011", "sa_recipients", 8000, source="text", locator="line 3", preferred=False),
        obs_row("1201", "2011", "sa_recipients", 8100, source="table", locator="line 40"),
    )
    assert list(select_series(obs, "1201", "sa_recipients")["value"]) == [8100.0]
    both = obs.assign(preferred=True)
    with pytest.raises(SeriesConflictError) as err:
        select_series(both, "1201", "sa_recipients")
    msg = str(err.value)
    assert "line 3" in msg and "line 40" in msg and "8000" in msg and "8100" in msg


def test_no_preferred_rows_must_agree() -> None:
    obs = frame(obs_row("0301", "2020", "sa_recipients", 10, preferred=False))
    assert list(select_series(obs, "0301", "sa_recipients")["value"]) == [10.0]


def test_units_converted_and_cross_scale_agreement() -> None:
    # 29.7 mill and 29 712 thousand: |29 712 − 29 700| = 12 thousand ≤ half a printed digit of
    # 29.7 (0.05 mill = 50 thousand), so they agree; the finer value 29 712 thousand is kept.
    obs = frame(
        obs_row("030115", "2023", "sa_payout_gross", 29.7, "NOK_million", source="text"),
        obs_row("030115", "2023", "sa_payout_gross", 29712, "NOK_1000", source="table"),
        obs_row("030115", "2022", "sa_payout_gross", 25000, "NOK_1000"),
    )
    s = select_series(obs, "030115", "sa_payout_gross")
    assert s["unit"].iloc[0] == "NOK_1000"
    assert list(s["value"]) == [25000.0, 29712.0]
    assert s["source_ids"].iloc[1] == ("table", "text")
    in_mill = select_series(obs, "030115", "sa_payout_gross", unit="NOK_million")
    assert in_mill["value"].tolist() == pytest.approx([25.0, 29.712])
    # 29.8 mill vs 29 712 thousand differ by 88 thousand > 50: a conflict
    bad = obs.copy()
    bad.loc[0, "value"] = 29.8
    with pytest.raises(SeriesConflictError):
        select_series(bad, "030115", "sa_payout_gross")
    with pytest.raises(UnitError):
        select_series(obs, "030115", "sa_payout_gross", unit="percent")


def test_monthly_and_annual_kept_apart() -> None:
    obs = frame(
        obs_row("030115", "2023", "sa_payout_gross", 300, "NOK_1000"),
        obs_row("030115", "2023-01", "sa_payout_gross", 20, "NOK_1000"),
        obs_row("030115", "2023-02", "sa_payout_gross", 30, "NOK_1000"),
    )
    assert list(select_series(obs, "030115", "sa_payout_gross")["period"]) == ["2023"]
    monthly = select_series(obs, "030115", "sa_payout_gross", frequency="monthly")
    assert list(monthly["period"]) == ["2023-01", "2023-02"]


def test_empty_selection_is_an_empty_frame() -> None:
    s = select_series(frame(obs_row("0301", "2020", "sa_cases", 1, "cases")), "0301", "sa_recipients")
    assert s.empty and list(s.columns) == list(SERIES_COLUMNS)


def test_lineage_from_entities_table(entities: pd.DataFrame) -> None:
    nf = lineage(entities, "3207")
    assert nf.same == ("3020", "3207") and nf.parts == ("0213", "0217") and nf.merged_from == 2020
    assert lineage(entities, "4601").same == ("1201", "4601")
    assert lineage(entities, "1201").same == ("1201", "4601")
    assert lineage(entities, "5001").same == ("1601", "5001")
    ski = lineage(entities, "0213")
    assert ski.same == ("0213",) and ski.parts == ()
    with pytest.raises(KeyError):
        lineage(entities, "9999")


def test_renumbered_codes_joined(entities: pd.DataFrame) -> None:
    obs = frame(
        obs_row("1201", "2019", "sa_payout_gross", 500, "NOK_million"),
        obs_row("4601", "2020", "sa_payout_gross", 520, "NOK_million"),
        obs_row("4601", "2021", "sa_payout_gross", 530_000, "NOK_1000"),
    )
    s = harmonised_series(obs, entities, "4601", "sa_payout_gross", unit="NOK_million")
    assert list(s["period"]) == ["2019", "2020", "2021"]
    assert list(s["value"]) == [500.0, 520.0, 530.0]  # 530 000 thousand = 530 million
    assert set(s["entity_code"]) == {"4601"}
    assert s["harmonisation"].iloc[0] == "read under code 1201"
    assert s["harmonisation"].iloc[1] == ""


def test_nordre_follo_sum_of_parts(entities: pd.DataFrame) -> None:
    obs = frame(
        obs_row("0213", "2016", "sa_payout_gross", 40_000_000, "NOK", source="kb"),
        obs_row("0217", "2016", "sa_payout_gross", 25_307, "NOK_1000", source="kb2"),
        obs_row("0213", "2015", "sa_payout_gross", 39_000_000, "NOK"),  # Oppegård 2015 missing
        obs_row("3020", "2020", "sa_payout_gross", 80_000, "NOK_1000"),
        obs_row("3207", "2024", "sa_payout_gross", 120_000, "NOK_1000"),
    )
    s = harmonised_series(obs, entities, "3207", "sa_payout_gross", unit="NOK_1000")
    by = dict(zip(s["period"], s["value"], strict=True))
    # 2016: 40 000 000 NOK = 40 000 thousand; + 25 307 thousand = 65 307 thousand
    assert by["2016"] == 65_307.0
    assert by["2020"] == 80_000.0 and by["2024"] == 120_000.0
    assert math.isnan(by["2015"])
    reason = s.loc[s["period"] == "2015", "missing_reason"].iloc[0]
    assert "0217" in reason
    row16 = s[s["period"] == "2016"].iloc[0]
    assert row16["source_ids"] == ("kb", "kb2")
    assert row16["harmonisation"] == "sum of 0213 Ski + 0217 Oppegård"
    assert any("0213 Ski + 0217 Oppegård" in c for c in series_caveats(s))


def test_rates_never_summed(entities: pd.DataFrame) -> None:
    obs = frame(
        obs_row("0213", "2016", "sa_long_term_share", 40.0, "percent"),
        obs_row("0217", "2016", "sa_long_term_share", 35.0, "percent"),
        obs_row("0213", "2016", "sa_payout_per_recipient", 61928, "NOK"),
        obs_row("0217", "2016", "sa_payout_per_recipient", 54738, "NOK"),
    )
    for indicator in ("sa_long_term_share", "sa_payout_per_recipient"):
        s = harmonised_series(obs, entities, "3207", indicator)
        assert len(s) == 1 and math.isnan(s["value"].iloc[0])
        assert "cannot be summed" in s["missing_reason"].iloc[0]


def test_cases_sum_caveat(entities: pd.DataFrame) -> None:
    obs = frame(
        obs_row("0213", "2016", "sa_cases", 677, "cases"), obs_row("0217", "2016", "sa_cases", 420, "cases")
    )
    s = harmonised_series(obs, entities, "3207", "sa_cases")
    assert s["value"].tolist() == [1097.0]  # 677 + 420 = 1 097
    assert any("counted twice" in c for c in series_caveats(s))


def test_is_additive() -> None:
    assert is_additive("sa_payout_gross", "NOK")
    assert is_additive("sa_recipients", "persons")
    assert is_additive("kvp_participants", "participants")
    assert not is_additive("sa_payout_per_recipient", "NOK")
    assert not is_additive("sa_recipients_share", "percent")
    assert not is_additive("sa_recipients_monthly_avg", "persons")
    assert not is_additive("sa_duration_months", "months")


# no deadline: a property is not a speed target, and a shared machine makes each example slow
@settings(deadline=None)
@given(
    a=st.dictionaries(st.integers(2010, 2019).map(str), st.integers(0, 10**6), min_size=1),
    b=st.dictionaries(st.integers(2010, 2019).map(str), st.integers(0, 10**6), min_size=1),
)
def test_sum_of_parts_property(a: dict[str, int], b: dict[str, int]) -> None:
    entities = read_text_table(project_paths().entities)
    rows = [obs_row("0213", p, "sa_cases", v, "cases") for p, v in a.items()]
    rows += [obs_row("0217", p, "sa_cases", v, "cases") for p, v in b.items()]
    s = harmonised_series(frame(*rows), entities, "3207", "sa_cases")
    assert set(s["period"]) == set(a) | set(b)
    for r in s.itertuples():
        if r.period in a and r.period in b:
            assert r.value == a[r.period] + b[r.period] and r.missing_reason == ""
        else:
            assert math.isnan(r.value) and r.missing_reason


def test_series_frame_helper() -> None:
    s = series_frame({"2021": 1.0, "2020": float("nan")}, "index_2015_100", source_ids=["ssb"])
    assert list(s["period"]) == ["2020", "2021"]
    assert s["missing_reason"].tolist() == ["not given", ""]
    with pytest.raises(ValueError):
        series_frame({"2021": 1.0, "2021-01": 2.0}, "NOK")


def test_approximate_inputs_names_rounded_rows_only() -> None:
    # invented rows (test data): one rounded in billions, one rounded in persons, one exact, one
    # rounded but not preferred, one lower bound in a year not asked for, and one whose note says
    # "rounded" while its quality says exact (the column decides, not the note's words)
    billions = obs_row("EAK", "2021", "sa_payout_gross", 6.71, "NOK_billion", source="ntb", quality="rounded")
    about = obs_row("EAK", "2021", "sa_recipients", 119400, source="ssb-a", quality="rounded") | {
        "note": "'om lag'"
    }
    exact = obs_row("EAK", "2023", "sa_recipients", 152645, source="ssb-b")
    not_used = obs_row("EAK", "2023", "sa_recipients", 152500, source="x", preferred=False, quality="rounded")
    other_year = obs_row("EAK", "2020", "sa_recipients", 124400, quality="lower_bound")
    words_only = obs_row("EAK", "2019", "sa_recipients", 129894) | {"note": "not rounded, unlike 2018"}
    obs = frame(billions, about, exact, not_used, other_year, words_only)
    years = ["2019", "2021", "2023"]
    payout_notes = approximate_inputs(obs, ["EAK"], "sa_payout_gross", years)
    assert payout_notes == ["sa_payout_gross 2021: 6,71 billion kr as printed (ntb), rounded"]
    recipient_notes = approximate_inputs(obs, ["EAK"], "sa_recipients", years, label="Recipients")
    assert recipient_notes == ["Recipients 2021: 119 400 persons as printed (ssb-a), rounded — 'om lag'"]
    assert approximate_inputs(obs, ["EAK"], "sa_recipients", ["2023"]) == []
    assert approximate_inputs(obs, ["0301"], "sa_recipients", years) == []
    assert approximate_inputs(obs, ["EAK"], "sa_recipients", ["2020"]) == [
        "sa_recipients 2020: 124 400 persons as printed (src-a), a lower bound"
    ]
    # the same value also printed exactly elsewhere: the point is exact
    exact_twin = obs_row("EAK", "2021", "sa_recipients", 119400, source="ssb-c", locator="table 1")
    assert approximate_inputs(frame(about, exact_twin), ["EAK"], "sa_recipients", ["2021"]) == []
    # the series layer returns the figures, not sentences
    assert rounded_inputs(obs, ["EAK"], "sa_payout_gross", years) == [
        RoundedInput("sa_payout_gross", "2021", 6.71, "NOK_billion", "rounded", 10.0**-2, "ntb", "")
    ]


def test_series_contract_is_checked() -> None:
    from analysis.series.frame import check_series

    good = series_frame({"2021": 1.0, "2022": 2.0}, "NOK", source_ids=["s"])
    assert check_series(good) is good
    with pytest.raises(ValueError, match="columns caveats"):
        check_series(good.drop(columns=["caveats"]))
    with pytest.raises(ValueError, match="one unit"):
        check_series(good.assign(unit=["NOK", "NOK_1000"]))
    with pytest.raises(ValueError, match="one row per period; repeated: 2021"):
        check_series(good.assign(period=["2021", "2021"]))
    with pytest.raises(ValueError, match="without a reason in 2022"):
        check_series(good.assign(value=[1.0, float("nan")]))


def test_caveats_survive_concat_and_filtering() -> None:
    # the reason for a caveats column instead of DataFrame.attrs: pandas drops attrs in concat when
    # the inputs disagree; a column travels with its rows
    from analysis.series.frame import with_caveats

    a = with_caveats(series_frame({"2019": 1.0}, "persons"), ["summed parts"])
    b = with_caveats(series_frame({"2021": 2.0}, "persons"), ["joined code"])
    both = pd.concat([a, b], ignore_index=True)
    assert series_caveats(both) == ["summed parts", "joined code"]
    assert series_caveats(both[both["period"] == "2021"]) == ["joined code"]


def test_printed_step_is_the_last_printed_digit() -> None:
    # worked out by hand from the printed forms: "7,4 milliarder", "6,71", "om lag 131 000",
    # "om lag 119 400", "over 130 000", "<45"
    assert printed_step(7.4, "rounded") == pytest.approx(0.1)
    assert printed_step(6.71, "rounded") == pytest.approx(0.01)
    assert printed_step(131000, "rounded") == 1000
    assert printed_step(119400, "rounded") == 100
    assert printed_step(130000, "lower_bound") == 10000
    assert printed_step(45, "upper_bound") == 1
    assert printed_step(152645, "exact") == 0


def test_propagated_step_of_a_difference_and_a_ratio() -> None:
    # a difference of 9 770 381 (exact) and 7 400 000 (known to 100 000, both NOK 1000) moves by
    # 100 000; the ratio 9 770 381 / 7 400 000 moves by 9 770 381 / 7 400 000 − 9 770 381 / 7 500 000
    diff = propagated_step(lambda a, b: a - b, [9_770_381, 7_400_000], [0, 100_000])
    assert diff == pytest.approx(100_000)
    ratio = propagated_step(lambda a, b: a / b, [9_770_381, 7_400_000], [0, 100_000])
    assert ratio == pytest.approx(9_770_381 / 7_400_000 - 9_770_381 / 7_500_000)


def test_suspect_row_never_enters_a_series(entities: pd.DataFrame) -> None:
    # invented rows (test data) shaped like Oppegård 2015 "692": a suspect row (digits lost), not
    # preferred, and the only row of its year; and a suspect row that validate would refuse
    # (preferred) beside an exact one
    rows = [
        obs_row("0217", "2014", "sa_payout_per_recipient", 49030, "NOK"),
        obs_row("0217", "2015", "sa_payout_per_recipient", 692, "NOK", preferred=False, quality="suspect"),
        obs_row("0217", "2016", "sa_payout_per_recipient", 54738, "NOK"),
        obs_row("0217", "2016", "sa_payout_per_recipient", 5473, "NOK", source="b", quality="suspect"),
    ]
    obs = frame(*rows)
    s = select_series(obs, "0217", "sa_payout_per_recipient")
    assert list(s["period"]) == ["2014", "2016"]
    assert list(s["value"]) == [49030.0, 54738.0]
    assert s["source_ids"].iloc[1] == ("src-a",)
    h = harmonised_series(obs, entities, "0217", "sa_payout_per_recipient")
    assert "2015" not in set(h["period"])
    listed = suspect_rows(obs, ["0217"])
    assert list(zip(listed["period"], listed["value"], strict=True)) == [("2015", 692.0), ("2016", 5473.0)]
    assert suspect_rows(obs, ["0213"]).empty
