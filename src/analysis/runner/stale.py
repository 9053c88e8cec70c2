"""Which runs are stale: outputs missing or recorded under another fingerprint.

Library code shared by the ``run`` and ``build`` commands; imports runner modules below the CLI.
"""

from __future__ import annotations

from analysis.paths import ProjectPaths
from analysis.runner.execute import output_paths
from analysis.runner.fingerprint import Fingerprinter, recorded
from analysis.runner.grid import Run


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
