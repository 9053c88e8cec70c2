"""Loading the curated dataset: observations, sources, entities and indicators.

Everything is read as text first (entity codes such as ``0301`` must keep their leading zero), then
``value`` is converted to a number for analysis. Validation (``analysis.observations.validate``) works on the
text form so that it can report the exact cell that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.paths import ProjectPaths, project_paths
from analysis.schema import OBSERVATION_COLUMNS, SOURCE_COLUMNS


def read_text_table(path: Path) -> pd.DataFrame:
    """Read a CSV with every column as text and empty cells as empty strings (never NaN)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")


@dataclass(frozen=True)
class Dataset:
    """The curated tables, as text (``observations``) and typed (``typed_observations``)."""

    observations: pd.DataFrame
    sources: pd.DataFrame
    entities: pd.DataFrame
    indicators: pd.DataFrame

    def typed_observations(self) -> pd.DataFrame:
        """Observations with ``value`` as float and ``preferred`` as bool; codes and ``quality`` stay
        strings (``suspect`` rows are kept here: :func:`analysis.series.select.usable` drops them where
        values are computed, :func:`analysis.series.select.suspect_rows` lists them)."""
        frame = self.observations.copy()
        frame["value"] = pd.to_numeric(frame["value"], errors="raise").astype(float)
        frame["preferred"] = frame["preferred"].str.lower().eq("true")
        return frame

    def entity_name(self, entity_code: str) -> str:
        """The entity's name; raises ``KeyError`` naming the unknown code."""
        match = self.entities.loc[self.entities["entity_code"] == entity_code, "name"]
        if match.empty:
            raise KeyError(f"unknown entity code {entity_code!r}")
        return str(match.iloc[0])

    def indicator_row(self, indicator: str) -> pd.Series:
        match = self.indicators.loc[self.indicators["indicator"] == indicator]
        if match.empty:
            raise KeyError(f"unknown indicator {indicator!r}")
        return match.iloc[0]


SSB_OBSERVATIONS = "ssb_observations.csv"
SSB_SOURCES = "ssb_sources.csv"


def load_dataset(paths: ProjectPaths | None = None, include_ssb: bool = True) -> Dataset:
    """Read the four curated tables from ``data/``.

    When ``python -m analysis fetch-ssb`` has written ``data/curated/ssb_observations.csv`` and
    ``ssb_sources.csv``, their rows are appended (``include_ssb``). The merge rule is applied when
    they are written (``analysis.sources.ssb.observations``): curated document figures win, and an SSB row
    that disagrees with a curated one is ``preferred=false``, so series pick the curated value.
    """
    p = paths or project_paths()
    observations = read_text_table(p.observations)
    if "quality" not in observations.columns:
        raise ValueError(
            f"{p.observations}: no 'quality' column (exact, rounded, lower_bound, upper_bound, suspect; "
            "see data/CURATION.md)"
        )
    sources = read_text_table(p.sources)
    ssb_obs = p.observations.with_name(SSB_OBSERVATIONS)
    ssb_src = p.observations.with_name(SSB_SOURCES)
    if include_ssb and ssb_obs.exists() and ssb_src.exists():
        extra = read_text_table(ssb_obs)
        if "quality" not in extra.columns:  # written before the column existed: SSB cells are exact
            extra["quality"] = "exact"
        observations = pd.concat([observations, extra[list(OBSERVATION_COLUMNS)]], ignore_index=True)
        extra_sources = read_text_table(ssb_src)
        new = extra_sources[~extra_sources["source_id"].isin(sources["source_id"])]
        sources = pd.concat([sources, new[list(SOURCE_COLUMNS)]], ignore_index=True)
    return Dataset(
        observations=observations,
        sources=sources,
        entities=read_text_table(p.entities),
        indicators=read_text_table(p.indicators),
    )
