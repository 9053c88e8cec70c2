"""Which runs of the grid the data support: a template none of whose sections is supported for an
entity-year is not run (see :mod:`analysis.sections.plan`). ``book/runs.yml`` declares entities and
years; this decides the templates.
"""

from __future__ import annotations

from analysis.observations.dataset import Dataset
from analysis.observations.run import run_context
from analysis.runner.grid import Run
from analysis.sections.catalogue import PLAN
from analysis.sections.plan import assess, template_verdict


def run_verdict(run: Run, data: Dataset, cache: dict | None = None) -> tuple[bool, str]:
    """(runs?, why) for one run; a template outside the catalogue always runs. ``cache`` keeps one
    run context per entity, year and comparison set across the templates."""
    if run.template not in PLAN:
        return True, "not in the section catalogue; always run"
    comparison = tuple(run.parameters.get("comparison_entities", []))
    key = (run.entity_code, run.year, comparison)
    cache = {} if cache is None else cache
    if key not in cache:
        cache[key] = run_context(data, run.entity_code, run.year, comparison)
    return template_verdict(assess(cache[key], run.template, run.parameters))


def split_applicable(runs: list[Run], data: Dataset) -> tuple[list[Run], list[tuple[Run, str]]]:
    """The runs to execute and the runs skipped with the reason, grid order kept."""
    kept: list[Run] = []
    skipped: list[tuple[Run, str]] = []
    cache: dict = {}
    for run in runs:
        ok, why = run_verdict(run, data, cache)
        if ok:
            kept.append(run)
        else:
            skipped.append((run, why))
    return kept, skipped


def applicability_lines(runs: list[Run], data: Dataset) -> list[str]:
    """``run --list``: one line per run, whether it runs and why."""
    lines = []
    cache: dict = {}
    for run in runs:
        ok, why = run_verdict(run, data, cache)
        lines.append(f"{run.key}\t{'run ' if ok else 'skip'}\t{run.label}\t{why}")
    return lines
