"""Entity lineage: which codes stand for the same territory over time (renumbering, mergers).

The one place that reads ``successor_code`` of ``data/reference/entities.csv``. Imports only pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


@dataclass(frozen=True)
class Lineage:
    """The codes behind one entity over time.

    ``same``: codes for the same territory linked by one-to-one renumbering (e.g. 1201 and 4601
    Bergen; 3020 and 3207 Nordre Follo). ``parts``: codes of municipalities merged into it, with
    the first year of the merged entity (e.g. Ski 0213 and Oppegård 0217, merged from 2020).
    """

    entity_code: str
    same: tuple[str, ...]
    parts: tuple[str, ...]
    merged_from: int | None
    valid: dict[str, tuple[int | None, int | None]]

    def codes_for_year(self, year: int) -> tuple[str, ...]:
        """Codes of ``same`` that were valid in ``year`` (open ends count as valid)."""
        out = []
        for code in self.same:
            start, end = self.valid[code]
            if (start is None or year >= start) and (end is None or year <= end):
                out.append(code)
        return tuple(out)


def lineage(entities: pd.DataFrame, entity_code: str) -> Lineage:
    """Follow ``successor_code`` links in the entities table around ``entity_code``.

    A successor with exactly one predecessor in the table is a renumbering (same territory); a
    successor with two or more predecessors is a merger, whose predecessors become ``parts``.
    Example from ``data/reference/entities.csv``: for 3207, ``same`` = (3020, 3207), ``parts`` =
    (0213, 0217), merged from 2020; for 4601, ``same`` = (1201, 4601) and no parts.
    Raises ``KeyError`` for an unknown code.

    Reference: SSB's code changes (domain.md "Entities and codes"; SSB KLASS 131 changes).
    """
    table = entities.set_index("entity_code")
    if entity_code not in table.index:
        raise KeyError(f"unknown entity code {entity_code!r}")
    successor = {c: s for c, s in table["successor_code"].items() if s}
    predecessors: dict[str, list[str]] = {}
    for code, succ in successor.items():
        predecessors.setdefault(succ, []).append(code)

    same = {entity_code}
    frontier = [entity_code]
    while frontier:  # walk renumberings both ways
        code = frontier.pop()
        linked = []
        succ = successor.get(code)
        if succ is not None and len(predecessors.get(succ, [])) == 1:
            linked.append(succ)
        preds = predecessors.get(code, [])
        if len(preds) == 1:
            linked.extend(preds)
        for other in linked:
            if other not in same and other in table.index:
                same.add(other)
                frontier.append(other)
    parts: list[str] = []
    merged_from: int | None = None
    for code in same:
        preds = predecessors.get(code, [])
        if len(preds) >= 2:
            parts.extend(preds)
            start = _year(str(table.at[code, "valid_from"]))
            merged_from = start if merged_from is None or (start and start < merged_from) else merged_from
    valid = {
        code: (_year(str(table.at[code, "valid_from"])), _year(str(table.at[code, "valid_to"])))
        for code in same | set(parts)
    }
    order = sorted(same, key=lambda c: (valid[c][0] or -1, c))
    return Lineage(entity_code, tuple(order), tuple(sorted(parts)), merged_from, valid)


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
