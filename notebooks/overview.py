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
# # Published figures
#
# Every figure the curated dataset holds for this entity and year, as printed in its source.

# %% tags=["parameters", "remove-cell"]
entity_code = "030109"
year = 2024
cpi_base_year = 2022
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis import sections as sec
from analysis.page import Page, glue

page = Page.open("overview", entity_code, year, comparison_entities, cpi_base_year, break_month)
glue("entity_name", page.ctx.entity_name, unit="text", sources=[])

# %% [markdown]
# The table lists each published figure with the indicator's label, the breakdown (`category`),
# whether it is an accounts figure, a budget or a target (`status`), and where it was printed
# (`source_id`, `locator`).

# %% tags=["remove-input"]
page.show(sec.published_figures(page.ctx, "Figures as printed", "n_figures"))

# %% tags=["remove-input"]
set_aside = sec.set_aside_section(page.ctx, "Set aside")  # quality=suspect: listed, never computed with
if set_aside is not None:
    page.show(set_aside)

# %% tags=["remove-input"]
page.show("series")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
