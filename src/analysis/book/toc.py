"""The book's generated pages and table of contents, computed from the run grid and the dataset.

Nothing here writes a file: :func:`book_pages` returns path → text, and the build command
(:mod:`analysis.book.build`) writes them. May import the runner's grid and the observations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import yaml

from analysis.book.datapages import data_pages
from analysis.observations.dataset import Dataset
from analysis.observations.run import run_context
from analysis.paths import ProjectPaths
from analysis.runner.grid import Run
from analysis.sections.catalogue import PLAN, TEMPLATE_TITLES
from analysis.sections.plan import assess
from analysis.sections.unpublished import not_published

HAND_WRITTEN = {
    "root": "book/index",
    "intro": ["book/introduction", "book/national", "book/cost_surge"],
    "reference": ["book/data_sources", "book/methods", "book/rerun", "book/glossary"],
}
GENERATED = "book/generated"
TEMPLATE_ORDER = ["overview", "recipients", "payouts", "qualification", "cost_surge", "comparison"]


def _template_rank(template: str) -> tuple[int, str]:
    return (TEMPLATE_ORDER.index(template) if template in TEMPLATE_ORDER else len(TEMPLATE_ORDER), template)


def chapter_index_page(run_group: list[Run], data: Dataset, skipped: Sequence[tuple[Run, str]] = ()) -> str:
    """The generated landing page of one entity-year chapter: what its pages show, which templates
    the data do not carry, and — once for the chapter — what is not published for it."""
    first = run_group[0]
    name = data.entity_name(first.entity_code)
    lines = [
        f"# {name}, {first.year}",
        "",
        f"Entity code `{first.entity_code}`. The pages of this chapter are notebooks executed for this "
        f"entity and year; each ends with its provenance (data snapshot, sources, parameters) and downloads.",
        "",
    ]
    comparison = first.parameters.get("comparison_entities") or []
    if comparison and any(r.template == "comparison" for r in run_group):  # only with a comparison page
        names = ", ".join(f"{data.entity_name(c)} (`{c}`)" for c in comparison)
        lines += [f"Compared with: {names}.", ""]
    ctx = run_context(data, first.entity_code, first.year, comparison)
    verdicts = {r.template: assess(ctx, r.template, r.parameters) for r in run_group if r.template in PLAN}
    lines += ["**What the pages show.**", ""]
    for run in run_group:
        shown = [
            v.analysis.heading(run.year, run.parameters)
            for v in verdicts.get(run.template, [])
            if v.supported
        ]
        what = "; ".join(shown) if run.template != "overview" else "every figure published for the year"
        lines.append(
            f"- {{doc}}`{TEMPLATE_TITLES.get(run.template, run.template)} <{run.template}>`: {what}."
        )
    for run, _ in skipped:  # the reasons in detail: `python -m analysis run --list`
        title = TEMPLATE_TITLES.get(run.template, run.template)
        lines.append(f"- No page *{title}*: the data for {run.year} carry none of its sections.")
    skipped_verdicts = [
        v for r, _ in skipped if r.template in PLAN for v in assess(ctx, r.template, r.parameters)
    ]
    gaps = not_published(ctx, [v for vs in verdicts.values() for v in vs] + skipped_verdicts)
    if gaps:
        lines += [
            "",
            f"**Not published for {name}, {first.year}** (so not shown in this chapter):",
            "",
            "| Indicators | Would come from |",
            "|---|---|",
        ]
        lines += [f"| {what} | {source} |" for what, source in gaps]
        if any("SSB table" in source for _, source in gaps):
            lines += [
                "",
                "`python -m analysis fetch-ssb` fetches the SSB tables where the network is available.",
            ]
    return "\n".join(lines) + "\n"


def grouped_runs(runs: list[Run]) -> dict[str, dict[int, list[Run]]]:
    """Runs grouped by entity code, then year (grid order kept)."""
    groups: dict[str, dict[int, list[Run]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        groups[run.entity_code][run.year].append(run)
    return groups


def entity_page(entity_code: str, years: dict[int, list[Run]], data: Dataset) -> str:
    """The generated landing page of one entity: what it is and the years the book covers."""
    row = data.entities.set_index("entity_code").loc[entity_code]
    label = years[min(years)][0].label
    lines = [f"# {label}", "", f"Entity code `{entity_code}`, level: {row['level']}."]
    if row["note"]:
        lines += ["", str(row["note"])]
    lines += ["", "Years in this book: " + ", ".join(f"[{y}]({y}/index.md)" for y in sorted(years)) + ".", ""]
    return "\n".join(lines)


def runs_table(runs: list[Run], data: Dataset) -> str:
    """Markdown table for the front page: one row per entity, links to its years (paths from book/)."""
    rows = ["| Entity | Code | Years |", "|---|---|---|"]
    for entity_code, years in grouped_runs(runs).items():
        label = years[min(years)][0].label
        links = ", ".join(f"[{y}](reports/{entity_code}/{y}/index.md)" for y in sorted(years))
        rows.append(f"| [{label}](reports/{entity_code}/index.md) | `{entity_code}` | {links} |")
    return "\n".join(rows) + "\n"


def make_toc(runs: list[Run]) -> dict:
    """The Jupyter Book table of contents: hand-written chapters, one part with a chapter per entity
    (a section per year, a subsection per template), then the data and methods pages."""
    parts: list[dict] = [
        {"caption": "The story", "chapters": [{"file": f} for f in HAND_WRITTEN["intro"]]},
    ]
    chapters = []
    for entity_code, years in grouped_runs(runs).items():
        year_sections = []
        for year in sorted(years):
            group = sorted(years[year], key=lambda r: _template_rank(r.template))
            folder = f"book/reports/{entity_code}/{year}"
            year_sections.append(
                {"file": f"{folder}/index", "sections": [{"file": f"{folder}/{r.template}"} for r in group]}
            )
        chapters.append({"file": f"book/reports/{entity_code}/index", "sections": year_sections})
    parts.append({"caption": "Municipalities and districts", "chapters": chapters})
    reference = [{"file": f} for f in HAND_WRITTEN["reference"]]
    reference += [
        {"file": f"{GENERATED}/data_dictionary"},
        {"file": f"{GENERATED}/coverage"},
        {"file": f"{GENERATED}/sources"},
    ]
    parts.append({"caption": "Data and methods", "chapters": reference})
    return {"format": "jb-book", "root": HAND_WRITTEN["root"], "parts": parts}


def toc_text(toc: dict) -> str:
    """``_toc.yml`` as written: a do-not-edit header and the YAML."""
    return "# Generated by `python -m analysis build` from book/runs.yml; do not edit.\n" + yaml.safe_dump(
        toc, sort_keys=False, allow_unicode=True
    )


def book_pages(
    paths: ProjectPaths, runs: list[Run], data: Dataset, skipped: Sequence[tuple[Run, str]] = ()
) -> dict[Path, str]:
    """Every file the build generates, path → text, computed and not written: the entity and
    chapter landing pages, the data pages, the front page's runs table and ``_toc.yml``."""
    pages: dict[Path, str] = {}
    for entity_code, years in grouped_runs(runs).items():
        folder = paths.entity_reports(entity_code)
        pages[folder / "index.md"] = entity_page(entity_code, years, data)
        for year in sorted(years):
            group = sorted(years[year], key=lambda r: _template_rank(r.template))
            here = [(r, w) for r, w in skipped if (r.entity_code, r.year) == (entity_code, year)]
            pages[folder / str(year) / "index.md"] = chapter_index_page(group, data, here)
    pages.update({paths.generated / name: text for name, text in data_pages(data).items()})
    pages[paths.generated / "runs_table.md"] = runs_table(runs, data)
    pages[paths.toc_file] = toc_text(make_toc(runs))
    return pages
