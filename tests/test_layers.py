"""The package imports in one direction (src/analysis/README.md): the import-linter contracts in
pyproject.toml hold for ``analysis``, and the same contracts break on a package that has an upward
import, a cycle or a library module importing a command (so the check can fail)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(config: Path, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(config)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_package_keeps_its_import_contracts() -> None:
    result = lint(ROOT / "pyproject.toml", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def _mirror(tmp_path: Path, imports: dict[str, str]) -> Path:
    """A package ``layered`` with one module per module named in the contracts (``analysis`` →
    ``layered``), the given ``{module: import line}`` added, and the contracts pointed at it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text[text.index("[tool.importlinter]") :]
    names: set[str] = set()
    for contract in config["contracts"]:
        for layer in contract.get("layers", []):
            names.update(n.strip() for n in layer.split("|"))
        names.update(contract.get("source_modules", []))
        names.update(contract.get("forbidden_modules", []))
    for name in sorted(names):
        parts = name.replace("analysis", "layered", 1).split(".")
        folder = tmp_path.joinpath(*parts[:-1])
        for i in range(1, len(parts)):
            package = tmp_path.joinpath(*parts[:i])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
        module = folder / f"{parts[-1]}.py"
        if not module.exists() and not (folder / parts[-1]).is_dir():
            module.write_text("", encoding="utf-8")
    for module, line in imports.items():
        parts = module.split(".")
        path = tmp_path.joinpath(*parts)
        target = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        target.write_text(line + "\n", encoding="utf-8")
    config_file = tmp_path / "contracts.toml"
    config_file.write_text(re.sub(r"\banalysis\b", "layered", section), encoding="utf-8")
    return config_file


DOWNWARD = {
    "layered.page": "import layered.sections",
    "layered.sections": "import layered.series",
    "layered.series": "import layered.observations",
    "layered.observations": "import layered.schema",
    "layered.book.toc": "import layered.runner.stale",
}


def test_mirror_with_downward_imports_only_is_kept(tmp_path: Path) -> None:
    config = _mirror(tmp_path, DOWNWARD)
    result = lint(config, tmp_path, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # an upward import: observations reaching into sections
        ("layered.observations", "import layered.sections", "layered.observations -> layered.sections"),
        # a cycle: sections imports the page that imports it
        ("layered.sections", "import layered.page", "layered.sections -> layered.page"),
        # independent siblings: a model reading presentation code
        ("layered.models", "import layered.present", "layered.models -> layered.present"),
        # a library module importing a command module
        ("layered.runner.stale", "import layered.runner.cli", "layered.runner.stale -> layered.runner.cli"),
    ],
)
def test_contracts_break_on_a_wrong_import(tmp_path: Path, module: str, line: str, broken: str) -> None:
    config = _mirror(tmp_path, {**DOWNWARD, module: line})
    result = lint(config, tmp_path, tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert broken in result.stdout, result.stdout


def test_notebooks_import_only_the_page_api_and_the_sections() -> None:
    import ast

    allowed = {"analysis.page", "analysis.sections"}
    for template in sorted((ROOT / "notebooks").glob("*.py")):
        tree = ast.parse(template.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
                names = (
                    {f"analysis.{a.name}" for a in node.names} if node.module == "analysis" else {node.module}
                )
                assert names <= allowed, f"{template.name} imports {sorted(names - allowed)}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("analysis") or alias.name in allowed, template.name
