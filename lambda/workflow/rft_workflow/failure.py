"""The failure path of a run: cancel a paid job that may still run (found by its idempotency key
when the state has no job id, ``recovery.py``), delete the run's Nova evaluation deployment if
it may exist (by name when the state lost it, ``deployment.py``), record why the run ended."""

from __future__ import annotations

import json
from typing import Any

from rft_contracts.phases import UNKNOWN_PHASE
from rft_contracts.registry import Status
from rft_contracts.runtime_config import WorkflowConfig

from . import clients, deployment, recovery

CAUSE_MAX = 2000


def cause_text(cause: Any) -> str:
    """Lambda failures put a JSON document in Cause; keep its errorMessage."""
    if isinstance(cause, str):
        try:
            parsed = json.loads(cause)
        except ValueError:
            return cause
        if isinstance(parsed, dict) and parsed.get("errorMessage"):
            return str(parsed["errorMessage"])
        return cause
    return "" if cause is None else json.dumps(cause, default=str)


def record_failure(config: WorkflowConfig, run_id: str, state: dict) -> dict:
    """Cancel the run's job if it may be running, record the failure; never raises."""
    error = state.get("error") or {}
    error_name = str(error.get("Error") or "Unknown")
    cause = cause_text(error.get("Cause"))[:CAUSE_MAX]
    step = str(state.get("failed_state") or UNKNOWN_PHASE)
    approval_state = state.get("approval")
    approval: dict = approval_state if isinstance(approval_state, dict) else {}
    rejected = approval.get("approved") is False
    status: Status = "rejected" if rejected else "failed"
    warnings: list[str] = []
    registry = clients.registry(config)
    try:
        item = registry.get(config.customization, run_id) or {}
    except Exception as exc:  # noqa: BLE001 - the failure path must finish
        item = {}
        warnings.append(f"registry read failed: {type(exc).__name__}")
    job_state = state.get("job")
    job: dict = job_state if isinstance(job_state, dict) else {}
    plane = job.get("plane") or item.get("plane") or config.control_plane
    # The job id may be missing from the state (the submit step failed after creating the job,
    # or the native create's answer was lost): recover it by its idempotency key.
    outcome = recovery.find_and_cancel(config.region, plane, config.customization, run_id, item, known=job)
    warnings.extend(outcome["notes"])
    job_id, cancelled = outcome["job_id"], outcome["cancelled"]
    deployment_state = state.get("deployment")
    deployment_deleted: str | None = None
    if config.control_plane == "native" and config.evaluation.nova_deployment.enabled:
        try:
            deployment_deleted = deployment.delete_for_run(
                config.region,
                config.team,
                config.customization,
                run_id,
                item,
                deployment_state if isinstance(deployment_state, dict) else None,
            )
        except Exception as exc:  # noqa: BLE001 - the failure path must finish; the warning says what is left
            deployment_deleted = "delete failed"
            warnings.append(f"evaluation deployment not deleted: {type(exc).__name__}: {str(exc)[:200]}")
    if rejected:
        reason = approval.get("reason") or "no reason given"
        summary = f"{config.customization} run {run_id} was rejected by {approval.get('by', 'unknown')}: {reason}"
    else:
        summary = f"{config.customization} run {run_id} failed at {step}: {error_name}: {cause[:500]}"
    if cancelled:
        summary += f" (training job {job_id} cancelled)"
    try:
        registry.record_failure(
            config.team,
            config.customization,
            run_id,
            status=status,
            error={"Error": error_name, "Cause": cause},
            failed_step=step,
            job_cancelled=cancelled,
            job_id=job_id,
            job_recovered=outcome["recovered"],
            deployment_deleted=deployment_deleted,
        )
    except Exception as exc:  # noqa: BLE001
        warnings.append(f"registry write failed: {type(exc).__name__}")
    return {
        "status": status,
        "run_id": run_id,
        "failed_step": step,
        "error": error_name,
        "cause": cause,
        "job_id": job_id,
        "job_cancelled": cancelled,
        "job_recovered": outcome["recovered"],
        "deployment_deleted": deployment_deleted,
        "warnings": warnings,
        "summary": summary,
    }
