"""``python -m analysis run``: run the stale part of the grid, in parallel, with progress."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from analysis.observations.dataset import load_dataset
from analysis.paths import ProjectPaths, project_paths
from analysis.runner.applicable import applicability_lines, split_applicable
from analysis.runner.execute import RunOutcome, execute_run, output_paths
from analysis.runner.fingerprint import Fingerprinter, frame_csv_bytes, recorded
from analysis.runner.grid import GridError, Run, load_grid, select_runs


def stale_runs(runs: list[Run], fp: Fingerprinter, paths: ProjectPaths) -> list[tuple[Run, str]]:
    """Runs whose outputs are missing or whose recorded fingerprint differs from the current one."""
    stale = []
    for run in runs:
        current = fp.fingerprint(run)
        out = output_paths(run, paths)
        rec = recorded(out["record"])
        if rec is None or rec.get("fingerprint") != current or not out["notebook"].exists():
            stale.append((run, current))
    return stale


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


def run_command(args: argparse.Namespace) -> int:
    """``python -m analysis run``: check parameters, then execute the stale runs in parallel."""
    paths = project_paths(args.root)
    try:
        data = load_dataset(paths)
        runs = load_grid(paths, data.observations, data.entities)
        runs = select_runs(runs, args.entity, args.year, args.template, paths, data.entities)
    except GridError as exc:
        print(f"run: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"run: error: {exc}", file=sys.stderr)
        return 2
    if args.list:  # which templates apply to each entity-year, and why the others don't
        print("\n".join(applicability_lines(runs, data)))
        return 0
    runs, _ = split_applicable(runs, data)  # a template none of whose sections the data carry is not run
    if not runs:
        print("run: the data support no section of the selected runs (see `run --list`)")
        return 0
    fp = Fingerprinter(paths, data.observations, data.entities)
    todo = [(r, fp.fingerprint(r)) for r in runs] if args.force else stale_runs(runs, fp, paths)
    if args.check:
        for run, _ in todo:
            print(
                f"stale: {run.key} (rerun: python -m analysis run --entity {run.entity_code} "
                f"--year {run.year} --template {run.template})"
            )
        if todo:
            print(f"run --check: {len(todo)} of {len(runs)} runs are stale", file=sys.stderr)
            return 1
        print(f"run --check: all {len(runs)} runs are up to date")
        return 0
    if not todo:
        print(f"run: all {len(runs)} runs are up to date (use --force to rerun)")
        return 0
    jobs = max(1, args.jobs or os.cpu_count() or 1)
    print(f"run: {len(todo)} of {len(runs)} runs to execute with {jobs} job(s)", flush=True)
    progress = Progress(len(todo))
    outcomes: list[RunOutcome] = []
    tasks = []
    for run, fingerprint in todo:
        run_data = fp.run_data(run)
        sources = sorted(set(run_data["source_id"]))
        tasks.append((run, paths, fingerprint, frame_csv_bytes(run_data), sources))
    if jobs == 1:
        for task in tasks:
            outcome = execute_run(*task)
            outcomes.append(outcome)
            progress.update(outcome)
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = {pool.submit(execute_run, *task): task[0] for task in tasks}
            for future in as_completed(futures):
                run = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker is one failed run
                    outcome = RunOutcome(run.key, False, 0.0, f"{type(exc).__name__}: {exc}")
                outcomes.append(outcome)
                progress.update(outcome)
    failed = [o for o in outcomes if not o.ok]
    elapsed = time.monotonic() - progress.started
    print(f"run: {len(outcomes) - len(failed)} succeeded, {len(failed)} failed in {elapsed:.1f}s")
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
