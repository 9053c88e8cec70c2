"""``python -m analysis run``: run the stale part of the grid, in parallel, with progress — safely.

In order, before anything is written:

1. parameters and the grid are checked (``analysis.runner.params``), one line per problem, before
   any kernel starts;
2. the data are validated (``analysis.validate``): invalid data write no report;
3. the output folder is locked (``analysis.runner.lock``): a second runner waits, saying so;
4. the stale runs are worked out under the lock and executed, each in a private work folder.

Ctrl-C or SIGTERM ends the workers and kernels within seconds and keeps the runs that finished
(``analysis.runner.interrupt``). A run outside ``book/runs.yml`` — another entity-year, or any
``-p NAME=VALUE`` — is an *ad-hoc* run: it goes to a scratch folder (``scratch/`` by default),
never to ``book/reports``, and its key figures are printed at the end.

A command: may import anything below it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING, Any

import psutil

from analysis.observations.dataset import DataError, load_dataset
from analysis.paths import ProjectPaths, project_paths
from analysis.runner.applicable import applicability_lines, split_applicable
from analysis.runner.fingerprint import Fingerprinter, frame_csv_bytes
from analysis.runner.grid import GridBuilder, GridError, Run, read_spec, select_runs
from analysis.runner.interrupt import end_descendants, interrupts_raise, worker_init
from analysis.runner.lock import LockBusy, outputs_lock
from analysis.runner.params import parse_cli_parameters
from analysis.runner.stale import corrupt_outputs, stale_runs

if TYPE_CHECKING:
    from analysis.runner.execute import RunOutcome

SHOWN_VALIDATION_ERRORS = 5


def remove_dead_work(paths: ProjectPaths) -> None:
    """Delete the private work folders (``book/.cache/work/pid-N``) of processes no longer running."""
    work = paths.book / ".cache" / "work"
    if not work.is_dir():
        return
    for folder in work.glob("pid-*"):
        pid = folder.name.removeprefix("pid-")
        if pid.isdigit() and (int(pid) == os.getpid() or not psutil.pid_exists(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


class Progress:
    """One updating line on a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream=sys.stdout) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()

    def update(self, outcome: RunOutcome) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        status = "ok" if outcome.ok else "FAILED"
        line = (
            f"[{self.done}/{self.total}] {elapsed:6.1f}s  {status:6} {outcome.key} ({outcome.seconds:.1f}s)"
        )
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if not outcome.ok or self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def scratch_name(overrides: dict[str, Any]) -> str:
    """The scratch folder of a set of ``-p`` overrides: ``cpi_base_year=2015``, or ``defaults``."""
    parts = []
    for name, value in sorted(overrides.items()):
        shown = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{name}={shown}")
    return "-".join(parts) or "defaults"


def _error(message: str) -> int:
    print(f"run: error: {message}", file=sys.stderr)
    return 2


def _validation_gate(paths: ProjectPaths) -> int:
    """0 when the data are valid; else print the first errors and return 1."""
    from analysis.observations.validate import validate_dataset
    from analysis.runner.validated import known_valid, remember_valid

    valid_before, key = known_valid(paths)  # the same inputs passed before: no need to validate again
    if valid_before:
        return 0
    report = validate_dataset(paths)
    if report.ok:
        remember_valid(paths, key)
        return 0
    for problem in report.errors[:SHOWN_VALIDATION_ERRORS]:
        print(f"error: {problem}", file=sys.stderr)
    more = len(report.errors) - SHOWN_VALIDATION_ERRORS
    print(
        f"run: error: the data are invalid ({len(report.errors)} error(s)"
        + (f", {more} more not shown" if more > 0 else "")
        + "); no report was written. Fix them (python -m analysis validate), then run again.",
        file=sys.stderr,
    )
    return 1


def _pool_init(parent_pid: int, paths: ProjectPaths, kernel: str) -> None:
    """Initializer of a local pool worker: ``worker_init``, then start its warm-kernel preload process."""
    from analysis.runner.execute import start_preloader_for

    worker_init(parent_pid)
    if kernel == "warm":
        start_preloader_for(paths)


