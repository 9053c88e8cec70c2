"""Remembered applicability verdicts: the same as deciding afresh, reused only for the same inputs,
and the same whether decided in one process or in forked ones (real curated data, Bjerke's 2011 and
2024 runs: three 2011 templates and the 2024 comparison are skipped, so both verdicts occur)."""

from __future__ import annotations

import pytest

from analysis.observations.dataset import Dataset, load_dataset
from analysis.paths import ProjectPaths
from analysis.runner import applicable
from analysis.runner.grid import Run, load_grid
from analysis.runner.validated import validation_key


@pytest.fixture(scope="module")
def bjerke(repo_paths: ProjectPaths) -> tuple[list[Run], Dataset]:
    data = load_dataset(repo_paths)
    runs = [r for r in load_grid(repo_paths, data.observations, data.entities) if r.entity_code == "030109"]
    return runs, data


def _no_deciding(*_args: object, **_kw: object) -> None:
    raise AssertionError("decided again although the verdicts were remembered")


def test_forked_deciders_agree_with_one_process(bjerke: tuple[list[Run], Dataset]) -> None:
    runs, data = bjerke
    one = applicable.decide(runs, data, jobs=1)
    assert {ok for ok, _ in one} == {True, False}  # the grid has runs and skips here
    assert [r.key for r, (ok, _) in zip(runs, one, strict=True) if not ok] == [
        "030109/2011/comparison",
        "030109/2011/cost_surge",
        "030109/2011/qualification",
        "030109/2024/comparison",  # no Bjerke figure to compare (like with like, issue 12)
    ]
    assert applicable.decide(runs, data, jobs=2) == one


def test_remembered_verdicts_are_the_decided_ones_and_are_reused(
    bjerke: tuple[list[Run], Dataset], data_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs, data = bjerke
    decided = applicable.decide(runs, data)
    assert applicable.remembered_verdicts(runs, data, data_copy) == decided
    memo = data_copy.book / ".cache" / "applicable" / f"{validation_key(data_copy)}.json"
    assert memo.is_file()
    monkeypatch.setattr(applicable, "decide", _no_deciding)
    assert applicable.remembered_verdicts(runs, data, data_copy) == decided  # read, not decided
    kept, skipped = applicable.split_applicable(runs, data, data_copy)
    assert [r.key for r, _ in skipped] == [r.key for r, (ok, _) in zip(runs, decided, strict=True) if not ok]
    assert len(kept) + len(skipped) == len(runs)


def test_changed_data_or_an_unreadable_memo_decide_again(
    bjerke: tuple[list[Run], Dataset], data_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs, data = bjerke
    applicable.remembered_verdicts(runs[:2], data, data_copy)
    memo = data_copy.book / ".cache" / "applicable" / f"{validation_key(data_copy)}.json"
    memo.write_text("{not json", encoding="utf-8")  # a torn or hand-edited file is ignored
    calls: list[int] = []
    real = applicable.decide

    def counted(rs: list[Run], d: Dataset, jobs: int = 1) -> list[tuple[bool, str]]:
        calls.append(len(rs))
        return real(rs, d, jobs)

    monkeypatch.setattr(applicable, "decide", counted)
    applicable.remembered_verdicts(runs[:2], data, data_copy)
    assert calls == [2]
    observations = data_copy.root / "data" / "curated" / "observations.csv"
    observations.write_bytes(observations.read_bytes() + b"\n")  # other bytes: another key
    applicable.remembered_verdicts(runs[:2], data, data_copy)
    assert calls == [2, 2]
    folder = memo.parent
    assert [p.name for p in folder.iterdir()] == [f"{validation_key(data_copy)}.json"]  # old key gone


def test_a_reading_command_records_nothing(
    bjerke: tuple[list[Run], Dataset], data_copy: ProjectPaths
) -> None:
    # ``build`` reads the remembered verdicts but must not write into the repository
    runs, data = bjerke
    decided = applicable.decide(runs[:3], data)
    assert applicable.remembered_verdicts(runs[:3], data, data_copy, record=False) == decided
    assert not (data_copy.book / ".cache" / "applicable").exists()
    applicable.remembered_verdicts(runs[:2], data, data_copy)  # a run records two of them
    memo = data_copy.book / ".cache" / "applicable" / f"{validation_key(data_copy)}.json"
    before = memo.read_bytes()
    kept, skipped = applicable.split_applicable(runs[:3], data, data_copy, record=False)
    assert len(kept) + len(skipped) == 3
    assert memo.read_bytes() == before
