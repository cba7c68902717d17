"""Grader cold start as shipped: `import handler` in a fresh Python 3.13 from a real bundle.

    python benchmarks/grader_cold_start.py [--runs 9] [--bundle DIR] [--keep DIR]

The bundle is made the way synth makes it (`install_requirements` from the hash-locked
requirements, the sources, bytecode compiled by Python 3.13 with unchecked-hash .pyc files), with
one difference forced by this machine: the bundle's few binary wheels are Linux arm64, so the
same versions for this machine's architecture are laid over them (pure-Python packages, and
all .pyc files, are exactly what ships). boto3 comes from a separate folder after the bundle on
sys.path, as Lambda's runtime provides it. The environment is Lambda's with active tracing
(LAMBDA_TASK_ROOT, a sampled _X_AMZN_TRACE_ID), so the tracer behaves as it does there.

Figures per grader spec, median and minimum wall time of `--runs` fresh interpreters (the
minimum is the least disturbed by other load on the machine), and the median CPU time of the
import (process_time: what the import costs without waiting for a busy CPU, the closest this
machine gets to an idle one; files are in the page cache either way, as after Lambda's first
read):

* `shipped`: the handler as it is;
* `eager_tracer` (the previous handler's Powertools `Tracer()`: X-Ray SDK loaded and botocore
  patched at import), in the same run, for the difference;
* `reference_no_tracing`: the handler with no tracer at all, the floor tracing could reach;
* `shipped_first_invoke_ms`: `import handler` plus one batch of 8 samples, what the first
  request waits (for math, with a numeric answer and with a symbolic one).

Goal: shipped < 300 ms. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GRADER_DIR = REPO / "lambda" / "grader"
# spec, and the (response, reference) of the 8 samples of the first-invoke batch.
SPECS: dict[str, tuple[dict[str, Any], tuple[str, str]]] = {
    "classification": (
        {"template": "classification", "labels": ["low", "medium", "high", "urgent"]},
        ("Priority: high", "high"),
    ),
    # A numeric answer: the numeric path, sympy (math-verify) stays unloaded. A symbolic one
    # (`math_reasoning_symbolic`) loads it on the first comparison.
    "math_reasoning": ({"template": "math_reasoning", "format_weight": 0.1}, ("So the answer is \\boxed{42}.", "42")),
    "math_reasoning_symbolic": (
        {"template": "math_reasoning", "format_weight": 0.1},
        ("So the answer is \\boxed{\\frac{\\sqrt{2}}{2}}.", "\\frac{1}{\\sqrt{2}}"),
    ),
    "instruction_following": ({"template": "instruction_following", "mode": "loose"}, ("A short answer.", "")),
}


def _compiled(target: Path) -> tuple[str, ...]:
    """Distributions in a bundle that ship compiled extensions (built for Linux arm64 there):
    read from each wheel's RECORD, so a newly added binary dependency is never missed."""
    names = []
    for record in target.glob("*.dist-info/RECORD"):
        if any(line.split(",", 1)[0].endswith(".so") for line in record.read_text().splitlines()):
            metadata = (record.parent / "METADATA").read_text()
            name = next(line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Name:"))
            names.append(name.lower().replace("_", "-"))
    return tuple(sorted(names))


_TIMER = r"""
import sys, time, importlib
t, cpu = time.perf_counter(), time.process_time()
handler = importlib.import_module(sys.argv[1])
imported, imported_cpu = time.perf_counter(), time.process_time()
if sys.argv[2] == "invoke":
    import types
    ctx = types.SimpleNamespace(function_name="f", memory_limit_in_mb=1024, invoked_function_arn="arn",
                                aws_request_id="1", get_remaining_time_in_millis=lambda: 300000)
    response, reference = sys.argv[3], sys.argv[4]
    event = [{"id": str(i), "messages": [{"role": "user", "content": "q"},
             {"role": "assistant", "content": response}], "reference_answer": reference}
             for i in range(8)]
    handler.lambda_handler(event, ctx)
done = time.perf_counter()
print((imported - t) * 1000, (done - t) * 1000, (imported_cpu - cpu) * 1000)
"""

_EAGER = ("tracer = lazy_tracer()", "from aws_lambda_powertools import Tracer\ntracer = Tracer()")
_NONE = (
    "tracer = lazy_tracer()",
    "class _NoTracer:\n    def capture_lambda_handler(self, **_):\n"
    "        return lambda handler: handler\ntracer = _NoTracer()",
)


def python313() -> str:
    """RFT_BYTECODE_PYTHON, python3.13 on PATH or pyenv's: the first that runs and is 3.13
    (a pyenv shim on PATH may exist and still fail)."""
    candidates = [
        os.environ.get("RFT_BYTECODE_PYTHON"),
        shutil.which("python3.13"),
        *sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13"))),
    ]
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"], capture_output=True, text=True
        )
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return candidate
    sys.exit("grader_cold_start: needs a Python 3.13 (RFT_BYTECODE_PYTHON, PATH or pyenv)")


def _pins(lock: Path, names: tuple[str, ...]) -> list[str]:
    pins = []
    for line in lock.read_text().splitlines():
        name = line.split("==")[0].strip().lower()
        if "==" in line and not line.startswith((" ", "#")) and name in names:
            pins.append(line.split()[0])
    return pins


