"""Resolve the references inside a grader spec that the spec parser cannot see.

A `{type: python, module: team_graders.x}` grader parses whatever the module name, and
used to fail only when the deployed grader Lambda first imported it. The grader function
bundles `lambda/grader/` as its code root, so the module must be a file there (resolved
without importing it: loading a config runs no team code) defining a top-level `grade`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

GRADER_ROOT = Path(__file__).resolve().parents[2] / "lambda" / "grader"


def _python_modules(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """(spec path, module) of every in-process python grader, however deeply nested."""
    if isinstance(node, dict):
        if node.get("type") == "python" and isinstance(node.get("module"), str):
            yield path, node["module"]
        for key, value in node.items():
            yield from _python_modules(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _python_modules(value, f"{path}[{index}]")


def module_file(module: str, root: Path = GRADER_ROOT) -> Path | None:
    """The source file of a dotted module inside the grader bundle, or None."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_problems(spec: Any, root: Path = GRADER_ROOT) -> list[str]:
    """Why each python `module:` of a raw grader spec would not load in the grader Lambda."""
    problems = []
    for where, module in _python_modules(spec, "grader"):
        source = module_file(module, root)
        if source is None:
            shown = root.joinpath(*module.split(".")).with_suffix(".py")
            problems.append(
                f"{where}.module: no module {module!r} in the grader bundle ({_rel(shown)} "
                "does not exist); in-process graders live in lambda/grader/team_graders/"
            )
            continue
        try:
            tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
            problems.append(f"{where}.module: {_rel(source)} does not parse: {exc}")
            continue
        if not any(_defines_grade(statement) for statement in tree.body):
            problems.append(f"{where}.module: {_rel(source)} defines no top-level grade(sample, item)")
    return problems


def _defines_grade(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return statement.name == "grade"
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == "grade" for t in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == "grade" and statement.value is not None
    if isinstance(statement, ast.ImportFrom):
        return any((alias.asname or alias.name) == "grade" for alias in statement.names)
    return False


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(GRADER_ROOT.parents[1]))
    except ValueError:
        return str(path)
