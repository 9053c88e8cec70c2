"""Turn decoded SSB tables into rows of the curated dataset schema (``data/CURATION.md``).

Output files (separate from the hand-curated snapshot, which is never touched):

* ``data/curated/ssb_observations.csv`` -- same columns as ``observations.csv``.
* ``data/curated/ssb_sources.csv`` -- same columns as ``data/sources.csv``, one row per table,
  content code and ``updated`` stamp: ``source_id`` ``ssb-<table>-<ContentsCode>-<YYYY-MM-DD of
  updated>`` (e.g. ``ssb-13995-KOSsosantkliente0000-2025-06-15``), kind ``api``, a ``title`` that
  names the table, the content code and SSB's label of it (so the book's source line for a number
  shows all three), the cached response file(s) and their SHA-256.
* ``data/curated/ssb_missing.csv`` -- the log of cells SSB did not give a number for, with their
  status symbol (``:`` suppressed, ``..`` not available, ``.`` cannot exist). Such a cell is
  **never** written as a value (a suppressed cell is not a zero).
* ``data/curated/ssb_conflicts.csv`` -- the SSB rows that disagree with a curated figure.

Row conventions: ``locator`` is ``table 12362: KOKkommuneregion0000=0301, KOKregnskapsomfa0000=A,
KOKfunksjon0000=281, KOKart0000=AGD10, ContentsCode=KOSbelop0000, Tid=2024`` (every variable of
the cell); ``excerpt`` is the cell's category labels and its value exactly as the JSON-stat
response printed it (``Oslo | ... | 2024: 1234567``); ``value`` is that number as a plain decimal
in the unit SSB prints (KOSTRA money in ``NOK_1000``); ``status`` is ``actual``; ``preferred``
as below. A value that comes with a status symbol keeps the symbol in ``note``.

Merge rule with the curated snapshot (``data/curated/observations.csv``)
-----------------------------------------------------------------------
Figures transcribed from documents win. For every SSB row, the curated rows with the same
``entity_code``, ``period``, ``indicator``, ``category`` and ``status`` are compared with it (money
converted between NOK scales; the curated number's printed precision is the tolerance, so
``29.7`` NOK_million agrees with ``29712`` NOK_1000). If any such curated row disagrees (or has a
unit that does not convert), the SSB row gets ``preferred=false``, its ``note`` names the curated
row, and the pair is listed in ``ssb_conflicts.csv``; equal figures leave the SSB row
``preferred=true`` (both sources agree). Between SSB rows with the same key and different values
(e.g. a table re-published under a new stamp), the row with the newest ``updated`` stamp is
preferred. KOSTRA publishes preliminary figures on 15 March and revised ones on 15 June; a
re-fetch replaces the rows of that table and entity.

May import library layers and ssb siblings, never a command module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from analysis.fileio import atomic_write
from analysis.observations.dataset import read_text_table
from analysis.schema import OBSERVATION_COLUMNS, SOURCE_COLUMNS
from analysis.series.units import UnitError, conversion_factor
from analysis.sources.ssb import jsonstat
from analysis.sources.ssb.client import DataResult
from analysis.sources.ssb.resolution import Resolved

KEY = ("entity_code", "period", "indicator", "category", "status")
MISSING_COLUMNS = (
    "table",
    "entity_code",
    "period",
    "indicator",
    "category",
    "symbol",
    "meaning",
    "source_id",
    "locator",
)
CONFLICT_COLUMNS = (
    "entity_code",
    "period",
    "indicator",
    "category",
    "status",
    "ssb_value",
    "ssb_unit",
    "ssb_source_id",
    "ssb_locator",
    "curated_value",
    "curated_unit",
    "curated_source_id",
    "curated_locator",
)
SSB_URL = "https://www.ssb.no/statbank/table/{table}"
LICENCE = "CC BY 4.0 (Statistics Norway)"


SOURCE_ID_RE = re.compile(r"^ssb-(?P<table>[^-]+)-(?:(?P<code>[^-]+)-)?(?P<stamp>\d{4}-\d{2}-\d{2}|undated)$")


def source_id(table: str, updated: str | None, content_code: str | None = None) -> str:
    """``ssb-<table>[-<ContentsCode>]-<date of updated>``."""
    stamp = (updated or "")[:10] or "undated"
    return f"ssb-{table}-{content_code}-{stamp}" if content_code else f"ssb-{table}-{stamp}"


def source_title(table_label: str, content_code: str, content_label: str) -> str:
    """The source row's title: table, content code and SSB's label of it."""
    return f"{table_label} | ContentsCode {content_code} '{content_label}'"


def plain_decimal(text: str) -> str:
    """A JSON number as a plain decimal (no exponent, no trailing ``.0``)."""
    try:
        d = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    out = format(d, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


@dataclass
class TableRows:
    observations: pd.DataFrame
    missing: pd.DataFrame
    sources: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)


def table_rows(result: DataResult, resolved: Resolved, *, cache_root: Path | None = None) -> TableRows:
    """Observation rows for one fetched table (missing cells go to ``missing``, not to values)."""
    frame = result.frame
    dims: list[jsonstat.Dimension] = frame.attrs["dimensions"]
    dim_ids = [d.id for d in dims]
    table = resolved.spec.table_id
    updated = frame.attrs.get("updated") or resolved.updated
    used_codes: list[str] = []
    obs: list[dict[str, str]] = []
    missing: list[dict[str, str]] = []
    skipped_regions: set[str] = set()
    for rec in frame.to_dict("records"):
        if resolved.region_var and resolved.region_var in rec:
            region = str(rec[resolved.region_var])
            entity = resolved.region_to_entity.get(region)
            if entity is None:
                skipped_regions.add(region)
                continue
        else:
            entity = resolved.spec.national_entity
        code = str(rec.get("ContentsCode", ""))
        if code not in resolved.content_map:  # not asked for (or dropped): never a row
            continue
        if code not in used_codes:
            used_codes.append(code)
        sid = source_id(table, updated, code)
        indicator, unit = resolved.indicator_unit(rec)
        category = resolved.category(rec)
        period = str(rec[resolved.time_var])
        locator = f"table {table}: " + ", ".join(f"{d}={rec[d]}" for d in dim_ids)
        status = _clean(rec.get("status"))
        value = rec["value"]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            missing.append(
                {
                    "table": table,
                    "entity_code": entity,
                    "period": period,
                    "indicator": indicator,
                    "category": category,
                    "symbol": status,
                    "meaning": jsonstat.STATUS_MEANINGS.get(status, "no value and no symbol"),
                    "source_id": sid,
                    "locator": locator,
                }
            )
            continue
        labels = " | ".join(str(rec[f"{d}_label"]) for d in dim_ids if d != resolved.time_var)
        excerpt = f"{labels} | {rec[resolved.time_var + '_label']}: {rec['value_text']}"
        note = f"SSB status symbol {status!r} on this value" if status else ""
        obs.append(
            {
                "entity_code": entity,
                "period": period,
                "indicator": indicator,
                "category": category,
                "value": plain_decimal(str(rec["value_text"])),
                "unit": unit,
                "status": "actual",
                "source_id": sid,
                "locator": locator,
                "excerpt": excerpt,
                "preferred": "true",
                "note": note,
                "quality": "exact",  # SSB's table cells are the figures to their last digit
            }
        )
    shas = [str(r.entry.get("sha256", "")) for r in result.responses]
    files = [(Path("data/raw/ssb") / f"{sha}.json").as_posix() for sha in shas]
    retrieved = max((str(r.entry.get("retrieved", "")) for r in result.responses), default="")
    table_label = str(frame.attrs.get("label") or resolved.label or f"SSB table {table}")
    sources = [
        {
            "source_id": source_id(table, updated, code),
            "title": source_title(table_label, code, resolved.content_map[code].label),
            "publisher": "Statistics Norway",
            "published": (updated or "")[:10],
            "kind": "api",
            "url": SSB_URL.format(table=table),
            "file": ";".join(files),
            "sha256": ";".join(shas),
            "licence": LICENCE,
            "accessed": retrieved[:10],
        }
        for code in used_codes
    ]
    notes = [f"region code {r} not mapped to an entity; skipped" for r in sorted(skipped_regions)]
    return TableRows(
        pd.DataFrame(obs, columns=list(OBSERVATION_COLUMNS)),
        pd.DataFrame(missing, columns=list(MISSING_COLUMNS)),
        sources,
        notes,
    )


def _clean(x: object) -> str:
    """Text of a cell; '' for None/NaN/NA."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return ""
    return str(x)


