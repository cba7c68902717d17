"""How long the sandbox's limits take to stop hostile code: the figures the tests no longer assert.

Usage: .venv/bin/python benchmarks/sandbox_limits.py [--repeats N]
Prints one JSON object: per case the median and worst wall time (seconds, whole run_batch call)
and the status the sandbox reported. The tests in tests/lambda/sandbox check what happens (a
timeout is reported as "timeout", a memory bomb as MemoryError); wall times depend on the
machine's load (one once took 1.57 s against a 1.5 s assertion), so they are measured here.
"""

import argparse
import json
import os
import platform
import statistics
import time

from rft_sandbox.runner import SandboxConfig, run_batch


def _run(code, tests, timeout_s, config=None):
    return {"code": code, "tests": tests, "entry_point": None, "scoring": "fraction", "timeout_s": timeout_s}, config


CASES = {
    "sub_second_timeout_0.5s": _run("x = 0\nwhile True:\n    x += 1\n", "assert True", 0.5),
    "infinite_loop_timeout_1s": _run("def f():\n    while True:\n        pass\n", "assert f() == 1", 1),
    "fork_bomb_timeout_2s": _run("import os\nwhile True:\n    os.fork()\n", "assert True", 2),
    "memory_bomb_256mb": _run(
        "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 ** 2))",
        "assert True",
        5,
        SandboxConfig(memory_mb=256),
    ),
    "output_flood": _run("for _ in range(2000):\n    print('x' * 10000)\n", "assert False", 10),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    figures = {}
    for name, (run, config) in CASES.items():
        times, statuses = [], set()
        for _ in range(args.repeats):
            started = time.perf_counter()
            (result,) = run_batch([run], config or SandboxConfig())
            times.append(time.perf_counter() - started)
            statuses.add(result["status"])
        figures[name] = {
            "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
            "limit_s": run["timeout_s"],
            "statuses": sorted(statuses),
        }
    sleeps = [0.6 - 0.15 * i for i in range(4)]
    batch = [
        {
            "code": f"import time\ntime.sleep({s})\n",
            "tests": "assert True",
            "entry_point": None,
            "scoring": "fraction",
            "timeout_s": 10,
        }
        for s in sleeps
    ]
    started = time.perf_counter()
    run_batch(batch, SandboxConfig(max_parallel=4))
    figures["batch_of_4_sleeps_parallel"] = {
        "wall_s": round(time.perf_counter() - started, 3),
        "sum_of_sleeps_s": round(sum(sleeps), 3),
    }
    print(
        json.dumps(
            {
                "benchmark": "sandbox_limits",
                "repeats": args.repeats,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "cases": figures,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
