"""How graders send code to the code sandbox (built separately in ``lambda/code_sandbox``).

Protocol: ``SandboxClient.run_batch(runs) -> results``, same length and order.

A run::

    {"code": str,                 # the candidate program (model-written or inline grader code)
     "tests": str,                # python test code: top-level asserts, or a check(candidate) function
     "entry_point": str | None,   # when set, the sandbox calls check(<that function>) after `tests`
     "scoring": "all_or_nothing" | "fraction",
     "timeout_s": float}          # wall-clock limit for this run

A result::

    {"status": "passed" | "failed" | "timeout" | "error",
     "passed": int, "total": int, # assert statements of `tests` that held / that exist
     "detail": str}               # short reason; graders never log it (it may quote code)

The sandbox runs ``code`` and ``tests`` in two processes: the tests see the candidate's
functions only as proxies that exchange plain data (numbers, strings, lists, dicts, tuples,
sets, bytes, None, bools), never its objects, patched modules or names that shadow builtins;
arguments are copies and a non-plain return value fails the assert (details in
``lambda/code_sandbox/README.md``).

``fraction`` scoring needs ``passed``/``total`` to count assert statements; a run with
ascending-threshold asserts must report ``passed`` = the number that held (see
``primitives/python_grader.py``). ``timeout`` and ``error`` mean "could not run".

Implementations: ``LambdaSandboxClient`` (the deployed sandbox function, payload
``{"runs": [...]}`` -> ``{"results": [...]}``), ``rft.local_sandbox.LocalSandboxClient`` (the
CLI on a laptop: the same runner in child processes), ``UnavailableSandboxClient`` (the grader Lambda when no
sandbox is configured: model code must never run inside the credentialed grader).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

STATUSES = ("passed", "failed", "timeout", "error")


class SandboxClient(Protocol):
    def run_batch(self, runs: list[dict]) -> list[dict]: ...


def error_result(detail: str) -> dict:
    """A failure raised on this side of the call; ``client_error`` marks its detail as safe to log."""
    return {"status": "error", "passed": 0, "total": 0, "detail": detail, "client_error": True}


def failure_reason(result: dict) -> str:
    """Loggable reason for a run that did not reach a verdict (sandbox details are not logged)."""
    if result.get("client_error"):
        return str(result.get("detail", ""))[:200]
    return f"sandbox status {result.get('status')}"


def run_status_ok(result: dict) -> bool:
    """The code ran to a verdict (passed or failed), so passed/total mean something."""
    return result.get("status") in ("passed", "failed")


def normalize_results(results: Any, expected: int) -> list[dict]:
    """Defend against a sandbox that returns the wrong count or shape."""
    if not isinstance(results, list) or len(results) != expected:
        return [error_result("sandbox returned a malformed result list")] * expected
    out = []
    for r in results:
        ok = (
            isinstance(r, dict)
            and r.get("status") in STATUSES
            and isinstance(r.get("passed"), int)
            and isinstance(r.get("total"), int)
            and 0 <= r["passed"] <= max(r["total"], 0)
        )
        out.append(r if ok else error_result("sandbox returned a malformed result"))
    return out


def safe_run_batch(client: SandboxClient | None, runs: list[dict]) -> list[dict]:
    """run_batch that never raises and always returns one well-formed result per run."""
    if not runs:
        return []
    if client is None:
        return [error_result("no code sandbox configured")] * len(runs)
    try:
        return normalize_results(client.run_batch(runs), len(runs))
    except Exception as exc:  # noqa: BLE001 - a sandbox outage fails these samples, not the batch
        return [error_result(f"sandbox call failed: {type(exc).__name__}")] * len(runs)


class LambdaSandboxClient:
    """Invokes the sandbox Lambda in chunks, a bounded number at a time."""

    def __init__(self, function_name: str, lambda_client: Any, *, chunk_size: int = 16, max_concurrency: int = 8):
        self.function_name = function_name
        self.lambda_client = lambda_client
        self.chunk_size = chunk_size
        self.max_concurrency = max_concurrency

    def _invoke(self, chunk: list[dict]) -> list[dict]:
        try:
            response = self.lambda_client.invoke(
                FunctionName=self.function_name,
                InvocationType="RequestResponse",
                Payload=json.dumps({"runs": chunk}).encode(),
            )
            if response.get("FunctionError"):
                return [error_result(f"sandbox function error: {response['FunctionError']}")] * len(chunk)
            body = json.loads(response["Payload"].read())
            results = body.get("results") if isinstance(body, dict) else None
        except Exception as exc:  # noqa: BLE001 - throttles/timeouts fail this chunk only
            return [error_result(f"sandbox invoke failed: {type(exc).__name__}")] * len(chunk)
        return normalize_results(results, len(chunk))

    def run_batch(self, runs: list[dict]) -> list[dict]:
        chunks = [runs[i : i + self.chunk_size] for i in range(0, len(runs), self.chunk_size)]
        if len(chunks) <= 1:
            return [r for chunk in chunks for r in self._invoke(chunk)]
        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(chunks))) as pool:
            return [r for chunk_results in pool.map(self._invoke, chunks) for r in chunk_results]


class UnavailableSandboxClient:
    """Fails every run: used when code grading is asked for but no sandbox is configured."""

    def __init__(self, reason: str = "no code sandbox configured (set SANDBOX_FUNCTION_NAME)"):
        self.reason = reason

    def run_batch(self, runs: Sequence[dict]) -> list[dict]:
        return [error_result(self.reason)] * len(runs)
