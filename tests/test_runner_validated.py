"""The runner's record of a successful validation: reused only for exactly the same inputs."""

from __future__ import annotations

from analysis.paths import ProjectPaths
from analysis.runner.validated import known_valid, remember_valid, validation_key


def test_a_remembered_verdict_holds_only_for_the_same_bytes(data_copy: ProjectPaths) -> None:
    valid, key = known_valid(data_copy)
    assert not valid  # nothing recorded yet
    remember_valid(data_copy, key)
    assert known_valid(data_copy) == (True, key)
    observations = data_copy.root / "data" / "curated" / "observations.csv"
    original = observations.read_bytes()
    observations.write_bytes(original.replace(b",", b";", 1))  # one byte differs
    assert validation_key(data_copy) != key
    assert known_valid(data_copy)[0] is False
    observations.write_bytes(original)  # back to the validated bytes: the verdict holds again
    assert known_valid(data_copy) == (True, key)


def test_only_the_latest_verdict_is_kept(data_copy: ProjectPaths) -> None:
    remember_valid(data_copy, "a" * 64)
    _, key = known_valid(data_copy)
    remember_valid(data_copy, key)
    folder = data_copy.book / ".cache" / "validated"
    assert [p.name for p in folder.iterdir()] == [key]
