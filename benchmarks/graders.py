"""Grader runtime throughput and cold-start numbers, printed as one JSON object.

    .venv/bin/python benchmarks/graders.py

Single process, single thread (one core). Measures, never asserts: targets are >= 5,000
samples/s for numeric math answers, an 8,192-sample training step under 5 s, and a handler
import under 300 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GRADER_DIR = REPO / "lambda" / "grader"
sys.path.insert(0, str(GRADER_DIR))

from rft_graders.batch import grade_batch  # noqa: E402
from rft_graders.build import BuildContext, build_grader  # noqa: E402

STEP = 8192


def _sample(i, response, reference=None, metadata=None):
    raw = {
        "id": f"s{i}",
        "messages": [{"role": "user", "content": f"prompt {i // 8}"}, {"role": "assistant", "content": response}],
    }
    if reference is not None:
        raw["reference_answer"] = reference
    if metadata:
        raw["metadata"] = metadata
    return raw


def math_numeric(i):
    answer = 72 if i % 3 else 70 + i % 5
    return _sample(i, f"She sold 48 in April and 24 in May, 48 + 24 = {answer}.\n#### {answer}", "72")


def math_symbolic(i):
    return _sample(i, "so the answer is \\boxed{\\frac{\\sqrt{2}}{2}}", "\\frac{1}{\\sqrt{2}}")


def classification(i):
    label = ["low", "medium", "high", "urgent"][i % 4]
    return _sample(i, f"Priority: {label}", metadata={"priority": "high"})


def extraction(i):
    return _sample(
        i,
        '{"vendor": "ACME Corp", "total": 1250.0, "currency": "EUR"}',
        {"vendor": "ACME Corp", "total": 1250.0, "currency": "USD"},
    )


def instruction_following(i):
    ref = {
        "instructions": [
            {"id": "length_constraints:number_words", "relation": "at least", "num_words": 20},
            {"id": "punctuation:no_comma"},
            {"id": "detectable_format:number_bullet_lists", "num_bullets": 3},
            {"id": "startend:end_checker", "end_phrase": "Any other questions?"},
        ]
    }
    text = "Here are three points about Paris\n* it is old\n* it is big\n* it has the Seine river and many bridges\nAny other questions?"
    return _sample(i, text, ref)


def code_generation(i):
    return _sample(
        i, "```python\ndef add(a, b):\n    return a + b\n```", {"tests": "assert add(1, 2) == 3", "entry_point": None}
    )


class InstantSandbox:
    """Returns 'passed' without running anything: measures the grader's own overhead only."""

    def run_batch(self, runs):
        return [{"status": "passed", "passed": 1, "total": 1, "detail": ""} for _ in runs]


CASES = {
    "math_reasoning_numeric": ({"template": "math_reasoning", "format_weight": 0.1}, math_numeric, STEP),
    "math_reasoning_symbolic": ({"template": "math_reasoning"}, math_symbolic, 200),
    "classification": (
        {"template": "classification", "label_field": "priority", "labels": ["low", "medium", "high", "urgent"]},
        classification,
        STEP,
    ),
    "extraction": ({"template": "extraction"}, extraction, STEP),
    "instruction_following": ({"template": "instruction_following"}, instruction_following, STEP),
    "code_generation_fake_instant_sandbox": ({"template": "code_generation"}, code_generation, STEP),
}


def throughput(spec, make, n):
    grader = build_grader(spec, BuildContext(sandbox=InstantSandbox()))
    grade_batch([make(i) for i in range(8)], grader)  # warm lazy imports
    batch = [make(i) for i in range(n)]
    started = time.perf_counter()
    report = grade_batch(batch, grader)
    elapsed = time.perf_counter() - started
    assert not report.errors, report.errors[:3]
    return n / elapsed, elapsed


def cold_import_ms(statement: str, runs: int = 5) -> float:
    env = {
        **os.environ,
        "GRADER_SPEC": json.dumps({"template": "math_reasoning"}),
        "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    }
    code = f"import time; t = time.perf_counter(); {statement}; print((time.perf_counter() - t) * 1000)"
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], cwd=GRADER_DIR, env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return round(statistics.median(samples), 1)


def main() -> None:
    out: dict = {"python": sys.version.split()[0], "samples_per_second": {}, "step_8192_seconds": {}}
    for name, (spec, make, n) in CASES.items():
        rate, elapsed = throughput(spec, make, n)
        out["samples_per_second"][name] = round(rate)
        if name in ("math_reasoning_numeric", "classification"):
            out["step_8192_seconds"][name] = round(elapsed, 3)
    out["handler_cold_import_ms"] = cold_import_ms("import handler")
    out["of_which_powertools_tracer_xray_sdk_ms"] = cold_import_ms("import aws_xray_sdk.core")
    out["targets"] = {"math_numeric_samples_per_second": 5000, "step_8192_seconds": 5, "handler_cold_import_ms": 300}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
