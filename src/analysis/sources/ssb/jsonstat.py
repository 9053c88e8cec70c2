"""A JSON-stat 2.0 decoder that keeps SSB's status symbols.

Why our own code and not ``pyjstat`` (or ``pxwebpy``): both turn a JSON-stat dataset into a frame
of values and *drop* ``status``. In SSB's tables a missing value is ``null`` in ``value`` with a
symbol in ``status`` -- ``.`` (cannot exist), ``..`` (not available), ``:`` (suppressed for
confidentiality; social-assistance cells under 3 are suppressed). Without the symbol a suppressed
cell is indistinguishable from a value that was never asked for, and downstream code is tempted to
read it as zero. This decoder keeps the symbol next to every cell (value ``NaN``, ``status`` kept),
never writes a zero for a missing value, and also keeps the number exactly as the JSON printed it
(``value_text``) so that an observation's excerpt can quote it. ``pyjstat`` is still used in the
tests as an independent decoder to check the values.

Format facts relied on (JSON-stat 2.0, https://json-stat.org/format/):

* ``id`` lists the dimensions in storage order and ``size`` their lengths; ``value`` is stored in
  row-major order (the last dimension varies fastest).
* ``value`` and ``status`` may each be an array or an object keyed by the cell's position as a
  string (sparse); ``status`` may also be one string that applies to every cell.
* ``category.index`` may be an array of codes or an object code -> position; it may be missing
  for a dimension with a single category (then ``category.label`` names it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: SSB's status symbols for missing values and what they mean.
STATUS_MEANINGS: dict[str, str] = {
    ".": "cannot exist (logically impossible)",
    "..": "not available",
    ":": "suppressed for confidentiality",
    "…": "not available",
    "-": "nil",
}

VALUE_COLUMNS: tuple[str, str, str] = ("value", "status", "value_text")


class JsonStatError(ValueError):
    """The document is not a JSON-stat 2.0 dataset this decoder can read; the message says why."""


@dataclass(frozen=True)
class Dimension:
    """One dimension: its id, label, category codes in storage order and their labels."""

    id: str
    label: str
    codes: tuple[str, ...]
    labels: dict[str, str]
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    extension: dict[str, Any] = field(default_factory=dict)

    def label_of(self, code: str) -> str:
        return self.labels.get(code, code)


def loads(data: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """Parse bytes/str as JSON (or pass a mapping through); raise :class:`JsonStatError` if malformed."""
    if isinstance(data, Mapping):
        return dict(data)
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JsonStatError(f"malformed JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise JsonStatError(f"expected a JSON object, got {type(doc).__name__}")
    return doc


def _category_codes(dim_id: str, category: Mapping[str, Any]) -> tuple[str, ...]:
    index = category.get("index")
    if index is None:
        labels = category.get("label") or {}
        if len(labels) != 1:
            raise JsonStatError(f"dimension {dim_id!r}: no category.index and not exactly one label")
        return (str(next(iter(labels))),)
    if isinstance(index, list):
        return tuple(str(code) for code in index)
    if isinstance(index, Mapping):
        ordered = sorted(index.items(), key=lambda item: int(item[1]))
        positions = [int(pos) for _, pos in ordered]
        if positions != list(range(len(positions))):
            raise JsonStatError(f"dimension {dim_id!r}: category.index positions are not 0..n-1")
        return tuple(str(code) for code, _ in ordered)
    raise JsonStatError(f"dimension {dim_id!r}: category.index is neither a list nor an object")


def dimensions(doc: Mapping[str, Any]) -> list[Dimension]:
    """The dataset's dimensions in ``id`` order, checked against ``size``."""
    if doc.get("class", "dataset") != "dataset":
        raise JsonStatError(f"expected class 'dataset', got {doc.get('class')!r}")
    ids = doc.get("id")
    sizes = doc.get("size")
    dims = doc.get("dimension")
    if not isinstance(ids, list) or not isinstance(sizes, list) or not isinstance(dims, Mapping):
        raise JsonStatError("not a JSON-stat 2.0 dataset: 'id', 'size' or 'dimension' missing")
    if len(ids) != len(sizes):
        raise JsonStatError(f"'id' has {len(ids)} entries but 'size' has {len(sizes)}")
    out: list[Dimension] = []
    for dim_id, size in zip(ids, sizes, strict=True):
        spec = dims.get(dim_id)
        if not isinstance(spec, Mapping) or not isinstance(spec.get("category"), Mapping):
            raise JsonStatError(f"dimension {dim_id!r} is listed in 'id' but has no category")
        category = spec["category"]
        codes = _category_codes(dim_id, category)
        if len(codes) != int(size):
            raise JsonStatError(f"dimension {dim_id!r}: size {size} but {len(codes)} categories")
        labels = {str(k): str(v) for k, v in (category.get("label") or {}).items()}
        units = {str(k): dict(v) for k, v in (category.get("unit") or {}).items()}
        out.append(
            Dimension(
                id=str(dim_id),
                label=str(spec.get("label", dim_id)),
                codes=codes,
                labels=labels,
                units=units,
                extension=dict(spec.get("extension") or {}),
            )
        )
    return out


