"""The papermill engine the runner executes notebooks with: papermill's own nbclient engine, saving
the output notebook less often.

papermill writes the whole output notebook at the start of every cell and again at its end
(``NotebookExecutionManager.cell_start`` / ``cell_complete``). The runner reads that file only
once the notebook has finished, and a run's notebook grows to about 150 kB of figures: the 40-odd
saves of a 20-cell report cost about 0.3 s a run (the largest part of a warm run's overhead). This
engine keeps the save when the notebook starts (an interrupted run's work folder shows that it
began), when a cell raises and when the notebook ends, and papermill's time-based autosave inside
long cells; it drops the two saves per cell. The executed notebook is the same object either way:
only how often it is written out differs.

papermill offers no option for this (``request_save_on_cell_execute=False`` drops every save,
the first and the last included), so this module subclasses its engine and execution manager;
``papermill.engines.Engine.execute_notebook`` is restated because it constructs the manager by
name. Registered as :data:`ENGINE_NAME`.

May import papermill and nbclient (imported by workers, not by the parent process).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

ENGINE_NAME = "analysis-sparse-saves"


class SparseSaveManager(NotebookExecutionManager):
    """papermill's execution manager without the save at each cell's start and end."""

    _per_cell = False

    @contextlib.contextmanager
    def _without_saving(self) -> Iterator[None]:
        self._per_cell = True
        try:
            yield
        finally:
            self._per_cell = False

    def cell_start(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
        with self._without_saving():
            super().cell_start(cell, cell_index, **kwargs)

    def cell_complete(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
        with self._without_saving():
            super().cell_complete(cell, cell_index, **kwargs)

    def save(self, **kwargs: Any) -> None:
        if self._per_cell:
            return  # the notebook is written when it starts, on an error and when it ends
        super().save(**kwargs)


class SparseSaveEngine(NBClientEngine):
    """papermill's nbclient engine with :class:`SparseSaveManager`."""

    @classmethod
    def execute_notebook(
        cls,
        nb: Any,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool = True,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> Any:
        # as papermill.engines.Engine.execute_notebook (papermill 2.7), with the manager replaced
        nb_man = SparseSaveManager(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, SparseSaveEngine)
