"""What a run depends on, hashed: the cache key that says whether a run must be redone.

A run depends on its template, its parameters, the observations it reads (see
``analysis.observations.scope``), the reference tables, the package code and the pinned
environment. Hashing the observations the run reads — not the whole file — means a corrected
Bergen figure reruns the Bergen runs only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from analysis.observations.scope import run_observations
from analysis.paths import ProjectPaths
from analysis.runner.grid import Run

# Bump when the runner changes what it writes, so that every run is redone.
RUNNER_FORMAT = "1"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def frame_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A deterministic CSV serialisation of a text table."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def code_digest(paths: ProjectPaths) -> str:
    """Hash of the package source (every .py under src/analysis), in path order."""
    digest = hashlib.sha256()
    package = paths.root / "src" / "analysis"
    for file in sorted(package.rglob("*.py")):
        digest.update(str(file.relative_to(package)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


class Fingerprinter:
    """Computes run fingerprints; reads the shared inputs once."""

    def __init__(self, paths: ProjectPaths, observations: pd.DataFrame, entities: pd.DataFrame) -> None:
        self.paths = paths
        self.observations = observations
        self.entities = entities
        shared = [paths.entities, paths.indicators, paths.sources, paths.root / "requirements.lock"]
        self._shared = {str(p.relative_to(paths.root)): _sha(p.read_bytes()) for p in shared if p.exists()}
        self._code = code_digest(paths)

    def run_data(self, run: Run) -> pd.DataFrame:
        return run_observations(
            self.observations, self.entities, run.entity_code, run.parameters["comparison_entities"]
        )

    def components(self, run: Run) -> dict[str, str]:
        template = self.paths.notebooks / f"{run.template}.py"
        return {
            "runner_format": RUNNER_FORMAT,
            "template": _sha(template.read_bytes()),
            "parameters": _sha(json.dumps(run.parameters, sort_keys=True).encode()),
            "observations": _sha(frame_csv_bytes(self.run_data(run))),
            **self._shared,
            "package": self._code,
        }

    def fingerprint(self, run: Run) -> str:
        return _sha(json.dumps(self.components(run), sort_keys=True).encode())


def recorded(path: Path) -> dict[str, object] | None:
    """The run record written after a successful run, or None."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
