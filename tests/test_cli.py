"""The command-line interface answers --help and refuses bad commands in one line."""

import subprocess
import sys

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], capture_output=True, text=True, check=False
    )


def test_help_lists_subcommands() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for command in ("validate", "run", "build", "diff", "fetch-ssb"):
        assert command in result.stdout


@pytest.mark.parametrize("command", ["validate", "run", "build", "diff", "fetch-ssb"])
def test_each_subcommand_has_help(command: str) -> None:
    result = _run(command, "--help")
    assert result.returncode == 0
    assert "usage:" in result.stdout


@pytest.mark.parametrize("args", [("frobnicate",), ("run", "--jobs", "many"), ("validate", "--nope")])
def test_bad_command_is_one_line_error(args: tuple[str, ...]) -> None:
    result = _run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "error:" in lines[0]
