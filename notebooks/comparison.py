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
cpi_base_year = 2024
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis import sections as sec
from analysis.page import Page

page = Page.open("comparison", entity_code, year, comparison_entities, cpi_base_year, break_month)
ctx = page.ctx

# %% tags=["hide-input"]
page.show(
    sec.comparison(
        ctx,
        "Payout per recipient",
        [("sa_payout_per_recipient", ""), ("exp_gross_operating_per_recipient", "function=281")],
        comparison_entities,
        "cmp_per_recipient",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.comparison(
        ctx,
        "Recipients as a share of inhabitants",
        [("sa_recipients_rate_population", "age=20-66"), ("sa_recipients_rate_population", "")],
        comparison_entities,
        "cmp_rate",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.comparison(ctx, "Average duration", [("sa_duration_months", "")], comparison_entities, "cmp_duration")
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
