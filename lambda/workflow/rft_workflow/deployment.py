"""The on-demand deployment a Nova (native) run is evaluated through (opt-in).

A Nova custom model answers only through a custom model deployment or Provisioned Throughput
(bedrock-rft.md §6, S17). With ``evaluation.nova_deployment.enabled`` the workflow, after a
succeeded job:

1. ``create``: CreateCustomModelDeployment of the job's custom model, named for the run
   (``naming.evaluation_deployment_name``) with the run id as ``clientRequestToken``; a retried
   or re-driven step finds the deployment by that name instead of creating a second one;
2. ``status``: polls GetCustomModelDeployment until ``Active`` (evaluate through its ARN),
   ``Failed``, or ``ready_timeout_minutes`` passed (then the model is not evaluated: the gate
   rejects with the reason, and the deployment is deleted);
3. ``release``: after the gate, deletes it, unless the model was promoted and the team keeps
   promoted deployments (``keep: if_promoted``; the model parameter then names the deployment).

The failure path and the abandoned-run cleanup delete it by name (``delete_for_run``), so no
outcome of a run leaves an evaluation deployment behind except a kept, promoted one.

Errors: creation refused by Bedrock (quota, model not deployable, access) is not fatal to the
run: the step returns ``status: Failed`` with the reason, and the run ends not promoted.
Throttling and server errors raise ``DeploymentThrottled``, which the state machine retries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.exceptions import ClientError

from rft_contracts.naming import evaluation_deployment_name
from rft_contracts.runtime_config import WorkflowConfig

from . import clients
from .errors import DeploymentThrottled

ACTIVE, CREATING, FAILED = "Active", "Creating", "Failed"
_RETRYABLE = ("ThrottlingException", "InternalServerException", "ServiceUnavailableException")
_NOT_FOUND = ("ResourceNotFoundException",)


def _bedrock(region: str) -> Any:
    return clients.client("bedrock", region)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def kept(config: WorkflowConfig, promoted: bool) -> bool:
    """Whether the run's deployment outlives the run: only a promoted model's, when the team
    keeps them. Promote (which id the model parameter names) and release both ask this."""
    return promoted and config.evaluation.nova_deployment.keep == "if_promoted"


def _throttled(exc: ClientError) -> DeploymentThrottled:
    return DeploymentThrottled(f"{_code(exc)}: {str(exc)[:300]}")


def _describe(client: Any, identifier: str) -> dict | None:
    try:
        return client.get_custom_model_deployment(customModelDeploymentIdentifier=identifier)
    except ClientError as exc:
        if _code(exc) in _NOT_FOUND:
            return None
        if _code(exc) in _RETRYABLE:
            raise _throttled(exc) from None
        raise


def _record(config: WorkflowConfig, run_id: str, deployment: dict) -> None:
    try:
        clients.registry(config).record_deployment(config.team, config.customization, run_id, deployment)
    except ClientError:
        pass  # the state carries it; the registry copy is for operators and the cleanup


def create(config: WorkflowConfig, run_id: str, job: dict, checkpoints: dict) -> dict:
    """Create (or adopt) the run's deployment of the job's custom model."""
    name = evaluation_deployment_name(config.team, config.customization, run_id)
    model_arn = checkpoints.get("final_model") or job.get("output_model_arn")
    base = {"name": name, "model_arn": model_arn, "arn": None, "started_at": _now().isoformat()}
    if not model_arn:
        return {**base, "status": FAILED, "failure_message": "the job reported no custom model to deploy"}
    client = _bedrock(config.region)
    existing = _describe(client, name)
    if existing is None:
        try:
            arn = client.create_custom_model_deployment(
                modelDeploymentName=name,
                modelArn=model_arn,
                description=f"RFT evaluation of {config.team}/{config.customization} run {run_id}",
                clientRequestToken=run_id,
            )["customModelDeploymentArn"]
        except ClientError as exc:
            if _code(exc) in _RETRYABLE:
                raise _throttled(exc) from None
            # An overlapping invocation of this step may have created it since we looked.
            existing = _describe(client, name)
            if existing is None:
                result = {**base, "status": FAILED, "failure_message": f"{_code(exc)}: {str(exc)[:300]}"}
                _record(config, run_id, result)
                return result
        else:
            result = {**base, "arn": arn, "status": CREATING, "adopted": False}
            _record(config, run_id, result)
            return result
    created = existing.get("createdAt")
    result = {
        **base,
        "arn": existing["customModelDeploymentArn"],
        "status": existing.get("status", CREATING),
        "adopted": True,
        # The ready deadline counts from the deployment's creation, not from this retry.
        "started_at": created.isoformat() if isinstance(created, dt.datetime) else base["started_at"],
    }
    _record(config, run_id, result)
    return result


def status(config: WorkflowConfig, run_id: str, deployment: dict) -> dict:
    """The deployment's status; ``ready`` when Active, ``done`` when there is nothing to wait for."""
    out = dict(deployment)
    if deployment.get("status") != FAILED and deployment.get("arn"):
        described = _describe(_bedrock(config.region), deployment["arn"])
        if described is None:
            out.update(status=FAILED, failure_message="the deployment no longer exists")
        else:
            out["status"] = described.get("status", CREATING)
            if described.get("failureMessage"):
                out["failure_message"] = described["failureMessage"]
    started = dt.datetime.fromisoformat(deployment.get("started_at") or _now().isoformat())
    limit = dt.timedelta(minutes=config.evaluation.nova_deployment.ready_timeout_minutes)
    if out["status"] == CREATING and _now() - started > limit:
        out.update(
            status=FAILED,
            failure_message=f"not Active after {config.evaluation.nova_deployment.ready_timeout_minutes} minutes",
        )
    out["ready"] = out["status"] == ACTIVE
    out["done"] = out["status"] in (ACTIVE, FAILED)
    if out["done"]:
        _record(config, run_id, {k: v for k, v in out.items() if k not in ("ready", "done")})
    return out


