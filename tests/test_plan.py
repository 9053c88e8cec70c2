"""Which sections the data carry (analysis.sections.plan), on small hand-made observation tables.

All observation values in the ``invented`` fixtures are INVENTED for the test (entity ``9999``,
"Testby", source ``invented``); the expectations are worked out by hand from those rows and the
rules written in the plan's docstrings (a trend needs 4 annual figures, a break test 6 months on
each side of the break month, a break after the chapter year is not tested, a breakdown needs two
groups, a decomposition needs payouts, a count and CPI for both years).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.observations.dataset import Dataset, load_dataset
from analysis.observations.run import run_context
from analysis.schema import OBSERVATION_COLUMNS
from analysis.sections import plan
from analysis.sections.base import supplier

COLUMNS = list(OBSERVATION_COLUMNS)


@pytest.fixture(scope="module")
def reference() -> Dataset:
    return load_dataset()


def invented(reference: Dataset, rows: list[tuple]) -> Dataset:
    """A dataset whose only observations are ``rows`` (entity, period, indicator, category, value,
    unit[, status]) for the invented entity 9999, with the real entity and indicator tables."""
    records = []
    for row in rows:
        code, period, indicator, category, value, unit, *rest = row
        status = rest[0] if rest else "actual"
        records.append(
            [
                code,
                period,
                indicator,
                category,
                str(value),
                unit,
                status,
                "invented",
                "line 1",
                "",
                "true",
                "invented for the test",
                "exact",
            ]
        )
    entities = pd.concat(
        [
            reference.entities,
            pd.DataFrame(
                [
                    {c: "" for c in reference.entities.columns}
                    | {"entity_code": "9999", "name": "Testby", "level": "municipality", "parent": "EAK"}
                ]
            ),
        ],
        ignore_index=True,
    )
    return Dataset(pd.DataFrame(records, columns=COLUMNS), reference.sources, entities, reference.indicators)


def verdicts(data: Dataset, template: str, year: int, **params) -> dict[str, plan.Verdict]:
    ctx = run_context(data, "9999", year)
    return {v.analysis.key: v for v in plan.assess(ctx, template, {"break_month": "2022-09", **params})}


def test_an_annual_section_needs_the_chapter_year(reference: Dataset) -> None:
    data = invented(
        reference,
        [
            ("9999", "2015", "sa_recipients", "", 100, "persons"),
            ("9999", "2016", "sa_duration_months", "", 5.1, "months"),
        ],
    )
    v = verdicts(data, "recipients", 2016)
    assert not v["recipients"].supported  # 2015 only; the chapter is 2016
    assert v["recipients"].missing == plan.RECIPIENT_COUNTS
    assert v["duration"].supported
    assert plan.template_verdict(list(v.values()))[0]


def test_a_trend_needs_four_annual_figures_up_to_the_year(reference: Dataset) -> None:
    rows = [("9999", str(y), "sa_recipients", "", 100 + y - 2010, "persons") for y in (2013, 2014, 2015)]
    later = [("9999", "2018", "sa_recipients", "", 200, "persons")]  # after the chapter year: not counted
    v = verdicts(invented(reference, rows + later), "recipients", 2015)
    assert not v["recipients_trend"].supported
    assert "3 annual figures" in v["recipients_trend"].reason
    assert v["recipients_trend"].missing == ()  # the figures exist: nothing to list as unpublished
    v = verdicts(invented(reference, rows + later), "recipients", 2018)
    assert v["recipients_trend"].supported  # 2013, 2014, 2015, 2018


def test_a_break_after_the_chapter_year_is_not_tested(reference: Dataset) -> None:
    months = [f"{y}-{m:02d}" for y in (2016, 2022, 2023) for m in range(1, 13)]
    rows = [("9999", p, "sa_payout_gross", "", 1000 + i, "NOK_1000") for i, p in enumerate(months)]
    data = invented(reference, rows)
    assert "after 2016" in verdicts(data, "cost_surge", 2016)["break"].reason
    # 2023: 12 (2016) + 8 (2022-01..08) months before 2022-09, 4 + 12 from it -> supported
    assert verdicts(data, "cost_surge", 2023)["break"].supported
    # 2022: only 4 months from the break up to the chapter year -> too few
    v = verdicts(data, "cost_surge", 2022)["break"]
    assert not v.supported and "20 monthly figures before 2022-09 and 4 from it" in v.reason


def test_a_breakdown_needs_two_groups_of_the_year(reference: Dataset) -> None:
    one = [("9999", "2016", "sa_recipients", "age=18-24", 40, "persons")]
    v = verdicts(invented(reference, one), "recipients", 2016)
    assert not v["by_age"].supported and "only one group" in v["by_age"].reason
    two = one + [("9999", "2016", "sa_recipients", "age=25-66", 60, "persons")]
    assert verdicts(invented(reference, two), "recipients", 2016)["by_age"].supported


def test_a_template_with_nothing_supported_is_skipped_with_its_reasons(reference: Dataset) -> None:
    data = invented(reference, [("9999", "2016", "sa_duration_months", "", 5.1, "months")])
    ok, why = plan.template_verdict(list(verdicts(data, "qualification", 2016).values()))
    assert not ok and why.startswith("no section supported: no figure in 2016")


def test_not_published_is_one_row_per_source(reference: Dataset) -> None:
    data = invented(reference, [("9999", "2016", "sa_duration_months", "", 5.1, "months")])
    ctx = run_context(data, "9999", 2016)
    vs = [v for t in ("recipients", "qualification") for v in plan.assess(ctx, t, {})]
    rows = plan.not_published(ctx, vs)
    sources = [source for _, source in rows]
    assert len(sources) == len(set(sources))  # each source once
    kvp = next(what for what, source in rows if source == supplier("kvp_participants"))
    assert "KVP participants" in kvp or "participants" in kvp.lower()
    assert "Average duration" not in " ".join(w for w, _ in rows)  # published: not listed


def test_decomposition_needs_both_years(reference: Dataset) -> None:
    rows = [
        ("9999", "2022", "sa_payout_gross", "", 1000, "NOK_1000"),
        ("9999", "2023", "sa_payout_gross", "", 1200, "NOK_1000"),
        ("9999", "2023", "sa_recipients", "", 100, "persons"),
    ]
    v = verdicts(invented(reference, rows), "cost_surge", 2023)["decomposition"]
    assert not v.supported and ("sa_recipients", "") in v.missing and ("sa_payout_gross", "") not in v.missing


@pytest.mark.slow
@pytest.mark.parametrize(
    ("code", "year", "peers"), [("030115", 2023, ["030109", "0301", "EAK"]), ("1201", 2011, [])]
)
def test_builders_agree_with_the_verdicts_on_real_data(code: str, year: int, peers: list[str]) -> None:
    """Every analysis the plan calls supported builds a section with something to show, so a page
    never drops a section silently that its chapter's list does not name (real curated data)."""
    import matplotlib.pyplot as plt

    data = load_dataset()
    ctx = run_context(data, code, year, peers)
    params = {"cpi_base_year": 2022, "break_month": "2022-09", "comparison_entities": peers}
    disagree = []
    for template in plan.PLAN:
        for v in plan.assess(ctx, template, params):
            if not v.supported:
                continue
            section = plan.build(ctx, template, v.analysis.key, params)
            if section.figure is not None:
                plt.close(section.figure)
            if section.missing and v.analysis.key != "baseline_exact":  # exact: "no second split needed"
                disagree.append(f"{template}/{v.analysis.key}: {section.missing}")
    assert not disagree, "supported by the plan but built empty:\n" + "\n".join(disagree)
