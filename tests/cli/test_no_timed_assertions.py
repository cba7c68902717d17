"""Wall times belong in benchmarks/, never in assertions: one failed under load (1.57 s vs 1.5 s)."""

from __future__ import annotations

import ast

from rft.config.loader import REPO_ROOT

CLOCKS = {"monotonic", "perf_counter", "time"}


def _reads_a_clock(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in CLOCKS
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "time"
        for n in ast.walk(node)
    )


def _timed_assertions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test")):
        clocked = {
            t.id
            for n in ast.walk(function)
            if isinstance(n, ast.Assign) and _reads_a_clock(n.value)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(function):
            if not isinstance(node, ast.Assert):
                continue
            for compare in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
                # `before <= value <= after` brackets a computed value between two clock readings,
                # which holds on any machine; a single comparison with a limit does not.
                if len(compare.ops) == 1 and isinstance(compare.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
                    names = {n.id for n in ast.walk(compare) if isinstance(n, ast.Name)}
                    if _reads_a_clock(compare) or names & clocked:
                        yield f"{path.relative_to(REPO_ROOT)}:{node.lineno} {function.name}"


def test_no_test_compares_a_wall_time_with_a_limit():
    found = [hit for path in sorted((REPO_ROOT / "tests").rglob("test_*.py")) for hit in _timed_assertions(path)]
    assert not found, "move these figures to benchmarks/: " + ", ".join(found)
