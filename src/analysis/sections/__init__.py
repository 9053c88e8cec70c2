"""Report sections: what a page shows for one entity and year, computed here, displayed by the page.

Each builder takes a :class:`analysis.observations.run.RunContext` and returns a
:class:`analysis.sections.base.Section` — text, an optional table and figure (with alt text and
caption), the key figures to glue and the sources behind them — or a section whose ``missing`` note
says what is absent and which source would supply it. Notebooks only call these and display the
result (:mod:`analysis.page`), so every number in the book's prose is computed here from ``data/``.

One module per topic, in step with the templates in ``notebooks/``. Sections may import
:mod:`analysis.series`, :mod:`analysis.models`, :mod:`analysis.present`, :mod:`analysis.observations`
and :mod:`analysis.schema` — never :mod:`analysis.page` or a command module.
"""

from analysis.sections.annual import annual_indicator, composition, composition_rows
from analysis.sections.base import KeyFigure, Section, entity_series, first_available, supplier
from analysis.sections.budget import budget_vs_accounts, projection
from analysis.sections.comparison import comparison
from analysis.sections.decomposition import (
    baseline_decomposition,
    payout_decomposition,
    price_ratio,
    surge_decomposition,
)
from analysis.sections.monthly import monthly, monthly_break
from analysis.sections.overview import (
    figures_for_year,
    published_figures,
    set_aside_figures,
    set_aside_section,
)
from analysis.sections.prices import real_payouts
from analysis.sections.trend import count_trend

__all__ = [
    "KeyFigure",
    "Section",
    "annual_indicator",
    "baseline_decomposition",
    "budget_vs_accounts",
    "comparison",
    "composition",
    "composition_rows",
    "count_trend",
    "entity_series",
    "figures_for_year",
    "first_available",
    "monthly",
    "monthly_break",
    "payout_decomposition",
    "price_ratio",
    "projection",
    "published_figures",
    "real_payouts",
    "set_aside_figures",
    "set_aside_section",
    "supplier",
    "surge_decomposition",
]
