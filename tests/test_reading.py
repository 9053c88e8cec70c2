"""Reading comfort (issue 12): captions, alt texts, labels in words, one unit and month convention.

Every expected string is written out by hand from the rule it checks.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from analysis.page.notebook import figure_caption  # noqa: E402
from analysis.present.charts import grouped_bar_chart  # noqa: E402
from analysis.present.figure import alt_text, new_figure, tidy_xticks, with_gaps  # noqa: E402
from analysis.present.style import fitted_source_text  # noqa: E402
from analysis.present.tables import column_label, period_span, styled_table, table_caption, table_unit  # noqa: E402
from analysis.present.text import (  # noqa: E402
    category_label,
    fmt,
    money_text,
    month_label,
    unit_label,
    with_category,
)
from analysis.sections.base import Section  # noqa: E402


def test_category_codes_read_as_words() -> None:
    assert category_label("main_income=social_assistance") == "Main income: social assistance"
    assert category_label("age=18-24;sex=female") == "Age 18\u201324, sex: female"
    assert category_label("age=under_25") == "Age under 25"
    assert category_label("function=281") == "Function 281 (economic social assistance)"
    assert category_label("function=242_243_281") == "Function 242, 243 and 281"
    assert category_label("") == ""
    assert (
        with_category("Net operating expenditure", "function=281")
        == "Net operating expenditure, function 281 (economic social assistance)"
    )
    assert with_category("Recipients", "") == "Recipients"


def test_units_are_named_one_way() -> None:
    # a space groups the thousands, as in the numbers: "NOK 1,000" would read as 1,0 in Norwegian
    assert unit_label("NOK_1000") == "NOK 1 000"
    assert unit_label("per_1000_inhabitants") == "per 1 000 inhabitants"
    assert unit_label("persons") == "persons"
    assert column_label("contribution_nok_1000") == "Contribution (NOK 1 000)"
    assert column_label("ci_low") == "95 % CI, low"


def test_money_in_prose() -> None:
    assert money_text(17_440, "NOK") == "17 440 kr"
    # 54 103 × 1 000 kr = 54 103 000 kr = 54,103 million → one decimal below 100 million
    assert money_text(54_103, "NOK_1000") == "54,1 million kr"
    # 152 345 × 1 000 kr = 152,345 million → one decimal at every size
    assert money_text(152_345, "NOK_1000") == "152,3 million kr"
    assert money_text(7.4, "NOK_billion") == "7,4 billion kr"
    assert money_text(-3_200, "NOK_1000") == "\u22123,2 million kr"
    assert money_text(850, "NOK_1000") == "850 000 kr"
    assert fmt(54_103, "NOK_1000") == "54,1 million kr"
    # a caller that states the precision keeps the unit's own scale
    assert fmt(54_103, "NOK_1000", decimals=0) == "54 103 thousand kr"


def test_month_names_in_english() -> None:
    assert month_label("2023-05") == "May 2023"
    assert month_label("2022-09") == "September 2022"


def test_table_caption_names_number_and_unit() -> None:
    monthly = pd.DataFrame({"month": ["Jan"], "2022 (NOK 1 000)": [1.0], "2023 (NOK 1 000)": [2.0]})
    assert (
        table_caption(2, "Gross payouts by month, 2022\u20132023.", monthly)
        == "Table 2. Gross payouts by month, 2022\u20132023 (NOK 1 000)."
    )
    series = pd.DataFrame({"period": ["2022"], "value": [5.0], "unit": ["NOK_1000"]})
    assert table_unit(series) == "NOK 1 000"
    assert period_span(pd.DataFrame({"period": ["2023", "2019", "2021"]})) == "2019\u20132023"
    assert period_span(pd.DataFrame({"period": ["2022-01", "2022-12"]})) == "2022"
    assert period_span(pd.DataFrame({"month": ["Jan"]})) == ""
    mixed = pd.DataFrame({"value": [1.0, 2.0], "unit": ["NOK", "percent"]})
    assert table_unit(mixed) == "units as given in the table"
    assert table_caption(1, "Trend", pd.DataFrame({"model": ["Poisson"]})) == "Table 1. Trend."
    coded = pd.DataFrame({"status": ["revised_budget"], "category": ["main_income=social_assistance"]})
    coded_html = styled_table(coded).to_html()
    assert ">revised budget<" in coded_html and ">Main income: social assistance<" in coded_html
    html = styled_table(series, "Table 1. Gross payouts (NOK 1 000).").to_html()
    assert "<caption>Table 1. Gross payouts (NOK 1 000).</caption>" in html
    assert ">NOK\u00a01\u00a0000<" in html  # the unit cell does not break inside "NOK 1 000"


def test_figure_caption_carries_number_and_sources() -> None:
    section = Section(title="Gross payouts", caption="Gross payouts, Bjerke, 2015\u20132023.")
    assert (
        figure_caption(3, section, "Source: b-2023 (Årsberetning 2023)")
        == "Figure 3. Gross payouts, Bjerke, 2015\u20132023. Source: b-2023 (Årsberetning 2023)."
    )
    assert figure_caption(1, Section(title="Month by month"), "") == "Figure 1. Month by month."


def test_alt_text_stays_under_the_limit() -> None:
    parts = [f"{2000 + i}: {i * 1000}" for i in range(60)]  # far more than 300 characters
    alt = alt_text("Line chart", "Gross payouts\nOslo", "NOK_1000", parts)
    assert len(alt) <= 300
    assert alt.startswith("Line chart: Gross payouts, Oslo. Values in NOK 1 000. 2000: 0; 2001: 1000")
    assert alt.endswith("; more in the table.")
    short = alt_text("Bar chart", "T", "", ["a 1", "b 2"])
    assert short == "Bar chart: T. a 1; b 2."


def test_grouped_bars_alt_text_without_sources() -> None:
    data = pd.DataFrame(
        {
            "period": ["2023"] * 2,
            "name": ["Bjerke", "Søndre Nordstrand"],
            "value": [10.0, 20.0],
            "unit": "percent",
            "source_ids": [("s-" + "x" * 400,)] * 2,  # a source id longer than any alt text may be
        }
    )
    _, alt = grouped_bar_chart(data, x="period", hue="name", title="Share")
    assert alt == "Grouped bar chart: Share. Values in %. 2023: Bjerke 10, Søndre Nordstrand 20."


def test_crowded_tick_labels_turn() -> None:
    fig = new_figure()
    ax = fig.add_subplot()
    names = ["Søndre Nordstrand", "Bjerke", "Gamle Oslo", "Grorud", "Stovner", "Alna", "Nordstrand"]
    tidy_xticks(ax, range(7), names)  # 7 labels, more than 6: turned, on one line each
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {30.0}
    assert ax.get_xticklabels()[0].get_text() == "Søndre Nordstrand"
    ax3 = fig.add_subplot()
    bars = ["2022", "Volume\n(recipients)", "Real payment\nper recipient", "Inflation\n(CPI)", "2023"]
    tidy_xticks(ax3, range(5), bars)  # widest lines 4+12+12+9+4 = 41 of about 80: flat
    assert {t.get_rotation() for t in ax3.get_xticklabels()} == {0.0}
    assert ax3.get_xticklabels()[2].get_text() == "Real payment\nper recipient"
    ax2 = fig.add_subplot()
    tidy_xticks(ax2, range(2), ["Volume (recipients)", "Real payment"])  # two: flat, wrapped
    labels = [t.get_text() for t in ax2.get_xticklabels()]
    assert labels == ["Volume\n(recipients)", "Real payment"]
    assert {t.get_rotation() for t in ax2.get_xticklabels()} == {0.0}


def test_turned_tick_labels_stay_clear_of_the_source_line() -> None:
    # Bergen 2011's nine outcomes after the programme: turned labels as long as 34 characters
    groups = [
        "work", "work with wage subsidy", "state labour measures", "education", "disability pension",
        "work assessment allowance", "social assistance awaiting benefit", "social assistance",
        "unclear other",
    ]  # fmt: skip
    data = pd.DataFrame(
        {
            "group": groups,
            "series": "share",
            "value": [23.0, 5, 9, 7, 2, 16, 21, 10, 6],
            "unit": "percent",
            "source_ids": [("bergen-2011-status",)] * 9,
        }
    )
    fig, _ = grouped_bar_chart(data, x="group", hue="series", title="After the programme")
    renderer = fig.canvas.get_renderer()
    labels = [t for ax in fig.axes for t in ax.get_xticklabels() if t.get_text()]
    assert {t.get_rotation() for t in labels} == {30.0}
    lowest_label = min(t.get_window_extent(renderer).y0 for t in labels)
    source = [t for t in fig.texts if "bergen-2011-status" in t.get_text()]
    assert len(source) == 1
    assert source[0].get_window_extent(renderer).y1 < lowest_label  # the source line is below


def test_a_line_breaks_over_missing_years() -> None:
    # figures for 2009, 2011 and 2023: the years 2010 and 2012–2022 are gaps, not a straight line
    xs, ys = with_gaps([2009, 2011, 2023], [10_958.0, 10_612.0, 17_374.0])
    assert xs == list(range(2009, 2024))
    assert [y == y for y in ys].count(True) == 3  # three values, the other 12 years NaN
    assert ys[0] == 10_958.0 and ys[2] == 10_612.0 and ys[-1] == 17_374.0


def test_a_long_source_list_shortens_to_ids_then_a_count() -> None:
    titles = pd.DataFrame({"source_id": ["a-1", "b-2"], "title": ["T" * 200, "U" * 200]})
    assert fitted_source_text(["a-1"], titles, limit=300) == "Source: a-1 (" + "T" * 200 + ")"
    assert fitted_source_text(["a-1", "b-2"], titles, limit=300) == "Sources: a-1; b-2"  # titles: 423 chars
    many = [f"source-{i:02d}" for i in range(30)]  # 30 ids of 9 characters + "; " > 240
    assert fitted_source_text(many, None, limit=240, overflow="named in the caption") == (
        "Sources: 30 documents, named in the caption"
    )


def test_a_column_has_one_number_of_decimals() -> None:
    # durations 6,1 / 5,5 / 5 months → 6,1 / 5,5 / 5,0;
    # kroner per recipient 43 247,17 and 41 261 → whole kroner
    table = pd.DataFrame(
        {"name": ["a", "b", "c"], "months": [6.1, 5.5, 5.0], "nok": [43247.17, 41261.0, 40000.0]}
    )
    html = styled_table(table).to_html()
    for cell in ("6,1", "5,5", "5,0", "43 247", "41 261", "40 000"):
        assert f">{cell}</td>" in html, cell
    assert "6,10" not in html and "43 247,2" not in html


def test_an_explanation_two_sections_share_is_printed_once() -> None:
    from analysis.present.text import REPEAT_MIN_CHARS, shorten_repeats

    why = "**2024 is derived, not printed.** " + "It is computed from printed levels and rates. " * 6
    assert len(why) >= REPEAT_MIN_CHARS
    first = f"{why}\n\nGross payouts changed by 2,12 billion kr."
    second = f"{why}\n\nGross payouts changed by 4,5 billion kr."
    assert shorten_repeats(first, []) == first  # nothing shown before: all of it
    shown = first.split("\n\n")
    assert shorten_repeats(second, shown) == (
        "**2024 is derived, not printed.** (As explained above.)\n\nGross payouts changed by 4,5 billion kr."
    )
    # a short sentence that recurs is kept, and so is a long paragraph seen nowhere before
    assert shorten_repeats("Gross payouts changed by 2,12 billion kr.", shown) == (
        "Gross payouts changed by 2,12 billion kr."
    )
    plain = "Volume is measured by recipients. " + "More words that make it long. " * 8
    expected = "Volume is measured by recipients. (As explained above.)\n\nEnd."
    assert shorten_repeats(f"{plain}\n\nEnd.", [plain]) == expected


def test_a_formula_in_a_table_reads_in_words(repo_paths) -> None:
    from analysis.observations.dataset import load_dataset
    from analysis.observations.run import run_context
    from analysis.sections.comparison import formula_in_words

    ctx = run_context(load_dataset(repo_paths), "1201", 2011)
    # the labels of data/reference/indicators.csv, lower-cased; the operator kept
    assert formula_in_words(ctx, "sa_payout_gross / sa_recipients") == (
        "gross social assistance paid / social-assistance recipients during the year"
    )
