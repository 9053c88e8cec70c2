"""The grid of runs declared in ``book/runs.yml``: one run = one entity × year × template.

``runs.yml`` looks like::

    defaults:
      cpi_base_year: 2024
      break_month: "2022-09"
      templates: [recipients, payouts]
    runs:
      - entity_code: "030109"
        label: Oslo, bydel Bjerke
        years: [2011, 2024]
        comparison_entities: ["0301", "EAK"]

Codes are validated before any kernel starts: unknown entity (with close matches), a year outside
the entity's data, a template that does not exist.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.observations.lineage import related_codes
from analysis.paths import ProjectPaths


class GridError(ValueError):
    """A bad grid or bad parameters: the message is one line that says what and where."""


@dataclass(frozen=True)
class Run:
    """One notebook execution."""

    entity_code: str
    year: int
    template: str
    label: str
    parameters: dict[str, Any] = field(hash=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.entity_code}/{self.year}/{self.template}"

    def output_dir(self, paths: ProjectPaths) -> Path:
        return paths.reports / self.entity_code / str(self.year)

    def notebook_path(self, paths: ProjectPaths) -> Path:
        return self.output_dir(paths) / f"{self.template}.ipynb"

    def reproduce_command(self) -> str:
        return (
            f"python -m analysis run --entity {self.entity_code} --year {self.year} "
            f"--template {self.template} --force"
        )


def available_templates(paths: ProjectPaths) -> list[str]:
    """Template names: the ``notebooks/*.py`` files (jupytext percent format)."""
    return sorted(p.stem for p in paths.notebooks.glob("*.py") if not p.stem.startswith("_"))


def entity_years(observations: pd.DataFrame, entity_codes: set[str]) -> set[int]:
    """Years with at least one observation for any of ``entity_codes``."""
    rows = observations[observations["entity_code"].isin(entity_codes)]
    return {int(p[:4]) for p in rows["period"]}


def _suggest(code: str, known: list[str], names: dict[str, str]) -> str:
    by_code = difflib.get_close_matches(code, known, n=3, cutoff=0.5)
    by_name = [c for c, n in names.items() if code.lower() in n.lower()]
    hits = list(dict.fromkeys(by_name + by_code))[:3]
    if not hits:
        return ""
    return " — did you mean " + ", ".join(f"{c} ({names[c]})" for c in hits) + "?"


def check_entity(code: object, entities: pd.DataFrame, where: str) -> str:
    """Return the code as a string, or raise GridError with close matches."""
    if not isinstance(code, str):
        raise GridError(
            f'{where}: entity_code {code!r} is not a string; quote it in YAML ("0301" keeps its zero)'
        )
    known = list(entities["entity_code"])
    if code not in known:
        names = dict(zip(entities["entity_code"], entities["name"], strict=True))
        raise GridError(f"{where}: unknown entity code {code!r}{_suggest(code, known, names)}")
    return code


def load_grid(
    paths: ProjectPaths,
    observations: pd.DataFrame,
    entities: pd.DataFrame,
    runs_file: Path | None = None,
) -> list[Run]:
    """Read and check ``runs.yml``; raise GridError on the first problem."""
    runs_file = runs_file or paths.runs_file
    try:
        spec = yaml.safe_load(runs_file.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise GridError(f"{runs_file}: not found") from exc
    except yaml.YAMLError as exc:
        raise GridError(f"{runs_file}: not valid YAML: {exc}".replace("\n", " ")) from exc
    defaults = dict(spec.get("defaults") or {})
    templates_known = available_templates(paths)
    runs: list[Run] = []
    for i, entry in enumerate(spec.get("runs") or [], start=1):
        where = f"{runs_file.name} run {i}"
        code = check_entity(entry.get("entity_code"), entities, where)
        templates = entry.get("templates") or defaults.get("templates") or templates_known
        for template in templates:
            if template not in templates_known:
                raise GridError(
                    f"{where}: unknown template {template!r} (known: {', '.join(templates_known)})"
                )
        comparison = [
            check_entity(c, entities, f"{where} comparison_entities")
            for c in entry.get("comparison_entities", defaults.get("comparison_entities", []))
        ]
        years = entry.get("years") or []
        if not years:
            raise GridError(f"{where}: no years given")
        data_years = entity_years(observations, related_codes(entities, code))
        for year in years:
            if not isinstance(year, int) or year not in data_years:
                span = f"{min(data_years)}–{max(data_years)}" if data_years else "none"
                raise GridError(f"{where}: year {year!r} has no data for {code} (years with data: {span})")
            for template in templates:
                params = {
                    "entity_code": code,
                    "year": year,
                    "cpi_base_year": int(entry.get("cpi_base_year", defaults.get("cpi_base_year", year))),
                    "break_month": str(entry.get("break_month", defaults.get("break_month", "2022-09"))),
                    "comparison_entities": comparison,
                }
                label = str(entry.get("label") or entities.set_index("entity_code").at[code, "name"])
                runs.append(Run(code, year, template, label, params))
    keys = [r.key for r in runs]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise GridError(f"{runs_file.name}: runs declared twice: {', '.join(sorted(dupes))}")
    return runs


def select_runs(
    runs: list[Run],
    entities: list[str] | None,
    years: list[int] | None,
    templates: list[str] | None,
    paths: ProjectPaths,
    all_entities: pd.DataFrame,
) -> list[Run]:
    """Filter the grid by the command-line options, checking each option first."""
    if entities:
        for code in entities:
            check_entity(code, all_entities, "--entity")
    if templates:
        known = available_templates(paths)
        for t in templates:
            if t not in known:
                raise GridError(f"--template: unknown template {t!r} (known: {', '.join(known)})")
    chosen = [
        r
        for r in runs
        if (not entities or r.entity_code in entities)
        and (not years or r.year in years)
        and (not templates or r.template in templates)
    ]
    if not chosen:
        raise GridError("no run of book/runs.yml matches the --entity/--year/--template options")
    return chosen
