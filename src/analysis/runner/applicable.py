"""Which runs of the grid the data support: a template none of whose sections is supported for an
entity-year is not run (see :mod:`analysis.sections.plan`). ``book/runs.yml`` declares entities and
years; this decides the templates.

Deciding costs about a quarter of a second of CPU per run (the plan builds sections to see whether
the data carry them), more than all the rest of a no-op ``run``. The verdicts depend only on the
data, the package's code and the run's parameters, so they are remembered under the key of
:mod:`analysis.runner.validated` (a hash of ``data/``, the source documents and the package) in
``book/.cache/applicable/<key>.json``; a later command with the same inputs reads them instead of
deciding again. Cold, the entity-years are decided in ``jobs`` forked processes.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from analysis.fileio import atomic_write_text, sha256_hex
from analysis.observations.dataset import Dataset
from analysis.observations.run import run_context
from analysis.paths import ProjectPaths
from analysis.runner.grid import Run
from analysis.runner.validated import validation_key

Verdict = tuple[bool, str]


def run_verdict(run: Run, data: Dataset, cache: dict | None = None) -> Verdict:
    """(runs?, why) for one run; a template outside the catalogue always runs. ``cache`` keeps one
    run context per entity, year and comparison set across the templates."""
    # imported here, not at the top: the sections pull in matplotlib, seaborn and scipy (about 3 s),
    # which a command whose verdicts are all remembered (a no-op ``run``) never needs
    from analysis.sections.catalogue import PLAN
    from analysis.sections.plan import assess, template_verdict

    if run.template not in PLAN:
        return True, "not in the section catalogue; always run"
    key = _context_key(run)
    cache = {} if cache is None else cache
    if key not in cache:
        cache[key] = run_context(data, run.entity_code, run.year, key[2])
    return template_verdict(assess(cache[key], run.template, run.parameters))


def _context_key(run: Run) -> tuple[str, int, tuple[str, ...]]:
    return run.entity_code, run.year, tuple(run.parameters.get("comparison_entities", []))


def run_identity(run: Run) -> str:
    """What a verdict depends on besides the data and the code: template, entity, year, parameters."""
    text = json.dumps([run.template, run.entity_code, run.year, run.parameters], sort_keys=True, default=str)
    return sha256_hex(text.encode("utf-8"))


# The dataset a forked decider reads: set in the parent just before the pool forks, so the
# children inherit it instead of unpickling 3 000+ observations per task.
_FORK_DATA: Dataset | None = None


def _decide_group(runs: list[Run]) -> list[Verdict]:
    assert _FORK_DATA is not None
    cache: dict = {}
    return [run_verdict(run, _FORK_DATA, cache) for run in runs]


def decide(runs: list[Run], data: Dataset, jobs: int = 1) -> list[Verdict]:
    """The verdict of every run, in order; entity-years in ``jobs`` processes when that helps."""
    groups: dict[tuple, list[int]] = {}
    for i, run in enumerate(runs):
        groups.setdefault(_context_key(run), []).append(i)
    verdicts: list[Verdict | None] = [None] * len(runs)
    fork = "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"
    if jobs > 1 and len(groups) > 1 and fork:
        global _FORK_DATA
        _FORK_DATA = data
        try:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                results = pool.map(_decide_group, [[runs[i] for i in ix] for ix in groups.values()])
                for ix, group_verdicts in zip(groups.values(), results, strict=True):
                    for i, verdict in zip(ix, group_verdicts, strict=True):
                        verdicts[i] = verdict
        finally:
            _FORK_DATA = None
    else:
        cache: dict = {}
        for ix in groups.values():
            for i in ix:
                verdicts[i] = run_verdict(runs[i], data, cache)
    assert all(v is not None for v in verdicts)
    return verdicts  # type: ignore[return-value]


def _memo_file(paths: ProjectPaths, key: str) -> Path:
    return paths.book / ".cache" / "applicable" / f"{key}.json"


def remembered_verdicts(
    runs: list[Run], data: Dataset, paths: ProjectPaths, jobs: int = 1, record: bool = True
) -> list[Verdict]:
    """:func:`decide`, reading the verdicts remembered under the inputs' key and, with ``record``,
    recording the new ones (``build`` reads only: it writes nothing outside its output folder).

    Two commands writing at once: each writes the whole file atomically, so the last one wins and
    the other's new verdicts are decided again next time; a file that does not parse is ignored.
    """
    key = validation_key(paths)
    memo_path = _memo_file(paths, key)
    try:
        memo = {k: (bool(v[0]), str(v[1])) for k, v in json.loads(memo_path.read_text("utf-8")).items()}
    except (OSError, ValueError, TypeError, IndexError, AttributeError):
        memo = {}
    ids = [run_identity(run) for run in runs]
    missing = [i for i, rid in enumerate(ids) if rid not in memo]
    if missing:
        for i, verdict in zip(missing, decide([runs[i] for i in missing], data, jobs), strict=True):
            memo[ids[i]] = verdict
        if not record:
            return [memo[rid] for rid in ids]
        for old in memo_path.parent.glob("*.json") if memo_path.parent.is_dir() else []:
            if old != memo_path:  # only the verdicts of the current inputs are worth keeping
                old.unlink(missing_ok=True)
        atomic_write_text(memo_path, json.dumps(memo, sort_keys=True, ensure_ascii=False, indent=0))
    return [memo[rid] for rid in ids]


def _verdicts(
    runs: list[Run], data: Dataset, paths: ProjectPaths | None, jobs: int, record: bool = True
) -> list[Verdict]:
    if paths is None:
        return decide(runs, data, jobs)
    return remembered_verdicts(runs, data, paths, jobs, record)


def split_applicable(
    runs: list[Run],
    data: Dataset,
    paths: ProjectPaths | None = None,
    jobs: int = 1,
    record: bool = True,
) -> tuple[list[Run], list[tuple[Run, str]]]:
    """The runs to execute and the runs skipped with the reason, grid order kept. With ``paths``
    the remembered verdicts are read, and new ones recorded unless ``record`` is false (see the
    module docstring)."""
    kept: list[Run] = []
    skipped: list[tuple[Run, str]] = []
    for run, (ok, why) in zip(runs, _verdicts(runs, data, paths, jobs, record), strict=True):
        if ok:
            kept.append(run)
        else:
            skipped.append((run, why))
    return kept, skipped


def applicability_lines(
    runs: Iterable[Run], data: Dataset, paths: ProjectPaths | None = None, jobs: int = 1
) -> list[str]:
    """``run --list``: one line per run, whether it runs and why."""
    runs = list(runs)
    return [
        f"{run.key}\t{'run ' if ok else 'skip'}\t{run.label}\t{why}"
        for run, (ok, why) in zip(runs, _verdicts(runs, data, paths, jobs), strict=True)
    ]
