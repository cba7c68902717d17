"""Run real Python handlers inside moto's Lambda, in-process (no Docker).

moto 5.2.5 without Docker (``LambdaSimpleBackend``) echoes the payload back. ``install``
patches its ``invoke`` so that a function whose name is registered runs the given handler
with the Lambda error contract: an exception becomes ``FunctionError: Unhandled`` with
``{"errorType": <class name>, "errorMessage": ...}`` (Step Functions then sees the class name
as the error). See reference/local-testing.md Appendix A.

    calls = install(monkeypatch, {"grader": grader_handler(spec)})
    with mock_aws(config=MOTO_CONFIG):
        arn = create_function("grader")            # needs moto IAM for the role
        ... boto3 lambda invoke(FunctionName=arn) runs grader_handler in-process ...
    calls["grader"]                                # list of events each call received

Unregistered functions keep moto's echo behaviour.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moto.core.config import DefaultConfig

MOTO_CONFIG: DefaultConfig = {"lambda": {"use_docker": False}, "stepfunctions": {"execute_state_machine": True}}


def fake_context(name: str = "test-function", arn: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        function_name=name,
        function_version="$LATEST",
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=arn or f"arn:aws:lambda:us-west-2:123456789012:function:{name}",
        memory_limit_in_mb=1024,
        log_group_name=f"/aws/lambda/{name}",
        log_stream_name="test",
        get_remaining_time_in_millis=lambda: 300_000,
    )


def install(monkeypatch, handlers: dict[str, Callable[[Any, Any], Any]]) -> dict[str, list]:
    """Patch moto's simple Lambda backend; returns {function name: [events received]}."""
    from moto.awslambda_simple.models import LambdaSimpleBackend

    calls: dict[str, list] = {name: [] for name in handlers}
    original = LambdaSimpleBackend.invoke

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        fn = self.get_function(function_name, qualifier)
        handler = handlers.get(fn.function_name)
        if handler is None:
            return original(self, function_name, qualifier, body, headers, response_headers)
        event = json.loads(body or "null")
        calls[fn.function_name].append(event)
        try:
            result = handler(event, fake_context(fn.function_name, fn.function_arn))
        except Exception as exc:  # noqa: BLE001 - Lambda's unhandled-error contract
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}).encode()
        return json.dumps(result).encode()

    monkeypatch.setattr(LambdaSimpleBackend, "invoke", invoke)
    return calls


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def create_function(name: str, region: str = "us-west-2") -> str:
    """Create a moto Lambda function (and a role for it); returns its ARN."""
    import boto3

    iam = boto3.client("iam", region_name=region)
    role_name = f"{name}-role"
    try:
        role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role_arn = iam.create_role(
            RoleName=role_name,
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
    response = boto3.client("lambda", region_name=region).create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role_arn,
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
    )
    return response["FunctionArn"]


def grader_handler(spec: dict, sandbox: Any = None) -> Callable[[Any, Any], list]:
    """A handler with the deployed grader's contract, built from ``spec`` with ``rft_graders``
    (no EMF, no env): Bedrock sample array in, result array out; a malformed event raises."""
    from rft_graders.batch import grade_batch
    from rft_graders.build import BuildContext, build_grader

    grader = build_grader(spec, BuildContext(sandbox=sandbox))

    def handler(event: Any, context: Any) -> list:
        return grade_batch(event, grader).results

    return handler
