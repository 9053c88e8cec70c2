"""Execute one run: template → papermill → normalised notebook, key figures, data CSV, record.

Outputs are written atomically (temporary file in the same folder, then ``os.replace``) and the run
record — the fingerprint that marks a run as done — is written last, so an interrupted run is simply
redone next time and never leaves a truncated notebook where the book would read it.

May import library layers and runner siblings, never a command module.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class RunOutcome:
    """What happened to one run."""

    key: str
    ok: bool
    seconds: float
    message: str = ""
    failed_notebook: str = ""


def output_paths(run: Run, paths: ProjectPaths) -> dict[str, Path]:
    """The four files a successful run writes, by role."""
    folder = run.output_dir(paths)
    return {
        "notebook": folder / f"{run.template}.ipynb",
        "key_figures": folder / f"{run.template}.key_figures.json",
        "data": folder / f"{run.template}.data.csv",
        "record": folder / f"{run.template}.run.json",
    }


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}".lower()
    return "kernel" in text and ("start" in text or "timeout" in text or "died" in text or "port" in text)


def execute_run(
    run: Run, paths: ProjectPaths, fingerprint: str, data_csv: bytes, sources: list[str]
) -> RunOutcome:
    """Run one notebook with papermill and write its outputs; never raises for notebook errors."""
    import papermill  # imported here: workers import it, the parent process need not

    started = time.monotonic()
    template = paths.notebooks / f"{run.template}.py"
    work = paths.work_dir / run.entity_code / str(run.year) / run.template
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    source_nb = jupytext.read(template)
    source_nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    input_path = work / "input.ipynb"
    output_path = work / "output.ipynb"
    nbformat.write(source_nb, input_path)
    os.environ["ANALYSIS_ROOT"] = str(paths.root)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    error: BaseException | None = None
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            papermill.execute_notebook(
                str(input_path),
                str(output_path),
                parameters=dict(run.parameters),
                kernel_name="python3",
                progress_bar=False,
                cwd=str(work),
                start_timeout=120,
            )
            error = None
            break
        except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
            error = exc
            if not _is_kernel_start_failure(exc) or attempt == KERNEL_START_ATTEMPTS:
                break
            time.sleep(attempt)
    seconds = time.monotonic() - started
    if error is not None or not output_path.exists():
        failed = paths.failed / run.entity_code / str(run.year) / f"{run.template}.ipynb"
        failed.parent.mkdir(parents=True, exist_ok=True)
        message = f"{type(error).__name__}: {error}" if error else "papermill wrote no output"
        if output_path.exists():
            nb = nbformat.read(output_path, as_version=4)
            message = first_error(nb) or message
            atomic_write(failed, notebook_bytes(normalise_notebook(nb)))
        return RunOutcome(run.key, False, seconds, message.splitlines()[0][:300], str(failed))

    nb = normalise_notebook(
        nbformat.read(output_path, as_version=4),
        label_prefix=run.key.replace("/", "-"),
        title_suffix=f"{run.label}, {run.year}",
    )
    figures = key_figures(nb)
    out = output_paths(run, paths)
    atomic_write(out["notebook"], notebook_bytes(nb))
    atomic_write(out["key_figures"], key_figures_bytes(figures))
    atomic_write(out["data"], data_csv)
    record = {
        "run": run.key,
        "fingerprint": fingerprint,
        "parameters": run.parameters,
        "sources": sources,
    }
    atomic_write(out["record"], (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
    failed = paths.failed / run.entity_code / str(run.year) / f"{run.template}.ipynb"
    failed.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    return RunOutcome(run.key, True, seconds)
