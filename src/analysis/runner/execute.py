"""Execute one run: template → papermill → normalised notebook, key figures, data CSV, record.

Outputs are written atomically (temporary file in the same folder, then ``os.replace``) and the run
record — the fingerprint that marks a run as done — is written last, so an interrupted run is simply
redone next time and never leaves a truncated notebook where the book would read it.

May import library layers and runner siblings, never a command module.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from analysis.fileio import atomic_write
from analysis.paths import ProjectPaths
from analysis.runner.grid import Run
from analysis.runner.normalise import (
    first_error,
    key_figures,
    key_figures_bytes,
    normalise_notebook,
    notebook_bytes,
)

KERNEL_START_ATTEMPTS = 3  # kernels started in parallel can collide on ports (papermill issue 511)
KERNELS = ("warm", "spawn")
TIMINGS_VARIABLE = "ANALYSIS_RUN_TIMINGS"  # benchmarks: file to which each run appends its timings
BLAS_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
# The kernel logs a warning about TCP without encryption at every start and "KeyboardInterrupt
# caught in kernel" at every shutdown (jupyter_client interrupts before it shuts a kernel down);
# neither is about the run. Cell errors still reach the notebook and the runner's report.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL",)
# How nbclient runs a notebook here, beyond its defaults, and why: once the last cell's outputs are
# in, the kernel has nothing left to do: killing it costs about 0.1 s, a graceful shutdown 0.6-0.8 s
# (ipykernel's exit handlers, its sockets' linger). The engine (analysis.runner.engine) is
# papermill's nbclient engine without its two saves of the whole notebook per cell (~0.3 s a run);
# the save when the notebook starts stays: it is how a run in progress is seen in its work folder
# (tests/test_runner_processes.py waits for it).
PAPERMILL_OPTIONS = {"shutdown_kernel": "immediate"}


@dataclass(frozen=True)
class RunOutcome:
    """What happened to one run."""

    key: str
    ok: bool
    seconds: float
    message: str = ""
    failed_notebook: str = ""


def output_paths(run: Run, paths: ProjectPaths) -> dict[str, Path]:
    """The four files a successful run writes, by role (see :meth:`Run.outputs`)."""
    return run.outputs(paths)


def work_folder(run: Run, paths: ProjectPaths) -> Path:
    """This process's private scratch folder for one run (``book/.cache/work/pid-<pid>/...``).

    Private per process, so two runners (or two workers) never share an input or output notebook;
    :func:`analysis.runner.cli.remove_dead_work` clears the folders of processes that died.
    """
    own = paths.book / ".cache" / "work" / f"pid-{os.getpid()}"
    return own / run.entity_code / str(run.year) / run.template


def output_digests(out: dict[str, Path]) -> dict[str, str]:
    """sha256 of each output a run wrote, by file name (the run record holds them)."""
    files = [path for role, path in out.items() if role != "record"]
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}".lower()
    return "kernel" in text and ("start" in text or "timeout" in text or "died" in text or "port" in text)


class InfrastructureFailure(RuntimeError):
    """The kernel could not be started or died: not the notebook's fault, so worth retrying elsewhere."""


@dataclass(frozen=True)
class NotebookResult:
    """An executed notebook, normalised, before anything is written to the report tree.

    ``notebook`` holds the normalised notebook (for a failed run: the notebook up to its error, or
    empty); ``key_figures`` the glued figures of a successful run. Small enough to send from a
    worker to the submitting process, which writes the files.
    """

    key: str
    ok: bool
    seconds: float
    message: str
    notebook: bytes
    key_figures: bytes
    kernel: str  # "warm" or "spawn": how the kernel was really started


def _log_timing(run: Run, seconds: float, nb: nbformat.NotebookNode, kernel: str) -> None:
    """Append one JSON line (run, seconds in all, seconds in its cells, kernel) to $ANALYSIS_RUN_TIMINGS.

    For the benchmarks: the cell time is the sum of papermill's per-cell durations, i.e. the run's
    own compute; the rest of ``seconds`` is the runner's overhead (kernel start, reading, writing).
    """
    cells = sum(float(c.metadata.get("papermill", {}).get("duration") or 0.0) for c in nb.cells)
    line = json.dumps({"run": run.key, "seconds": seconds, "cells": cells, "kernel": kernel}) + "\n"
    with open(os.environ[TIMINGS_VARIABLE], "a", encoding="utf-8") as fh:  # one short append per run
        fh.write(line)


def kernel_environment(root: Path) -> None:
    """The environment every kernel of this process gets (set here, inherited by the kernel)."""
    os.environ["ANALYSIS_ROOT"] = str(root)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in BLAS_THREAD_VARIABLES:  # one BLAS thread per kernel: the runner runs one kernel per core
        os.environ.setdefault(name, "1")


def start_preloader_for(paths: ProjectPaths) -> None:
    """Start this process's warm-kernel preload process now, so that its imports overlap other work
    (the first kernel launch would start it anyway); a reason it cannot work is said on stderr."""
    from analysis.runner import warm

    kernel_environment(paths.root)
    reason = warm.start_preloader()
    if reason:
        warm.say_fallback(reason)