def _execute(
    tasks: list[tuple], jobs: int, progress: Progress, executor: str = "local", scheduler: str | None = None
) -> tuple[list[RunOutcome], str]:
    """Execute the tasks; returns their outcomes and the name of the signal that stopped them, if any.

    ``executor`` "local" runs them here (``jobs`` 1) or in a pool of ``jobs`` worker processes, each
    with its own warm-kernel preload process; "dask" submits them to a Dask cluster
    (``analysis.runner.dask_executor``), and this process writes the results under the lock it holds.
    """
    # papermill, jupytext and nbformat take seconds to import: only when something runs
    from analysis.runner.execute import RunOutcome, execute_run, start_preloader_for

    outcomes: list[RunOutcome] = []
    pool: ProcessPoolExecutor | None = None
    kernel = tasks[0][5] if tasks else "warm"
    with interrupts_raise():
        try:
            if executor == "dask":
                from analysis.runner.dask_executor import run_on_dask

                run_on_dask(tasks, progress.update, scheduler=scheduler, workers=jobs, done=outcomes)
            elif jobs == 1:
                if kernel == "warm":
                    start_preloader_for(tasks[0][1])
                for task in tasks:
                    outcome = execute_run(*task)
                    outcomes.append(outcome)
                    progress.update(outcome)
            else:
                pool = ProcessPoolExecutor(
                    max_workers=jobs,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_pool_init,
                    initargs=(os.getpid(), tasks[0][1], kernel),
                )
                futures = {pool.submit(execute_run, *task): task[0] for task in tasks}
                for future in as_completed(futures):
                    run = futures[future]
                    try:
                        outcome = future.result()
                    except Exception as exc:  # noqa: BLE001 - a crashed worker is one failed run
                        outcome = RunOutcome(run.key, False, 0.0, f"{type(exc).__name__}: {exc}")
                    outcomes.append(outcome)
                    progress.update(outcome)
                pool.shutdown()
        except KeyboardInterrupt as exc:
            # workers, kernels and their children: SIGTERM, then SIGKILL after a short grace
            end_descendants()
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            return outcomes, str(exc) or "SIGINT"
    return outcomes, ""


def _print_key_figures(runs: list[Run], paths: ProjectPaths) -> None:
    from analysis.present.text import fmt

    for run in runs:
        file = run.outputs(paths)["key_figures"]
        if not file.exists():
            continue
        print(f"\n{run.key}: {run.outputs(paths)['notebook']}")
        for figure in json.loads(file.read_text(encoding="utf-8")):
            value, unit = figure["value"], figure.get("unit", "")
            shown = ""
            money_or_share = unit.startswith("NOK") or unit in ("percent", "percentage_points")
            if isinstance(value, int | float) and not isinstance(value, bool) and money_or_share:
                shown = f"  ({fmt(value, unit)})"
            print(f"  {figure['key']} = {value} {'' if unit == 'text' else unit}{shown}".rstrip())


def run_command(args: argparse.Namespace) -> int:
    """``python -m analysis run``: check parameters and data, lock, then execute the stale runs."""
    paths = project_paths(args.root)
    codes, years = args.entity or [], args.year or []
    try:
        data = load_dataset(paths)
        spec = read_spec(paths.runs_file)
        builder = GridBuilder(paths, data.observations, data.entities)
        grid = builder.grid(spec)
        overrides = parse_cli_parameters(args.param or [], builder.declared)
        selected = select_runs(grid, codes, years, args.template, paths, data.entities)
        adhoc = bool(overrides) or args.output is not None or (not selected and codes and years)
        if adhoc:
            if not (codes and years):
                return _error("a run with -p or --output needs --entity and --year")
            if args.list or args.check:
                why = (
                    "-p"
                    if overrides
                    else "--output"
                    if args.output
                    else "an entity-year not in book/runs.yml"
                )
                return _error(
                    f"--list and --check cover the runs of book/runs.yml; {why} makes this an ad-hoc run"
                )
            root = (args.output or paths.root / "scratch" / scratch_name(overrides)).resolve()
            if root == paths.reports.resolve() or root.is_relative_to(paths.reports.resolve()):
                return _error(f"--output {root} is inside book/reports; ad-hoc runs go elsewhere")
            runs = builder.adhoc(spec, codes, years, args.template, overrides, root)
        else:
            if not selected:
                raise GridError(
                    "no run of book/runs.yml matches the --entity/--year/--template options "
                    "(for a run outside the book, give both --entity and --year)"
                )
            runs = selected
    except (GridError, DataError, FileNotFoundError) as exc:
        return _error(str(exc))
    deciders = args.jobs or os.cpu_count() or 1
    if args.list:  # which templates apply to each entity-year, and why the others don't
        print("\n".join(applicability_lines(runs, data, paths, deciders)))
        return 0
    # a template none of whose sections the data carry is not run (verdicts remembered per input)
    runs, _ = split_applicable(runs, data, paths, deciders)
    if not runs:
        print("run: the data support no section of the selected runs (see `run --list`)")
        return 0
    fp = Fingerprinter(paths, data.observations, data.entities)
    if args.check:
        return _check(runs, fp, paths, args.force)
    if _validation_gate(paths):
        return 1
    target = runs[0].output_root if adhoc else paths.reports
    if adhoc:
        print(
            f"run: ad-hoc run{'s' if len(runs) > 1 else ''} outside book/runs.yml, into {target} "
            "(book/reports is left alone)",
            flush=True,
        )
    try:
        with outputs_lock(paths, target, timeout=0 if args.no_wait else None):
            try:
                return _run_locked(runs, fp, paths, args, adhoc)
            finally:
                remove_dead_work(paths)
    except LockBusy as exc:
        return _error(str(exc))