def delete(region: str, identifier: str) -> str:
    """Delete a deployment by ARN or name: "deleted" or "absent"."""
    try:
        _bedrock(region).delete_custom_model_deployment(customModelDeploymentIdentifier=identifier)
    except ClientError as exc:
        if _code(exc) in _NOT_FOUND:
            return "absent"
        if _code(exc) in _RETRYABLE:
            raise _throttled(exc) from None
        raise
    return "deleted"


def release(config: WorkflowConfig, run_id: str, deployment: dict, promoted: bool) -> dict:
    """After the gate: keep the promoted model's deployment if the team keeps them, else delete."""
    identifier = deployment.get("arn") or deployment.get("name")
    if not identifier:
        return {"action": "none", "reason": "no deployment was created"}
    if kept(config, promoted):
        result = {**deployment, "action": "kept"}
    else:
        result = {**deployment, "action": delete(config.region, identifier), "deleted_at": _now().isoformat()}
    _record(config, run_id, {k: v for k, v in result.items() if k not in ("ready", "done")})
    return result


def serves_promoted_model(item: dict, arn: str | None) -> bool:
    """The run promoted its deployment (kept): the live model parameter names it. Deleting it
    would take the promoted model offline, whatever happened to the run afterwards."""
    arn = arn or (item.get("evaluation_deployment") or {}).get("arn")
    return bool(arn) and item.get("model_id") == arn


def delete_for_run(region: str, team: str, customization: str, run_id: str, item: dict, known: dict | None) -> str:
    """The failure path's and the abandoned-run cleanup's delete: by ARN, else by the run's
    deployment name (the state or the registry may have lost the ARN); never the deployment a
    promotion of this run made live. "deleted", "absent" or "kept (promoted)"."""
    known = known or {}
    arn = known.get("arn") or (item.get("evaluation_deployment") or {}).get("arn")
    if serves_promoted_model(item, arn):
        return "kept (promoted)"
    return delete(region, arn or evaluation_deployment_name(team, customization, run_id))
