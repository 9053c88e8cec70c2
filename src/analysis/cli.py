"""Command-line interface: ``python -m analysis <command>``.

Each command is a thin wrapper over a module of this package; the exit status is 0 only on success.
Heavy imports happen inside the commands so that ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis import __version__
from analysis.schema import DIFF_RTOL, SSB_BASE_URL


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (plus a hint) instead of a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _cmd_validate(args: argparse.Namespace) -> int:
    from analysis.observations.validate import validate_dataset
    from analysis.paths import project_paths

    report = validate_dataset(project_paths(args.root))
    for note in report.notes:
        print(f"note: {note}")
    if args.findings or report.errors:
        for finding in report.findings:
            print(f"finding: {finding}")
    elif report.findings:
        print(f"{len(report.findings)} consistency findings in the sources (show them with --findings)")
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    if report.errors:
        print(f"validate: {len(report.errors)} error(s)", file=sys.stderr)
        return 1
    print("validate: the dataset is valid")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from analysis.runner.cli import run_command

    return run_command(args)


def _cmd_build(args: argparse.Namespace) -> int:
    from analysis.book.build import build_command

    return build_command(args)


def _cmd_diff(args: argparse.Namespace) -> int:
    from analysis.runner.diff import diff_command

    return diff_command(args)


def _cmd_fetch_ssb(args: argparse.Namespace) -> int:
    from analysis.sources.ssb.cli import fetch_command

    return fetch_command(args)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of every subcommand (each with --help)."""
    parser = _Parser(
        prog="python -m analysis",
        description=(
            "Validate the curated social-assistance data, run the parameterised notebooks per "
            "entity and year, and build the report book."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: the one the package is in)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("validate", help="check the curated data: schema, provenance, consistency")
    p.add_argument("--findings", action="store_true", help="list every consistency finding")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "run",
        help="run the notebook grid of book/runs.yml with papermill (cached), or an ad-hoc run",
        description=(
            "Without options: execute the stale runs of book/runs.yml into book/reports. "
            "--entity/--year/--template pick runs of the grid. An entity-year that is not in the grid, "
            "or any -p NAME=VALUE, makes an ad-hoc run into a scratch folder laid out like "
            "book/reports (default scratch/<NAME=VALUE...>/<entity>/<year>/, or scratch/defaults/; "
            "book/reports is left alone) whose key figures are printed at the end. Parameters and "
            "data are checked before any kernel starts."
        ),
    )
    p.add_argument("--entity", action="append", metavar="CODE", help="entity code, e.g. 0301 (repeatable)")
    p.add_argument("--year", type=int, action="append", help="year, e.g. 2023 (repeatable)")
    p.add_argument("--template", action="append", help="template name, e.g. payouts (repeatable)")
    p.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="ad-hoc parameter, e.g. -p cpi_base_year=2015 -p break_month=2022-09 "
        "-p comparison_entities=0301,EAK (repeatable)",
    )
    p.add_argument("--output", type=Path, default=None, help="folder of an ad-hoc run (outside book/reports)")
    p.add_argument("--force", action="store_true", help="rerun even when the cache says up to date")
    p.add_argument("--jobs", type=int, default=None, help="parallel kernels (default: number of cores)")
    p.add_argument("--check", action="store_true", help="run nothing; exit 1 naming stale or altered runs")
    p.add_argument("--list", action="store_true", help="list the runs of the grid and exit")
    p.add_argument(
        "--no-wait", action="store_true", help="exit at once if another runner is writing the same folder"
    )
    p.add_argument(
        "--kernel",
        choices=("warm", "spawn"),
        default="warm",
        help="warm: fork each kernel from a preloaded process (default; falls back to spawn where "
        "forking is unavailable); spawn: start an ordinary kernel per run",
    )
    p.add_argument(
        "--executor",
        choices=("local", "dask"),
        default=None,
        help="local: --jobs worker processes on this machine (default); dask: one task per run on a "
        "dask.distributed cluster (--scheduler, or a local cluster of --jobs workers)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor dask)",
    )
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("build", help="build the HTML book from the executed notebooks into _build/html")
    p.add_argument("--output", type=Path, default=None, help="build folder (default: _build)")
    p.add_argument("--keep-going", action="store_true", help="report all Sphinx warnings, then fail")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("diff", help="compare key figures of two report trees or two git revisions")
    p.add_argument("a", help="report folder or git revision (e.g. HEAD~1)")
    p.add_argument("b", nargs="?", default=None, help="report folder or git revision (default: working tree)")
    p.add_argument(
        "--rtol",
        type=float,
        default=DIFF_RTOL,
        help=f"numbers within this relative tolerance count as unchanged (default {DIFF_RTOL:g}: the "
        "last digits of a fit differ between CPUs); 0 for exact comparison",
    )
    p.set_defaults(func=_cmd_diff)

    p = sub.add_parser("fetch-ssb", help="fetch KOSTRA and other tables from Statistics Norway (network)")
    p.add_argument("--entities", required=True, help="comma-separated region codes, e.g. 0301,4601")
    p.add_argument("--from", dest="year_from", type=int, required=True, help="first year")
    p.add_argument("--to", dest="year_to", type=int, default=None, help="last year (default: latest)")
    p.add_argument("--base-url", default=SSB_BASE_URL, help="API base URL")
    p.add_argument("--offline", action="store_true", help="use only the on-disk cache; fail if missing")
    p.add_argument(
        "--plan",
        action="store_true",
        help="read table metadata only and print which content code, label and indicator each rule "
        "resolved to, and the regions requested; fetch and write nothing",
    )
    p.add_argument(
        "--metadata",
        default=None,
        metavar="DIR",
        help="with --plan: read each table's JSON-stat metadata from DIR/<table>.json (no network)",
    )
    p.set_defaults(func=_cmd_fetch_ssb)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse ``argv``, run the subcommand, return its exit status."""
    from analysis.observations.dataset import DataError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.func(args))
        sys.stdout.flush()  # inside the try: a closed pipe shows up here at the latest
        return status
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `python -m analysis run --list | head`: the reader has all it wanted; say nothing more.
        # stdout is pointed at /dev/null so that the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except DataError as exc:
        print(f"{parser.prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
