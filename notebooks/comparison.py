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
# # Comparison
#
# The entity against the comparison entities of its run and the whole country. Per-recipient and
# per-inhabitant figures are comparable only when they count the same thing: the caveats under each
# table say where they do not (cases vs unique recipients, Oslo districts' own systems).

# %% tags=["parameters", "remove-cell"]
entity_code = "030115"
year = 2023
cpi_base_year = 2022
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis.page import Page

page = Page.open("comparison", entity_code, year, comparison_entities, cpi_base_year, break_month)

# %% tags=["remove-input"]
page.show("cmp_per_recipient")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("cmp_rate")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("cmp_duration")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
