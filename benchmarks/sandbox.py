"""Benchmark the code sandbox: runs/second and per-run latency for a trivial correct program.

Usage: .venv/bin/python benchmarks/sandbox.py [--runs N]
Prints one JSON object. "parallel" uses run_batch's own bound (SANDBOX_MAX_PARALLEL or
min(4, cpu_count)); latencies are per run, measured sequentially.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lambda",
                                "code_sandbox"))

from sandbox_runner import SandboxConfig, max_parallel, run_batch  # noqa: E402

RUN = {"code": "def add(a, b):\n    return a + b\n",
       "tests": "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n",
       "entry_point": None, "scoring": "fraction", "timeout_s": 10}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    config = SandboxConfig.from_env()

    run_batch([RUN], config)  # warm-up: page cache, interpreter files
    latencies = []
    started = time.perf_counter()
    for _ in range(args.runs):
        t0 = time.perf_counter()
        (result,) = run_batch([RUN], config)
        latencies.append(time.perf_counter() - t0)
        assert result["status"] == "passed", result
    sequential = time.perf_counter() - started

    started = time.perf_counter()
    results = run_batch([RUN] * args.runs, config)
    parallel = time.perf_counter() - started
    assert all(r["status"] == "passed" for r in results), results

    latencies.sort()
    print(json.dumps({
        "runs": args.runs,
        "cpu_count": os.cpu_count(),
        "max_parallel": max_parallel(config),
        "python": platform.python_version(),
        "as_root": os.geteuid() == 0,
        "sequential_runs_per_s": round(args.runs / sequential, 1),
        "parallel_runs_per_s": round(args.runs / parallel, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
