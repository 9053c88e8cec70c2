"""Make executed notebooks deterministic and read the key figures they glued.

papermill and nbclient stamp notebooks with timestamps, durations and random cell ids, so two runs of
the same inputs differ. Stripping ``metadata.papermill``, ``cell.metadata.papermill`` and
``cell.metadata.execution`` and numbering cell ids makes them byte-identical (verified on these
machines; see shared/docs/architecture.md). nbstripout would drop outputs, which we keep, so this is
a few lines of our own.
"""

from __future__ import annotations

import json
import re
from typing import Any

import nbformat

VOLATILE_NOTEBOOK_KEYS = ("papermill", "jupytext", "widgets")
VOLATILE_CELL_KEYS = ("papermill", "execution", "collapsed", "scrolled")
ANALYSIS_META = "analysis"
MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def promote_image_metadata(cell: nbformat.NotebookNode, label: str) -> None:
    """Copy a figure's alt text and caption from its output metadata into the cell metadata.

    myst-nb reads ``alt`` only from ``cell.metadata.mystnb.image`` and makes a numbered figure from
    ``cell.metadata.mystnb.figure``; a notebook cannot set its own cell metadata while it runs, so
    ``analysis.page.show`` puts them on the output and the runner moves them here.
    """
    for output in cell.get("outputs", []):
        meta = output.get("metadata", {}).get("image/png", {})
        if not meta.get("alt"):
            continue
        mystnb = cell.metadata.setdefault("mystnb", {})
        mystnb["image"] = {"alt": meta["alt"]}
        if meta.get("caption"):
            name = f"{label}-{meta['label']}".replace("_", "-") if meta.get("label") else label
            mystnb["figure"] = {"caption": meta["caption"], "name": name}
        return


def retitle(nb: nbformat.NotebookNode, suffix: str) -> None:
    """Append ``suffix`` (e.g. "Bergen, 2011") to the notebook's first ``# `` heading, so that the
    page title, the browser tab and search results say which entity and year the page is about."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for i, line in enumerate(lines):
            if line.startswith("# ") and not line.endswith(suffix):
                lines[i] = f"{line} — {suffix}"
                cell.source = "\n".join(lines)
                return
        return


def normalise_notebook(
    nb: nbformat.NotebookNode, label_prefix: str = "nb", title_suffix: str = ""
) -> nbformat.NotebookNode:
    """Strip volatile metadata in place, promote figure alt text, retitle, and return the notebook."""
    if title_suffix:
        retitle(nb, title_suffix)
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb.metadata.pop(key, None)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]  # the parameters are in the provenance footer
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)
                plain = output.get("data", {}).get("text/plain")
                if isinstance(plain, str) and MEMORY_ADDRESS.search(plain):
                    # reprs such as "<Styler at 0x7f…>" carry a memory address that changes every run
                    output["data"]["text/plain"] = MEMORY_ADDRESS.sub(">", plain)
            promote_image_metadata(cell, f"fig-{label_prefix}")
    return nb


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """Serialise deterministically (nbformat sorts keys; a final newline keeps diffs clean)."""
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def key_figures(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Glued values with their unit and source ids, from outputs made by ``analysis.page.glue``."""
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
    """Key figures as deterministic JSON (sorted keys, final newline)."""
    return (json.dumps(figures, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def first_error(nb: nbformat.NotebookNode) -> str | None:
    """The first error output of an executed notebook, as 'Name: value', or None."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                return f"{output.get('ename')}: {output.get('evalue')}"
    return None
