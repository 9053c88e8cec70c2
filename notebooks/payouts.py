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
# # Payouts
#
# What is paid out: gross payouts (*brutto utbetalt*), refunds and net payouts, the average payment
# per recipient and month, and the accounts of KOSTRA function 281 (social assistance).

# %% tags=["parameters", "remove-cell"]
entity_code = "030115"
year = 2023
cpi_base_year = 2022
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis.page import Page

page = Page.open("payouts", entity_code, year, comparison_entities, cpi_base_year, break_month)

# %% tags=["remove-input"]
page.show("payout_gross")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("payout_gross_real")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("payout_net")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("payment_per_month")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("payout_per_recipient")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("payout_per_benefit_month")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("f281_net")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("monthly_gross")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
