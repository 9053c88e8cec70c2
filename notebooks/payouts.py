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
cpi_base_year = 2024
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis import sections as sec
from analysis.page import Page

page = Page.open("payouts", entity_code, year, comparison_entities, cpi_base_year, break_month)
ctx = page.ctx

# %% tags=["hide-input"]
page.show(sec.annual_indicator(ctx, "Gross payouts", [("sa_payout_gross", "")], "payout_gross"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.real_payouts(
        ctx, f"Gross payouts in constant {cpi_base_year} kroner", cpi_base_year, "payout_gross_real"
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.annual_indicator(ctx, "Net payouts", [("sa_payout_net", "")], "payout_net"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Average payment per recipient per month",
        [("sa_payment_per_recipient_month", "")],
        "payment_per_month",
        extra_status=["budget"],
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Gross payout per recipient",
        [("sa_payout_per_recipient", ""), ("exp_gross_operating_per_recipient", "function=281")],
        "payout_per_recipient",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx, "Payout per benefit month", [("sa_payout_per_benefit_month", "")], "payout_per_benefit_month"
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Net operating expenditure, function 281",
        [("exp_net_operating", "function=281")],
        "f281_net",
        extra_status=["budget", "revised_budget"],
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.monthly(ctx, "Month by month", "sa_payout_gross", "monthly_gross"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
