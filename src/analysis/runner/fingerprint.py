"""What a run depends on, hashed: the cache key that says whether a run must be redone.

A run depends on its template, its parameters, the observations it reads (see
``analysis.observations.scope``), the reference tables, the package code and the pinned
environment. Hashing the observations the run reads — not the whole file — means a corrected
Bergen figure reruns the Bergen runs only.

May import library layers and runner siblings, never a command module.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from analysis.fileio import sha256_hex
from analysis.observations.scope import run_observations
from analysis.paths import ProjectPaths
from analysis.runner.grid import Run

# Bump when the runner changes what it writes, so that every run is redone.
RUNNER_FORMAT = "2"  # 2: run records hold the sha256 of each output


def frame_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A deterministic CSV serialisation of a text table."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def code_digest(paths: ProjectPaths) -> str:
    """Hash of the package source (every .py under src/analysis), in path order."""
    digest = hashlib.sha256()
    package = paths.package
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
        # derived figures (analysis.observations.derived) feed national runs
        shared = [paths.entities, paths.indicators, paths.sources, paths.lock_file]
        shared.append(paths.derived_observations)
        self._shared = {
            str(p.relative_to(paths.root)): sha256_hex(p.read_bytes()) for p in shared if p.exists()
        }
        self._code = code_digest(paths)
        self._run_data: dict[tuple[str, tuple[str, ...]], pd.DataFrame] = {}

    def run_data(self, run: Run) -> pd.DataFrame:
        """The observations the run reads (computed once per entity and comparison set: the
        staleness check, the fingerprint and the run's data file all need them)."""
        key = (run.entity_code, tuple(run.parameters["comparison_entities"]))
        if key not in self._run_data:
            self._run_data[key] = run_observations(self.observations, self.entities, *key)
        return self._run_data[key].copy()

    def components(self, run: Run) -> dict[str, str]:
        template = self.paths.notebooks / f"{run.template}.py"
        return {
            "runner_format": RUNNER_FORMAT,
            "template": sha256_hex(template.read_bytes()),
            "parameters": sha256_hex(json.dumps(run.parameters, sort_keys=True).encode()),
            "observations": sha256_hex(frame_csv_bytes(self.run_data(run))),
            **self._shared,
            "package": self._code,
        }

    def fingerprint(self, run: Run) -> str:
        return sha256_hex(json.dumps(self.components(run), sort_keys=True).encode())


def recorded(path: Path) -> dict[str, object] | None:
    """The run record written after a successful run, or None."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
