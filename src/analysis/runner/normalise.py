"""Make executed notebooks deterministic and read the key figures they glued.

papermill and nbclient stamp notebooks with timestamps, durations and random cell ids, so two runs of
the same inputs differ. Stripping ``metadata.papermill``, ``cell.metadata.papermill`` and
``cell.metadata.execution`` and numbering cell ids makes them byte-identical (verified on these
machines; see shared/docs/architecture.md). nbstripout would drop outputs, which we keep, so this is
a few lines of our own.
"""

from __future__ import annotations

import json
from typing import Any

import nbformat

VOLATILE_NOTEBOOK_KEYS = ("papermill", "jupytext", "widgets")
VOLATILE_CELL_KEYS = ("papermill", "execution", "collapsed", "scrolled")
ANALYSIS_META = "analysis"


def normalise_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip volatile metadata in place and return the notebook."""
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb.metadata.pop(key, None)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)
    return nb


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """Serialise deterministically (nbformat sorts keys; a final newline keeps diffs clean)."""
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def key_figures(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Glued values with their unit and source ids, from outputs made by ``analysis.report.glue``."""
    figures: list[dict[str, Any]] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(ANALYSIS_META)
            if meta:
                figures.append(dict(meta))
    figures.sort(key=lambda f: f["key"])
    return figures


def key_figures_bytes(figures: list[dict[str, Any]]) -> bytes:
    return (json.dumps(figures, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def first_error(nb: nbformat.NotebookNode) -> str | None:
    """The first error output of an executed notebook, as 'Name: value', or None."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                return f"{output.get('ename')}: {output.get('evalue')}"
    return None
