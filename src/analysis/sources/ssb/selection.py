"""A selection of a PxWebApi table: the codes chosen per variable, its size, how to halve it, and
its GET and POST forms. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Selection:
    """Variables and the codes chosen for each, in the table's variable order."""

    variables: tuple[tuple[str, tuple[str, ...]], ...]
    codelists: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, items: Mapping[str, Sequence[str]], codelists: Mapping[str, str] | None = None) -> Selection:
        return cls(
            tuple((k, tuple(v)) for k, v in items.items()),
            tuple(sorted((codelists or {}).items())),
        )

    @property
    def cells(self) -> int:
        n = 1
        for _, codes in self.variables:
            n *= len(codes)
        return n

    def split(self, prefer: Sequence[str] = ("Tid",)) -> tuple[Selection, Selection] | None:
        """Halve the longest variable (``prefer`` wins ties); None when every variable has one code."""
        best: int | None = None
        for i, (name, codes) in enumerate(self.variables):
            if len(codes) < 2:
                continue
            if best is None:
                best = i
                continue
            cur = len(self.variables[best][1])
            tie_won = len(codes) == cur and name in prefer and self.variables[best][0] not in prefer
            if len(codes) > cur or tie_won:
                best = i
        if best is None:
            return None
        name, codes = self.variables[best]
        mid = len(codes) // 2
        a = list(self.variables)
        b = list(self.variables)
        a[best] = (name, codes[:mid])
        b[best] = (name, codes[mid:])
        return Selection(tuple(a), self.codelists), Selection(tuple(b), self.codelists)

    def post_body(self) -> dict[str, Any]:
        lists = dict(self.codelists)
        items = []
        for name, codes in self.variables:
            item: dict[str, Any] = {"variableCode": name, "valueCodes": list(codes)}
            if name in lists:
                item["codelist"] = lists[name]
            items.append(item)
        return {"selection": items}

    def query_pairs(self) -> list[tuple[str, str]]:
        pairs = [(f"valueCodes[{name}]", ",".join(codes)) for name, codes in self.variables]
        pairs += [(f"codelist[{name}]", cl) for name, cl in self.codelists]
        return pairs
