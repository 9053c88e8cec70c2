"""The book's pages are computed apart from writing them (analysis.book.toc / analysis.book.build)."""

from __future__ import annotations

from pathlib import Path

import yaml

from analysis.book.build import write_pages
from analysis.book.toc import book_pages
from analysis.observations.dataset import load_dataset
from analysis.paths import project_paths
from analysis.runner.grid import load_grid


def test_book_pages_are_computed_without_writing_and_written_by_the_command(tmp_path: Path) -> None:
    real = project_paths()
    data = load_dataset(real)
    runs = load_grid(real, data.observations, data.entities)
    target = project_paths(tmp_path)
    pages = book_pages(target, runs, data)
    assert list(tmp_path.iterdir()) == []  # computing wrote nothing
    # independently from book/runs.yml: one landing page per entity and per entity-year
    grid = yaml.safe_load(real.runs_file.read_text(encoding="utf-8"))["runs"]
    entity_pages = {tmp_path / "book" / "reports" / e["entity_code"] / "index.md" for e in grid}
    year_pages = {
        tmp_path / "book" / "reports" / e["entity_code"] / str(y) / "index.md"
        for e in grid
        for y in e["years"]
    }
    assert entity_pages | year_pages <= set(pages)
    assert tmp_path / "_toc.yml" in pages
    generated = {p.name for p in pages if p.parent == tmp_path / "book" / "generated"}
    assert generated == {"data_dictionary.md", "coverage.md", "sources.md", "runs_table.md"}
    toc = yaml.safe_load(pages[tmp_path / "_toc.yml"])
    chapters = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    assert {f"book/reports/{e['entity_code']}/index" for e in grid} <= chapters

    source = tmp_path / "_build" / "source"  # the build writes only under its output folder
    write_pages(pages, tmp_path, source)
    for path, text in pages.items():
        assert (source / path.relative_to(tmp_path)).read_text(encoding="utf-8") == text
