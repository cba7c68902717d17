"""The import directions of ARCHITECTURE.md, enforced: a file importing against them fails here.

Every first-party import (top-level and lazy, inside functions) of every Python file in the
repository is read with ``ast`` and checked against the wing the file belongs to.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Top-level names of the repository's own modules, by wing.
CONTRACTS = {"rft_contracts"}
GRADER_RUNTIME = {"rft_graders", "team_graders"}
WORKFLOW_RUNTIME = {"rft_workflow", "handlers"}
SANDBOX_RUNTIME = {"rft_sandbox", "handler"}
REPORT_RUNTIME = {"rft_report", "report_handler"}
CLI = {"rft"}
CDK_APP = {"stacks", "constructs_lib", "app"}
FIRST_PARTY = CONTRACTS | GRADER_RUNTIME | WORKFLOW_RUNTIME | SANDBOX_RUNTIME | REPORT_RUNTIME | CLI | CDK_APP

# wing -> (where its files are, the first-party modules it may import)
WINGS: dict[str, tuple[tuple[str, ...], set[str]]] = {
    "contracts": (("rft_contracts",), CONTRACTS),
    "code sandbox": (("lambda/code_sandbox",), SANDBOX_RUNTIME),  # stdlib and itself: it runs model code
    "grader runtime": (("lambda/grader",), CONTRACTS | GRADER_RUNTIME),
    "job events": (("lambda/job_events",), CONTRACTS),
    "workflow runtime": (("lambda/workflow",), CONTRACTS | GRADER_RUNTIME | WORKFLOW_RUNTIME),
    "run report": (("lambda/run_report",), CONTRACTS | REPORT_RUNTIME),
    "cli": (("rft",), CONTRACTS | GRADER_RUNTIME | WORKFLOW_RUNTIME | {"rft_sandbox", "rft_report"} | CLI),
    "cdk app": (("stacks", "constructs_lib", "app.py"), CONTRACTS | GRADER_RUNTIME | CLI | CDK_APP),
}


def wing_of(path: Path) -> str | None:
    relative = path.relative_to(REPO).as_posix()
    for wing, (places, _) in WINGS.items():
        if any(relative == place or relative.startswith(place + "/") for place in places):
            return wing
    return None


def first_party_imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) of every absolute first-party import in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.extend((node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in FIRST_PARTY)
    return found


def violations(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        wing = wing_of(path)
        if wing is None:
            continue
        allowed = WINGS[wing][1]
        for line, module in first_party_imports(path):
            if module not in allowed:
                out.append(f"{path.relative_to(REPO)}:{line}: the {wing} may not import {module}")
    return out


def shipped_python_files() -> list[Path]:
    skip = {
        ".venv",
        ".venv-checkov",
        "node_modules",
        "cdk.out",
        ".build",
        "build",
        "tests",
        "benchmarks",
        ".git",
        "examples",
    }
    return sorted(p for p in REPO.rglob("*.py") if not skip & set(p.relative_to(REPO).parts))


def test_every_import_follows_the_allowed_directions():
    assert violations(shipped_python_files()) == []


def test_every_shipped_file_belongs_to_a_wing():
    unplaced = [str(p.relative_to(REPO)) for p in shipped_python_files() if wing_of(p) is None]
    assert unplaced == []


@pytest.mark.parametrize(
    "place, source, wing",
    [
        ("lambda/workflow/x.py", "from rft.config.team_config import TeamConfig\n", "workflow runtime"),
        ("lambda/grader/rft_graders/x.py", "def f():\n    import stacks.team_app\n", "grader runtime"),
        ("rft_contracts/x.py", "from rft_graders.spec import parse_grader_spec\n", "contracts"),
        ("lambda/code_sandbox/x.py", "import rft_graders\n", "code sandbox"),
        ("rft/x.py", "from constructs_lib import nag\n", "cli"),
        ("lambda/run_report/rft_report/x.py", "def f():\n    from rft.report import collect\n", "run report"),
        ("lambda/run_report/x.py", "import rft_workflow.gate\n", "run report"),
    ],
)
def test_a_wrong_direction_is_reported(tmp_path, monkeypatch, place, source, wing):
    """Control: the check really fails on each kind of wrong import (lazy ones included)."""
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    path = tmp_path / place
    path.parent.mkdir(parents=True)
    path.write_text(source)
    [problem] = violations([path])
    assert f"the {wing} may not import" in problem


# --------------------------------------------------------------------------- import cycles
PACKAGES = {
    "rft_contracts": REPO / "rft_contracts",
    "rft_graders": REPO / "lambda/grader/rft_graders",
    "rft_workflow": REPO / "lambda/workflow/rft_workflow",
    "rft_sandbox": REPO / "lambda/code_sandbox/rft_sandbox",
    "rft_report": REPO / "lambda/run_report/rft_report",
    "rft": REPO / "rft",
}


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (imports for the type checker only,
    which never run, so they cannot make an import cycle)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
                stack.extend(child.orelse)
                continue
            stack.append(child)


def module_graph() -> dict[str, set[str]]:
    """module -> the first-party modules it imports (lazy imports included), for our packages."""
    modules: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            name = ".".join((package, *parts))
            modules[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            edges.update(c for c in candidates if c in modules and c != name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_in_our_packages():
    assert cycles(module_graph()) == []


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
