"""Checking a run's parameters before any kernel starts: one line per problem, saying what and where.

The parameters a template declares are the assignments of its ``parameters`` cell
(``notebooks/<template>.py``); their defaults give their types (whole number, text, list of entity
codes). Parameters come from ``book/runs.yml`` (YAML values) or from ``run -p NAME=VALUE`` (text);
both are checked here with the same rules:

- names: only declared parameters (close matches suggested);
- types: years are whole numbers, lists are lists, entity codes are quoted strings — an unquoted
  ``0301`` that YAML read as the octal number 193 is explained as such;
- ``year``: the entity (with its predecessors and successors) has data that year; the years with
  data are listed exactly, gaps included (``2011, 2015–2024``);
- ``cpi_base_year``: the data hold an annual CPI for that year (a level, or one chained from a
  published change, as :func:`analysis.series.prices.cpi_levels` does);
- ``break_month``: a real month (``YYYY-MM``, 01–12), inside the entity's monthly data when it has any.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.observations.lineage import related_codes
from analysis.schema import NATIONAL_CODE

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
SET_BY_OPTIONS = {"entity_code": "--entity", "year": "--year"}


class ParameterError(ValueError):
    """A bad parameter: the message is one line that says what and where."""


def year_spans(years: Iterable[int]) -> str:
    """``[2011, 2015, 2016, 2017]`` → ``"2011, 2015–2017"``: every gap shows."""
    ordered = sorted(set(years))
    if not ordered:
        return "none"
    spans: list[tuple[int, int]] = []
    for y in ordered:
        if spans and y == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], y)
        else:
            spans.append((y, y))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def close_matches(word: str, known: Iterable[str]) -> str:
    """`` — did you mean X?`` for a near miss, else an empty string."""
    known = list(known)
    inside = [k for k in known if len(word) >= 3 and word.lower() in k.lower()]
    hits = list(dict.fromkeys(inside + difflib.get_close_matches(word, known, n=3, cutoff=0.6)))[:3]
    return f" — did you mean {' or '.join(hits)}?" if hits else ""


CELL_RE = re.compile(r"^# %%(.*)$", re.MULTILINE)


def template_defaults(template_file: Path) -> dict[str, Any]:
    """The parameters a template declares: the literal assignments of its ``parameters`` cell.

    Templates are jupytext percent files, where a cell starts with a ``# %%`` line carrying its
    tags. Reading that one cell here, rather than through jupytext, spares every command the
    seconds it takes to import jupytext and nbformat.
    """
    text = template_file.read_text(encoding="utf-8")
    marks = list(CELL_RE.finditer(text))
    for i, mark in enumerate(marks):
        if "parameters" not in mark.group(1):
            continue
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out: dict[str, Any] = {}
        for node in ast.parse(text[mark.end() : end]).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    out[target.id] = ast.literal_eval(node.value)
        return out
    return {}


def _unquoted_code_hint(number: int, known: set[str]) -> str:
    """Explain which quoted code an unquoted YAML number probably was."""
    octal = f"0{number:o}"
    if octal in known:
        return (
            f"YAML read the unquoted {octal} as the octal number {number}; write it in quotes: "
            f'"{octal}"'
        )
    for width in (4, 6):
        padded = str(number).zfill(width)
        if padded in known and padded != str(number):
            return f'an unquoted code loses its leading zero; write it in quotes: "{padded}"'
    return 'entity codes are text: write them in quotes, e.g. "0301"'


@dataclass
class ParameterChecker:
    """The data a parameter check needs: observations (text) and the entity table."""

    observations: pd.DataFrame
    entities: pd.DataFrame

    @cached_property
    def known_codes(self) -> set[str]:
        return set(self.entities["entity_code"])

    @cached_property
    def _names(self) -> dict[str, str]:
        return dict(zip(self.entities["entity_code"], self.entities["name"], strict=True))

    @cached_property
    def cpi_years(self) -> set[int]:
        """Years with an annual CPI level, as the notebooks see it (levels and chained changes)."""
        from analysis.observations.dataset import Dataset
        from analysis.series.prices import cpi_levels

        national = self.observations[self.observations["entity_code"] == NATIONAL_CODE]
        # a value that is not a number is the validation gate's to report (it runs after these checks)
        national = national[pd.to_numeric(national["value"], errors="coerce").notna()]
        empty = self.observations.iloc[0:0]
        typed = Dataset(national, empty, self.entities, empty).typed_observations()
        levels = cpi_levels(typed)
        return {int(p) for p in levels["period"]} if len(levels) else set()

    def entity(self, code: object, where: str) -> str:
        """The code as a string, or ParameterError with close matches or the unquoted-code pitfall."""
        if isinstance(code, bool) or not isinstance(code, str):
            hint = (
                _unquoted_code_hint(code, self.known_codes)
                if isinstance(code, int) and not isinstance(code, bool)
                else 'entity codes are text: write them in quotes, e.g. "0301"'
            )
            raise ParameterError(f"{where}: entity code {code!r} is not text — {hint}")
        if code not in self.known_codes:
            raise ParameterError(f"{where}: unknown entity code {code!r}{self._suggest(code)}")
        return code

    def _suggest(self, code: str) -> str:
        known = sorted(self.known_codes)
        by_code = difflib.get_close_matches(code, known, n=3, cutoff=0.5)
        by_name = [c for c, n in self._names.items() if code.lower() in n.lower()]
        hits = list(dict.fromkeys(by_name + by_code))[:3]
        if not hits:
            return " (data/reference/entities.csv lists the known codes)"
        return " — did you mean " + ", ".join(f"{c} ({self._names[c]})" for c in hits) + "?"

    def data_years(self, code: str) -> set[int]:
        rows = self.observations[self.observations["entity_code"].isin(related_codes(self.entities, code))]
        return {int(p[:4]) for p in rows["period"]}

    def months(self, code: str) -> list[str]:
        rows = self.observations[self.observations["entity_code"].isin(related_codes(self.entities, code))]
        return sorted({p for p in rows["period"] if len(p) == 7})

    def year(self, value: object, code: str, where: str, name: str = "year") -> int:
        year = whole_number(value, where, name)
        have = self.data_years(code)
        if year not in have:
            raise ParameterError(
                f"{where}: {name} {year} has no data for {code} (years with data: {year_spans(have)})"
            )
        return year

    def cpi_base_year(self, value: object, where: str) -> int:
        year = whole_number(value, where, "cpi_base_year")
        if year not in self.cpi_years:
            raise ParameterError(
                f"{where}: cpi_base_year {year} has no annual CPI in data/ "
                f"(years with a CPI: {year_spans(self.cpi_years)})"
            )
        return year

    def break_month(self, value: object, code: str, where: str, in_range: bool = True) -> str:
        """A real month; with ``in_range``, also inside the entity's monthly data when it has any.

        The book-wide default (``defaults:`` of runs.yml) is checked without ``in_range``: most
        entities have a few scattered monthly figures, and their notebook says that no monthly
        series spans the break. A break month given for one run or on the command line must fall
        inside the data.
        """
        text = value if isinstance(value, str) else None
        m = MONTH_RE.match(text or "")
        if text is None or not m or not 1 <= int(m.group(2)) <= 12:
            raise ParameterError(
                f"{where}: break_month {value!r} is not a month; write YYYY-MM with a month 01–12, "
                'e.g. "2022-09"'
            )
        months = self.months(code) if in_range else []
        if months and not months[0] < text <= months[-1]:
            raise ParameterError(
                f"{where}: break_month {text} is outside the monthly data of {code} "
                f"({months[0]} to {months[-1]}); pick a month after {months[0]}"
            )
        return text

    def comparison(self, value: object, where: str) -> list[str]:
        if not isinstance(value, list):
            raise ParameterError(
                f"{where}: comparison_entities must be a list such as [\"0301\", \"EAK\"], not {value!r}"
            )
        return [self.entity(c, f"{where} comparison_entities") for c in value]

    def check(
        self,
        params: dict[str, Any],
        declared: dict[str, Any],
        where: str,
        explicit: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Check every parameter of one run; return them in canonical form (types fixed).

        ``explicit`` names the parameters given for this run (not inherited from book-wide
        defaults); only those get the range check of ``break_month``.
        """
        explicit = set(explicit)
        unknown = [k for k in params if k not in declared]
        if unknown:
            raise ParameterError(
                f"{where}: unknown parameter {unknown[0]!r}{close_matches(unknown[0], declared)} "
                f"(the templates declare: {', '.join(declared)})"
            )
        out = dict(params)
        code = self.entity(params.get("entity_code"), where)
        out["entity_code"] = code
        out["year"] = self.year(params.get("year"), code, where)
        for name, value in params.items():
            if name == "cpi_base_year":
                out[name] = self.cpi_base_year(value, where)
            elif name == "break_month":
                out[name] = self.break_month(value, code, where, in_range=name in explicit)
            elif name == "comparison_entities":
                out[name] = self.comparison(value, where)
            elif name not in ("entity_code", "year"):
                out[name] = _like(value, declared[name], where, name)
        return out


