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
cpi_base_year = 2022
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis.page import Page

page = Page.open("recipients", entity_code, year, comparison_entities, cpi_base_year, break_month)

# %% tags=["remove-input"]
page.show("recipients")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("recipients_trend")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("recipients_monthly_avg")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("youth")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("long_term")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("duration")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("main_income_sa")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("by_age")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("by_sex")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("by_civil_status")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("by_citizenship")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("by_provider_status")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("by_main_income")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
