# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Recipients
#
# Who receives social assistance (*økonomisk sosialhjelp*) and for how long. Counts follow the
# source's own definition: unique recipients during the year (national tables), KOSTRA *cases*
# (municipal tables) or *active cases* and monthly averages (Oslo districts' own systems). The label
# of each figure says which; the [data dictionary](../../../generated/data_dictionary.md) defines them.

# %% tags=["parameters", "remove-cell"]
entity_code = "030115"
year = 2023
cpi_base_year = 2024
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis import sections as sec
from analysis.page import Page

page = Page.open("recipients", entity_code, year, comparison_entities, cpi_base_year, break_month)
ctx = page.ctx

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Recipients during the year",
        [("sa_recipients", ""), ("sa_cases", ""), ("sa_active_cases", "")],
        "recipients",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.count_trend(
        ctx,
        "Trend in the number of recipients",
        [("sa_recipients", ""), ("sa_cases", ""), ("sa_active_cases", "")],
        "recipients_trend",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx, "Average recipients per month", [("sa_recipients_monthly_avg", "")], "recipients_monthly_avg"
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Young recipients (18–24)",
        [("sa_recipients", "age=18-24"), ("sa_cases", "age=18-24"), ("sa_recipients_share", "age=18-24")],
        "youth",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Long-term recipients (6 months or more)",
        [("sa_long_term_recipients", ""), ("sa_long_term_share", "")],
        "long_term",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.annual_indicator(ctx, "Average duration", [("sa_duration_months", "")], "duration"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Social assistance as main income",
        [
            ("sa_recipients_share", "main_income=social_assistance"),
            ("sa_recipients", "main_income=social_assistance"),
        ],
        "main_income_sa",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% [markdown]
# ## Composition
#
# Breakdowns printed for this year, as the source gives them.

# %% tags=["hide-input"]
page.show(sec.composition(ctx, "By age", "sa_recipients", "age", "by_age"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.composition(ctx, "By sex", "sa_recipients", "sex", "by_sex"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.composition(ctx, "By civil status", "sa_recipients", "civil_status", "by_civil_status"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.composition(ctx, "By citizenship", "sa_recipients", "citizenship", "by_citizenship"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.composition(ctx, "By provider status", "sa_recipients", "provider_status", "by_provider_status")
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.composition(ctx, "By main income", "sa_recipients_share", "main_income", "by_main_income"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
