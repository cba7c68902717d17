"""Grading through the customization's grader: the deployed Lambda, or an offline probe.

``invoke_grader`` calls the grader function exactly as Bedrock does (a JSON array of samples
in, an array of ``{id, aggregate_reward_score, metrics_list}`` out), so the audit and the
checkpoint evaluation use the very grader version the job trains against.

``reference_problems`` checks, offline and per row, that the grader can read each row's
reference: it grades the row with a probe answer using ``rft_graders`` in-process and reports
rows whose result is a ``grader_error`` (the grader's "I could not grade this" signal, as
opposed to a low score). The probe answer is a fenced ``pass`` program, so that even code
graders get past "no code in the response" and read their tests. Nothing is executed:
the sandbox handed to the grader returns a "passed" verdict without running the code, and
``lambda`` (forwarding) graders cannot be probed offline, so specs containing one skip this
check (reported as skipped). What the probe proves per template:

- math_reasoning / math / numeric: the reference renders to a non-empty answer / a number.
- classification / label_match: the gold label is non-empty and (with ``labels``) allowed.
- extraction / json_schema: the reference is a non-empty JSON object with the ``fields``.
- instruction_following: the instruction list parses and each instruction's arguments are
  valid for its IFEval checker.
- code_generation / code: the tests render non-empty, ``entry_point`` is a string.
- string_check / text_similarity: every ``{{item.*}}`` the spec reads exists
  (``like``/``ilike`` also need a non-empty reference).
- python ``module`` graders: the team function ran on the row without raising. Inline
  ``source`` graders run in the sandbox, so their reference use is not checked.
- multi: each sub-grader as above.
"""

from __future__ import annotations

import ast
import json
import time
from typing import Any

PROBE_RESPONSE = "```python\npass\n```"
# Rows whose reference the pre-flight grades through an AI judge (each a paid Bedrock call per
# judge model): enough to catch references the judge cannot read (a wrong field, empty
# references), without paying for a 20,000-row file. Counted in the cost estimate (cost.py).
JUDGE_PROBE_ROWS = 20
GRADER_ERROR = "grader_error"


class _VerdictOnlySandbox:
    """Never runs code: every run 'passed' with as many tests as its asserts, so graders get a
    well-formed verdict (the python grader checks the counts) and proceed to score it."""

    def __init__(self) -> None:
        self.runs = 0

    def run_batch(self, runs: list[dict]) -> list[dict]:
        self.runs += len(runs)
        return [_all_passed(run) for run in runs]


def _all_passed(run: dict) -> dict:
    try:
        total = sum(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(str(run.get("tests") or ""))))
    except SyntaxError:
        return {"status": "error", "passed": 0, "total": 0, "detail": "probe: tests do not parse"}
    return {"status": "passed", "passed": total, "total": total, "detail": "probe"}


def _no_lambda() -> Any:
    raise RuntimeError("lambda graders are not called while probing references")


def probe_skip_reason(spec: dict) -> str | None:
    """Why the offline reference probe cannot run for this spec, or None."""
    from rft_graders.spec_walk import forwards_to_lambda

    if forwards_to_lambda(spec):
        return "the grader forwards to another Lambda function, which is not called offline"
    if _has_inline_python(spec):
        # Its score needs the code to run, and the probe runs none: every row would look
        # unusable ("bad sandbox counts"), failing every run of such a customization.
        return "an inline python source grader needs its code run, which the offline probe never does"
    return None


def _has_inline_python(node: Any) -> bool:
    if isinstance(node, dict):
        if node.get("type") == "python" and node.get("source") is not None:
            return True
        return any(_has_inline_python(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_inline_python(value) for value in node)
    return False


def probe_sample(row: dict, index: int) -> dict:
    """A dataset row as a Bedrock grader sample answered with the probe response."""
    sample = {k: v for k, v in row.items() if k != "messages"}
    sample["id"] = f"probe-{index}"
    sample["messages"] = list(row["messages"]) + [{"role": "assistant", "content": PROBE_RESPONSE}]
    return sample


def reference_problems(spec: dict, rows: list[dict], chunk: int = 256) -> list[tuple[int, str]]:
    """(index into rows, reason) for every row whose reference the grader cannot use."""
    from rft_graders.batch import grade_batch
    from rft_graders.build import BuildContext, build_grader

    grader = build_grader(spec, BuildContext(sandbox=_VerdictOnlySandbox(), lambda_client_factory=_no_lambda))
    problems: list[tuple[int, str]] = []
    for start in range(0, len(rows), chunk):
        samples = [probe_sample(row, start + i) for i, row in enumerate(rows[start : start + chunk])]
        report = grade_batch(samples, grader)
        problems.extend((start + error.index, error.reason) for error in report.errors)
    return problems


def bedrock_sample(sample_id: str, prompt_messages: list[dict], response: str, row: dict) -> dict:
    """The documented grader event item: messages + answer, dataset fields under metadata."""
    metadata = {k: v for k, v in row.items() if k not in ("messages", "metadata")}
    if isinstance(row.get("metadata"), dict):
        metadata.update(row["metadata"])
    return {
        "id": sample_id,
        "messages": list(prompt_messages) + [{"role": "assistant", "content": response}],
        "metadata": metadata,
    }


def invoke_grader(
    lambda_client: Any, function_arn: str, samples: list[dict], *, batch_size: int = 64
) -> tuple[list[dict], list[float]]:
    """Grade samples through the grader function.

    Returns (one result per sample, same order; a failed call yields results with a
    ``grader_error`` metric) and the latency in ms of each invoke.
    """
    results: list[dict] = []
    latencies: list[float] = []
    for start in range(0, len(samples), batch_size):
        chunk = samples[start : start + batch_size]
        began = time.perf_counter()
        try:
            response = lambda_client.invoke(
                FunctionName=function_arn,
                InvocationType="RequestResponse",
                Payload=json.dumps(chunk, default=str).encode(),
            )
            body = json.loads(response["Payload"].read() or b"null")
            failed = response.get("FunctionError")
        except Exception as exc:  # noqa: BLE001 - one failed call fails its chunk, visibly
            body, failed = None, f"invoke failed: {type(exc).__name__}"
        latencies.append((time.perf_counter() - began) * 1000)
        if failed or not isinstance(body, list) or len(body) != len(chunk):
            reason = failed or "grader returned a result list of the wrong shape"
            results.extend(_error_result(s["id"], str(reason)) for s in chunk)
            continue
        for sample, result in zip(chunk, body, strict=False):
            ok = (
                isinstance(result, dict)
                and result.get("id") == sample["id"]
                and isinstance(result.get("aggregate_reward_score"), (int, float))
            )
            results.append(result if ok else _error_result(sample["id"], "result does not match the sample"))
    return results, latencies


def _error_result(sample_id: Any, reason: str) -> dict:
    return {
        "id": sample_id,
        "aggregate_reward_score": 0.0,
        "metrics_list": [{"name": GRADER_ERROR, "value": 1.0, "type": "Metric"}],
        "error": reason,
    }


def is_error(result: dict) -> bool:
    return any(m.get("name") == GRADER_ERROR for m in result.get("metrics_list") or [])
