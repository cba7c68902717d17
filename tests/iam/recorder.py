"""Record every AWS call the in-process Lambda handlers make, attributed to the function making it.

* Attribution: each handler registered with ``tests.fakes.inprocess_lambda.install`` runs with
  a context variable naming its function (nested invokes, e.g. audit -> grader, set and
  restore it), and thread pools started by a handler inherit it (``ThreadPoolExecutor.submit``
  runs its callable in a copy of the submitting context).
* boto3/botocore calls: a ``provide-client-params`` handler registered for every botocore
  session records service, operation, API parameters and region; a ``before-call`` handler
  answers ``bedrock-runtime`` Converse from a scripted function (moto has no Converse), after
  the call was recorded like any other.
* mantle (OpenAI-compatible) calls: every httpx2 request (the openai SDK's transport) carries an ``x-rft-test-caller``
  header naming the calling function, so the fake endpoint's request log says who called.

* the state machine's own calls (its Lambda, SNS, S3 and Bedrock task integrations) are the
  calls made by moto's Step Functions engine outside any handler: they come from the engine's
  worker threads, and are recorded as made by ``STATE_MACHINE``.

Calls made by the test itself (its main thread, outside any handler) are not recorded.
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

CALLER_HEADER = "x-rft-test-caller"
STATE_MACHINE = "<state machine>"
_CALLER: contextvars.ContextVar[str | None] = contextvars.ContextVar("rft_test_caller", default=None)


@dataclass(frozen=True)
class BotoCall:
    function: str
    service: str  # botocore service name: s3, dynamodb, bedrock-runtime, cloudwatch...
    signing_name: str  # the IAM prefix is derived from this (monitoring -> cloudwatch)
    operation: str
    params: dict
    region: str | None


ConverseScript = Callable[[dict], str]  # Converse request (API params) -> reply text


class CallRecorder:
    def __init__(self) -> None:
        self._test_thread = threading.get_ident()
        self.calls: list[BotoCall] = []
        self.converse: ConverseScript | None = None

    # -- botocore hooks ---------------------------------------------------------------------
    def _record(self, params: dict, model: Any, context: dict | None = None, **_: Any) -> None:
        caller = _CALLER.get()
        if caller is None:
            if threading.get_ident() == self._test_thread:
                return  # the test's own setup and assertions
            caller = STATE_MACHINE  # moto's Step Functions engine, running a task integration
        service_model = model.service_model
        self.calls.append(
            BotoCall(
                function=caller,
                service=service_model.service_name,
                signing_name=service_model.signing_name or service_model.endpoint_prefix,
                operation=model.name,
                params=_jsonable(params),
                region=(context or {}).get("client_region"),
            )
        )

    def _answer_converse(self, model: Any, params: dict, **_: Any):
        if model.service_model.service_name != "bedrock-runtime" or model.name != "Converse":
            return None
        if self.converse is None:
            raise AssertionError("a handler called Converse but the test scripted no model")
        from botocore.awsrequest import AWSResponse

        request = json.loads(params.get("body") or b"{}")
        from urllib.parse import unquote

        request["modelId"] = unquote(params.get("url_path", "").split("/model/")[-1].split("/")[0])
        text = self.converse(request)
        parsed = {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 10, "outputTokens": 10, "totalTokens": 20},
            "metrics": {"latencyMs": 1},
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }
        return AWSResponse("https://bedrock-runtime.invalid", 200, {}, None), parsed

    def install(self, monkeypatch) -> CallRecorder:
        import boto3
        import botocore.handlers
        import httpx2

        import tests.fakes.inprocess_lambda as inprocess

        handlers = [("provide-client-params", self._record), ("before-call", self._answer_converse)]
        for spec in handlers:
            botocore.handlers.BUILTIN_HANDLERS.append(spec)
        # The next default session has our hooks (set, not monkeypatched: undoing it would bring
        # back a session made during the test, with its fake credentials cached).
        boto3.DEFAULT_SESSION = None
        try:  # the judge's client is cached per process: make the next one fresh (with our hooks)
            from rft_graders.judges.client import default_judge_client

            default_judge_client.cache_clear()
        except ImportError:
            pass

        original_install = inprocess.install

        def install_attributed(mp, by_name: dict[str, Callable]) -> dict:
            return original_install(mp, {name: _attributed(name, fn) for name, fn in by_name.items()})

        monkeypatch.setattr(inprocess, "install", install_attributed)

        original_submit = ThreadPoolExecutor.submit

        def submit(pool, fn, /, *args, **kwargs):
            return original_submit(pool, contextvars.copy_context().run, fn, *args, **kwargs)

        monkeypatch.setattr(ThreadPoolExecutor, "submit", submit)

        original_send = httpx2.Client.send

        def send(client, request, *args, **kwargs):
            caller = _CALLER.get()
            if caller is not None:
                request.headers[CALLER_HEADER] = caller
            return original_send(client, request, *args, **kwargs)

        monkeypatch.setattr(httpx2.Client, "send", send)

        def remove() -> None:
            for spec in handlers:
                botocore.handlers.BUILTIN_HANDLERS.remove(spec)
            boto3.DEFAULT_SESSION = None
            try:
                from rft_graders.judges.client import default_judge_client

                default_judge_client.cache_clear()
            except ImportError:
                pass

        self._remove = remove
        return self

    def uninstall(self) -> None:
        self._remove()


def _attributed(name: str, fn: Callable) -> Callable:
    def handler(event: Any, context: Any) -> Any:
        token = _CALLER.set(name)
        try:
            return fn(event, context)
        finally:
            _CALLER.reset(token)

    return handler


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)[:200]  # bodies, streams: the IAM mapping never reads them
