"""Entity lineage: which codes stand for one entity over time, and which city a district belongs to.

The one place that reads ``successor_code`` and ``parent`` of ``data/reference/entities.csv``.
All questions are answered from one link table (:class:`Links`), each with its own meaning:

* :func:`related_codes` — the codes a run for an entity reads: the entity, its successors and its
  predecessors (each direction walked on its own), never a *sibling* (another predecessor of one of
  its successors): Ski 0213 reads 3020 and 3207 but not Oppegård 0217.
* :func:`predecessor_codes` — the entity and its predecessors, nearest first (to ask SSB for the
  codes a table printed before a reform).
* :func:`lineage` — the same territory under renumbered codes (``same``) and the municipalities
  merged into it (``parts``), for joining a series across code changes.
* :func:`city_of` / :func:`districts_of` — a city district's city, and a city's districts.

Imports only pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


@dataclass(frozen=True)
class Links:
    """The entities table as links: successor, predecessors, parent, level and validity per code."""

    successor: dict[str, str]
    predecessors: dict[str, tuple[str, ...]]
    parent: dict[str, str]
    level: dict[str, str]
    valid: dict[str, tuple[int | None, int | None]]

    @classmethod
    def of(cls, entities: pd.DataFrame) -> Links:
        codes = [str(c) for c in entities["entity_code"]]

        def column(name: str) -> list[str]:
            return [str(v) for v in entities[name]] if name in entities else [""] * len(codes)

        successor = {c: s for c, s in zip(codes, column("successor_code"), strict=True) if s}
        predecessors: dict[str, list[str]] = {}
        for code, succ in successor.items():
            predecessors.setdefault(succ, []).append(code)
        return cls(
            successor=successor,
            predecessors={k: tuple(v) for k, v in predecessors.items()},
            parent={c: p for c, p in zip(codes, column("parent"), strict=True) if p},
            level=dict(zip(codes, column("level"), strict=True)),
            valid={
                c: (_year(f), _year(t))
                for c, f, t in zip(codes, column("valid_from"), column("valid_to"), strict=True)
            },
        )

    def known(self, code: str) -> bool:
        return code in self.level

    def successors(self, code: str) -> list[str]:
        """The codes that followed ``code``, nearest first (a chain: each code has one successor)."""
        out: list[str] = []
        while code in self.successor and self.successor[code] not in out and self.successor[code] != code:
            code = self.successor[code]
            out.append(code)
        return out

    def ancestors(self, code: str) -> list[str]:
        """The codes that preceded ``code``, transitively, nearest first."""
        out: list[str] = []
        frontier = [code]
        while frontier:
            nxt = [p for c in frontier for p in self.predecessors.get(c, ()) if p not in out and p != code]
            out.extend(nxt)
            frontier = nxt
        return out


def related_codes(entities: pd.DataFrame, entity_code: str) -> set[str]:
    """The entity with its successors and its predecessors across code changes, never a sibling.

    Each direction is walked on its own: forward along ``successor_code``, backward to every code
    whose successor chain leads here. From ``data/reference/entities.csv``: Ski 0213 reads 0213,
    Nordre Follo 3020 and 3207, but not Oppegård 0217 (a sibling: another predecessor of 3020);
    Nordre Follo 3020 reads 3207 and both Ski and Oppegård (its predecessors); Bergen 4601 reads 1201.
    """
    links = Links.of(entities)
    return {entity_code, *links.successors(entity_code), *links.ancestors(entity_code)}


def predecessor_codes(entities: pd.DataFrame, entity_code: str) -> list[str]:
    """``entity_code`` and its predecessors (transitively), nearest first: 4601 → [4601, 1201]."""
    return [entity_code, *Links.of(entities).ancestors(entity_code)]


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
    """Renumberings and mergers around ``entity_code``.

    A successor with exactly one predecessor in the table is a renumbering (same territory); a
    successor with two or more predecessors is a merger, whose predecessors become ``parts``.
    Example from ``data/reference/entities.csv``: for 3207, ``same`` = (3020, 3207), ``parts`` =
    (0213, 0217), merged from 2020; for 4601, ``same`` = (1201, 4601) and no parts.
    Raises ``KeyError`` for an unknown code.

    Reference: SSB's code changes (KLASS 131) as recorded in ``data/reference/entities.csv``.
    """
    links = Links.of(entities)
    if not links.known(entity_code):
        raise KeyError(f"unknown entity code {entity_code!r}")
    same = {entity_code}
    frontier = [entity_code]
    while frontier:  # walk renumberings both ways
        code = frontier.pop()
        linked = []
        succ = links.successor.get(code)
        if succ is not None and len(links.predecessors.get(succ, ())) == 1:
            linked.append(succ)
        preds = links.predecessors.get(code, ())
        if len(preds) == 1:
            linked.extend(preds)
        for other in linked:
            if other not in same and links.known(other):
                same.add(other)
                frontier.append(other)
    parts: list[str] = []
    merged_from: int | None = None
    for code in same:
        preds = links.predecessors.get(code, ())
        if len(preds) >= 2:
            parts.extend(preds)
            start = links.valid[code][0]
            merged_from = start if merged_from is None or (start and start < merged_from) else merged_from
    valid = {code: links.valid[code] for code in same | set(parts)}
    order = sorted(same, key=lambda c: (valid[c][0] or -1, c))
    return Lineage(entity_code, tuple(order), tuple(sorted(parts)), merged_from, valid)


def city_of(entities: pd.DataFrame, entity_code: str) -> str | None:
    """The city (``parent``) of a city district (level ``district``), else None: 030115 → 0301.

    A district's figures are the district's own; a page for the district never reads the city's.
    """
    links = Links.of(entities)
    if links.level.get(entity_code) != "district":
        return None
    return links.parent.get(entity_code)


def districts_of(entities: pd.DataFrame, city_code: str) -> tuple[str, ...]:
    """The districts (level ``district``) whose ``parent`` is ``city_code``, sorted by code."""
    links = Links.of(entities)
    return tuple(
        sorted(c for c, p in links.parent.items() if p == city_code and links.level[c] == "district")
    )
