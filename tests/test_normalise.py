"""Notebook normalisation: volatile metadata stripped, figures get alt text and a label, titles name
the entity and year. The notebook below is built here (test data)."""

import nbformat

from analysis.runner.normalise import key_figures, normalise_notebook


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"duration": 1.23}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Payouts\n\nText."),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell(
            "page.show_figure()",
            metadata={
                "execution": {"iopub.execute_input": "2026-11-23T10:00:00"},
                "papermill": {"duration": 2},
            },
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={"image/png": "iVBORw0KGgo=", "text/plain": "alt"},
                    metadata={
                        "image/png": {
                            "alt": "Bars of 2022 and 2023",
                            "caption": "By month.",
                            "label": "monthly_gross",
                        }
                    },
                ),
                nbformat.v4.new_output(
                    "display_data",
                    data={"application/papermill.record/text/plain": "12"},
                    metadata={"analysis": {"key": "k", "value": 12, "unit": "count", "sources": ["s"]}},
                ),
            ],
        ),
    ]
    return nb


def test_normalise_strips_and_promotes() -> None:
    nb = normalise_notebook(
        _notebook(), label_prefix="030115-2023-payouts", title_suffix="Søndre Nordstrand, 2023"
    )
    assert "papermill" not in nb.metadata
    assert nb.cells[0].source.startswith("# Payouts — Søndre Nordstrand, 2023")
    assert "remove-cell" in nb.cells[1].metadata["tags"]
    figure_cell = nb.cells[2]
    assert "execution" not in figure_cell.metadata and "papermill" not in figure_cell.metadata
    assert figure_cell.metadata["mystnb"]["image"]["alt"] == "Bars of 2022 and 2023"
    assert figure_cell.metadata["mystnb"]["figure"] == {
        "caption": "By month.",
        "name": "fig-030115-2023-payouts-monthly-gross",
    }
    assert [c["id"] for c in nb.cells] == ["cell-000", "cell-001", "cell-002"]
    assert key_figures(nb) == [{"key": "k", "value": 12, "unit": "count", "sources": ["s"]}]


def test_normalise_is_idempotent() -> None:
    once = normalise_notebook(_notebook(), "p", "X, 2023")
    twice = normalise_notebook(nbformat.from_dict(once), "p", "X, 2023")
    assert nbformat.writes(once) == nbformat.writes(twice)
