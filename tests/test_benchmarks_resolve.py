"""Benchmarks are run by hand (`make bench`), not by the suite, so they can rot unseen: every
module a benchmark imports must resolve (a renamed module once broke one). What they compute is
checked only by running them."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted((REPO / "benchmarks").glob("*.py"))
# Folders the benchmarks put on sys.path themselves (their siblings and the Lambda code roots).
SEARCH = [
    REPO / "benchmarks",
    REPO / "lambda" / "grader",
    REPO / "lambda" / "workflow",
    REPO / "lambda" / "code_sandbox",
]


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_every_module_a_benchmark_imports_resolves(path, monkeypatch):
    for folder in SEARCH:
        monkeypatch.syspath_prepend(str(folder))
    missing = []
    for name in sorted(_imported(path)):
        try:
            found = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # a parent package is missing
            found = None
        if found is None:
            missing.append(name)
    assert not missing, f"{path.name} imports modules that do not exist: {missing}"


def test_the_check_sees_a_missing_module(tmp_path, monkeypatch):
    """Control: a benchmark importing a module that does not exist is caught."""
    fake = tmp_path / "bench.py"
    fake.write_text("from sandbox_runner import run_batch\n")
    assert "sandbox_runner" in _imported(fake) and importlib.util.find_spec("sandbox_runner") is None
    assert sys.modules.get("sandbox_runner") is None
