"""One run's data: the dataset and the observations a notebook for one entity and year may read.

May import :mod:`analysis.observations` siblings, :mod:`analysis.paths` and :mod:`analysis.schema`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.fileio import sha256_file
from analysis.observations.dataset import Dataset, load_dataset
from analysis.observations.scope import run_observations
from analysis.paths import ProjectPaths, project_paths


@dataclass(frozen=True)
class RunContext:
    """Everything a notebook for one entity and year reads."""

    entity_code: str
    year: int
    entity_name: str
    observations: pd.DataFrame  # typed, restricted to the run's scope (analysis.observations.scope)
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
    snapshot = sha256_file(p.observations)[:12]
    return run_context(load_dataset(p), entity_code, year, comparison_entities, snapshot)


def run_context(
    data: Dataset, entity_code: str, year: int, comparison_entities: Sequence[str] = (), snapshot: str = ""
) -> RunContext:
    """The run's context from a dataset already loaded (for deciding what a run can show)."""
    scoped = run_observations(data.observations, data.entities, entity_code, comparison_entities)
    typed = Dataset(scoped, data.sources, data.entities, data.indicators).typed_observations()
    return RunContext(entity_code, int(year), data.entity_name(entity_code), typed, data, snapshot)