def whole_number(value: object, where: str, name: str) -> int:
    """An int (not a bool, not text), or ParameterError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"{where}: {name} must be a whole number such as 2023, not {value!r}")
    return value


def _like(value: object, default: object, where: str, name: str) -> object:
    """A parameter without its own rule: it must have its default's type."""
    if default is not None and not isinstance(value, type(default)):
        raise ParameterError(
            f"{where}: {name} must be {type(default).__name__} like its default {default!r}, not {value!r}"
        )
    return value


def parse_cli_value(name: str, text: str, default: object) -> object:
    """``-p NAME=VALUE`` text → the parameter's type (given by the template's default).

    Entity codes stay text (``0301`` keeps its zero); a list is written comma-separated
    (``comparison_entities=0301,EAK``; ``comparison_entities=`` is the empty list).
    """
    if isinstance(default, bool):
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ParameterError(f"-p {name}: {text!r} is not true or false")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise ParameterError(f"-p {name}: {text!r} is not a whole number (e.g. {default})") from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise ParameterError(f"-p {name}: {text!r} is not a number (e.g. {default})") from None
    if isinstance(default, list):
        inner = text.strip().removeprefix("[").removesuffix("]")
        return [part.strip().strip("'\"") for part in inner.split(",") if part.strip()]
    return text


def parse_cli_parameters(pairs: list[str], declared: dict[str, Any]) -> dict[str, Any]:
    """``["cpi_base_year=2015", ...]`` → typed overrides; unknown or misplaced names refused."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"-p {pair!r}: write NAME=VALUE, e.g. -p cpi_base_year=2015")
        if name in SET_BY_OPTIONS:
            raise ParameterError(f"-p {name}: give it with {SET_BY_OPTIONS[name]}, not -p")
        if name not in declared:
            raise ParameterError(
                f"-p {name}: unknown parameter{close_matches(name, declared)} "
                f"(the templates declare: {', '.join(declared)})"
            )
        out[name] = parse_cli_value(name, text.strip(), declared[name])
    return out
