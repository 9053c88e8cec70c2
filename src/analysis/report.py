"""Notebook-side helpers: open a run's data, glue key figures, say what is missing, provenance.

Notebooks stay thin: parameters, calls into the package, figures and words. These helpers are the
only thing a notebook needs besides the analysis functions.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import __version__
from analysis.dataset import Dataset, load_dataset
from analysis.paths import ProjectPaths, project_paths
from analysis.scope import run_observations

GLUE_PREFIX = "application/papermill.record/"  # myst_nb's prefix for glued, undisplayed values


@dataclass(frozen=True)
class RunContext:
    """Everything a notebook for one entity and year reads."""

    entity_code: str
    year: int
    entity_name: str
    observations: pd.DataFrame  # typed, restricted to the run's scope (analysis.scope)
    dataset: Dataset
    snapshot: str  # sha256 (12 hex) of the whole observations file

    def sources_table(self, source_ids: Iterable[str]) -> pd.DataFrame:
        ids = sorted(set(source_ids))
        return self.dataset.sources.set_index("source_id").loc[ids].reset_index()


def open_run(
    entity_code: str, year: int, comparison_entities: Sequence[str] = (), paths: ProjectPaths | None = None
) -> RunContext:
    """Load the dataset and keep the observations this run may read."""
    if not isinstance(entity_code, str):
        raise TypeError(f"entity_code must be a string such as '0301', not {entity_code!r}")
    p = paths or project_paths()
    data = load_dataset(p)
    scoped = run_observations(data.observations, data.entities, entity_code, comparison_entities)
    typed = Dataset(scoped, data.sources, data.entities, data.indicators).typed_observations()
    snapshot = hashlib.sha256(p.observations.read_bytes()).hexdigest()[:12]
    return RunContext(entity_code, int(year), data.entity_name(entity_code), typed, data, snapshot)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def glue(key: str, value: Any, *, unit: str, sources: Iterable[str], display: bool = False) -> None:
    """Glue ``value`` for use in the book's prose and record it as a key figure.

    The output is what ``myst_nb.glue`` emits (so ``{glue:text}`` works) plus, in the output's
    metadata, the value, unit and source ids that the runner collects into the key-figures file.
    """
    from IPython.display import display as ipy_display

    plain = _plain(value)
    text = repr(plain) if not isinstance(plain, str) else plain
    prefix = "" if display else GLUE_PREFIX
    meta = {
        "scrapbook": {"name": key, "mime_prefix": prefix},
        "analysis": {"key": key, "value": plain, "unit": unit, "sources": sorted(set(sources))},
    }
    ipy_display({prefix + "text/plain": text}, raw=True, metadata=meta)


def missing_note(what: str, supplier: str) -> str:
    """Markdown saying a section has no data and which source would supply it."""
    return (
        f"```{{note}}\nNo data: {what}. The curated dataset has no such figure for this entity and "
        f"year. {supplier}\n```\n"
    )


def provenance_footer(
    ctx: RunContext, parameters: dict[str, Any], source_ids: Iterable[str], data_file: str, notebook_file: str
) -> str:
    """Markdown footer: data snapshot, sources cited by the numbers on the page, parameters, version."""
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
            where = src["url"] or f"document `{src['file']}`"
            lines.append(
                f"  - `{src['source_id']}`: {src['title']} ({src['publisher']}, {src['published']}); {where}"
            )
    else:
        lines.append("- Sources cited on this page: none (no figures for this entity and year)")
    return "\n".join(lines) + "\n"
