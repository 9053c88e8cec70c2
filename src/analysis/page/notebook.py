"""The notebook side of a page: show sections, glue key figures, the provenance footer.

Notebooks stay thin: parameters, section calls and words. May import :mod:`analysis.sections`,
:mod:`analysis.present` and :mod:`analysis.observations`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import Any

from analysis import __version__
from analysis.observations.run import RunContext, open_run
from analysis.present.style import fitted_source_text
from analysis.present.tables import period_span, styled_table, table_caption
from analysis.present.text import fmt, shorten_repeats
from analysis.sections import plan
from analysis.sections.base import Section

GLUE_PREFIX = "application/papermill.record/"  # myst_nb's prefix for glued, undisplayed values


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def glue(
    key: str, value: Any, *, unit: str, sources: Iterable[str], display: bool = False, record: bool = True
) -> None:
    """Glue ``value`` for use in the book's prose and record it as a key figure.

    The output is what ``myst_nb.glue`` emits (so ``{glue:text}`` works) plus, in the output's
    metadata, the value, unit and source ids that the runner collects into the key-figures file.
    """
    from IPython.display import display as ipy_display

    plain = _plain(value)
    text = repr(plain) if not isinstance(plain, str) else plain
    prefix = "" if display else GLUE_PREFIX
    meta: dict[str, Any] = {"scrapbook": {"name": key, "mime_prefix": prefix}}
    if record:  # a key figure; formatted companions (``<key>_fmt``) are glued with record=False
        meta["analysis"] = {"key": key, "value": plain, "unit": unit, "sources": sorted(set(sources))}
    ipy_display({prefix + "text/plain": text}, raw=True, metadata=meta)


def missing_note(what: str, supplier: str) -> str:
    """Markdown saying a section has no data and which source would supply it."""
    return (
        f"```{{note}}\nNo data: {what}. The curated dataset has no such figure for this entity and "
        f"year. {supplier}\n```\n"
    )


def provenance_footer(
    ctx: RunContext,
    parameters: dict[str, Any],
    source_ids: Iterable[str],
    data_file: str,
    notebook_file: str,
    derived: Iterable[str] = (),
) -> str:
    """Markdown footer: data snapshot, sources cited by the numbers on the page, parameters, version,
    and how each derived (not printed) figure on the page was computed."""
    lines = ["**Provenance**", ""]
    lines.append(f"- Data snapshot: `observations.csv` sha256 `{ctx.snapshot}`")
    lines.append(f"- Package: `analysis` {__version__}")
    params = ", ".join(f"`{k}={v!r}`" for k, v in sorted(parameters.items()))
    lines.append(f"- Parameters: {params}")
    lines.append(
        f"- Downloads: {{download}}`data behind this page (CSV) <{data_file}>`, "
        f"{{download}}`executed notebook <{notebook_file}>`"
    )
    ids = sorted(set(source_ids))
    if ids:
        lines.append("- Sources cited on this page:")
        for _, src in ctx.sources_table(ids).iterrows():
            where = f"<{src['url']}>" if src["url"] else f"document `{src['file']}`"
            lines.append(
                f"  - `{src['source_id']}`: {src['title']} ({src['publisher']}, {src['published']}); {where}"
            )
    else:
        lines.append("- Sources cited on this page: none (no figures for this entity and year)")
    how = list(dict.fromkeys(derived))
    if how:
        lines.append("- Derived figures on this page (computed from the printed figures above, not printed):")
        lines.extend(f"  - {line}" for line in how)
    return "\n".join(lines) + "\n"


def show(
    section: Section, heading_level: int = 2, table_caption: str = "", details_caption: str = ""
) -> None:
    """Display a :class:`analysis.sections.base.Section` except its figure: heading, text, table (with
    ``table_caption`` as its caption), the model table behind a toggle (``details_caption``), notes,
    and glue its key figures. A missing section shows nothing (the chapter's index page lists what is
    not published). Show the figure with :func:`show_figure` in the next cell.

    myst-nb applies a cell's figure options to every output of the cell, so a numbered figure must
    be alone in its cell; hence two calls.
    """
    from IPython.display import HTML, Markdown, display

    if section.missing:  # nothing to show: the chapter's index page lists what is not published
        return
    display(Markdown(f"{'#' * heading_level} {section.title}\n"))
    if section.text:
        display(Markdown(section.text))
    if section.table is not None and len(section.table):
        display(styled_table(section.table, table_caption))
    if section.details is not None and len(section.details):
        display(
            HTML(
                '<details class="model-details"><summary>Model table</summary>\n'
                + styled_table(section.details, details_caption).to_html()
                + "\n</details>\n"
            )
        )
    for note in section.notes:
        display(Markdown(f"*Note:* {note}"))
    for kf in section.key_figures:
        glue(kf.key, kf.value, unit=kf.unit, sources=kf.sources)
        if isinstance(kf.value, int | float) and not isinstance(kf.value, bool):
            # the same value formatted for prose ("54 103 thousand kr"), for {glue:text} in chapters
            glue(f"{kf.key}_fmt", fmt(kf.value, kf.unit), unit="text", sources=kf.sources, record=False)


def show_figure(section: Section, caption: str = "") -> None:
    """Display the section's figure (if any) as a PNG whose output metadata carries its alt text and
    caption (``caption``, else the section's); the runner copies them into the cell metadata
    (``mystnb.image.alt``, ``mystnb.figure``), the only place myst-nb reads them from.
    """
    import base64
    import io

    from IPython.display import display

    if section.missing or section.figure is None:
        return
    buffer = io.BytesIO()
    section.figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None}, bbox_inches="tight")
    label = section.key_figures[0].key if section.key_figures else ""
    display(
        {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": section.alt_text},
        raw=True,
        metadata={
            "image/png": {"alt": section.alt_text, "caption": caption or section.caption, "label": label}
        },
    )


def figure_caption(number: int, section: Section, source_line: str) -> str:
    """``"Figure 2. Gross payouts, Bjerke, 2015–2023. Source: id (title)."``: the page's figure
    number, what the chart shows (the section's caption, else its title) and its sources."""
    what = (section.caption or section.title).strip().rstrip(".")
    return f"Figure {number}. {what}." + (f" {source_line}." if source_line else "")


class Page:
    """One executed template: its run context, the sections shown and the sources they cite.

    Tables and figures are numbered per page, in the order shown ("Table 1.", "Figure 1."), in
    their captions; Sphinx's own numbering (``numfig``) is off because it counts figures across the
    whole book. A table's caption names what it holds and its unit (:func:`table_caption`); a
    figure's caption names what it shows and its sources, which the alt text leaves out.

    Templates stay thin::

        page = Page.open("payouts", entity_code, year, comparison_entities, cpi_base_year, break_month)
        page.show(sec.annual_indicator(page.ctx, ...))   # heading, text, table, glue
        page.show_figure()                                # the figure, alone in its cell
        page.footer()                                     # provenance
    """

    def __init__(self, template: str, ctx: RunContext, parameters: dict[str, Any]) -> None:
        self.template = template
        self.ctx = ctx
        self.parameters = parameters
        self.cited: set[str] = set()
        self.derived: list[str] = []  # how each derived figure shown was computed, for the footer
        self._last: Section | None = None
        self._group = ""
        self.tables = 0  # tables shown so far on this page
        self.figures = 0  # figures shown so far on this page
        self.paragraphs: set[str] = set()  # the paragraphs of text shown so far on this page

    @classmethod
    def open(
        cls,
        template: str,
        entity_code: str,
        year: int,
        comparison_entities: Sequence[str] = (),
        cpi_base_year: int | None = None,
        break_month: str | None = None,
    ) -> Page:
        parameters: dict[str, Any] = {
            "entity_code": entity_code,
            "year": year,
            "comparison_entities": list(comparison_entities),
        }
        if cpi_base_year is not None:
            parameters["cpi_base_year"] = cpi_base_year
        if break_month is not None:
            parameters["break_month"] = break_month
        return cls(template, open_run(entity_code, year, comparison_entities), parameters)

    def section(self, key: str) -> Section:
        """The template's section ``key`` (:data:`analysis.sections.catalogue.PLAN`), built only when the
        data support it; otherwise a section whose ``missing`` says why (and which is not shown)."""
        return plan.checked_build(self.ctx, self.template, key, self.parameters)

    def _caption(self, section: Section, table: Any, prefix: str = "") -> str:
        """The next numbered caption on this page for one of ``section``'s tables."""
        self.tables += 1
        span = period_span(table) or str(self.ctx.year)
        joint = " " if section.title.rstrip().endswith("?") else ", "  # "A break in 2022-09? Oslo"
        what = section.caption or f"{section.title}{joint}{self.ctx.entity_name}, {span}"
        return table_caption(self.tables, prefix + what, table)

    def show(self, section: Section | str) -> None:
        """Display a section (see :func:`show`; a key is built with :meth:`section`) with its tables
        numbered and captioned, and remember its sources for the footer. Sections of a catalogue
        group share one sub-heading."""
        from IPython.display import Markdown, display

        if isinstance(section, str):
            group = plan.analysis(self.template, section).group
            section = self.section(section)
        else:
            group = ""
        self._last = section
        if section.missing:
            return
        if group and group != self._group:
            display(Markdown(f"## {group}\n"))
        self._group = group
        caption = details = ""
        if section.table is not None and len(section.table):
            caption = self._caption(section, section.table)
        if section.details is not None and len(section.details):
            details = self._caption(section, section.details, prefix="Model table: ")
        if section.text:  # an explanation two sections share is printed once per page
            shortened = shorten_repeats(section.text, self.paragraphs)
            self.paragraphs.update(section.text.split("\n\n"))
            section = dataclasses.replace(section, text=shortened)
        show(section, heading_level=3 if group else 2, table_caption=caption, details_caption=details)
        self.cited.update(section.sources)
        self.derived.extend(getattr(section, "derived", ()))

    def show_figure(self) -> None:
        """The figure of the section shown last, if any, numbered and captioned with its sources
        (see :func:`show_figure`)."""
        last = self._last
        if last is None or last.missing or last.figure is None:
            return
        self.figures += 1
        line = fitted_source_text(last.sources, self.ctx.dataset.sources, limit=300) if last.sources else ""
        show_figure(last, figure_caption(self.figures, last, line))

    def footer(self, extra_sources: Iterable[str] = ()) -> None:
        """The provenance footer with downloads of this page's data and notebook."""
        from IPython.display import Markdown, display

        self.cited.update(extra_sources)
        display(
            Markdown(
                provenance_footer(
                    self.ctx,
                    self.parameters,
                    self.cited,
                    f"{self.template}.data.csv",
                    f"{self.template}.ipynb",
                    self.derived,
                )
            )
        )
