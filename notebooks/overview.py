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
cpi_base_year = 2024
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from IPython.display import Markdown, display

from analysis.page import Page, glue
from analysis.sections import figures_for_year

page = Page.open("overview", entity_code, year, comparison_entities)
ctx = page.ctx
figures = figures_for_year(ctx.observations, ctx.dataset.indicators, ctx.dataset.entities, entity_code, year)
glue("n_figures", len(figures), unit="count", sources=figures["source_id"])
glue("entity_name", ctx.entity_name, unit="text", sources=[])

# %% [markdown]
# The table lists each published figure with the indicator's label, the breakdown (`category`),
# whether it is an accounts figure, a budget or a target (`status`), and where it was printed
# (`source_id`, `locator`).

# %% tags=["remove-input"]
display(Markdown(f"**{ctx.entity_name}, {year}: {len(figures)} published figures.**"))
page.table(figures.drop(columns=["indicator"]), f"Published figures, {ctx.entity_name}, {year}")

# %% tags=["remove-input"]
page.footer(figures["source_id"])
