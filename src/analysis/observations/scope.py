"""The data a run reads: which observations a notebook for one entity may use.

The runner hashes exactly this subset to decide whether a run is stale, writes it as the chapter's
CSV download, and the notebook loads it through :func:`run_observations`. One definition for all
three keeps the cache honest: a notebook cannot read a row that its fingerprint does not cover.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.observations.lineage import related_codes
from analysis.schema import NATIONAL_CODE


def run_entity_codes(entities: pd.DataFrame, entity_code: str, comparison: Iterable[str]) -> set[str]:
    """Every entity code a run for ``entity_code`` reads: itself, related codes, comparisons, the country."""
    codes = related_codes(entities, entity_code) | {NATIONAL_CODE}
    for other in comparison:
        codes |= related_codes(entities, other)
    return codes


def run_observations(
    observations: pd.DataFrame, entities: pd.DataFrame, entity_code: str, comparison: Iterable[str]
) -> pd.DataFrame:
    """The observations a run may read, in file order (a stable subset of the text table)."""
    codes = run_entity_codes(entities, entity_code, comparison)
    return observations[observations["entity_code"].isin(codes)]
