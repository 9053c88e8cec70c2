"""``python -m analysis fetch-ssb``: fetch the SSB tables of :mod:`analysis.sources.ssb.tables` for entities.

Progress goes to stdout, one line per step; a failure is one ``fetch-ssb: error: ...`` line on
stderr and exit status 1. Nothing is written to ``data/curated/ssb_*.csv`` unless every table
succeeded (responses already fetched stay in the cache, so a rerun resumes cheaply). With
``--offline`` no network is used; the error names every request that is not cached. Without a
network (and without ``--offline``) the run stops within seconds and says to use ``--offline``.

``--plan`` reads only table metadata (the cache with ``--offline``, the network otherwise, or the
JSON-stat files in ``--metadata DIR``) and prints, for each table, the regions requested for each
entity and the content code, SSB's label and the indicator each rule resolved to -- the review
step before the first live fetch. It fetches no data and writes nothing.

A command: may import anything below it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from analysis.observations.dataset import read_text_table
from analysis.paths import project_paths
from analysis.sources.ssb import jsonstat
from analysis.sources.ssb.client import (
    DEFAULT_BASE_URL,
    NetworkUnreachableError,
    NotCachedError,
    PxWebClient,
    SsbError,
)
from analysis.sources.ssb.observations import TableRows, table_rows, write_outputs
from analysis.sources.ssb.plan import format_table, plan_rows, regions_requested
from analysis.sources.ssb.resolution import Resolved, TableSpecError, claim_across_tables, resolve
from analysis.sources.ssb.tables import TABLES, TableSpec

NO_NETWORK_HINT = (
    "no network? run with --offline to use the cache (data/raw/ssb), or --plan --offline to review"
)
PLAN_COLUMNS = ("code", "label", "indicator", "category", "unit")


def _say(msg: str) -> None:
    print(msg, flush=True)


def _fail(msg: str) -> int:
    print(f"fetch-ssb: error: {msg}", file=sys.stderr, flush=True)
    return 1


def _table_error(tid: str, exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, NetworkUnreachableError):
        text = f"{text}; {NO_NETWORK_HINT}"
    return text if f"table {tid}" in text else f"table {tid}: {text}"


def _metadata(client: PxWebClient, folder: Path | None, tid: str) -> dict[str, Any]:
    if folder is None:
        return client.metadata(tid).doc
    path = folder / f"{tid}.json"
    if not path.exists():
        raise NotCachedError(f"table {tid} metadata (no file {path})")
    return jsonstat.loads(path.read_bytes())


def fetch_command(args: argparse.Namespace) -> int:
    paths = project_paths(getattr(args, "root", None))
    entities = read_text_table(paths.entities)
    requested = [c.strip() for c in str(args.entities or "").split(",") if c.strip()]
    if not requested:
        return _fail("--entities is empty")
    unknown = [c for c in requested if c not in set(entities["entity_code"])]
    if unknown:
        return _fail(f"unknown entity code(s) {', '.join(unknown)} (not in {paths.entities})")
    year_from, year_to = int(args.year_from), (int(args.year_to) if args.year_to is not None else None)
    if year_to is not None and year_to < year_from:
        return _fail(f"--to {year_to} is before --from {year_from}")
    plan = bool(getattr(args, "plan", False))
    folder = Path(args.metadata) if getattr(args, "metadata", None) else None
    if folder is not None and not plan:
        return _fail("--metadata DIR only serves --plan (data always comes from the cache or the API)")
    if folder is not None and not folder.is_dir():
        return _fail(f"--metadata {folder}: no such folder")

    client = PxWebClient(
        base_url=getattr(args, "base_url", None) or DEFAULT_BASE_URL,
        cache_dir=paths.ssb_cache,
        offline=bool(getattr(args, "offline", False)) or folder is not None,
        log=_say,
    )
    if folder is not None:
        mode = f"metadata from {folder}"
    else:
        mode = "offline (cache only)" if client.offline else client.base_url
    what = "plan (metadata only, no data fetched)" if plan else "fetch"
    _say(
        f"fetch-ssb {what}: entities {', '.join(requested)}; years {year_from}-{year_to or 'latest'}; {mode}"
    )
    specs = [s for s in TABLES if s.covers(year_from, year_to)]
    if not specs:
        return _fail(f"no table covers {year_from}-{year_to or 'latest'}")

    resolved: list[Resolved] = []
    not_cached: list[str] = []
    problems: list[str] = []  # --plan goes on past a table that does not resolve, and says why
    for spec in specs:
        try:
            meta = _metadata(client, folder, spec.table_id)
            resolved.append(resolve(spec, meta, entities, requested, year_from, year_to))
        except NotCachedError as exc:
            not_cached.append(exc.what)
        except NetworkUnreachableError as exc:
            return _fail(_table_error(spec.table_id, exc))
        except (SsbError, TableSpecError, jsonstat.JsonStatError) as exc:
            if not plan:
                return _fail(_table_error(spec.table_id, exc))
            problems.append(_table_error(spec.table_id, exc))
    claim_across_tables(resolved)
    if plan:
        return _print_plan(resolved, specs, not_cached, problems)
    return _fetch(client, paths, resolved, not_cached)


def _print_plan(
    resolved: list[Resolved], specs: list[TableSpec], not_cached: list[str], problems: list[str]
) -> int:
    for res in resolved:
        years = res.years()
        _say("")
        title = (res.label or res.spec.description).removeprefix(f"{res.table_id}: ")
        _say(f"table {res.table_id}: {title} (updated {res.updated})")
        _say(f"  years requested: {years[0]}-{years[-1]}" if years else "  years requested: none")
        for line in regions_requested(res):
            _say(f"  regions for {line}")
        _say("  " + format_table(plan_rows(res), PLAN_COLUMNS).replace("\n", "\n  "))
        for note in res.notes:
            _say(f"  note: {note}")
    for problem in problems:
        _say("")
        _say(f"NOT RESOLVED: {problem}")
    if problems:
        return _fail(f"{len(problems)} table(s) do not resolve: " + " | ".join(problems))
    if not_cached:
        missing = " | ".join(not_cached)
        return _fail(f"{len(not_cached)} table(s) without metadata, run without --offline first: {missing}")
    _say("")
    done = f"{len(resolved)} of {len(specs)} tables resolved"
    _say(f"fetch-ssb --plan: {done}; nothing fetched, nothing written")
    return 0


def _fetch(client: PxWebClient, paths: Any, resolved: list[Resolved], not_cached: list[str]) -> int:
    parts: list[TableRows] = []
    for n, res in enumerate(resolved, 1):
        tid = res.table_id
        _say(f"[{n}/{len(resolved)}] table {tid}: {res.spec.description}")
        for note in res.notes:
            _say(f"  note: {note}")
        if not res.content_map:
            _say("  nothing to fetch: every content code comes from another table")
            continue
        sel = res.selection
        _say(
            f"  {sel.cells} cells; updated {res.updated}; "
            + ", ".join(f"{v}={len(c)}" for v, c in sel.variables)
        )
        try:
            result = client.data(tid, sel, metadata_updated=res.updated)
            rows = table_rows(result, res)
        except NotCachedError as exc:
            not_cached.append(exc.what)
            _say(f"  not cached: {exc.what}")
            continue
        except (SsbError, TableSpecError, jsonstat.JsonStatError) as exc:
            return _fail(_table_error(tid, exc))
        hits = sum(r.from_cache for r in result.responses)
        _say(
            f"  {len(rows.observations)} observations, {len(rows.missing)} cells without a value "
            f"(kept out, listed in ssb_missing.csv); {len(result.responses)} response(s), {hits} from cache"
        )
        for note in rows.notes:
            _say(f"  note: {note}")
        parts.append(rows)
    if not_cached:
        return _fail(
            f"{len(not_cached)} request(s) not cached, run without --offline first: " + " | ".join(not_cached)
        )
    if not parts:
        return _fail("no table gave any rows")
    summary = write_outputs(paths.curated, paths.observations, parts)
    _say(
        f"fetch-ssb: wrote {summary.observations} rows to {summary.paths['observations'].name}, "
        f"{summary.sources} sources, {summary.missing} missing cells logged, "
        f"{summary.conflicts} conflict(s) with the curated data ({summary.paths['conflicts'].name}); "
        f"{client.calls} HTTP request(s)"
    )
    return 0
