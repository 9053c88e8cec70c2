"""The data a run reads: which observations a notebook for one entity may use.

The runner hashes exactly this subset to decide whether a run is stale, writes it as the chapter's
CSV download, and the notebook loads it through :func:`run_observations`. One definition for all
three keeps the cache honest: a notebook cannot read a row that its fingerprint does not cover.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

NATIONAL_CODE = "EAK"


def related_codes(entities: pd.DataFrame, entity_code: str) -> set[str]:
    """The entity with its predecessors and successors across code changes (transitively).

    Nordre Follo 3020 brings in Ski 0213 and Oppegård 0217 (their ``successor_code``) and its own
    successor 3207; Bergen 4601 brings in 1201.
    """
    successor = dict(zip(entities["entity_code"], entities["successor_code"], strict=True))
    codes = {entity_code}
    while True:
        grown = set(codes)
        for code, succ in successor.items():
            if succ in codes:
                grown.add(code)
            if code in codes and succ:
                grown.add(succ)
        if grown == codes:
            return codes
        codes = grown


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
