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
    """The entity with its predecessors and its successors across code changes, never a sibling.

    Rule (issue 12): walk ``successor_code`` links *forward* from the entity (its successors,
    transitively) and *backward* (its predecessors, transitively), each direction on its own. A
    sibling — another predecessor of one of the entity's successors — is not related: Ski 0213 reads
    0213, Nordre Follo 3020 and 3207, but not Oppegård 0217. Nordre Follo 3020 reads 3207 and both
    Ski 0213 and Oppegård 0217 (its predecessors); Bergen 4601 reads 1201.
    """
    successor = {c: s for c, s in zip(entities["entity_code"], entities["successor_code"], strict=True) if s}
    predecessors: dict[str, set[str]] = {}
    for code, succ in successor.items():
        predecessors.setdefault(succ, set()).add(code)
    codes = {entity_code}
    code = entity_code
    while code in successor and successor[code] not in codes:  # forward: successors
        code = successor[code]
        codes.add(code)
    frontier = [entity_code]
    while frontier:  # backward: predecessors
        for pred in predecessors.get(frontier.pop(), set()) - codes:
            codes.add(pred)
            frontier.append(pred)
    return codes


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
