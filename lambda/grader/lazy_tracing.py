"""X-Ray tracing for the grader without loading the X-Ray SDK at cold start.

Lambda active tracing (the function's `TracingConfig`) records every invocation, with its
Initialization, Invocation and Overhead, and needs no SDK in the function. The SDK adds
subsegments for the AWS calls the grader makes, and Powertools' `Tracer` creates it at import
with botocore patched: about half of a pure grader's cold start (botocore alone is ~0.3 s of
import on a loaded machine), for graders (exact match, math, IFEval, extraction) that never
call AWS.

So the SDK is imported, and botocore patched, the first time the grader makes an AWS client
(`traced_client`: the judge's bedrock-runtime client, the sandbox's lambda client). Before
that, Powertools' handler subsegment is a no-op (Lambda still traces the invocation); from
then on `Tracer` records through the SDK as usual: every AWS call and every handler run a
subsegment, with the ColdStart and Service annotations.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

T = TypeVar("T")

# Powertools' own switches (its Tracer turns itself off under the same conditions).
_DISABLED_ENV = "POWERTOOLS_TRACE_DISABLED"


def tracing_enabled() -> bool:
    """In Lambda (LAMBDA_TASK_ROOT), not SAM local, not POWERTOOLS_TRACE_DISABLED."""
    if os.environ.get(_DISABLED_ENV, "false").strip().lower() in ("1", "true", "yes", "on"):
        return False
    return bool(os.environ.get("LAMBDA_TASK_ROOT")) and not os.environ.get("AWS_SAM_LOCAL")


class _NoSegment(BaseSegment):
    """What a subsegment is before the SDK is loaded: every call does nothing."""

    def close(self, end_time: int | None = None) -> None:
        pass

    def add_subsegment(self, subsegment: Any) -> None:
        pass

    def remove_subsegment(self, subsegment: Any) -> None:
        pass

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None:
        pass


class LazyXRayProvider(BaseProvider):
    """Powertools' tracing provider, backed by `aws_xray_sdk.core.xray_recorder` once
    `activate()` has run, and by no-op segments before."""

    def __init__(self, *, enabled: bool | None = None) -> None:
        self.enabled = tracing_enabled() if enabled is None else enabled
        self._recorder: Any = None
        self._pending: set[str] = set()
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return self._recorder is not None

    def activate(self) -> None:
        """Import the SDK and patch botocore (and any module asked for before); idempotent,
        and a no-op where tracing is off (tests, local runs)."""
        if self._recorder is not None or not self.enabled:
            return
        with self._lock:
            if self._recorder is not None:
                return
            import aws_xray_sdk.core

            recorder = aws_xray_sdk.core.xray_recorder
            # What Powertools does for its X-Ray provider: send each subsegment as it closes.
            recorder.configure(streaming_threshold=0)
            aws_xray_sdk.core.patch(sorted({"botocore", *self._pending}))
            self._recorder = recorder

    @contextlib.contextmanager
    def in_subsegment(self, name=None, **kwargs):
        if self._recorder is None:
            yield _NoSegment()
            return
        with self._recorder.in_subsegment(name=name, **kwargs) as subsegment:
            yield subsegment

    @contextlib.asynccontextmanager
    async def in_subsegment_async(self, name=None, **kwargs):
        if self._recorder is None:
            yield _NoSegment()
            return
        async with self._recorder.in_subsegment_async(name=name, **kwargs) as subsegment:
            yield subsegment

    def put_annotation(self, key: str, value: Any) -> None:
        if self._recorder is not None:
            self._recorder.put_annotation(key=key, value=value)

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        if self._recorder is not None:
            self._recorder.put_metadata(key=key, value=value, namespace=namespace)

    def patch(self, modules: Sequence[str]) -> None:
        if self._recorder is None:
            self._pending.update(modules)
            return
        import aws_xray_sdk.core

        aws_xray_sdk.core.patch(list(modules))

    def patch_all(self) -> None:
        # Only AWS calls matter here; patch_all would import every library it knows.
        self.patch(["botocore"])


PROVIDER = LazyXRayProvider()


def lazy_tracer() -> Tracer:
    """Powertools' Tracer on the lazy provider, nothing patched at import."""
    return Tracer(provider=PROVIDER, auto_patch=False)


def traced_client(factory: Callable[[], T], provider: LazyXRayProvider = PROVIDER) -> Callable[[], T]:
    """`factory` (which makes a boto3 client), with the SDK loaded and botocore patched
    first, so the client's calls are subsegments from its very first one."""

    @functools.wraps(factory)
    def make() -> T:
        provider.activate()
        return factory()

    return make
