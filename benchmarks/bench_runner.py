"""Benchmark of the notebook runner (``python -m analysis run``) against a plain papermill loop.

This is a benchmark script, not a test: it measures wall time and prints a table; it asserts only
that every measured command succeeded. Run it with the project's virtual environment::

    .venv/bin/python benchmarks/bench_runner.py                    # the whole grid of book/runs.yml
    .venv/bin/python benchmarks/bench_runner.py --grid-limit 12    # the first 12 runs only (quick)
    .venv/bin/python benchmarks/bench_runner.py --output bench.json
    make benchmark                                                 # the whole grid

What is measured, each in a throwaway copy of the project (``data/``, ``notebooks/``, ``book/``
without its reports, ``_config.yml``, ``pyproject.toml`` and ``requirements.lock`` copied to a
temporary folder; the runner is pointed at it with ``python -m analysis --root <tmp>`` and the
kernels with ``ANALYSIS_ROOT=<tmp>``), so the repository's committed reports are never touched:

* variants over the same grid, each cold (a fresh copy, no executed report), run one after the
  other in an order that alternates fast and slow ones (``--variants``): the plain loop
  (``jupytext --to ipynb`` then ``papermill ... -r entity_code <code> -p year <year> ...`` per run,
  sequentially, no cache), the runner with ordinary kernels (``--kernel spawn``) at ``--jobs 1`` and
  ``2``, with warm kernels at ``--jobs 1`` and ``2``, and on a local Dask cluster of two workers;
* the no-op rerun in the copy of the warm ``--jobs 2`` variant (median of ``--noop-repeats``);
* ``python -m analysis build`` of that copy, cold and once more with nothing changed;
* a scaling series (``--scale``, default 50, 200, 500 runs) of warm ``--jobs 2`` runs over a
  SYNTHETIC grid: entities ``BENCH001``... ("Synthetic benchmark entity n", marked as benchmark data
  in the entity table and in every observation's note) whose observations are copies of Bergen's,
  written only into the throwaway copy and never into the book.

For the runner variants every run appends its timings to ``$ANALYSIS_RUN_TIMINGS`` (total seconds
and the sum of papermill's per-cell durations), so the table shows how much of a run is its own
compute. Machine load is printed before and after (``uptime``) and at the end of each variant.

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
# what the runner and the book build read; book/reports is not copied (every copy starts cold)
COPIED = ["data", "notebooks", "book", "_config.yml", "pyproject.toml", "requirements.lock"]
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
            ignore = shutil.ignore_patterns(
                "__pycache__", ".ipynb_checkpoints", "reports", ".cache", ".failed"
            )
            shutil.copytree(src, target, ignore=ignore)
        else:
            shutil.copy2(src, target)
    return dest


def grid(root: Path) -> list[Any]:
    """The runs declared by ``root/book/runs.yml`` that the runner executes."""
    from analysis.observations.dataset import load_dataset
    from analysis.paths import project_paths
    from analysis.runner.applicable import split_applicable
    from analysis.runner.grid import load_grid

    paths = project_paths(root)
    data = load_dataset(paths)
    # the runs the runner executes: it skips a template none of whose sections the data support
    # (counting those made every limited grid fail its record count, and s/run too small)
    return split_applicable(load_grid(paths, data.observations, data.entities), data)[0]


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
        entry = {
            "entity_code": run.entity_code,
            "label": run.label,
            "years": [run.year],
            "templates": [run.template],
            "comparison_entities": list(p["comparison_entities"]),
        }
        defaults = spec.get("defaults") or {}
        for name in ("cpi_base_year", "break_month"):  # only where the run differs from the defaults
            if str(p[name]) != str(defaults.get(name)):
                entry[name] = p[name]
        entries.append(entry)
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
                papermill,
                str(work / "input.ipynb"),
                str(work / "output.ipynb"),
                "-k",
                "python3",
                "--cwd",
                str(work),
                "--no-progress-bar",
                "-r",
                "entity_code",
                run.entity_code,
                "-p",
                "year",
                str(run.year),
                "-p",
                "cpi_base_year",
                str(p["cpi_base_year"]),
                "-r",
                "break_month",
                str(p["break_month"]),
                "-y",
                comparison,
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


SYNTHETIC_TEMPLATE_ENTITY = "1201"  # Bergen: its observations are cloned for the synthetic entities
SYNTHETIC_YEAR = 2011
SYNTHETIC_NOTE = "SYNTHETIC BENCHMARK DATA made by benchmarks/bench_runner.py; not a real entity"


def synthetic_grid(root: Path, runs_wanted: int) -> int:
    """Turn the copy at ``root`` into a scaling benchmark: synthetic entities with Bergen's rows.

    Each synthetic entity ``BENCH<nnn>`` ("Synthetic benchmark entity <n>") is a copy of Bergen's
    observations under another code, marked in the entity table and every observation's note as
    benchmark data; the copy's runs.yml runs every template for year 2011 of each synthetic entity
    and nothing else. Only ever written into a throwaway copy, never into the repository.
    """
    import pandas as pd

    templates = sorted(p.stem for p in (root / "notebooks").glob("*.py") if not p.stem.startswith("_"))
    count = max(1, round(runs_wanted / len(templates)))
    entities_file = root / "data" / "reference" / "entities.csv"
    observations_file = root / "data" / "curated" / "observations.csv"
    entities = pd.read_csv(entities_file, dtype=str, keep_default_na=False)
    observations = pd.read_csv(observations_file, dtype=str, keep_default_na=False)
    model = entities[entities["entity_code"] == SYNTHETIC_TEMPLATE_ENTITY].iloc[0]
    rows = observations[observations["entity_code"] == SYNTHETIC_TEMPLATE_ENTITY]
    new_entities, new_rows = [], []
    for i in range(1, count + 1):
        code = f"BENCH{i:03d}"
        entity = model.copy()
        entity["entity_code"], entity["name"], entity["note"] = (
            code,
            f"Synthetic benchmark entity {i}",
            SYNTHETIC_NOTE,
        )
        for column in ("successor_code", "valid_to"):
            entity[column] = ""
        new_entities.append(entity)
        clone = rows.copy()
        clone["entity_code"] = code
        clone["note"] = SYNTHETIC_NOTE
        new_rows.append(clone)
    pd.concat([entities, pd.DataFrame(new_entities)]).to_csv(entities_file, index=False, lineterminator="\n")
    pd.concat([observations, *new_rows]).to_csv(observations_file, index=False, lineterminator="\n")
    spec = {
        "defaults": yaml.safe_load((root / "book" / "runs.yml").read_text(encoding="utf-8")).get(
            "defaults", {}
        ),
        "runs": [
            {
                "entity_code": f"BENCH{i:03d}",
                "label": f"Synthetic benchmark entity {i}",
                "years": [SYNTHETIC_YEAR],
                "comparison_entities": ["EAK"],
            }
            for i in range(1, count + 1)
        ],
    }
    (root / "book" / "runs.yml").write_text(
        "# SYNTHETIC BENCHMARK GRID written by benchmarks/bench_runner.py (never part of the book)\n"
        + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return len(grid(root))


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return f"load average {os.getloadavg()}"


def read_timings(file: Path) -> list[dict[str, Any]]:
    if not file.exists():
        return []
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]


# name -> (label, runner options); None = the plain papermill loop
VARIANTS: dict[str, tuple[str, list[str] | None]] = {
    "plain": ("plain jupytext + papermill loop", None),
    "spawn1": ("runner, ordinary kernels, --jobs 1", ["--kernel", "spawn", "--jobs", "1"]),
    "spawn2": ("runner, ordinary kernels, --jobs 2", ["--kernel", "spawn", "--jobs", "2"]),
    "warm1": ("runner, warm kernels, --jobs 1", ["--kernel", "warm", "--jobs", "1"]),
    "warm2": ("runner, warm kernels, --jobs 2", ["--kernel", "warm", "--jobs", "2"]),
    "dask2": ("runner, local Dask cluster, 2 workers", ["--executor", "dask", "--jobs", "2"]),
}
# Fast and slow variants alternate, so that a change in the machine's load hits several of them.
DEFAULT_ORDER = ["warm2", "plain", "spawn1", "warm1", "dask2", "spawn2"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench_runner.py",
        description=(
            "Time the notebook runner (ordinary and warm kernels, --jobs 1 and 2, a local Dask cluster, "
            "no-op rerun), the Jupyter Book build and a scaling series on a synthetic grid against a "
            "plain loop of jupytext + papermill commands, in throwaway copies of the project. See "
            "benchmarks/README.md."
        ),
    )
    parser.add_argument(
        "--grid-limit",
        type=int,
        default=None,
        metavar="N",
        help="use only the first N runs of book/runs.yml (a quick check; default: the whole grid)",
    )
    parser.add_argument("--output", type=Path, default=None, metavar="FILE", help="write a JSON report")
    parser.add_argument(
        "--variants",
        default=",".join(DEFAULT_ORDER),
        metavar="LIST",
        help=f"comma-separated variants, run in this order (default: {','.join(DEFAULT_ORDER)})",
    )
    parser.add_argument(
        "--noop-repeats",
        type=int,
        default=3,
        metavar="K",
        help="time the no-op rerun K times and report the median (default: 3)",
    )
    parser.add_argument("--no-build", action="store_true", help="skip the Jupyter Book build (cold, again)")
    parser.add_argument(
        "--scale",
        default="50,200,500",
        metavar="SIZES",
        help="run counts of the synthetic scaling series, warm --jobs 2 (default 50,200,500; '' to skip)",
    )
    parser.add_argument(
        "--plain-sample",
        type=int,
        default=1,
        metavar="K",
        help="time the plain loop on every K-th run only and scale it to the grid (default 1: all runs); "
        "for a loaded machine where the loop would take too long",
    )
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies (path is printed)")
    args = parser.parse_args(argv)
    if args.grid_limit is not None and args.grid_limit < 1:
        parser.error("--grid-limit must be at least 1")
    if args.noop_repeats < 1:
        parser.error("--noop-repeats must be at least 1")
    order = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in order if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)} (known: {', '.join(VARIANTS)})")
    sizes = [int(x) for x in args.scale.split(",") if x.strip()]

    before = reports_snapshot()
    load_before, uptime_before = os.getloadavg()[0], uptime()
    log(f"before: {uptime_before}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-runner-"))
    logfile = tmp / "commands.log"
    log(f"temporary copies under {tmp} (command log: {logfile})")
    rows: dict[str, dict[str, Any]] = {}
    identical: dict[str, bool] = {}
    try:
        first = make_copy(tmp / order[0] if order else tmp / "base")
        runs = limit_grid(first, args.grid_limit)
        copies = {order[0]: first} if order else {}
        for name in order[1:]:
            copies[name] = make_copy(tmp / name)
            shutil.copy2(first / "book" / "runs.yml", copies[name] / "book" / "runs.yml")
        total = len(grid(REPO))
        n = len(runs)
        log(f"{n} of the {total} runs of the grid; {os.cpu_count()} cores")

        if not args.no_warmup:
            warm = make_copy(tmp / "warmup")
            limit_grid(warm, 1)
            seconds, _ = runner(warm, logfile, "--jobs", "1")
            log(f"warm-up (1 run, untimed): {seconds:.1f}s")

        def measure(key: str, label: str, action, runs_count: int, timings: Path | None = None) -> None:
            c, load0 = child_cpu(), os.getloadavg()[0]
            if timings is not None:
                os.environ["ANALYSIS_RUN_TIMINGS"] = str(timings)
            try:
                seconds = action()
            finally:
                os.environ.pop("ANALYSIS_RUN_TIMINGS", None)
            row = {
                "label": label,
                "runs": runs_count,
                "seconds": seconds,
                "per_run": seconds / runs_count,
                "cpu": child_cpu() - c,
                "load_start": load0,
                "load_end": os.getloadavg()[0],
            }
            if timings is not None:
                t = read_timings(timings)
                if t:
                    row["mean_run_seconds"] = statistics.mean(x["seconds"] for x in t)
                    row["mean_cell_seconds"] = statistics.mean(x["cells"] for x in t)
                    # inside a run, beyond its cells: kernel fork/start and ready handshake, papermill,
                    # kernel shutdown, reading and normalising the notebook
                    row["mean_in_run_overhead"] = statistics.mean(x["seconds"] - x["cells"] for x in t)
                    row["kernels"] = sorted({x["kernel"] for x in t})
            rows[key] = row
            log(f"{label}: {seconds:.1f}s ({seconds / runs_count:.2f} s/run), load {row['load_end']:.2f}")

        def cold(name: str, options: list[str], root: Path, count: int):
            def action() -> float:
                seconds, out = runner(root, logfile, *options)
                done = count_records(root)
                if done != count:
                    raise SystemExit(f"bench: {name} wrote {done} run records, expected {count}")
                return seconds

            return action

        for name in order:
            label, options = VARIANTS[name]
            log(f"{name}: {label} ...")
            if options is None and args.plain_sample > 1:
                sample = runs[:: args.plain_sample]
                measure(
                    name,
                    f"{label} (every {args.plain_sample}th run, {len(sample)} runs)",
                    lambda sample=sample: plain_loop(copies["plain"], sample, logfile),
                    len(sample),
                )
                rows[name]["sampled"] = True
                rows[name]["seconds_sample"] = rows[name]["seconds"]
                rows[name]["seconds"] = (
                    rows[name]["per_run"] * n
                )  # the loop has no shared cost: scales per run
                rows[name]["runs"] = n
                rows[name]["label"] += f", scaled to {n} runs"
            elif options is None:
                measure(name, label, lambda: plain_loop(copies["plain"], runs, logfile), n)
            else:
                measure(
                    name, label + ", cold", cold(name, options, copies[name], n), n, tmp / f"{name}.timings"
                )

        # every runner variant must have written the same bytes (warm, spawned and Dask kernels alike)
        trees = {
            name: {
                str(f.relative_to(copies[name] / "book" / "reports")): f.read_bytes()
                for f in sorted((copies[name] / "book" / "reports").rglob("*"))
                if f.is_file()
            }
            for name in order
            if VARIANTS[name][1] is not None
        }
        reference = next(iter(trees.values()), {})
        identical.update({name: tree == reference for name, tree in trees.items()})
        log(f"identical report trees: {identical}")

        done_copy = (
            copies.get("warm2")
            or copies.get("warm1")
            or next((copies[v] for v in order if VARIANTS[v][1] is not None), None)
        )
        noops: list[float] = []
        if done_copy is not None:
            log(f"no-op rerun x{args.noop_repeats} ...")
            c = child_cpu()
            noops = runner_noop(done_copy, logfile, args.noop_repeats)
            rows["noop"] = {
                "label": f"runner, no-op rerun (median of {len(noops)})",
                "runs": n,
                "seconds": statistics.median(noops),
                "per_run": statistics.median(noops) / n,
                "cpu": (child_cpu() - c) / len(noops),
                "load_end": os.getloadavg()[0],
                "all": noops,
            }
            if args.grid_limit is not None and not args.no_build:
                log("book build skipped: the book's chapters need the whole grid (no --grid-limit)")
            elif not args.no_build:
                out = tmp / "build"
                build = [
                    sys.executable,
                    "-m",
                    "analysis",
                    "--root",
                    str(done_copy),
                    "build",
                    "--output",
                    str(out),
                ]
                for key, label in (
                    ("build_cold", "Jupyter Book build, cold"),
                    ("build_again", "Jupyter Book build, again (nothing changed)"),
                ):
                    measure(key, label, lambda: timed(build, done_copy, logfile)[0], n)

        for size in sizes:
            root = make_copy(tmp / f"scale{size}")
            count = synthetic_grid(root, size)
            log(f"scaling: {count} synthetic runs, warm --jobs 2 ...")
            measure(
                f"scale{size}",
                f"synthetic grid, {count} runs, warm --jobs 2",
                cold(f"scale{size}", ["--kernel", "warm", "--jobs", "2"], root, count),
                count,
                tmp / f"scale{size}.timings",
            )
            shutil.rmtree(root, ignore_errors=True)
    finally:
        os.environ.pop("ANALYSIS_RUN_TIMINGS", None)
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    uptime_after = uptime()
    log(f"after: {uptime_after}")
    if reports_snapshot() != before:
        print(
            "bench: WARNING: the repository's book/reports changed while the benchmark ran; the benchmark "
            "writes only under its temporary folder, so another process (e.g. a concurrent "
            "'analysis run') wrote there, and its load may have distorted the times",
            file=sys.stderr,
        )

    ratios: dict[str, float] = {}
    plain = rows.get("plain", {}).get("seconds")
    for name in ("spawn1", "spawn2", "warm1", "warm2", "dask2"):
        if plain and name in rows:
            ratios[f"plain loop / {VARIANTS[name][0]}"] = ratio(plain, rows[name]["seconds"])
    if "warm2" in rows and "noop" in rows:
        ratios["warm --jobs 2 cold / no-op"] = ratio(rows["warm2"]["seconds"], rows["noop"]["seconds"])
    overhead: dict[str, float] = {}
    cells = rows.get("warm1", rows.get("warm2", {})).get("mean_cell_seconds")
    for name in ("warm1", "warm2", "spawn1", "spawn2", "dask2"):
        if name in rows and cells is not None:
            jobs = 1 if name.endswith("1") else 2
            overhead[name] = rows[name]["seconds"] * jobs / rows[name]["runs"] - cells

    scope = f"first {n} of {total} runs" if n < total else f"all {n} runs"
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    print(f"\nRunner benchmark: {scope} of book/runs.yml; {machine}")
    print(f"before: {uptime_before}\nafter:  {uptime_after}")
    print("| measurement | runs | wall s | s/run | CPU s | load at end | mean run s | mean cells s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows.values():
        extra = (
            f"{row['mean_run_seconds']:.2f} | {row['mean_cell_seconds']:.2f}"
            if "mean_run_seconds" in row
            else " | "
        )
        print(
            f"| {row['label']} | {row['runs']} | {row['seconds']:.1f} | {row['per_run']:.2f} | "
            f"{row['cpu']:.1f} | {row['load_end']:.2f} | {extra} |"
        )
    print("\n| ratio | |\n|---|---:|")
    for label, value in ratios.items():
        print(f"| {label} | {value:.1f}x |")
    if identical:
        print(f"\nreport trees byte-identical across runner variants: {identical}")
    if overhead:
        # The total is everything a run costs beyond its cells, as the target reads it; it
        # includes costs paid once per command (imports, validating the data, deciding which
        # templates apply, fingerprints, starting workers and preload processes) and the tail of
        # the last runs, shared over the runs, so it falls as the grid grows. "In a run" is the
        # part each run pays itself (from $ANALYSIS_RUN_TIMINGS: run seconds - cell seconds).
        print(
            "\nwall-clock overhead per run beyond its cells (total = wall x jobs / runs - mean cell time "
            f"of warm runs, {cells:.2f}s; in a run = mean of run s - cells s; the rest is paid once per "
            "command and spread over its runs):"
        )
        for name, value in overhead.items():
            inside = rows[name].get("mean_in_run_overhead")
            split = f" (in a run {inside:.2f}s, once per command {value - inside:.2f}s)" if inside else ""
            print(f"  {VARIANTS[name][0]}: {value:.2f}s{split}")

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
            "uptime_before": uptime_before,
            "uptime_after": uptime_after,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg()[0],
            "order": order,
            "identical_report_trees": identical,
            "rows": rows,
            "ratios": ratios,
            "overhead_per_run": overhead,
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nJSON report: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
