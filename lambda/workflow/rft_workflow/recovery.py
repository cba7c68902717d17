"""Find and cancel a run's paid job from what survives of the run: no workflow state needed.

Used by the failure path (``failure.py``) and by the cleanup of aborted / timed-out executions
(``cleanup.py``), where the job id may never have been recorded (the registry write after the
create failed, the execution was stopped mid-step, or the native create's answer was lost).
The job is found by its idempotency key instead:

- recorded:   the registry item's ``job_id`` / ``submit.job_id``;
- mantle:     the job whose ``training_file`` is the run's recorded upload (``submit.train_file_id``);
              file ids are unique per upload, so such a job can only be this run's;
- native:     the job named ``<customization>-<run id>`` (the name the state machine gives it,
              with ``clientRequestToken`` = run id); GetModelCustomizationJob accepts the name.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from rft_contracts.run_ids import job_name

from . import clients, jobs, mantle
from .submit import find_job_by_training_file

_NOT_FOUND = ("ResourceNotFoundException", "ValidationException")
_NOT_STOPPABLE = ("ConflictException", "ValidationException", "ResourceNotFoundException")


def recorded_job_id(item: dict) -> str | None:
    return item.get("job_id") or (item.get("submit") or {}).get("job_id")


def find_job(region: str, plane: str, customization: str, run_id: str, item: dict) -> dict | None:
    """{"job_id", "plane", "status" (normalised), "raw_status", "recovered"} or None."""
    job_id = recorded_job_id(item)
    if plane == "mantle":
        train_file = (item.get("submit") or {}).get("train_file_id")
        if not job_id and not train_file:
            return None  # nothing was uploaded, so no job can exist
        client = mantle.client(region)
        if job_id:
            remote = mantle.as_dict(client.fine_tuning.jobs.retrieve(job_id))
            recovered = False
        else:
            assert train_file  # checked above: no job id means a training file was recorded
            found = find_job_by_training_file(client, train_file)
            if found is None:
                return None
            remote = found
            job_id, recovered = remote["id"], True
        raw = remote.get("status")
    else:
        identifier = job_id or job_name(customization, run_id)
        try:
            remote = clients.client("bedrock", region).get_model_customization_job(jobIdentifier=identifier)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _NOT_FOUND:
                return None
            raise
        # The API takes the name or the ARN; keep the identifier that answered.
        job_id, recovered, raw = identifier, not job_id, remote.get("status")
    return {
        "job_id": job_id,
        "plane": plane,
        "status": jobs.normalize(plane, raw),
        "raw_status": raw,
        "recovered": recovered,
    }


def cancel(region: str, plane: str, job_id: str) -> tuple[bool, str | None]:
    """(cancelled, note): a job that already ended or is gone is not an error."""
    if plane == "mantle":
        import openai

        try:
            mantle.client(region).fine_tuning.jobs.cancel(job_id)
            return True, None
        except (openai.BadRequestError, openai.ConflictError, openai.NotFoundError) as exc:
            return False, f"not cancelled: {type(exc).__name__}"
    try:
        clients.client("bedrock", region).stop_model_customization_job(jobIdentifier=job_id)
        return True, None
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _NOT_STOPPABLE:
            return False, f"not stopped: {exc.response['Error']['Code']}"
        raise


def find_and_cancel(
    region: str, plane: str, customization: str, run_id: str, item: dict, known: dict | None = None
) -> dict[str, Any]:
    """Cancel the run's job if it may still run. ``known``: the job part of the workflow state,
    when the caller has one (its status saves a lookup). Never raises; problems go to ``notes``."""
    notes: list[str] = []
    job: dict | None = None
    if known and known.get("job_id"):
        job = {
            "job_id": known["job_id"],
            "plane": known.get("plane") or plane,
            "status": known.get("status", "running"),
            "recovered": False,
        }
    else:
        try:
            job = find_job(region, plane, customization, run_id, item)
        except Exception as exc:  # noqa: BLE001 - the callers must finish
            notes.append(f"job lookup failed: {type(exc).__name__}: {str(exc)[:200]}")
            job = (
                {"job_id": recorded_job_id(item), "plane": plane, "status": "running", "recovered": False}
                if recorded_job_id(item)
                else None
            )
    if job is None:
        return {"job_id": None, "plane": plane, "cancelled": False, "recovered": False, "notes": notes}
    cancelled = False
    if job["status"] == "running":
        try:
            cancelled, note = cancel(region, job["plane"], job["job_id"])
            if note:
                notes.append(note)
        except Exception as exc:  # noqa: BLE001
            notes.append(f"cancel failed: {type(exc).__name__}: {str(exc)[:200]}")
    return {
        "job_id": job["job_id"],
        "plane": job["plane"],
        "cancelled": cancelled,
        "recovered": bool(job.get("recovered")),
        "status_before": job["status"],
        "notes": notes,
    }
