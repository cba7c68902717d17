"""Idempotent submission of a mantle RFT job.

A Step Functions retry (or a Lambda retry after a timeout) re-runs the whole handler, so each
side effect is recorded in the run's registry item before the next one starts:

1. item has ``submit.job_id``                      -> return that job, create nothing.
2. item has no uploaded file ids                   -> upload train (and validation) through
                                                      the Files API, record the ids.
3. mark ``submit.state = submitting`` (conditional: only if no job id yet)
4. item was already ``submitting`` (a previous attempt may have crashed between create and
   record)                                          -> list jobs on the endpoint and adopt the
                                                      one whose ``training_file`` is our file id.
5. otherwise create the job, record its id (conditional: no job id yet).

File ids are unique per upload, so a job using our recorded training file id can only be
ours. The conditions make a concurrent duplicate invocation lose instead of double-submitting.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, Callable

from .mantle import as_dict
from rft_contracts import registry as run_registry
from rft_contracts.registry import ConditionFailed, RunRegistry
from rft_contracts.runtime_config import WorkflowConfig

NO_JOB_YET = "attribute_not_exists(#s.job_id)"  # #s is the item's submit record
LIST_PAGE = 100
MAX_LIST_PAGES = 20


def job_request(config: WorkflowConfig, training_file: str, validation_file: str | None) -> dict:
    """Arguments of ``client.fine_tuning.jobs.create``.

    ``validation_file`` is passed when we have one: the OpenAI API defines it; whether mantle
    uses it for RFT is not documented [U] (bedrock-rft.md §6). Checkpoint selection does not
    depend on it: the workflow evaluates checkpoints itself on the validation file.
    """
    kwargs: dict[str, Any] = {
        "model": config.base_model,
        "training_file": training_file,
        "extra_body": {
            "method": {
                "type": "reinforcement",
                "reinforcement": {
                    "grader": {"type": "lambda", "lambda": {"function": config.grader_function_arn}},
                    "hyperparameters": dict(config.hyperparameters),
                },
            }
        },
    }
    if validation_file:
        kwargs["validation_file"] = validation_file
    return kwargs


def find_job_by_training_file(client: Any, training_file: str) -> dict | None:
    after = None
    for _ in range(MAX_LIST_PAGES):
        kwargs = {"limit": LIST_PAGE}
        if after:
            kwargs["after"] = after
        page = client.fine_tuning.jobs.list(**kwargs)
        jobs = [as_dict(j) for j in page.data]
        for job in jobs:
            if job.get("training_file") == training_file:
                return job
        if not getattr(page, "has_more", False) or not jobs:
            return None
        after = jobs[-1]["id"]
    return None


def submit(config: WorkflowConfig, run_id: str, registry: RunRegistry, client: Any,
           read_file: Callable[[str], tuple[bytes, str]], files: dict) -> dict:
    """``files``: {"train": {"key", "version_id"}, "validation": {...}|None} from validate_dataset.
    ``read_file(name) -> (bytes, filename)`` reads one of them from S3."""
    key = (config.customization, run_id)
    item = registry.get(*key) or {}
    record = dict(item.get("submit") or {})
    if record.get("job_id"):
        return {"job_id": record["job_id"], "adopted": False, "reused": True, "started_at": record.get("started_at")}

    if not record.get("train_file_id"):
        train_bytes, train_name = read_file("train")
        record["train_file_id"] = client.files.create(file=(train_name, train_bytes), purpose="fine-tune").id
        record["validation_file_id"] = None
        if files.get("validation"):
            val_bytes, val_name = read_file("validation")
            record["validation_file_id"] = client.files.create(file=(val_name, val_bytes), purpose="fine-tune").id
        record["files_uploaded_at"] = run_registry.now_iso()
        try:
            registry.record_submit(*key, record, condition=NO_JOB_YET)
        except ConditionFailed:
            return submit(config, run_id, registry, client, read_file, files)  # someone else won

    was_submitting = record.get("state") == "submitting"
    if not was_submitting:
        record["state"] = "submitting"
        record["started_at"] = run_registry.now_iso()
        registry.record_submit(*key, record, condition=NO_JOB_YET, extra={"status": "submitting"})

    adopted = None
    if was_submitting:
        adopted = find_job_by_training_file(client, record["train_file_id"])
    if adopted is not None:
        job_id, was_adopted = adopted["id"], True
    else:
        job = client.fine_tuning.jobs.create(**job_request(config, record["train_file_id"],
                                                           record.get("validation_file_id")))
        job_id, was_adopted = job.id, False
    record.update({"state": "submitted", "job_id": job_id, "adopted": was_adopted})
    try:
        registry.record_submit(*key, record, condition=f"{NO_JOB_YET} OR #s.job_id = :job",
                               condition_values={":job": job_id},
                               extra={"job_id": job_id, "plane": "mantle", "status": "running",
                                      "base_model": config.base_model})
    except ConditionFailed:
        winner = (registry.get(*key) or {}).get("submit", {}).get("job_id")
        return {"job_id": winner, "adopted": False, "reused": True, "started_at": record.get("started_at")}
    return {"job_id": job_id, "adopted": was_adopted, "reused": False, "started_at": record["started_at"]}


REFUSALS = ("BadRequestError", "UnprocessableEntityError", "NotFoundError", "PermissionDeniedError",
            "AuthenticationError")


def submit_mantle_job(config: WorkflowConfig, run_id: str, dataset_result: dict) -> dict:
    """Submit (or find) the run's mantle job; the job part of the workflow state."""
    import openai

    from . import clients, storage
    from .errors import JobSubmissionFailed

    if config.control_plane != "mantle":
        raise ValueError("submit_mantle_job is for mantle-plane customizations")
    s3 = clients.client("s3", config.region)

    def read_file(name: str) -> tuple[bytes, str]:
        ref = dataset_result[name]
        data, _ = storage.read_object(s3, config.datasets_bucket, ref["key"], ref.get("version_id"))
        return data, PurePosixPath(ref["key"]).name

    refusals = tuple(getattr(openai, name) for name in REFUSALS)
    try:
        outcome = submit(config, run_id, clients.registry(config), clients.mantle(config), read_file,
                         dataset_result)
    except refusals as exc:
        raise JobSubmissionFailed(
            f"mantle refused the submission ({exc.status_code}): {str(exc)[:500]}") from None
    return {
        "job_id": outcome["job_id"],
        "plane": "mantle",
        "status": "running",
        "fine_tuned_model": None,
        "events_cursor": None,
        "events_cursor_created_at": None,
        "started_at": outcome["started_at"],
        "adopted": outcome["adopted"],
    }
