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

Every key and parameter is checked before any kernel starts (``analysis.runner.params``): unknown
keys, entities and templates (with close matches), types (``years: 2023`` is not a list, an unquoted
``0301`` is not a code), a year without data (the years with data listed, gaps included), a CPI base
year without a CPI, a break month that is not a month.

A run's parameters are, from weakest to strongest: the defaults of the template's ``parameters``
cell, the ``defaults:`` of runs.yml, the run's entry, and (ad-hoc runs only) ``run -p NAME=VALUE``.

May import library layers and runner siblings, never a command module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.paths import ProjectPaths
from analysis.runner.params import (
    ParameterChecker,
    ParameterError,
    close_matches,
    template_defaults,
)

GridError = ParameterError  # a bad grid or bad parameters: one line that says what and where
ENTRY_KEYS = ("entity_code", "label", "years", "templates")


@dataclass(frozen=True)
class Run:
    """One notebook execution."""

    entity_code: str
    year: int
    template: str
    label: str
    parameters: dict[str, Any] = field(hash=False, compare=False)
    # where the outputs go: None for the book's runs (book/reports/<entity>/<year>/), else the
    # scratch folder of an ad-hoc run, laid out the same way (<root>/<entity>/<year>/)
    output_root: Path | None = field(default=None, hash=False, compare=False)
    overrides: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)  # run -p

    @property
    def key(self) -> str:
        return f"{self.entity_code}/{self.year}/{self.template}"

    @property
    def adhoc(self) -> bool:
        return self.output_root is not None

    def output_dir(self, paths: ProjectPaths) -> Path:
        return (self.output_root or paths.reports) / self.entity_code / str(self.year)

    def outputs(self, paths: ProjectPaths) -> dict[str, Path]:
        """The four files a successful run writes, by role (the record last)."""
        folder = self.output_dir(paths)
        return {
            "notebook": folder / f"{self.template}.ipynb",
            "key_figures": folder / f"{self.template}.key_figures.json",
            "data": folder / f"{self.template}.data.csv",
            "record": folder / f"{self.template}.run.json",
        }

    def notebook_path(self, paths: ProjectPaths) -> Path:
        return self.output_dir(paths) / f"{self.template}.ipynb"

    def reproduce_command(self) -> str:
        command = (
            f"python -m analysis run --entity {self.entity_code} --year {self.year} "
            f"--template {self.template}"
        )
        for name, value in sorted(self.overrides.items()):
            shown = ",".join(map(str, value)) if isinstance(value, list) else str(value)
            command += f" -p {name}={shown}"
        return command + " --force"


def available_templates(paths: ProjectPaths) -> list[str]:
    """Template names: the ``notebooks/*.py`` files (jupytext percent format)."""
    return sorted(p.stem for p in paths.notebooks.glob("*.py") if not p.stem.startswith("_"))


def declared_parameters(paths: ProjectPaths, templates: list[str]) -> dict[str, Any]:
    """Every parameter the templates declare, with its default (the first template's, in name order)."""
    out: dict[str, Any] = {}
    for template in templates:
        for name, value in template_defaults(paths.notebooks / f"{template}.py").items():
            out.setdefault(name, value)
    return out


def check_templates(value: object, known: list[str], where: str) -> list[str]:
    """A list of known template names, or GridError (``templates: overview`` is not a list)."""
    if isinstance(value, str) or not isinstance(value, list) or not value:
        raise GridError(f"{where}: templates must be a list such as [overview, payouts], not {value!r}")
    for template in value:
        if template not in known:
            raise GridError(
                f"{where}: unknown template {template!r}{close_matches(str(template), known)} "
                f"(known: {', '.join(known)})"
            )
    return list(value)


