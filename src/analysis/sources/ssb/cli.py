"""``python -m analysis fetch-ssb``: fetch the SSB tables of :mod:`analysis.sources.ssb.tables` for entities.

Progress goes to stdout, one line per step; a failure is one ``fetch-ssb: error: ...`` line on
stderr and exit status 1. Nothing is written to ``data/curated/ssb_*.csv`` unless every table
succeeded (responses already fetched stay in the cache, so a rerun resumes cheaply). With
``--offline`` no network is used; the error names every request that is not cached.
"""

from __future__ import annotations

import argparse
import sys

from analysis.observations.dataset import read_text_table
from analysis.paths import project_paths
from analysis.sources.ssb import jsonstat
from analysis.sources.ssb.client import NotCachedError, PxWebClient, SsbError
from analysis.sources.ssb.observations import TableRows, table_rows, write_outputs
from analysis.sources.ssb.tables import TABLES, TableSpecError, resolve


def _say(msg: str) -> None:
    print(msg, flush=True)


def _fail(msg: str) -> int:
    print(f"fetch-ssb: error: {msg}", file=sys.stderr, flush=True)
    return 1


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

    client = PxWebClient(
        base_url=getattr(args, "base_url", None) or "https://data.ssb.no/api/pxwebapi/v2",
        cache_dir=paths.data / "raw" / "ssb",
        offline=bool(getattr(args, "offline", False)),
        log=_say,
    )
    mode = "offline (cache only)" if client.offline else client.base_url
    _say(f"fetch-ssb: entities {', '.join(requested)}; years {year_from}-{year_to or 'latest'}; {mode}")
    parts: list[TableRows] = []
    not_cached: list[str] = []
    specs = [s for s in TABLES if s.covers(year_from, year_to)]
    for n, spec in enumerate(specs, 1):
        tid = spec.table_id
        _say(f"[{n}/{len(specs)}] table {tid}: {spec.description}")
        try:
            meta = client.metadata(tid)
            resolved = resolve(spec, meta.doc, entities, requested, year_from, year_to)
            for note in resolved.notes:
                _say(f"  note: {note}")
            sel = resolved.selection
            _say(
                f"  {sel.cells} cells; updated {resolved.updated}; "
                + ", ".join(f"{v}={len(c)}" for v, c in sel.variables)
            )
            result = client.data(tid, sel, metadata_updated=resolved.updated)
            rows = table_rows(result, resolved)
        except NotCachedError as exc:
            not_cached.append(exc.what)
            _say(f"  not cached: {exc.what}")
            continue
        except (SsbError, TableSpecError, jsonstat.JsonStatError) as exc:
            return _fail(f"table {tid}: {exc}" if f"table {tid}" not in str(exc) else str(exc))
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
        return _fail(f"no table covers {year_from}-{year_to or 'latest'}")
    summary = write_outputs(paths.data / "curated", paths.observations, parts)
    _say(
        f"fetch-ssb: wrote {summary.observations} rows to {summary.paths['observations'].name}, "
        f"{summary.sources} sources, {summary.missing} missing cells logged, "
        f"{summary.conflicts} conflict(s) with the curated data ({summary.paths['conflicts'].name}); "
        f"{client.calls} HTTP request(s)"
    )
    return 0