def _check(runs: list[Run], fp: Fingerprinter, paths: ProjectPaths, force: bool) -> int:
    todo = [(r, fp.fingerprint(r)) for r in runs] if force else stale_runs(runs, fp, paths)
    corrupt = 0
    for run, _ in todo:
        for path in corrupt_outputs(run, paths):
            corrupt += 1
            print(
                f"corrupt: {path.relative_to(paths.root) if path.is_relative_to(paths.root) else path} "
                f"no longer matches the sha256 in its run record (rerun: {run.reproduce_command()})"
            )
        if not corrupt_outputs(run, paths):
            print(f"stale: {run.key} (rerun: {run.reproduce_command()})")
    if todo:
        what = f"{len(todo)} of {len(runs)} runs are stale"
        if corrupt:
            what += f" ({corrupt} output file(s) altered since they were written)"
        print(f"run --check: {what}", file=sys.stderr)
        return 1
    print(f"run --check: all {len(runs)} runs are up to date")
    return 0


def _run_locked(
    runs: list[Run], fp: Fingerprinter, paths: ProjectPaths, args: argparse.Namespace, adhoc: bool
) -> int:
    remove_dead_work(paths)
    todo = [(r, fp.fingerprint(r)) for r in runs] if args.force else stale_runs(runs, fp, paths)
    if not todo:
        print(f"run: all {len(runs)} runs are up to date (use --force to rerun)")
        if adhoc:
            _print_key_figures(runs, paths)
        return 0
    jobs = max(1, min(args.jobs or os.cpu_count() or 1, len(todo)))
    kernel = getattr(args, "kernel", "warm")
    scheduler = getattr(args, "scheduler", None)
    executor = getattr(args, "executor", None) or ("dask" if scheduler else "local")
    where = f"with {jobs} job(s)"
    if executor == "dask":
        where = f"on Dask ({scheduler or f'a local cluster of {jobs} worker(s)'})"
    print(f"run: {len(todo)} of {len(runs)} runs to execute {where}, {kernel} kernels", flush=True)
    progress = Progress(len(todo))
    tasks = []
    for run, fingerprint in todo:
        run_data = fp.run_data(run)
        sources = sorted(set(run_data["source_id"]))
        tasks.append((run, paths, fingerprint, frame_csv_bytes(run_data), sources, kernel))
    outcomes, stopped_by = _execute(tasks, jobs, progress, executor, scheduler)
    failed = [o for o in outcomes if not o.ok]
    elapsed = time.monotonic() - progress.started
    if stopped_by:
        # a worker ended in the middle of an atomic write leaves its temporary file (never read:
        # the old output stays in place); under the lock, no one else is writing these folders
        for folder in {run.output_dir(paths) for run, _ in todo}:
            for tmp in folder.glob(".*.tmp") if folder.is_dir() else []:
                tmp.unlink(missing_ok=True)
        print(
            f"\nrun: stopped by {stopped_by} after {elapsed:.1f}s: {len(outcomes) - len(failed)} run(s) "
            f"finished and kept, {len(todo) - len(outcomes)} not run; the same command resumes",
            file=sys.stderr,
        )
        return 130
    print(f"run: {len(outcomes) - len(failed)} succeeded, {len(failed)} failed in {elapsed:.1f}s")
    if adhoc:
        _print_key_figures([r for r, _ in todo if r.key not in {o.key for o in failed}], paths)
    if failed:
        by_key = {r.key: r for r, _ in todo}
        print("failed runs (kept with their traceback; reproduce with the command shown):", file=sys.stderr)
        for o in sorted(failed, key=lambda o: o.key):
            print(f"  {o.key}: {o.message}", file=sys.stderr)
            if o.failed_notebook:
                print(f"    notebook: {o.failed_notebook}", file=sys.stderr)
            print(f"    reproduce: {by_key[o.key].reproduce_command()}", file=sys.stderr)
        return 1
    return 0
