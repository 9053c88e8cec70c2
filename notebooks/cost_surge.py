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
cpi_base_year = 2024
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis import sections as sec
from analysis.page import Page

page = Page.open("cost_surge", entity_code, year, comparison_entities, cpi_base_year, break_month)
ctx = page.ctx

# %% tags=["hide-input"]
page.show(
    sec.payout_decomposition(
        ctx, f"Volume, real payment and inflation, {year - 1}→{year}", year - 1, year, "decomposition"
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.baseline_decomposition(ctx, "baseline"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.baseline_decomposition(ctx, "baseline_exact", exact=True))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.monthly(ctx, "Monthly gross payouts", "sa_payout_gross", "monthly_gross"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.monthly_break(ctx, f"A break in {break_month}?", "sa_payout_gross", break_month, "break"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.budget_vs_accounts(ctx, "Budget and accounts, social assistance (function 281)", "281", "f281"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.budget_vs_accounts(ctx, "Budget and accounts, qualification programme (function 276)", "276", "f276")
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.projection(ctx, f"Projection for {year + 1}", "projection"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
