"""Lambda entry point of the code sandbox: {"runs": [...]} -> {"results": [...]}.

Thin on purpose: request-shape checks here, everything else in ``rft_sandbox.runner``. This
function's role can only write its own logs; the grader Lambda (which holds credentials)
invokes it and never executes model-written code itself.
"""

from __future__ import annotations

from collections import Counter

from aws_lambda_powertools import Logger
from rft_sandbox import runner as sandbox_runner
from rft_sandbox.runner import run_batch

MAX_RUNS_PER_REQUEST = 256

logger = Logger(service="rft-code-sandbox")


def parse_request(event: object) -> list:
    """The list of runs, or ValueError with a one-line reason. Single runs are checked later."""
    if not isinstance(event, dict):
        raise ValueError("request must be a JSON object with a 'runs' list")
    runs = event.get("runs")
    if not isinstance(runs, list):
        raise ValueError("request field 'runs' must be a list")
    if len(runs) > MAX_RUNS_PER_REQUEST:
        raise ValueError(f"too many runs in one request ({len(runs)} > {MAX_RUNS_PER_REQUEST})")
    return runs


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    runs = parse_request(event)
    results = run_batch(runs)
    logger.info(
        "sandbox batch done",
        extra={
            "runs": len(runs),
            "statuses": dict(Counter(r["status"] for r in results)),
            "seccomp": sandbox_runner.ZYGOTE_INFO.get("seccomp"),
        },
    )
    return {"results": results}
