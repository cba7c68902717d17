"""One judge call: Converse with jittered exponential backoff under a deadline.

botocore's own retries are switched off in the default client, so that this loop alone
decides: it retries throttling and transient faults, never sleeps past the deadline, and
stops after ``max_attempts``. Time is read through an injected clock and ``sleep`` so tests
never wait for real. Errors carry only an error code, never request or response text.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# Worth another try: the same request can succeed a moment later.
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
        "InternalServerException",
        "ModelTimeoutException",
        # botocore transport errors (class names) and the stdlib's
        "ReadTimeoutError",
        "ConnectTimeoutError",
        "EndpointConnectionError",
        "ConnectionClosedError",
        "TimeoutError",
        "ConnectionError",
    }
)


class JudgeTimeout(Exception):
    """The deadline came before a verdict."""


class JudgeCallError(Exception):
    """The call failed for good (bad model id, access denied, retries exhausted). The
    message holds error codes only, so it is safe to log."""


@lru_cache(maxsize=1)
def default_judge_client() -> Any:
    """One shared bedrock-runtime client per process (clients are thread-safe)."""
    import boto3  # lazy: only judges need it, and it costs ~100 ms to import
    from botocore.config import Config

    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=120,
        max_pool_connections=64,  # >= the largest max_concurrency
    )
    return boto3.client("bedrock-runtime", config=config)


@dataclass(frozen=True)
class JudgeEnv:
    """What judges need from outside; every part is injectable for tests."""

    client_factory: Callable[[], Any] = default_judge_client
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    debug: Callable[[str, dict], None] | None = None  # only set when GRADER_DEBUG is on
    # First retry after 125-250 ms: a throttled call often succeeds a moment later, and a
    # long first wait on the last calls of a batch stretches the whole batch. Later retries
    # double up to 8 s, for quotas that really are exhausted.
    base_delay_s: float = 0.25
    max_delay_s: float = 8.0
    poll_s: float = 0.5  # how often the batch loop re-reads the clock while calls run


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        if code:
            return str(code)
    return type(exc).__name__


class JudgeCaller:
    def __init__(self, env: JudgeEnv):
        self.env = env
        self._client = None
        self._lock = threading.Lock()

    def client(self):
        with self._lock:  # workers race to the first call
            if self._client is None:
                self._client = self.env.client_factory()
            return self._client

    def converse(self, request: dict, deadline: float | None, max_attempts: int) -> dict:
        env = self.env
        for attempt in range(max_attempts):
            if deadline is not None and env.clock() >= deadline:
                raise JudgeTimeout()
            try:
                client = self.client()
            except Exception as exc:  # noqa: BLE001 - e.g. no region or credentials
                raise JudgeCallError(f"judge client unavailable: {type(exc).__name__}") from None
            try:
                response = client.converse(**request)
            except Exception as exc:  # noqa: BLE001 - classified below
                code = error_code(exc)
                if code not in TRANSIENT_CODES:
                    raise JudgeCallError(f"judge call failed: {code}") from None
                if attempt == max_attempts - 1:
                    raise JudgeCallError(f"judge call failed after {max_attempts} attempts: {code}") from None
                delay = self._backoff(attempt)
                if deadline is not None and env.clock() + delay >= deadline:
                    raise JudgeTimeout() from None
                env.sleep(delay)
                continue
            if env.debug is not None:
                env.debug("judge call", {"request": request, "response": response})
            return response
        raise JudgeCallError("judge call failed: no attempts")  # max_attempts >= 1, unreachable

    def _backoff(self, attempt: int) -> float:
        """Equal jitter: half the exponential step fixed, half random, so a throttled
        batch spreads out instead of retrying in lockstep."""
        step = min(self.env.max_delay_s, self.env.base_delay_s * 2**attempt)
        return step / 2 + self.env.rng.uniform(0, step / 2)
