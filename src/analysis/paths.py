"""Where things live in the repository. One place, so that tests can point the package elsewhere.

Imports nothing from the package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _find_root() -> Path:
    """The repository root: ``$ANALYSIS_ROOT`` if set, else the nearest parent with ``pyproject.toml``."""
    env = os.environ.get("ANALYSIS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "data").is_dir():
            return parent
    return Path.cwd().resolve()


@dataclass(frozen=True)
class ProjectPaths:
    """Paths of the project's inputs and outputs, all derived from the repository root."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def observations(self) -> Path:
        return self.data / "curated" / "observations.csv"

    @property
    def derived_observations(self) -> Path:
        """Figures derived from printed ones (formula, inputs, rounding interval); see
        :mod:`analysis.observations.derived`."""
        return self.data / "curated" / "derived_observations.csv"

    @property
    def sources(self) -> Path:
        return self.data / "sources.csv"

    @property
    def entities(self) -> Path:
        return self.data / "reference" / "entities.csv"

    @property
    def indicators(self) -> Path:
        return self.data / "reference" / "indicators.csv"

    @property
    def shared_sources(self) -> Path:
        """The folder of source documents (``../shared/sources`` beside the repository)."""
        env = os.environ.get("ANALYSIS_SHARED_SOURCES")
        return Path(env) if env else self.root.parent / "shared" / "sources"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def book(self) -> Path:
        return self.root / "book"

    @property
    def runs_file(self) -> Path:
        return self.book / "runs.yml"

    @property
    def reports(self) -> Path:
        return self.book / "reports"

    @property
    def failed(self) -> Path:
        return self.book / ".failed"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def curated(self) -> Path:
        """Folder of the curated tables (``observations.csv``, the ``ssb_*.csv`` written by fetch-ssb)."""
        return self.observations.parent

    @property
    def ssb_cache(self) -> Path:
        """The SSB client's response cache (``data/raw/ssb``, not committed)."""
        return self.data / "raw" / "ssb"

    @property
    def package(self) -> Path:
        """The package source, hashed into every run's fingerprint."""
        return self.root / "src" / "analysis"

    @property
    def lock_file(self) -> Path:
        return self.root / "requirements.lock"

    @property
    def work_dir(self) -> Path:
        """Scratch folders of running notebooks (``book/.cache/work``)."""
        return self.book / ".cache" / "work"

    @property
    def generated(self) -> Path:
        """Pages the build generates from the data (``book/generated``)."""
        return self.book / "generated"

    @property
    def toc_file(self) -> Path:
        return self.root / "_toc.yml"

    @property
    def config_file(self) -> Path:
        return self.root / "_config.yml"

    def entity_reports(self, entity_code: str) -> Path:
        """The folder of one entity's executed reports (``book/reports/<entity>``)."""
        return self.reports / entity_code


def project_paths(root: Path | None = None) -> ProjectPaths:
    """Paths for the repository at ``root`` (default: the one this package is installed from)."""
    return ProjectPaths(root=(root or _find_root()).resolve())
