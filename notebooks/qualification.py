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
cpi_base_year = 2022
break_month = "2022-09"
comparison_entities = []

# %% tags=["remove-cell"]
from analysis.page import Page

page = Page.open("qualification", entity_code, year, comparison_entities, cpi_base_year, break_month)

# %% tags=["remove-input"]
page.show("kvp_participants")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("kvp_completed")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("kvp_outcomes")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("kvp_outcome_shares")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("kvp_benefit")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("intro_participants")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.show("intro_expenditure")

# %% tags=["remove-input"]
page.show_figure()

# %% tags=["remove-input"]
page.footer()
