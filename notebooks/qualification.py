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
# # Qualification and introduction programmes
#
# The qualification programme (*kvalifiseringsprogrammet*, KVP; function 276) and the introduction
# programme for newly settled refugees (*introduksjonsprogrammet*; function 275): participants,
# completions, what participants go on to, and the benefit paid.

# %% tags=["parameters", "remove-cell"]
entity_code = "030115"
year = 2023
cpi_base_year = 2024
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis import sections as sec
from analysis.page import Page

page = Page.open("qualification", entity_code, year, comparison_entities, cpi_base_year, break_month)
ctx = page.ctx

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "KVP participants",
        [("kvp_participants", ""), ("kvp_participants_monthly_avg", ""), ("kvp_participants_year_end", "")],
        "kvp_participants",
        extra_status=["budget", "target"],
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.annual_indicator(ctx, "Completed the programme", [("kvp_completed", "")], "kvp_completed"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(sec.composition(ctx, "After the programme", "kvp_outcome", "outcome", "kvp_outcomes"))

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.composition(ctx, "After the programme (shares)", "kvp_outcome_share", "outcome", "kvp_outcome_shares")
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Qualification benefit paid",
        [("kvp_benefit_gross", ""), ("exp_net_operating", "function=276")],
        "kvp_benefit",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Introduction-programme participants",
        [
            ("intro_participants", ""),
            ("intro_participants_year_end", ""),
            ("intro_participants_monthly_avg", ""),
        ],
        "intro_participants",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["hide-input"]
page.show(
    sec.annual_indicator(
        ctx,
        "Introduction programme, net expenditure (function 275)",
        [("exp_net_operating", "function=275"), ("intro_benefit_gross", "")],
        "intro_expenditure",
    )
)

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
