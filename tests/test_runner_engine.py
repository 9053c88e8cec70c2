"""The runner's papermill engine (analysis.runner.engine): the same executed notebook as papermill's
own engine, written out when it starts, on an error and when it ends, not at every cell."""

from __future__ import annotations

import contextlib
from pathlib import Path

import nbformat
import papermill
import papermill.engines
import pytest

from analysis.runner.engine import ENGINE_NAME


def _notebook(path: Path, sources: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _execute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str | None, sources: list[str]):
    saves: list[int] = []
    real = papermill.engines.write_ipynb

    def counted(nb, path):  # the only writer papermill's execution manager calls
        saves.append(sum(1 for c in nb.cells if c.get("outputs")))
        return real(nb, path)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counted)
    src = _notebook(tmp_path / f"in-{engine}.ipynb", sources)
    out = tmp_path / f"out-{engine}.ipynb"
    with contextlib.suppress(papermill.PapermillExecutionError):  # the failing-cell test
        papermill.execute_notebook(
            str(src), str(out), kernel_name="python3", engine_name=engine, progress_bar=False
        )
    return saves, nbformat.read(out, as_version=4)


def _content(nb) -> list[tuple[str, list]]:
    return [
        (c.source, [{k: v for k, v in o.items() if k != "execution_count"} for o in c.get("outputs", [])])
        for c in nb.cells
    ]


def test_two_saves_instead_of_two_per_cell_and_the_same_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cells = ["x = 6", "print(x * 7)", "x + 1"]
    default_saves, default_nb = _execute(tmp_path, monkeypatch, None, cells)
    sparse_saves, sparse_nb = _execute(tmp_path, monkeypatch, ENGINE_NAME, cells)
    # papermill's engine: at the start, at each cell's start and end, at the end (at least 1 + 2 × 3 + 1)
    assert len(default_saves) >= 8
    assert sparse_saves == [0, 2]  # at the start (no outputs yet) and at the end (both outputs)
    assert _content(sparse_nb) == _content(default_nb)
    assert [c.metadata.papermill["status"] for c in sparse_nb.cells] == ["completed"] * 3


def test_a_failing_cell_is_saved_with_its_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saves, nb = _execute(tmp_path, monkeypatch, ENGINE_NAME, ["print('before')", "1 / 0", "print('never')"])
    assert len(saves) >= 2  # start, the error, the end
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "ZeroDivisionError"
    assert nb.cells[-1].source == "print('never')" and not nb.cells[-1].outputs  # stopped at the error
