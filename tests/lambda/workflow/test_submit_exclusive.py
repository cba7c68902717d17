"""One paid job per run: the submission claim (issue 11, item 6) and the immutable dataset
copies written before the job (item 10), against moto and the fake mantle endpoint."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from workflow_testkit import CUSTOMIZATION, state

RUN = "r20260101000000-abc123"


@pytest.fixture
def validated(handlers, aws, ctx, datasets):
    return handlers.validate_dataset(state(aws, input=datasets), ctx)


def _submit(aws, validated, owner, remaining=300.0):
    from rft_contracts.runtime_config import WorkflowConfig
    from rft_workflow import submit

    return submit.submit_mantle_job(
        WorkflowConfig.model_validate(aws.config), RUN, validated, owner=owner, remaining_seconds=remaining
    )


def test_two_concurrent_submits_create_exactly_one_job(aws, validated, mantle, monkeypatch):
    """Both invocations read the item before either writes (a barrier forces the overlap Step
    Functions produces when it retries a Lambda whose first invocation still runs)."""
    from rft_contracts.registry import RunRegistry
    from rft_workflow import submit

    monkeypatch.setattr(submit, "POLL_SECONDS", 0.05)
    # DynamoDB applies each conditional write atomically; moto in-process does not (two threads
    # can both pass a condition). One lock around moto's UpdateItem restores that guarantee.
    from moto.dynamodb.models import DynamoDBBackend

    atomic = threading.Lock()
    original_update = DynamoDBBackend.update_item

    def atomic_update(self, *args, **kwargs):
        with atomic:
            return original_update(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "update_item", atomic_update)
    barrier = threading.Barrier(2, timeout=20)
    first_read: set[int] = set()
    original_get = RunRegistry.get

    def racing_get(self, customization, run_id):
        item = original_get(self, customization, run_id)
        me = threading.get_ident()
        if me not in first_read and "submit" not in (item or {}):
            first_read.add(me)
            barrier.wait()  # both saw "no submission yet"
        return item

    monkeypatch.setattr(RunRegistry, "get", racing_get)
    results: dict[str, dict] = {}
    errors: list[BaseException] = []

    def run(owner: str) -> None:
        try:
            results[owner] = _submit(aws, validated, owner)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"request-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(first_read) == 2, "the race was not forced"
    assert len(mantle.requests_to("POST", "/v1/fine_tuning/jobs")) == 1
    assert len(mantle.jobs) == 1
    assert len(mantle.requests_to("POST", "/v1/files")) == 1
    [job_id] = mantle.jobs
    assert {r["job_id"] for r in results.values()} == {job_id}
    assert aws.registry_item(RUN)["job_id"] == job_id


def test_a_waiting_invocation_gives_up_before_its_own_deadline_with_a_retryable_error(aws, validated, mantle):
    import boto3

    from rft_contracts.registry import RunRegistry
    from rft_workflow import submit
    from rft_workflow.errors import SubmitInProgress

    registry = RunRegistry(boto3.resource("dynamodb", region_name="us-west-2").Table(aws.table))
    registry.claim_submit(
        CUSTOMIZATION, RUN, {"owner": "live-invocation", "lease_until": time.time() + 600}, previous_owner=None
    )
    with pytest.raises(SubmitInProgress, match="live-invocation"):
        _submit(aws, validated, "retry", remaining=submit.WAIT_MARGIN_SECONDS + 0.1)
    assert mantle.requests_to("POST", "/v1/fine_tuning/jobs") == []


def test_an_expired_claim_is_taken_over_and_its_job_adopted(aws, validated, mantle):
    """The previous owner timed out after creating the job but before recording it."""
    import boto3

    from rft_contracts.registry import RunRegistry

    registry = RunRegistry(boto3.resource("dynamodb", region_name="us-west-2").Table(aws.table))
    orphan = mantle.create_job_directly("qwen.qwen3-32b", training_file="file-ours")
    mantle.create_job_directly("qwen.qwen3-32b", training_file="file-other-run")
    registry.claim_submit(
        CUSTOMIZATION,
        RUN,
        {
            "owner": "timed-out",
            "lease_until": time.time() - 1,
            "state": "submitting",
            "train_file_id": "file-ours",
            "started_at": "2026-01-01T00:00:00+00:00",
        },
        previous_owner=None,
    )
    job = _submit(aws, validated, "retry")
    assert job["job_id"] == orphan["id"] and job["adopted"] is True
    assert mantle.requests_to("POST", "/v1/fine_tuning/jobs") == []
    assert aws.registry_item(RUN)["submit"]["owner"] == "retry"


def test_an_owner_that_fails_releases_its_claim(aws, validated, mantle):
    from rft_workflow.errors import JobSubmissionFailed

    mantle.fail_next("POST", "/v1/fine_tuning/jobs", status=400)
    with pytest.raises(JobSubmissionFailed):
        _submit(aws, validated, "first")
    assert "owner" not in aws.registry_item(RUN)["submit"]
    job = _submit(aws, validated, "second", remaining=1.0)  # would give up at once if it had to wait
    assert job["job_id"] in mantle.jobs


def test_the_exact_uploaded_bytes_are_kept_content_addressed_before_the_job(aws, validated, mantle):
    job = _submit(aws, validated, "first")
    snapshots = aws.registry_item(RUN)["dataset_snapshots"]
    for name in ("train", "validation"):
        kept = snapshots[name]
        assert kept["key"] == f"{CUSTOMIZATION}/by-sha256/{validated[name]['sha256']}.jsonl"
        body = aws.s3.get_object(Bucket=aws.config["datasets_bucket"], Key=kept["key"])["Body"].read()
        assert hashlib.sha256(body).hexdigest() == validated[name]["sha256"] == kept["sha256"]
    [upload] = mantle.requests_to("POST", "/v1/files")
    assert hashlib.sha256(upload.form["file"]["content"]).hexdigest() == snapshots["train"]["sha256"]
    # re-uploading the dataset does not touch the copy the job trained on
    aws.put_dataset("train.jsonl", [{"messages": [{"role": "user", "content": "new"}], "reference_answer": "low"}])
    body = aws.s3.get_object(Bucket=aws.config["datasets_bucket"], Key=snapshots["train"]["key"])["Body"].read()
    assert hashlib.sha256(body).hexdigest() == validated["train"]["sha256"]
    assert job["job_id"] in mantle.jobs
