"""Loading the curated dataset: observations, sources, entities and indicators.

Everything is read as text first (entity codes such as ``0301`` must keep their leading zero), then
``value`` is converted to a number for analysis. Validation (``analysis.observations.validate``) works on the
text form so that it can report the exact cell that is wrong.

May import :mod:`analysis.schema` and :mod:`analysis.paths`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.paths import ProjectPaths, project_paths
from analysis.schema import ENTITY_COLUMNS, INDICATOR_COLUMNS, OBSERVATION_COLUMNS, SOURCE_COLUMNS


class DataError(ValueError):
    """A data file that cannot be read as the table it should be; the message is one line naming it."""


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text_table(path: Path, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Read a CSV with every column as text and empty cells as empty strings (never NaN).

    Raises :class:`DataError` (one line, naming the file) for an empty file, a file delimited with
    ``;`` or tabs instead of commas (a spreadsheet export), a file that is not UTF-8 or not CSV, and
    — when ``columns`` is given — a header that lacks any of them. ``FileNotFoundError`` passes.
    """
    where = _shown(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise DataError(f"{where}: the file is empty (expected a CSV header line)") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{where}: not a valid CSV: {str(exc).strip().splitlines()[0]}") from None
    header = list(frame.columns)
    if len(header) == 1:
        for delimiter, name in ((";", "semicolons"), ("\t", "tabs")):
            if delimiter in header[0]:
                raise DataError(
                    f"{where}: the columns are separated by {name}, not commas; "
                    "save it as comma-separated CSV"
                )
    if columns is not None:
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(f"{where}: missing column(s) {', '.join(missing)} in the header line")
    return frame


@dataclass(frozen=True)
class Dataset:
    """The curated tables, as text (``observations``) and typed (``typed_observations``)."""

    observations: pd.DataFrame
    sources: pd.DataFrame
    entities: pd.DataFrame
    indicators: pd.DataFrame
    #: figures derived from printed ones (``data/curated/derived_observations.csv``), text; never
    #: mixed into ``observations`` (see :mod:`analysis.observations.derived`)
    derived: pd.DataFrame | None = None

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
    required = tuple(c for c in OBSERVATION_COLUMNS if c != "quality")
    observations = read_text_table(p.observations, required)
    if "quality" not in observations.columns:
        raise DataError(
            f"{_shown(p.observations)}: no 'quality' column (exact, rounded, lower_bound, upper_bound, "
            "suspect; see data/CURATION.md)"
        )
    sources = read_text_table(p.sources, SOURCE_COLUMNS)
    ssb_obs = p.observations.with_name(SSB_OBSERVATIONS)
    ssb_src = p.observations.with_name(SSB_SOURCES)
    if include_ssb and ssb_obs.exists() and ssb_src.exists():
        extra = read_text_table(ssb_obs, required)
        if "quality" not in extra.columns:  # written before the column existed: SSB cells are exact
            extra["quality"] = "exact"
        observations = pd.concat([observations, extra[list(OBSERVATION_COLUMNS)]], ignore_index=True)
        extra_sources = read_text_table(ssb_src, SOURCE_COLUMNS)
        new = extra_sources[~extra_sources["source_id"].isin(sources["source_id"])]
        sources = pd.concat([sources, new[list(SOURCE_COLUMNS)]], ignore_index=True)
    derived_path = p.derived_observations
    return Dataset(
        observations=observations,
        sources=sources,
        entities=read_text_table(p.entities, ENTITY_COLUMNS),
        indicators=read_text_table(p.indicators, INDICATOR_COLUMNS),
        derived=read_text_table(derived_path) if derived_path.exists() else None,
    )
