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
# # The cost surge
#
# Did payouts rise because more people received assistance (volume), because each received more in
# real terms, or because prices rose? When did the rise start, and how far did spending overrun the
# budget? Methods: exact LMDI decomposition, segmented regression at the break month (default
# September 2022, when child benefit stopped counting as income) with a data-driven break search, and
# budget versus accounts for function 281. See the [methods chapter](../../../methods.md).

# %% tags=["parameters", "remove-cell"]
entity_code = "030115"
year = 2023
cpi_base_year = 2022
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis import sections as sec
from analysis.page import Page

page = Page.open("cost_surge", entity_code, year, comparison_entities, cpi_base_year, break_month)

# %% tags=["remove-input"]
page.show("decomposition")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show(sec.surge_decomposition(page.ctx, "surge"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("baseline")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("baseline_exact")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("monthly_gross")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("break")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("f281")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("f276")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("projection")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
