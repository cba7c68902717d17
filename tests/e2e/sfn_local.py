"""Run the synthesized state machines in moto's Step Functions engine, with real handlers.

What this module patches in moto 5.2.5 (pinned: these are private internals; re-check on upgrade),
each for a gap measured in shared/reference/local-testing.md:

* aws-sdk task parameters and responses are passed to boto3 without Step Functions' casing
  conversion: we convert PascalCase <-> the service's own casing with botocore's shapes;
* S3 GetObject bodies / datetimes are not JSON-serializable: responses are made JSON-safe;
* SDK error names come out lower-case (`bedrock.ValidationException`): we use AWS's prefixes;
* Bedrock's get_model_customization_job accepts only names: ARNs are reduced to names;
* Wait states and retry back-off sleep in real time: `fast_clock()` makes them return at once.
"""

from __future__ import annotations

import datetime
import json
import types
from typing import Any
from urllib.parse import unquote

import botocore.session

_SESSION = botocore.session.get_session()
_ERROR_PREFIX = {"s3": "S3", "bedrock": "Bedrock", "sns": "Sns", "lambda": "Lambda", "iam": "Iam"}


def install_moto_patches() -> None:
    from moto.bedrock.models import BedrockBackend
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (  # noqa: E501
        StateTaskServiceAwsSdk,
    )
    from moto.stepfunctions.parser.utils import camel_to_snake_case

    def op_model(self):
        service = _SESSION.get_service_model(self._get_boto_service_name())
        wanted = self._get_boto_service_action()
        return next(service.operation_model(n) for n in service.operation_names if camel_to_snake_case(n) == wanted)

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        self._to_boto_request(parameters, op_model(self).input_shape)

    def normalise_response(self, response, boto_service_name=None, service_action_name=None):
        shape = op_model(self).output_shape
        if shape is not None and isinstance(response, dict):
            self._from_boto_response(response, shape)
            response.update(_jsonable(response))

    # Deliberate monkeypatches of moto's private methods (see the module docstring).
    StateTaskServiceAwsSdk._normalise_parameters = normalise_parameters  # type: ignore[method-assign]
    StateTaskServiceAwsSdk._normalise_response = normalise_response  # type: ignore[method-assign]
    StateTaskServiceAwsSdk._normalise_service_error_name = staticmethod(  # type: ignore[method-assign, assignment]
        lambda s: _ERROR_PREFIX.get(s.lower(), s[:1].upper() + s[1:])
    )
    if not getattr(BedrockBackend, "_rft_by_arn", False):
        original = BedrockBackend.get_model_customization_job
        BedrockBackend.get_model_customization_job = (  # type: ignore[method-assign]  # monkeypatch
            lambda self, job_identifier: original(self, unquote(job_identifier).split("/")[-1])
        )
        BedrockBackend._rft_by_arn = True  # type: ignore[attr-defined]  # our marker: patched once


def fast_clock() -> None:
    import moto.stepfunctions.parser.asl.component.common.retry.retrier_decl as retrier
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
        WaitFunction,
    )

    WaitFunction._wait_interval = lambda self, env, wait_seconds: None  # type: ignore[method-assign]  # monkeypatch
    # The retrier's `time` module, swapped for a stub whose sleep returns at once.
    retrier.time = types.SimpleNamespace(sleep=lambda seconds: None)  # type: ignore[assignment]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if hasattr(value, "read"):
        return value.read().decode()
    return value


# -- pulling runnable ASL out of a template -----------------------------------------------------

_ARN_FORMATS = {
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{name}",
    "AWS::SNS::Topic": "arn:aws:sns:{region}:{account}:{name}",
    "AWS::KMS::Key": "arn:aws:kms:{region}:{account}:key/{name}",
}


def state_machines(template: dict, *, account: str, region: str) -> dict[str, dict]:
    """{state machine name: definition} with every intrinsic resolved to a fake but consistent
    value: a function's ARN ends in its FunctionName (else its logical id), which tests use as
    the moto function name."""
    resources = template["Resources"]

    def name_of(logical_id: str) -> str:
        properties = resources.get(logical_id, {}).get("Properties", {})
        return properties.get("FunctionName") or properties.get("TopicName") or properties.get("RoleName") or logical_id

    def fake(logical_id: str, attribute: str) -> str:
        kind = resources.get(logical_id, {}).get("Type", "")
        if attribute == "Ref" and kind in ("AWS::Lambda::Function", "AWS::IAM::Role"):
            return name_of(logical_id)
        if attribute == "Ref" and kind == "AWS::SNS::Topic":
            return _ARN_FORMATS[kind].format(region=region, account=account, name=name_of(logical_id))
        return _ARN_FORMATS.get(kind, "arn:aws:x:{region}:{account}:{name}").format(
            region=region, account=account, name=name_of(logical_id)
        )

    def resolve(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                pseudo = {
                    "AWS::Partition": "aws",
                    "AWS::Region": region,
                    "AWS::AccountId": account,
                    "AWS::URLSuffix": "amazonaws.com",
                }
                return pseudo.get(value) or fake(value, "Ref")
            if key == "Fn::GetAtt":
                logical_id, attribute = value if isinstance(value, list) else value.split(".", 1)
                return fake(logical_id, attribute)
            if key == "Fn::Join":
                return value[0].join(str(resolve(part)) for part in value[1])
            if key in ("Fn::GetStackOutput", "Fn::ImportValue"):
                return f"arn:aws:kms:{region}:{account}:key/cross-stack-key"
        if isinstance(node, dict):
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return {
        properties["StateMachineName"]: json.loads(resolve(properties["DefinitionString"]))
        for properties in (
            r["Properties"] for r in resources.values() if r["Type"] == "AWS::StepFunctions::StateMachine"
        )
    }


def functions(template: dict) -> dict[str, dict]:
    """{logical id: properties} of every Lambda function in the template."""
    return {lid: r["Properties"] for lid, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}
