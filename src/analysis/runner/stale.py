"""Which runs are stale: outputs missing, altered since they were written, or recorded under another
fingerprint.

Library code shared by the ``run`` and ``build`` commands; imports runner modules below the CLI.
"""

from __future__ import annotations

from pathlib import Path

from analysis.fileio import sha256_hex
from analysis.paths import ProjectPaths
from analysis.runner.fingerprint import Fingerprinter, recorded
from analysis.runner.grid import Run


def corrupt_outputs(run: Run, paths: ProjectPaths) -> list[Path]:
    """Outputs of ``run`` that no longer match the sha256 in its run record (missing ones included)."""
    out = run.outputs(paths)
    record = recorded(out["record"]) or {}
    digests = record.get("outputs_sha256") or {}
    bad = []
    for role, path in out.items():
        if role == "record" or path.name not in digests:
            continue
        if not path.exists() or sha256_hex(path.read_bytes()) != digests[path.name]:
            bad.append(path)
    return bad


def stale_runs(runs: list[Run], fp: Fingerprinter, paths: ProjectPaths) -> list[tuple[Run, str]]:
    """Runs whose outputs are missing, altered since they were written, or whose recorded
    fingerprint differs from the current one."""
    stale = []
    for run in runs:
        current = fp.fingerprint(run)
        out = run.outputs(paths)
        rec = recorded(out["record"])
        if (
            rec is None
            or rec.get("fingerprint") != current
            or not out["notebook"].exists()
            or corrupt_outputs(run, paths)
        ):
            stale.append((run, current))
    return stale
