"""Bedrock custom model deployments (Create/Get/DeleteCustomModelDeployment) for local runs.

moto 5.2.5 has no custom model deployments, so the workflow's boto3 calls are answered here,
inside botocore: a ``before-call`` handler (registered like ``tests/iam/recorder.py``'s) returns
the parsed response after botocore has validated and serialized the request against its own
service model, so a wrong parameter name or type still fails as it would against AWS. Every
response this fake returns is checked against the operation's output shape in botocore's
bedrock model; errors carry the HTTP status and error code the model lists for the operation.

Behaviour, from the API reference (CreateCustomModelDeployment, GetCustomModelDeployment,
DeleteCustomModelDeployment) and bedrock-rft.md §6: a deployment is ``Creating`` and then
``Active`` or ``Failed``; the name is unique in the account and region; a repeated create with
the same ``clientRequestToken`` returns the same deployment [U: idempotency of this operation
is documented only as "a unique, case-sensitive identifier to ensure that the API request
completes no more than one time"].
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.validate import ParamValidator

_MODEL = botocore.session.get_session().get_service_model("bedrock")
OPERATIONS = ("CreateCustomModelDeployment", "GetCustomModelDeployment", "DeleteCustomModelDeployment")


@dataclass
class Deployment:
    name: str
    arn: str
    model_arn: str
    token: str | None
    created_at: dt.datetime
    status: str = "Creating"
    polls: int = 0
    failure_message: str | None = None


@dataclass
class FakeDeployments:
    """``becomes``: the status a deployment settles in after ``polls_until_settled`` Gets."""

    account: str
    region: str
    becomes: str = "Active"
    polls_until_settled: int = 2
    failure_message: str = "the model could not be deployed (scripted)"
    refuse_create: str | None = None  # an error code CreateCustomModelDeployment answers with
    refuse_delete: str | None = None  # an error code DeleteCustomModelDeployment answers with
    throttle: int = 0  # the next N calls answer ThrottlingException
    deployments: dict[str, Deployment] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    calls: list[tuple[str, dict]] = field(default_factory=list)

    # -- botocore wiring --------------------------------------------------------------------
    def install(self) -> FakeDeployments:
        import boto3
        import botocore.handlers

        spec = ("before-call.bedrock", self._answer)
        botocore.handlers.BUILTIN_HANDLERS.append(spec)
        # The next default session has the hook. Not monkeypatch: undoing it would restore a
        # session made during the test, with the test's fake credentials cached in it.
        boto3.DEFAULT_SESSION = None

        def remove() -> None:
            botocore.handlers.BUILTIN_HANDLERS.remove(spec)
            boto3.DEFAULT_SESSION = None

        self._remove = remove
        return self

    def uninstall(self) -> None:
        self._remove()

    def _answer(self, model: Any, params: dict, request_signer: Any = None, **_: Any):
        if model.name not in OPERATIONS:
            return None  # moto answers every other bedrock operation
        import json
        from urllib.parse import unquote

        body = json.loads(params.get("body") or b"{}")
        identifier = unquote(params.get("url_path", "").rstrip("/").rsplit("/", 1)[-1])
        self.calls.append((model.name, {**body, "identifier": identifier}))
        if self.throttle:
            self.throttle -= 1
            return self._error(model, 429, "ThrottlingException", "Rate exceeded")
        handler = {
            "CreateCustomModelDeployment": self._create,
            "GetCustomModelDeployment": self._get,
            "DeleteCustomModelDeployment": self._delete,
        }[model.name]
        status, parsed = handler(body, identifier)
        if status >= 300:
            return self._error(model, status, parsed["code"], parsed["message"])
        problems = ParamValidator().validate(parsed, model.output_shape)
        assert not problems.has_errors(), problems.generate_report()  # the fake answers as AWS would
        return AWSResponse("https://bedrock.invalid", status, {}, None), {
            **parsed,
            "ResponseMetadata": {"HTTPStatusCode": status},
        }

    @staticmethod
    def _error(model: Any, status: int, code: str, message: str):
        listed = {shape.name for shape in model.error_shapes}
        assert code in listed, f"{model.name} does not list {code} among its errors: {sorted(listed)}"
        return AWSResponse("https://bedrock.invalid", status, {}, None), {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }

    # -- the API ----------------------------------------------------------------------------
    def _find(self, identifier: str) -> Deployment | None:
        return self.deployments.get(identifier) or next(
            (d for d in self.deployments.values() if d.arn == identifier), None
        )

    def _create(self, body: dict, _: str) -> tuple[int, dict]:
        if self.refuse_create:
            return 400, {"code": self.refuse_create, "message": "scripted refusal"}
        name, token = body["modelDeploymentName"], body.get("clientRequestToken")
        existing = self.deployments.get(name)
        if existing is not None:
            if token and existing.token == token:
                return 202, {"customModelDeploymentArn": existing.arn}
            # The operation lists no ConflictException; a taken name is a ValidationException [U].
            return 400, {"code": "ValidationException", "message": f"a deployment named {name} exists"}
        digest = hashlib.sha256(f"{name}/{len(self.deleted)}".encode()).hexdigest()[:12]
        arn = f"arn:aws:bedrock:{self.region}:{self.account}:custom-model-deployment/{digest}"
        self.deployments[name] = Deployment(name, arn, body["modelArn"], token, dt.datetime.now(dt.UTC))
        return 202, {"customModelDeploymentArn": arn}

    def _get(self, _: dict, identifier: str) -> tuple[int, dict]:
        deployment = self._find(identifier)
        if deployment is None:
            return 404, {"code": "ResourceNotFoundException", "message": f"no deployment {identifier}"}
        deployment.polls += 1
        if deployment.status == "Creating" and deployment.polls >= self.polls_until_settled:
            deployment.status = self.becomes
            if self.becomes == "Failed":
                deployment.failure_message = self.failure_message
        answer = {
            "customModelDeploymentArn": deployment.arn,
            "modelDeploymentName": deployment.name,
            "modelArn": deployment.model_arn,
            "createdAt": deployment.created_at,
            "status": deployment.status,
        }
        if deployment.failure_message:
            answer["failureMessage"] = deployment.failure_message
        return 200, answer

    def _delete(self, _: dict, identifier: str) -> tuple[int, dict]:
        if self.refuse_delete:
            return 403 if self.refuse_delete == "AccessDeniedException" else 400, {
                "code": self.refuse_delete,
                "message": "scripted refusal",
            }
        deployment = self._find(identifier)
        if deployment is None:
            return 404, {"code": "ResourceNotFoundException", "message": f"no deployment {identifier}"}
        del self.deployments[deployment.name]
        self.deleted.append(deployment.arn)
        return 200, {}