def make_bundle(target: Path, runtime: Path, py: str) -> None:
    sys.path.insert(0, str(REPO))  # benchmark only: the bundling code of this checkout
    from constructs_lib.lambda_assets import CONTRACTS_DIR, GRADER_LOCK, GRADER_SDIST_ONLY
    from constructs_lib.python_bundling import install_requirements

    install_requirements(GRADER_LOCK, target, GRADER_SDIST_ONLY)
    pip = [
        py,
        "-m",
        "pip",
        "--disable-pip-version-check",
        "--quiet",
        "install",
        "--no-deps",
        "--no-compile",
        "--upgrade",
    ]
    # The same versions of the compiled ones, for this machine.
    subprocess.run([*pip, "--target", str(target), *_pins(GRADER_LOCK, _compiled(target))], check=True)
    boto3 = _pins(GRADER_DIR / "requirements.txt", ("boto3",)) or ["boto3"]
    subprocess.run(
        [py, "-m", "pip", "--disable-pip-version-check", "--quiet", "install", "--target", str(runtime), *boto3],
        check=True,
    )
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "examples", "*.md")
    shutil.copytree(GRADER_DIR, target, dirs_exist_ok=True, ignore=ignore)
    shutil.copytree(CONTRACTS_DIR, target / CONTRACTS_DIR.name, dirs_exist_ok=True, ignore=ignore)
    for bundle in (target, runtime):
        subprocess.run(
            [py, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(bundle)],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def add_variants(bundle: Path, py: str) -> None:
    source = (bundle / "handler.py").read_text()
    for name, (old, new) in (("handler_eager_tracer", _EAGER), ("handler_no_tracing", _NONE)):
        if old not in source:
            sys.exit(f"grader_cold_start: handler.py no longer has {old!r}; update the variants")
        (bundle / f"{name}.py").write_text(source.replace(old, new))
        subprocess.run(
            [py, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", str(bundle / f"{name}.py")],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def lambda_env(bundle: Path, runtime: Path, spec: dict) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return keep | {
        # Lambda's sys.path: the function's code first, the runtime's boto3 after it.
        "PYTHONPATH": f"{bundle}{os.pathsep}{runtime}",
        "LAMBDA_TASK_ROOT": str(bundle),
        "AWS_REGION": "us-west-2",
        "AWS_DEFAULT_REGION": "us-west-2",
        "AWS_LAMBDA_FUNCTION_NAME": "rft-example-bench-grader",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "POWERTOOLS_SERVICE_NAME": "rft-grader",
        "POWERTOOLS_METRICS_NAMESPACE": "RFT/example/Graders",
        "CUSTOMIZATION_NAME": "bench",
        "GRADER_SPEC": json.dumps(spec),
    }


def time_import(
    py: str, module: str, env: dict, mode: str, sample: tuple[str, str] = ("", "")
) -> tuple[float, float, float]:
    process = subprocess.run(
        [py, "-c", _TIMER, module, mode, *sample],
        env=env,
        capture_output=True,
        text=True,
        cwd=env["LAMBDA_TASK_ROOT"],
    )
    if process.returncode:
        sys.exit(f"grader_cold_start: importing {module} failed:\n{process.stderr[-3000:]}")
    out = process.stdout
    imported, done, cpu = map(float, out.split()[-3:])
    return imported, done, cpu


def measure(bundle: Path, runtime: Path, py: str, runs: int) -> dict:
    variants = {
        "shipped": "handler",
        "eager_tracer": "handler_eager_tracer",
        "reference_no_tracing": "handler_no_tracing",
    }
    results = {}
    for spec_name, (spec, sample) in SPECS.items():
        env = lambda_env(bundle, runtime, spec)
        samples: dict[str, list[float]] = {name: [] for name in variants}
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        invokes: list[float] = []
        for _ in range(runs):  # interleaved, so load spikes hit every variant alike
            for name, module in variants.items():
                wall, _, cpu_ms = time_import(py, module, env, "import")
                samples[name].append(wall)
                cpu[name].append(cpu_ms)
            invokes.append(time_import(py, "handler", env, "invoke", sample)[1])
        row: dict[str, Any] = {
            name: {
                "median_ms": round(statistics.median(v), 1),
                "min_ms": round(min(v), 1),
                "cpu_median_ms": round(statistics.median(cpu[name]), 1),
            }
            for name, v in samples.items()
        }
        row["shipped_first_invoke_ms"] = {
            "median_ms": round(statistics.median(invokes), 1),
            "min_ms": round(min(invokes), 1),
        }
        row["ratio_to_reference"] = round(row["shipped"]["min_ms"] / row["reference_no_tracing"]["min_ms"], 2)
        row["ratio_to_eager_tracer"] = round(row["shipped"]["min_ms"] / row["eager_tracer"]["min_ms"], 2)
        results[spec_name] = row
    startup = [time_import(py, "json", lambda_env(bundle, runtime, {}), "import") for _ in range(3)]
    return {"specs": results, "python_startup_floor_ms": round(min(s[0] for s in startup), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--bundle", type=Path, help="reuse a bundle made by --keep")
    parser.add_argument("--keep", type=Path, help="make the bundle here and keep it")
    args = parser.parse_args()
    py = python313()
    with tempfile.TemporaryDirectory() as work:
        if args.bundle:
            bundle, runtime = args.bundle / "task", args.bundle / "runtime"
            # This checkout's handler sources, over the kept dependencies.
            shutil.copytree(
                GRADER_DIR,
                bundle,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "*.md"),
            )
            subprocess.run(
                [py, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", str(bundle)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        else:
            root = args.keep or Path(work)
            bundle, runtime = root / "task", root / "runtime"
            bundle.mkdir(parents=True, exist_ok=True)
            make_bundle(bundle, runtime, py)
        add_variants(bundle, py)
        figures = measure(bundle, runtime, py, args.runs)
    load = os.getloadavg()[0]
    print(
        json.dumps(
            {
                "benchmark": "grader_cold_start",
                "python": py,
                "runs": args.runs,
                "load_average_1m": round(load, 1),
                "cpus": os.cpu_count(),
                "goal_ms": 300,
                **figures,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
