"""Benchmark of the notebook runner (``python -m analysis run``) against a plain papermill loop.

This is a benchmark script, not a test: it measures wall time and prints a table; it asserts only
that every measured command succeeded. Run it with the project's virtual environment::

    .venv/bin/python benchmarks/bench_runner.py                    # the whole grid of book/runs.yml
    .venv/bin/python benchmarks/bench_runner.py --grid-limit 12    # the first 12 runs only (quick)
    .venv/bin/python benchmarks/bench_runner.py --output bench.json
    make benchmark                                                 # the whole grid

What is measured, each in a throwaway copy of the project (``data/``, ``notebooks/``,
``book/runs.yml`` and ``pyproject.toml`` copied to a temporary folder; the runner is pointed at it
with ``python -m analysis --root <tmp>`` and the kernels with ``ANALYSIS_ROOT=<tmp>``), so the
repository's committed reports are never touched:

(a) runner, cold, ``--jobs 1``: a fresh copy without any executed report, every run executed;
(b) runner, cold, ``--jobs 2``: the same in another fresh copy;
(c) runner, no-op rerun: ``run`` again in the copy of (a), nothing changed, so every run is up to
    date and no kernel starts (repeated, the median is reported);
(d) plain papermill loop: for each run, sequentially and without caching,
    ``jupytext --to ipynb`` then ``papermill ... -r entity_code <code> -p year <year> ...`` with the
    same parameters as the runner passes.

"Cold" means that the runner's cache (the executed reports and their run records) is empty; the
operating system's file cache and Python's bytecode caches are warm, because an untimed warm-up
run goes first (skip it with ``--no-warmup``).

With ``--grid-limit N`` only the first N runs of the grid (in ``run --list`` order) are used: the
copy's ``runs.yml`` is rewritten so that it declares exactly those runs, with their parameters.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
COPIED = ["data", "notebooks", "book/runs.yml", "pyproject.toml"]
BIN = Path(sys.executable).parent  # the virtual environment's scripts (jupytext, papermill)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def make_copy(dest: Path) -> Path:
    """Copy the inputs of the runner into ``dest`` (a new folder) and return it."""
    dest.mkdir(parents=True)
    for rel in COPIED:
        src = REPO / rel
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(src, target)
    return dest


def grid(root: Path) -> list[Any]:
    """The runs declared by ``root/book/runs.yml``, as the runner expands them."""
    from analysis.observations.dataset import load_dataset
    from analysis.paths import project_paths
    from analysis.runner.grid import load_grid

    paths = project_paths(root)
    data = load_dataset(paths)
    return load_grid(paths, data.observations, data.entities)


def limit_grid(root: Path, limit: int | None) -> list[Any]:
    """Keep the first ``limit`` runs: rewrite the copy's runs.yml to declare exactly those."""
    runs = grid(root)
    if limit is None or limit >= len(runs):
        return runs
    chosen = runs[:limit]
    runs_file = root / "book" / "runs.yml"
    spec = yaml.safe_load(runs_file.read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = []
    for run in chosen:  # one entry per consecutive (entity, year), listing its templates
        last = entries[-1] if entries else None
        if last and last["entity_code"] == run.entity_code and last["years"] == [run.year]:
            last["templates"].append(run.template)
            continue
        p = run.parameters
        entries.append(
            {
                "entity_code": run.entity_code,
                "label": run.label,
                "years": [run.year],
                "templates": [run.template],
                "comparison_entities": list(p["comparison_entities"]),
                "cpi_base_year": p["cpi_base_year"],
                "break_month": p["break_month"],
            }
        )
    spec["runs"] = entries
    runs_file.write_text(
        "# Rewritten by benchmarks/bench_runner.py --grid-limit\n"
        + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    check = grid(root)
    same = [(r.key, r.parameters) for r in check] == [(r.key, r.parameters) for r in chosen]
    if not same:
        raise SystemExit("bench: the rewritten runs.yml does not declare the first runs of the grid")
    return chosen


def environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ANALYSIS_ROOT"] = str(root)
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as the runner does
    env["PYTHONUNBUFFERED"] = "1"
    return env


def timed(cmd: list[str], root: Path, logfile: Path) -> tuple[float, str]:
    """Run ``cmd`` and return (wall seconds, its stdout); exit if it fails."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=environment(root), capture_output=True, text=True, cwd=root)
    seconds = time.perf_counter() - started
    with logfile.open("a", encoding="utf-8") as fh:
        fh.write(f"$ {' '.join(cmd)}\n{proc.stdout}{proc.stderr}[exit {proc.returncode}, {seconds:.2f}s]\n")
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        raise SystemExit(f"bench: command failed ({proc.returncode}): {' '.join(cmd)}\n" + "\n".join(tail))
    return seconds, proc.stdout


def runner(root: Path, logfile: Path, *extra: str) -> tuple[float, str]:
    return timed([sys.executable, "-m", "analysis", "--root", str(root), "run", *extra], root, logfile)


def count_records(root: Path) -> int:
    return len(list((root / "book" / "reports").rglob("*.run.json")))


def runner_cold(root: Path, runs: list[Any], jobs: int, logfile: Path) -> float:
    seconds, out = runner(root, logfile, "--jobs", str(jobs))
    done = count_records(root)
    if done != len(runs):
        raise SystemExit(f"bench: runner --jobs {jobs} wrote {done} run records, expected {len(runs)}")
    log(f"  {out.strip().splitlines()[-1]}")
    return seconds


def runner_noop(root: Path, logfile: Path, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        seconds, out = runner(root, logfile, "--jobs", "2")
        if "up to date" not in out:
            raise SystemExit(f"bench: the no-op rerun executed runs:\n{out}")
        times.append(seconds)
    return times


def plain_loop(root: Path, runs: list[Any], logfile: Path) -> float:
    """jupytext + papermill per run, sequentially, no cache; returns the wall time of the loop."""
    jupytext = str(BIN / "jupytext")
    papermill = str(BIN / "papermill")
    started = time.perf_counter()
    for run in runs:
        p = run.parameters
        work = root / "plain" / run.entity_code / str(run.year) / run.template
        work.mkdir(parents=True, exist_ok=True)
        source = root / "notebooks" / f"{run.template}.py"
        timed([jupytext, "--to", "ipynb", str(source), "-o", str(work / "input.ipynb")], root, logfile)
        comparison = yaml.safe_dump({"comparison_entities": list(p["comparison_entities"])}).strip()
        timed(
            [
                papermill, str(work / "input.ipynb"), str(work / "output.ipynb"),
                "-k", "python3", "--cwd", str(work), "--no-progress-bar",
                "-r", "entity_code", run.entity_code,
                "-p", "year", str(run.year),
                "-p", "cpi_base_year", str(p["cpi_base_year"]),
                "-r", "break_month", str(p["break_month"]),
                "-y", comparison,
            ],
            root,
            logfile,
        )
    return time.perf_counter() - started


def reports_snapshot() -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file under the repository's book/reports, to prove it was not touched."""
    folder = REPO / "book" / "reports"
    return {str(f): (f.stat().st_mtime_ns, f.stat().st_size) for f in folder.rglob("*") if f.is_file()}


def child_cpu() -> float:
    """User + system CPU seconds of the finished child processes (and the descendants they waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench_runner.py",
        description=(
            "Time the notebook runner (cold at --jobs 1 and 2, no-op rerun) against a plain loop of "
            "jupytext + papermill commands, in a throwaway copy of the project. See the docstring "
            "at the top of this file and benchmarks/README.md."
        ),
    )
    parser.add_argument(
        "--grid-limit", type=int, default=None, metavar="N",
        help="use only the first N runs of book/runs.yml (a quick check; default: the whole grid)",
    )
    parser.add_argument("--output", type=Path, default=None, metavar="FILE", help="write a JSON report")
    parser.add_argument(
        "--noop-repeats", type=int, default=3, metavar="K",
        help="time the no-op rerun K times and report the median (default: 3)",
    )
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies (path is printed)")
    args = parser.parse_args(argv)
    if args.grid_limit is not None and args.grid_limit < 1:
        parser.error("--grid-limit must be at least 1")
    if args.noop_repeats < 1:
        parser.error("--noop-repeats must be at least 1")

    before = reports_snapshot()
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        log(f"note: load average is {load_before:.2f} before starting; other work will distort the times")
    tmp = Path(tempfile.mkdtemp(prefix="bench-runner-"))
    logfile = tmp / "commands.log"
    log(f"temporary copies under {tmp} (command log: {logfile})")
    try:
        copies = {name: make_copy(tmp / name) for name in ("jobs1", "jobs2", "plain")}
        runs = limit_grid(copies["jobs1"], args.grid_limit)
        for name in ("jobs2", "plain"):
            shutil.copy2(copies["jobs1"] / "book" / "runs.yml", copies[name] / "book" / "runs.yml")
        total = len(grid(REPO))
        log(f"{len(runs)} of the {total} runs of the grid; {os.cpu_count()} cores")

        if not args.no_warmup:
            warm = make_copy(tmp / "warmup")
            limit_grid(warm, 1)
            seconds, _ = runner(warm, logfile, "--jobs", "1")
            log(f"warm-up (1 run, untimed): {seconds:.1f}s")

        cpu: dict[str, float] = {}
        load: dict[str, float] = {}

        def phase(name: str, start: float) -> None:
            cpu[name] = child_cpu() - start
            load[name] = os.getloadavg()[0]

        log("(a) runner, cold, --jobs 1 ...")
        c = child_cpu()
        cold1 = runner_cold(copies["jobs1"], runs, 1, logfile)
        phase("runner_cold_jobs1", c)
        log(f"(a) {cold1:.1f}s")
        log(f"(c) runner, no-op rerun x{args.noop_repeats} ...")
        c = child_cpu()
        noops = runner_noop(copies["jobs1"], logfile, args.noop_repeats)
        phase("runner_noop", c)
        cpu["runner_noop"] /= len(noops)
        noop = statistics.median(noops)
        log(f"(c) {noop:.2f}s (all: {', '.join(f'{t:.2f}' for t in noops)})")
        log("(b) runner, cold, --jobs 2 ...")
        c = child_cpu()
        cold2 = runner_cold(copies["jobs2"], runs, 2, logfile)
        phase("runner_cold_jobs2", c)
        log(f"(b) {cold2:.1f}s")
        log("(d) plain jupytext + papermill loop ...")
        c = child_cpu()
        plain = plain_loop(copies["plain"], runs, logfile)
        phase("plain_papermill_loop", c)
        log(f"(d) {plain:.1f}s")
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if reports_snapshot() != before:
        print(
            "bench: WARNING: the repository's book/reports changed while the benchmark ran; the benchmark "
            "writes only under its temporary folder, so another process (e.g. a concurrent "
            "'analysis run') wrote there, and its load may have distorted the times",
            file=sys.stderr,
        )

    n = len(runs)
    rows = [
        ("(a) runner, cold, --jobs 1", cold1, "runner_cold_jobs1"),
        ("(b) runner, cold, --jobs 2", cold2, "runner_cold_jobs2"),
        (f"(c) runner, no-op rerun (median of {len(noops)})", noop, "runner_noop"),
        ("(d) plain jupytext + papermill loop", plain, "plain_papermill_loop"),
    ]
    ratios = {
        "plain loop / runner --jobs 2": ratio(plain, cold2),
        "plain loop / runner --jobs 1": ratio(plain, cold1),
        "runner --jobs 1 / runner --jobs 2": ratio(cold1, cold2),
        "cold (--jobs 1) / no-op": ratio(cold1, noop),
        "cold (--jobs 2) / no-op": ratio(cold2, noop),
    }
    scope = f"first {n} of {total} runs" if n < total else f"all {n} runs"
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nRunner benchmark: {scope} of book/runs.yml, {machine}")
    print(f"{'measurement':<44} {'wall s':>9} {'s/run':>7} {'cpu s':>8} {'load':>5}")
    for label, seconds, key in rows:
        print(f"{label:<44} {seconds:>9.2f} {seconds / n:>7.2f} {cpu[key]:>8.1f} {load[key]:>5.2f}")
    print("(cpu s: CPU time of the benchmark's child processes; load: 1-minute load average at the end)")
    print()
    print(f"{'ratio':<44} {'':>9}")
    for label, value in ratios.items():
        print(f"{label:<44} {value:>8.1f}x")

    if args.output:
        report = {
            "runs": n,
            "grid_runs": total,
            "grid_limit": args.grid_limit,
            "run_keys": [r.key for r in runs],
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "warmup": not args.no_warmup,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg()[0],
            "seconds": {
                "runner_cold_jobs1": cold1,
                "runner_cold_jobs2": cold2,
                "runner_noop": noop,
                "runner_noop_all": noops,
                "plain_papermill_loop": plain,
            },
            "cpu_seconds": cpu,
            "load_average_at_end_of_phase": load,
            "ratios": ratios,
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nJSON report: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