# ------------------------------------------------------------------ merge rule


def _decimals(text: str) -> int:
    m = re.search(r"\.(\d+)$", text.strip())
    return len(m.group(1)) if m else 0


def _agree(ssb_value: str, ssb_unit: str, cur_value: str, cur_unit: str) -> bool:
    """Equal within the curated figure's printed precision, after converting money scales."""
    try:
        factor = conversion_factor(ssb_unit, cur_unit)
    except UnitError:
        return False
    try:
        a = float(ssb_value) * factor
        b = float(cur_value)
    except ValueError:
        return False
    tol = 0.5 * 10 ** (-_decimals(cur_value))
    return abs(a - b) <= tol + 1e-9 * max(abs(a), abs(b))


def _stamp(sid: str) -> str:
    m = SOURCE_ID_RE.match(sid)
    return m.group("stamp") if m else ""


def reconcile(ssb: pd.DataFrame, curated: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the merge rule (module docstring). Returns (SSB rows with preferred/note set, conflicts)."""
    ssb = ssb.copy()
    ssb["preferred"] = "true"
    ssb["note"] = ssb["note"].fillna("").astype(str)
    # Between SSB rows: newest stamp wins when values differ.
    for _, group in ssb.groupby(list(KEY), sort=False):
        if len(group) < 2 or group["value"].nunique() < 2:
            continue
        newest = max(group["source_id"], key=_stamp)
        for idx in group.index:
            if ssb.at[idx, "source_id"] != newest:
                ssb.at[idx, "preferred"] = "false"
                ssb.at[idx, "note"] = _join(ssb.at[idx, "note"], f"superseded by {newest}")
    conflicts: list[dict[str, str]] = []
    if curated.empty:
        return ssb, pd.DataFrame(conflicts, columns=list(CONFLICT_COLUMNS))
    cur = curated.set_index(list(KEY)).sort_index()
    for idx, row in ssb.iterrows():
        key = tuple(row[k] for k in KEY)
        if key not in cur.index:
            continue
        matches = cur.loc[[key]]
        for _, c in matches.reset_index().iterrows():
            if _agree(row["value"], row["unit"], c["value"], c["unit"]):
                continue
            ssb.at[idx, "preferred"] = "false"
            ssb.at[idx, "note"] = _join(
                ssb.at[idx, "note"],
                f"conflicts with curated {c['source_id']} {c['locator']}: {c['value']} {c['unit']} "
                "(document figure preferred)",
            )
            conflicts.append(
                {
                    **{k: row[k] for k in KEY},
                    "ssb_value": row["value"],
                    "ssb_unit": row["unit"],
                    "ssb_source_id": row["source_id"],
                    "ssb_locator": row["locator"],
                    "curated_value": c["value"],
                    "curated_unit": c["unit"],
                    "curated_source_id": c["source_id"],
                    "curated_locator": c["locator"],
                }
            )
    return ssb, pd.DataFrame(conflicts, columns=list(CONFLICT_COLUMNS))


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


# ------------------------------------------------------------------ files


def _table_of(sid: str) -> str:
    m = SOURCE_ID_RE.match(sid)
    return m.group("table") if m else ""


def upsert(existing: pd.DataFrame, new: pd.DataFrame, replace_on: Sequence[str]) -> pd.DataFrame:
    """``existing`` without the rows that ``new`` replaces (same ``replace_on`` values), plus ``new``."""
    if existing.empty:
        return new.reset_index(drop=True)
    if new.empty:
        return existing.reset_index(drop=True)
    old_keys = existing[list(replace_on)].astype(str).agg("\x1f".join, axis=1)
    new_keys = set(new[list(replace_on)].astype(str).agg("\x1f".join, axis=1))
    kept = existing.loc[~old_keys.isin(new_keys)]
    return pd.concat([kept, new], ignore_index=True)


def _read(path: Path, columns: Iterable[str]) -> pd.DataFrame:
    if path.exists() and path.stat().st_size:
        return read_text_table(path)
    return pd.DataFrame(columns=list(columns))


def write_csv(frame: pd.DataFrame, path: Path, columns: Sequence[str]) -> None:
    out = frame.reindex(columns=list(columns)).fillna("")
    atomic_write(path, out.to_csv(index=False, lineterminator="\n").encode("utf-8"))


@dataclass
class WriteSummary:
    observations: int
    missing: int
    conflicts: int
    sources: int
    paths: dict[str, Path]


def write_outputs(curated_dir: Path, curated_obs_path: Path, parts: Sequence[TableRows]) -> WriteSummary:
    """Merge this run's rows into the ``ssb_*.csv`` files and apply the merge rule."""
    new_obs = pd.concat([p.observations for p in parts], ignore_index=True) if parts else pd.DataFrame()
    new_missing = pd.concat([p.missing for p in parts], ignore_index=True) if parts else pd.DataFrame()
    new_sources = pd.DataFrame([s for p in parts for s in p.sources], columns=list(SOURCE_COLUMNS))
    paths = {
        "observations": curated_dir / "ssb_observations.csv",
        "sources": curated_dir / "ssb_sources.csv",
        "missing": curated_dir / "ssb_missing.csv",
        "conflicts": curated_dir / "ssb_conflicts.csv",
    }
    # A re-fetch replaces the rows of the same table and entity (all periods fetched now).
    obs_old = _read(paths["observations"], OBSERVATION_COLUMNS)
    if not new_obs.empty:
        new_obs = new_obs.assign(_table=new_obs["source_id"].map(_table_of))
        obs_old = obs_old.assign(_table=obs_old["source_id"].map(_table_of))
        obs = upsert(obs_old, new_obs, ["_table", "entity_code", "period"]).drop(columns="_table")
    else:
        obs = obs_old
    missing_old = _read(paths["missing"], MISSING_COLUMNS)
    missing = missing_old
    if len(new_missing):
        missing = upsert(missing_old, new_missing, ["table", "entity_code", "period"])
    if not new_obs.empty:
        # cells that now have a value are no longer missing
        have = set(new_obs["locator"])
        missing = missing.loc[~missing["locator"].isin(have)]
    sources = upsert(_read(paths["sources"], SOURCE_COLUMNS), new_sources, ["source_id"])

    curated = _read(curated_obs_path, OBSERVATION_COLUMNS)
    obs = obs.reindex(columns=list(OBSERVATION_COLUMNS)).fillna("").astype(str)
    # drop notes from an earlier reconcile before recomputing them
    obs["note"] = obs["note"].map(_strip_merge_notes)
    obs, conflicts = reconcile(obs, curated)
    obs = obs.sort_values(["source_id", "entity_code", "indicator", "category", "period", "locator"])
    missing = missing.sort_values(["table", "entity_code", "period", "locator"]) if len(missing) else missing
    sources = sources.sort_values("source_id")
    write_csv(obs, paths["observations"], OBSERVATION_COLUMNS)
    write_csv(sources, paths["sources"], SOURCE_COLUMNS)
    write_csv(missing, paths["missing"], MISSING_COLUMNS)
    write_csv(conflicts, paths["conflicts"], CONFLICT_COLUMNS)
    return WriteSummary(len(obs), len(missing), len(conflicts), len(sources), paths)


def _strip_merge_notes(note: str) -> str:
    merge_notes = ("conflicts with curated", "superseded by")
    parts = [p for p in str(note).split("; ") if p and not p.startswith(merge_notes)]
    return "; ".join(parts)
