"""Idempotent, exclusive submission of a mantle RFT job: one paid job per run, ever.

Step Functions retries exactly the Lambda errors after which the first invocation may still be
running (``Lambda.Unknown``, service exceptions), so two invocations of this step can overlap.
The run's registry item carries the submission record (``submit``) and the invocations take
turns through it:

1. item has ``submit.job_id``                  -> return that job, create nothing.
2. **claim**: write ``submit.owner`` = this invocation's request id and ``submit.lease_until`` =
   when this invocation's Lambda time runs out, conditional on "no job id and the owner is the
   one I read" (optimistic concurrency: of two claimants exactly one write succeeds). A live
   owner's claim makes the other invocation **wait** (bounded by its own remaining time) for
   the owner's job id, and return it; past its time it raises ``SubmitInProgress``, which the
   state machine retries. A lease that ran out (its owner timed out) may be taken over.
3. owner: no uploaded file ids yet          -> upload train (and validation) through the Files
                                              API, record the ids (owner-conditional).
4. owner: mark ``submit.state = submitting`` (owner-conditional) before creating.
5. owner: the record was already ``submitting`` (a previous owner may have died between create
   and record)                              -> list jobs and adopt the one whose
                                              ``training_file`` is our recorded file id.
6. otherwise create the job, record its id (conditional: no job id yet, or this one). Should a
   different job id be recorded meanwhile (only possible after a lease ran out under a live
   owner), the job just created is cancelled and the recorded one returned.

Should the execution be aborted while the owner still runs, the cleanup (``cleanup.py``) finds
no job to cancel if it comes before the create; the owner then sees the recorded
``execution_status`` in its final write and cancels the job itself.

An owner that fails with an exception releases its claim (the next invocation need not wait
for the lease). File ids are unique per upload, so a job using our recorded training file id
can only be ours. The per-run immutable dataset copy (lineage) is written by the caller,
``submit_mantle_job``, from the bytes it uploads.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from rft_contracts import registry as run_registry
from rft_contracts.registry import ConditionFailed, RunRegistry
from rft_contracts.runtime_config import WorkflowConfig

from .errors import RunAbandoned, SubmitInProgress
from .mantle import as_dict

NO_JOB_YET = "attribute_not_exists(#s.job_id)"  # #s is the item's submit record
OWNED = f"{NO_JOB_YET} AND #s.#owner = :owner"
LIST_PAGE = 100
MAX_LIST_PAGES = 20
POLL_SECONDS = 2.0  # how often a waiting invocation re-reads the record
LEASE_MARGIN_SECONDS = 30  # a lease outlives its owner's Lambda deadline by this much (clock skew)
WAIT_MARGIN_SECONDS = 20  # a waiting invocation gives up this long before its own deadline
ABANDONED = ("ABORTED", "TIMED_OUT")  # execution statuses the cleanup records (cleanup.py)


def job_request(config: WorkflowConfig, training_file: str, validation_file: str | None) -> dict:
    """Arguments of ``client.fine_tuning.jobs.create``.

    ``validation_file`` is passed only when the customization opts in
    (``workflow.mantle_validation_file``): the OpenAI API defines it, but no AWS document or
    sample passes it for RFT [U] (docs/aws-contracts.md). Checkpoint selection does not depend
    on it: the workflow evaluates checkpoints itself on the validation file.
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
    if validation_file and config.workflow.mantle_validation_file:
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


def _reused(record: dict) -> dict:
    return {"job_id": record["job_id"], "adopted": False, "reused": True, "started_at": record.get("started_at")}