def run_notebook(run: Run, paths: ProjectPaths, kernel: str = "warm") -> NotebookResult:
    """Execute one notebook with papermill in a scratch folder and return it normalised.

    A notebook's own error is a failed result; a kernel that cannot start (after
    ``KERNEL_START_ATTEMPTS``) or dies raises ``InfrastructureFailure``. ``kernel`` is ``"warm"``
    (forked from the preload process, ``analysis.runner.warm``) or ``"spawn"`` (an ordinary kernel).
    """
    import papermill  # imported here: workers import it, the parent process need not
    from nbclient.exceptions import DeadKernelError

    from analysis.runner import warm
    from analysis.runner.engine import ENGINE_NAME

    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, not {kernel!r}")
    started = time.monotonic()
    template = paths.notebooks / f"{run.template}.py"
    work = work_folder(run, paths)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    source_nb = jupytext.read(template)
    source_nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    input_path = work / "input.ipynb"
    output_path = work / "output.ipynb"
    nbformat.write(source_nb, input_path)
    kernel_environment(paths.root)
    manager = {"kernel_manager_class": warm.WarmKernelManager} if kernel == "warm" else {}
    error: BaseException | None = None
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            papermill.execute_notebook(
                str(input_path),
                str(output_path),
                parameters=dict(run.parameters),
                kernel_name="python3",
                engine_name=ENGINE_NAME,
                progress_bar=False,
                cwd=str(work),
                start_timeout=120,
                **PAPERMILL_OPTIONS,
                **manager,
                extra_arguments=list(KERNEL_ARGUMENTS),
            )
            error = None
            break
        except DeadKernelError as exc:
            raise InfrastructureFailure(f"{run.key}: the kernel died: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
            error = exc
            if not _is_kernel_start_failure(exc):
                break
            if attempt == KERNEL_START_ATTEMPTS:
                raise InfrastructureFailure(f"{run.key}: the kernel did not start: {exc}") from exc
            time.sleep(attempt)
    seconds = time.monotonic() - started
    used = "warm" if kernel == "warm" and warm.last_launch() == "warm" else "spawn"
    if os.environ.get(TIMINGS_VARIABLE) and output_path.exists():
        _log_timing(run, seconds, nbformat.read(output_path, as_version=4), used)
    if error is not None or not output_path.exists():
        message = f"{type(error).__name__}: {error}" if error else "papermill wrote no output"
        failed_nb = b""
        if output_path.exists():
            nb = nbformat.read(output_path, as_version=4)
            message = first_error(nb) or message
            failed_nb = notebook_bytes(normalise_notebook(nb))
        shutil.rmtree(work, ignore_errors=True)
        return NotebookResult(run.key, False, seconds, message.splitlines()[0][:300], failed_nb, b"", used)
    nb = normalise_notebook(
        nbformat.read(output_path, as_version=4),
        label_prefix=run.key.replace("/", "-"),
        title_suffix=f"{run.label}, {run.year}",
    )
    result = NotebookResult(
        run.key, True, seconds, "", notebook_bytes(nb), key_figures_bytes(key_figures(nb)), used
    )
    shutil.rmtree(work, ignore_errors=True)
    return result


def write_outputs(
    run: Run,
    paths: ProjectPaths,
    result: NotebookResult,
    fingerprint: str,
    data_csv: bytes,
    sources: list[str],
) -> RunOutcome:
    """Write a run's files atomically, the run record last; a failed run writes only its notebook
    under ``book/.failed`` and leaves the previous outputs in place."""
    failed = paths.failed / run.entity_code / str(run.year) / f"{run.template}.ipynb"
    if not result.ok:
        if result.notebook:
            atomic_write(failed, result.notebook)
        return RunOutcome(run.key, False, result.seconds, result.message, str(failed))
    out = output_paths(run, paths)
    atomic_write(out["notebook"], result.notebook)
    atomic_write(out["key_figures"], result.key_figures)
    atomic_write(out["data"], data_csv)
    record = {
        "run": run.key,
        "fingerprint": fingerprint,
        "parameters": run.parameters,
        "sources": sources,
        "outputs_sha256": output_digests(out),
    }
    atomic_write(out["record"], (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
    failed.unlink(missing_ok=True)
    return RunOutcome(run.key, True, result.seconds)


def execute_run(
    run: Run,
    paths: ProjectPaths,
    fingerprint: str,
    data_csv: bytes,
    sources: list[str],
    kernel: str = "warm",
) -> RunOutcome:
    """Run one notebook and write its outputs; never raises for notebook or kernel failures."""
    try:
        result = run_notebook(run, paths, kernel)
    except InfrastructureFailure as exc:
        return RunOutcome(run.key, False, 0.0, str(exc).splitlines()[0][:300])
    return write_outputs(run, paths, result, fingerprint, data_csv, sources)