def _check_keys(mapping: dict[str, Any], allowed: list[str], where: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise GridError(
                f"{where}: unknown key {key!r}{close_matches(str(key), allowed)} "
                f"(allowed: {', '.join(allowed)})"
            )


@dataclass(frozen=True)
class GridSpec:
    """runs.yml as read: the book-wide defaults and the run entries (not yet checked)."""

    file: Path
    defaults: dict[str, Any]
    entries: list[dict[str, Any]]


def read_spec(runs_file: Path) -> GridSpec:
    """Parse runs.yml; GridError (one line) when it is missing, not YAML or not shaped like a grid."""
    try:
        spec = yaml.safe_load(runs_file.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise GridError(f"{runs_file}: not found") from exc
    except yaml.YAMLError as exc:
        raise GridError(f"{runs_file}: not valid YAML: {exc}".replace("\n", " ")) from exc
    name = runs_file.name
    if not isinstance(spec, dict):
        raise GridError(f"{name}: expected the keys defaults: and runs:, not {type(spec).__name__}")
    _check_keys(spec, ["defaults", "runs"], name)
    defaults = spec.get("defaults") or {}
    entries = spec.get("runs") or []
    if not isinstance(defaults, dict):
        raise GridError(f"{name} defaults: expected NAME: VALUE lines, not {defaults!r}")
    if not isinstance(entries, list):
        raise GridError(f"{name} runs: expected a list of entries (lines starting with '- ')")
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise GridError(f"{name} run {i}: expected entity_code:, years: ..., not {entry!r}")
    return GridSpec(runs_file, dict(defaults), list(entries))


class GridBuilder:
    """Turns runs.yml (and ad-hoc requests) into checked :class:`Run` objects."""

    def __init__(self, paths: ProjectPaths, observations: pd.DataFrame, entities: pd.DataFrame) -> None:
        self.paths = paths
        self.entities = entities
        self.checker = ParameterChecker(observations, entities)
        self.templates = available_templates(paths)
        self.declared = declared_parameters(paths, self.templates)

    def _defaults(self, spec: GridSpec) -> tuple[dict[str, Any], list[str]]:
        where = f"{spec.file.name} defaults"
        _check_keys(
            spec.defaults,
            ["templates", *(k for k in self.declared if k not in ("entity_code", "year"))],
            where,
        )
        params = {k: v for k, v in spec.defaults.items() if k != "templates"}
        templates = (
            check_templates(spec.defaults["templates"], self.templates, where)
            if "templates" in spec.defaults
            else self.templates
        )
        return params, templates

    def _label(self, entry: dict[str, Any], code: str) -> str:
        return str(entry.get("label") or self.entities.set_index("entity_code").at[code, "name"])

    def make_runs(
        self,
        code: str,
        years: list[int],
        templates: list[str],
        params: dict[str, Any],
        explicit: set[str],
        label: str,
        where: str,
        output_root: Path | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> list[Run]:
        """Check the parameters of each year, then one Run per year × template."""
        runs = []
        for year in years:
            merged = {**self.declared, **params, "entity_code": code, "year": year}
            checked = self.checker.check(merged, self.declared, where, explicit)
            for template in templates:
                runs.append(
                    Run(code, checked["year"], template, label, checked, output_root, dict(overrides or {}))
                )
        return runs

    def grid(self, spec: GridSpec) -> list[Run]:
        defaults, default_templates = self._defaults(spec)
        runs: list[Run] = []
        for i, entry in enumerate(spec.entries, start=1):
            where = f"{spec.file.name} run {i}"
            per_run = [k for k in self.declared if k not in ("entity_code", "year")]
            _check_keys(entry, [*ENTRY_KEYS, *per_run], where)
            code = self.checker.entity(entry.get("entity_code"), where)
            where = f"{spec.file.name} run {i} ({code})"
            templates = (
                check_templates(entry["templates"], self.templates, where)
                if "templates" in entry
                else default_templates
            )
            years = entry.get("years")
            if not isinstance(years, list) or not years:
                raise GridError(
                    f"{where}: years must be a list such as [2023] or [2011, 2024], not {years!r}"
                )
            params = {k: v for k, v in entry.items() if k not in ENTRY_KEYS}
            runs += self.make_runs(
                code, years, templates, {**defaults, **params}, set(params), self._label(entry, code), where
            )
        keys = [r.key for r in runs]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise GridError(f"{spec.file.name}: runs declared twice: {', '.join(sorted(dupes))}")
        return runs

    def adhoc(
        self,
        spec: GridSpec,
        codes: list[str],
        years: list[int],
        templates: list[str] | None,
        overrides: dict[str, Any],
        output_root: Path,
    ) -> list[Run]:
        """Runs outside the book: any entity-year with data, any declared parameter (``-p``).

        Parameters not overridden come from runs.yml: its defaults and, when the entity has an
        entry there, that entry's (e.g. its comparison entities). Outputs go to
        ``<output_root>/<entity>/<year>/``, laid out as ``book/reports`` is, so that
        ``analysis diff book/reports <output_root>`` compares like with like.
        """
        defaults, _ = self._defaults(spec)
        if templates:
            check_templates(templates, self.templates, "--template")
        chosen = templates or self.templates
        runs: list[Run] = []
        for code in codes:
            code = self.checker.entity(code, "--entity")
            entry = next((e for e in spec.entries if e.get("entity_code") == code), {})
            entry_params = {k: v for k, v in entry.items() if k not in ENTRY_KEYS}
            params = {**defaults, **entry_params, **overrides}
            explicit = set(entry_params) | set(overrides)
            label = self._label(entry, code)
            for year in years:
                where = f"--entity {code} --year {year}"
                runs += self.make_runs(
                    code, [year], chosen, params, explicit, label, where, output_root, overrides
                )
        return runs


def load_grid(
    paths: ProjectPaths,
    observations: pd.DataFrame,
    entities: pd.DataFrame,
    runs_file: Path | None = None,
) -> list[Run]:
    """Read and check ``runs.yml``; raise GridError on the first problem."""
    spec = read_spec(runs_file or paths.runs_file)
    return GridBuilder(paths, observations, entities).grid(spec)


def select_runs(
    runs: list[Run],
    entities: list[str] | None,
    years: list[int] | None,
    templates: list[str] | None,
    paths: ProjectPaths,
    all_entities: pd.DataFrame,
) -> list[Run]:
    """Filter the grid by the command-line options, checking each option first (may return [])."""
    checker = ParameterChecker(pd.DataFrame(columns=["entity_code", "period"]), all_entities)
    for code in entities or []:
        checker.entity(code, "--entity")
    if templates:
        check_templates(templates, available_templates(paths), "--template")
    return [
        r
        for r in runs
        if (not entities or r.entity_code in entities)
        and (not years or r.year in years)
        and (not templates or r.template in templates)
    ]
