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
from IPython.display import Markdown, display

from analysis import sections as sec
from analysis.report import open_run, provenance_footer, show, show_figure

ctx = open_run(entity_code, year, comparison_entities)
cited = set()


def section(result):
    """Display a section (its figure follows in the next cell) and remember its sources."""
    show(result)
    cited.update(result.sources)
    return result


# %% tags=["hide-input"]
s = section(
    sec.comparison(
        ctx,
        "Payout per recipient",
        [("sa_payout_per_recipient", ""), ("exp_gross_operating_per_recipient", "function=281")],
        comparison_entities,
        "cmp_per_recipient",
    )
)

# %% tags=["remove-input"]
show_figure(s)

# %% tags=["hide-input"]
s = section(
    sec.comparison(
        ctx,
        "Recipients as a share of inhabitants",
        [("sa_recipients_rate_population", "age=20-66"), ("sa_recipients_rate_population", "")],
        comparison_entities,
        "cmp_rate",
    )
)

# %% tags=["remove-input"]
show_figure(s)

# %% tags=["hide-input"]
s = section(
    sec.comparison(ctx, "Average duration", [("sa_duration_months", "")], comparison_entities, "cmp_duration")
)

# %% tags=["remove-input"]
show_figure(s)

# %% tags=["remove-input"]
display(
    Markdown(
        provenance_footer(
            ctx,
            {
                "entity_code": entity_code,
                "year": year,
                "cpi_base_year": cpi_base_year,
                "break_month": break_month,
                "comparison_entities": comparison_entities,
            },
            cited,
            "comparison.data.csv",
            "comparison.ipynb",
        )
    )
)
