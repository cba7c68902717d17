"""The failure path of a run: cancel a paid job that may still run, record why the run ended."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from rft_contracts.phases import UNKNOWN_PHASE
from rft_contracts.runtime_config import WorkflowConfig

from . import clients

CAUSE_MAX = 2000
_NOT_STOPPABLE = ("ConflictException", "ValidationException", "ResourceNotFoundException")


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


def cancel_job(config: WorkflowConfig, plane: str, job_id: str) -> tuple[bool, str | None]:
    """(cancelled, note): a job that already ended or is gone is not an error."""
    if plane == "mantle":
        import openai

        try:
            clients.mantle(config).fine_tuning.jobs.cancel(job_id)
            return True, None
        except (openai.BadRequestError, openai.ConflictError, openai.NotFoundError) as exc:
            return False, f"not cancelled: {type(exc).__name__}"
    try:
        clients.client("bedrock", config.region).stop_model_customization_job(jobIdentifier=job_id)
        return True, None
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _NOT_STOPPABLE:
            return False, f"not stopped: {exc.response['Error']['Code']}"
        raise


def record_failure(config: WorkflowConfig, run_id: str, state: dict) -> dict:
    """Cancel the run's job if it may be running, record the failure; never raises."""
    error = state.get("error") or {}
    error_name = str(error.get("Error") or "Unknown")
    cause = cause_text(error.get("Cause"))[:CAUSE_MAX]
    step = str(state.get("failed_state") or UNKNOWN_PHASE)
    approval = state.get("approval")
    rejected = isinstance(approval, dict) and approval.get("approved") is False
    status = "rejected" if rejected else "failed"
    warnings: list[str] = []
    registry = clients.registry(config)
    try:
        item = registry.get(config.customization, run_id) or {}
    except Exception as exc:  # noqa: BLE001 - the failure path must finish
        item = {}
        warnings.append(f"registry read failed: {type(exc).__name__}")
    job = state.get("job") if isinstance(state.get("job"), dict) else {}
    job_id = job.get("job_id") or item.get("job_id") or (item.get("submit") or {}).get("job_id")
    plane = job.get("plane") or item.get("plane") or config.control_plane
    cancelled = False
    if job_id and job.get("status", "running") == "running":
        try:
            cancelled, note = cancel_job(config, plane, job_id)
            if note:
                warnings.append(note)
        except Exception as exc:  # noqa: BLE001
            warnings.append(f"cancel failed: {type(exc).__name__}: {str(exc)[:200]}")
    if rejected:
        reason = approval.get("reason") or "no reason given"
        summary = f"{config.customization} run {run_id} was rejected by {approval.get('by', 'unknown')}: {reason}"
    else:
        summary = f"{config.customization} run {run_id} failed at {step}: {error_name}: {cause[:500]}"
    if cancelled:
        summary += f" (training job {job_id} cancelled)"
    try:
        registry.record_failure(config.team, config.customization, run_id, status=status,
                                error={"Error": error_name, "Cause": cause}, failed_step=step,
                                job_cancelled=cancelled, job_id=job_id)
    except Exception as exc:  # noqa: BLE001
        warnings.append(f"registry write failed: {type(exc).__name__}")
    return {"status": status, "run_id": run_id, "failed_step": step, "error": error_name, "cause": cause,
            "job_id": job_id, "job_cancelled": cancelled, "warnings": warnings, "summary": summary}
