"""Run the grid on a Dask cluster (``python -m analysis run --executor dask [--scheduler ADDRESS]``).

One task per run, submitted with ``pure=False`` (a rerun must really rerun). A worker executes the
notebook in its own copy of the project (warm or ordinary kernel, as the runner was asked) and
returns a small ``NotebookResult``: status, timings and the normalised notebook and key figures as
bytes. The submitting process writes every output, atomically and with the run record last, as
results arrive (``distributed.as_completed``), so workers need only the project files and the data,
and a worker that dies mid-run leaves nothing half-written.

Retries are for infrastructure only:

* a lost worker (killed, out of memory, machine gone): the scheduler reschedules its tasks on
  another worker by itself, up to ``distributed.scheduler.allowed-failures`` times (Dask's
  default, 3), and then reports ``KilledWorker``;
* a kernel that died or could not start: the task raises ``InfrastructureFailure`` and Dask retries
  it (``retries=INFRASTRUCTURE_RETRIES``).

A notebook's own error is never retried: the task returns it as a failed result, and every other
exception in the task is turned into a failed result too, so ``retries`` only ever sees the first
kind. Each worker runs one notebook at a time (a per-process lock, whatever ``--nthreads`` the
workers were started with; one thread per worker is still what to give them).

Before running, a worker checks that its copy of the project gives the same fingerprint for the run
as the submitter's (template, parameters, the observations read, package code, lock file); a worker
with other files fails the run with a message that says so rather than publishing a page computed
from different data.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from analysis.paths import ProjectPaths, project_paths
from analysis.runner.execute import (
    InfrastructureFailure,
    NotebookResult,
    RunOutcome,
    kernel_environment,
    run_notebook,
    start_preloader_for,
    write_outputs,
)
from analysis.runner.grid import Run

INFRASTRUCTURE_RETRIES = 2
# Where a worker's copy of the project is, when it is not at the submitter's path.
WORKER_ROOT_VARIABLE = "ANALYSIS_WORKER_ROOT"

_one_notebook_at_a_time = threading.Lock()
_fingerprinters: dict[tuple[Any, ...], Any] = {}


def worker_root(submitted_root: str) -> Path:
    """The project copy a worker uses: ``$ANALYSIS_WORKER_ROOT`` on the worker, else the submitter's path."""
    return Path(os.environ.get(WORKER_ROOT_VARIABLE) or submitted_root)


def _inputs_signature(paths: ProjectPaths) -> tuple[Any, ...]:
    """(path, size, mtime) of every input file: a cached fingerprinter is reused only while it holds."""
    entries = []
    for folder in (paths.root / "data", paths.root / "src" / "analysis", paths.notebooks):
        for file in sorted(folder.rglob("*")) if folder.exists() else []:
            if file.is_file() and "__pycache__" not in file.parts:
                stat = file.stat()
                entries.append((str(file), stat.st_size, stat.st_mtime_ns))
    lock = paths.root / "requirements.lock"
    if lock.exists():
        entries.append((str(lock), lock.stat().st_size, lock.stat().st_mtime_ns))
    return (str(paths.root), *entries)


def _worker_fingerprint(run: Run, paths: ProjectPaths) -> str:
    from analysis.observations.dataset import load_dataset
    from analysis.runner.fingerprint import Fingerprinter

    signature = _inputs_signature(paths)
    fp = _fingerprinters.get(signature)
    if fp is None:
        data = load_dataset(paths)
        fp = Fingerprinter(paths, data.observations, data.entities)
        _fingerprinters.clear()
        _fingerprinters[signature] = fp
    return fp.fingerprint(run)


def _failed(run: Run, message: str) -> NotebookResult:
    return NotebookResult(run.key, False, 0.0, message.splitlines()[0][:300], b"", b"", "")


def execute_on_worker(run: Run, submitted_root: str, fingerprint: str, kernel: str) -> NotebookResult:
    """The Dask task: check the worker's project copy, run the notebook, return the result.

    Raises only ``InfrastructureFailure`` (retried by Dask); everything else is a failed result.
    """
    with _one_notebook_at_a_time:
        try:
            paths = project_paths(worker_root(submitted_root))
            theirs = _worker_fingerprint(run, paths)
            if theirs != fingerprint:
                return _failed(
                    run,
                    f"worker's project copy at {paths.root} differs from the submitter's (fingerprint "
                    f"{theirs[:12]} != {fingerprint[:12]}); sync data/, notebooks/ and src/ to the workers",
                )
            return run_notebook(run, paths, kernel)
        except InfrastructureFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - not infrastructure: a failed run, not retried
            return _failed(run, f"{type(exc).__name__}: {exc}")


def prepare_worker(submitted_root: str, kernel: str) -> str:
    """Run once on every worker: set the kernel environment and start the warm preload process early."""
    paths = project_paths(worker_root(submitted_root))
    kernel_environment(paths.root)
    if kernel == "warm":
        start_preloader_for(paths)
    return str(paths.root)


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers`` processes
    with one thread each, listening on 127.0.0.1 only (closed again on exit)."""
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler, timeout="30s")
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # a free port, never a fixed one another cluster may hold
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def run_on_dask(
    tasks: list[tuple[Run, ProjectPaths, str, bytes, list[str], str]],
    on_outcome: Callable[[RunOutcome], None],
    scheduler: str | None = None,
    workers: int = 2,
    done: list[RunOutcome] | None = None,
) -> list[RunOutcome]:
    """Submit one task per run, write each result as it completes, return the outcomes.

    ``tasks`` are the runner's ``(run, paths, fingerprint, data_csv, sources, kernel)`` tuples. The
    caller holds the outputs lock (``analysis.runner.lock``) for the whole call, so this process is
    the only writer. Outcomes are appended to ``done`` (if given) as they arrive, so that an
    interrupted call leaves the caller the list of runs that finished.
    """
    from distributed import as_completed

    outcomes = done if done is not None else []
    if not tasks:
        return outcomes
    by_key = {task[0].key: task for task in tasks}
    paths, kernel = tasks[0][1], tasks[0][5]
    with dask_client(scheduler, workers) as client:
        client.run(prepare_worker, str(paths.root), kernel)
        futures = {}
        for run, _paths, fingerprint, _csv, _sources, task_kernel in tasks:
            future = client.submit(
                execute_on_worker,
                run,
                str(paths.root),
                fingerprint,
                task_kernel,
                key=f"notebook-{run.key.replace('/', '-')}-{uuid.uuid4().hex[:8]}",
                pure=False,
                retries=INFRASTRUCTURE_RETRIES,
            )
            futures[future] = run.key
        for future in as_completed(list(futures)):
            key = futures[future]
            run, _paths, fingerprint, data_csv, sources, _kernel = by_key[key]
            try:
                result: NotebookResult = future.result()
            except Exception as exc:  # noqa: BLE001 - lost too often, or failed to start too often
                outcome = RunOutcome(key, False, 0.0, f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
            else:
                outcome = write_outputs(run, paths, result, fingerprint, data_csv, sources)
            outcomes.append(outcome)
            on_outcome(outcome)
    return outcomes
