"""What a notebook imports: the :class:`Page` of one template run, ``glue`` and the styled table.

The page renders :mod:`analysis.sections`; it may import sections, present and observations, and
nothing imports it except notebooks.
"""

from analysis.observations.run import RunContext, open_run
from analysis.page.notebook import Page, glue, provenance_footer, show, show_figure
from analysis.present.tables import styled_table

__all__ = [
    "Page",
    "RunContext",
    "glue",
    "open_run",
    "provenance_footer",
    "show",
    "show_figure",
    "styled_table",
]