def submit(
    config: WorkflowConfig,
    run_id: str,
    registry: RunRegistry,
    client: Any,
    read_file: Callable[[str], tuple[bytes, str]],
    files: dict,
    *,
    owner: str,
    remaining_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> dict:
    """``files``: {"train": {"key", "version_id"}, "validation": {...}|None} from validate_dataset.
    ``read_file(name) -> (bytes, filename)`` reads one of them from S3. ``owner``: this
    invocation's unique id (the Lambda request id); ``remaining_seconds``: its time left."""
    key = (config.customization, run_id)
    started = clock()
    give_up_at = started + remaining_seconds - WAIT_MARGIN_SECONDS
    lease_until = started + remaining_seconds + LEASE_MARGIN_SECONDS
    while True:
        record = dict((registry.get(*key) or {}).get("submit") or {})
        if record.get("job_id"):
            return _reused(record)
        holder = record.get("owner")
        if holder and holder != owner and float(record.get("lease_until") or 0) > clock():
            if clock() >= give_up_at:
                raise SubmitInProgress(
                    f"invocation {holder} holds the submission of run {run_id} and has not recorded a job yet"
                )
            sleep(POLL_SECONDS)
            continue
        record.update(owner=owner, lease_until=lease_until, claimed_at=run_registry.now_iso())
        try:
            registry.claim_submit(*key, record, previous_owner=holder)
        except ConditionFailed:
            continue  # another invocation claimed (or recorded a job) first: look again
        try:
            return _submit_as_owner(config, registry, key, client, read_file, files, record, owner)
        except ConditionFailed:
            continue  # the claim moved before we created anything: wait for its new owner
        except BaseException:
            # The original error matters; should the release fail too, the lease still expires.
            with contextlib.suppress(Exception):
                registry.release_submit_claim(*key, owner)
            raise


def _submit_as_owner(
    config: WorkflowConfig,
    registry: RunRegistry,
    key: tuple[str, str],
    client: Any,
    read_file: Callable[[str], tuple[bytes, str]],
    files: dict,
    record: dict,
    owner: str,
) -> dict:
    owned = {":owner": owner}
    if not record.get("train_file_id"):
        train_bytes, train_name = read_file("train")
        record["train_file_id"] = client.files.create(file=(train_name, train_bytes), purpose="fine-tune").id
        record["validation_file_id"] = None
        if files.get("validation") and config.workflow.mantle_validation_file:
            val_bytes, val_name = read_file("validation")
            record["validation_file_id"] = client.files.create(file=(val_name, val_bytes), purpose="fine-tune").id
        record["files_uploaded_at"] = run_registry.now_iso()
        registry.record_submit(*key, record, condition=OWNED, condition_values=owned)

    was_submitting = record.get("state") == "submitting"
    if not was_submitting:
        record["state"] = "submitting"
        record["started_at"] = run_registry.now_iso()
        registry.record_submit(*key, record, condition=OWNED, condition_values=owned, extra={"status": "submitting"})

    adopted = find_job_by_training_file(client, record["train_file_id"]) if was_submitting else None
    if adopted is not None:
        job_id, was_adopted = adopted["id"], True
    else:
        job = client.fine_tuning.jobs.create(
            **job_request(config, record["train_file_id"], record.get("validation_file_id"))
        )
        job_id, was_adopted = job.id, False
    record.update({"state": "submitted", "job_id": job_id, "adopted": was_adopted})
    try:
        item = registry.record_submit(
            *key,
            record,
            condition=f"{NO_JOB_YET} OR #s.job_id = :job",
            condition_values={":job": job_id},
            extra={"job_id": job_id, "plane": "mantle", "status": "running", "base_model": config.base_model},
        )
    except ConditionFailed:
        winner = dict((registry.get(*key) or {}).get("submit") or {})
        if not was_adopted:  # a second paid job: cancel it at once (a failure here propagates,
            client.fine_tuning.jobs.cancel(job_id)  # so the step fails loudly, not silently)
        return {**_reused(winner), "duplicate_cancelled": None if was_adopted else job_id}
    if item.get("execution_status") in ABANDONED:
        # The execution was stopped while this invocation still ran, and its cleanup found no job
        # yet: nobody else will cancel this one.
        client.fine_tuning.jobs.cancel(job_id)
        raise RunAbandoned(f"run {key[1]} ended {item['execution_status']} during submission; job {job_id} cancelled")
    return {"job_id": job_id, "adopted": was_adopted, "reused": False, "started_at": record["started_at"]}


REFUSALS = (
    "BadRequestError",
    "UnprocessableEntityError",
    "NotFoundError",
    "PermissionDeniedError",
    "AuthenticationError",
)


def submit_mantle_job(
    config: WorkflowConfig, run_id: str, dataset_result: dict, *, owner: str, remaining_seconds: float
) -> dict:
    """Submit (or find) the run's mantle job; the job part of the workflow state."""
    import openai

    from . import clients, snapshots, storage
    from .errors import JobSubmissionFailed

    if config.control_plane != "mantle":
        raise ValueError("submit_mantle_job is for mantle-plane customizations")
    s3 = clients.client("s3", config.region)
    registry = clients.registry(config)

    read: dict[str, bytes] = {}

    def read_file(name: str) -> tuple[bytes, str]:
        ref = dataset_result[name]
        if name not in read:
            read[name], _ = storage.read_object(s3, config.datasets_bucket, ref["key"], ref.get("version_id"))
        return read[name], PurePosixPath(ref["key"]).name

    # The run's immutable copies (lineage), from the very bytes that are uploaded, before the job.
    if not ((registry.get(config.customization, run_id) or {}).get("submit") or {}).get("job_id"):
        kept = {
            name: snapshots.keep(
                s3, config.datasets_bucket, config.customization, read_file(name)[0], dataset_result[name].get("sha256")
            )
            for name in ("train", "validation")
            if dataset_result.get(name)
        }
        registry.record_dataset_snapshots(config.customization, run_id, kept)

    refusals = tuple(getattr(openai, name) for name in REFUSALS)
    try:
        outcome = submit(
            config,
            run_id,
            registry,
            clients.mantle(config),
            read_file,
            dataset_result,
            owner=owner,
            remaining_seconds=remaining_seconds,
        )
    except refusals as exc:
        raise JobSubmissionFailed(f"mantle refused the submission ({exc.status_code}): {str(exc)[:500]}") from None
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