def _dense(name: str, raw: Any, n: int, default: Any) -> list[Any]:
    """``value``/``status`` as a dense list of length ``n`` (array, sparse object or scalar)."""
    if raw is None:
        return [default] * n
    if isinstance(raw, list):
        if len(raw) != n:
            raise JsonStatError(f"'{name}' has {len(raw)} entries but the dimensions give {n} cells")
        return list(raw)
    if isinstance(raw, Mapping):
        out = [default] * n
        for key, item in raw.items():
            try:
                pos = int(key)
            except ValueError as exc:
                raise JsonStatError(f"'{name}' key {key!r} is not a cell position") from exc
            if not 0 <= pos < n:
                raise JsonStatError(f"'{name}' key {pos} is outside 0..{n - 1}")
            out[pos] = item
        return out
    if name == "status" and isinstance(raw, str):
        return [raw] * n
    raise JsonStatError(f"'{name}' is neither an array nor an object")


def _number(pos: int, item: Any) -> float:
    if item is None:
        return math.nan
    if isinstance(item, bool) or not isinstance(item, int | float):
        raise JsonStatError(f"value at position {pos} is not a number: {item!r}")
    return float(item)


def decode(data: bytes | str | Mapping[str, Any], *, labels: bool = True) -> pd.DataFrame:
    """Decode a JSON-stat 2.0 dataset into a tidy frame, one row per cell.

    Columns: one per dimension (the category *code*, as text), ``<dim>_label`` with the category
    label when ``labels`` is true, then ``value`` (float; ``NaN`` where the JSON has ``null``),
    ``status`` (the symbol; missing -- NaN in pandas' string dtype -- when the cell has none) and
    ``value_text`` (the number exactly as the JSON printed it; missing for null). A null value
    is never turned into 0. ``frame.attrs`` holds the dataset's ``label``, ``updated``,
    ``source``, ``note``, ``role``, ``extension`` and ``dimensions`` (list of :class:`Dimension`).
    """
    doc = loads(data)
    dims = dimensions(doc)
    n = int(np.prod([len(d.codes) for d in dims], dtype=np.int64)) if dims else 1
    if "value" not in doc:
        raise JsonStatError("dataset has no 'value' (metadata only?)")
    raw_values = _dense("value", doc["value"], n, None)
    raw_status = _dense("status", doc.get("status"), n, None)
    values = np.array([_number(i, v) for i, v in enumerate(raw_values)], dtype=float)
    texts = [None if v is None else json.dumps(v) for v in raw_values]
    status = [None if s is None or s == "" else str(s) for s in raw_status]

    columns: dict[str, Any] = {}
    if dims:
        index = pd.MultiIndex.from_product([list(d.codes) for d in dims], names=[d.id for d in dims])
        for level, dim in enumerate(dims):
            codes = index.get_level_values(level).astype(str)
            columns[dim.id] = pd.array(codes, dtype=object)
            if labels:
                columns[f"{dim.id}_label"] = pd.array([dim.label_of(c) for c in codes], dtype=object)
    columns["value"] = values
    columns["status"] = pd.array(status, dtype=object)
    columns["value_text"] = pd.array(texts, dtype=object)
    frame = pd.DataFrame(columns)
    frame.attrs.update(
        {
            "label": doc.get("label"),
            "updated": doc.get("updated"),
            "source": doc.get("source"),
            "note": doc.get("note"),
            "role": doc.get("role") or {},
            "extension": doc.get("extension") or {},
            "dimensions": dims,
        }
    )
    return frame


def missing_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows whose value is missing (``NaN``), with their status symbol kept."""
    return frame.loc[frame["value"].isna()]


def time_dimension(doc: Mapping[str, Any], dims: list[Dimension] | None = None) -> str | None:
    """The id of the time dimension (``role.time``, else ``Tid``), or None."""
    role = doc.get("role") or {}
    ids = [d.id for d in (dims or dimensions(doc))]
    for dim_id in role.get("time") or []:
        if dim_id in ids:
            return str(dim_id)
    return "Tid" if "Tid" in ids else None
