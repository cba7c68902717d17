"""Orphaned paid jobs (issue 11, item 7): the failure path finds a job whose id never reached
the state or the registry, by its idempotency key, and cancels it."""

from __future__ import annotations

import boto3
import pytest
from workflow_testkit import CUSTOMIZATION, state

RUN = "r20260101000000-abc123"


def test_a_job_whose_id_was_never_recorded_is_found_by_its_training_file_and_cancelled(
    handlers, aws, ctx, datasets, mantle, monkeypatch
):
    from botocore.exceptions import ClientError

    from rft_contracts import registry as registry_module

    mantle.statuses = ["running"]
    dataset = handlers.validate_dataset(state(aws, RUN, input=datasets), ctx)
    original = registry_module.RunRegistry.update

    def registry_down_after_create(self, customization, run_id, fields, **kwargs):
        if fields.get("job_id"):
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "x"}}, "UpdateItem"
            )
        return original(self, customization, run_id, fields, **kwargs)

    monkeypatch.setattr(registry_module.RunRegistry, "update", registry_down_after_create)
    with pytest.raises(ClientError):
        handlers.submit_mantle_job(state(aws, RUN, dataset=dataset), ctx)
    monkeypatch.setattr(registry_module.RunRegistry, "update", original)
    [orphan] = mantle.jobs.values()
    mantle.create_job_directly("qwen.qwen3-32b", training_file="file-of-another-run")  # never touched
    assert "job_id" not in aws.registry_item(RUN)

    result = handlers.record_failure(
        state(
            aws,
            RUN,
            dataset=dataset,
            failed_state="TrainingJob",
            error={"Error": "ClientError", "Cause": "UpdateItem failed"},
        ),
        ctx,
    )
    assert result["job_id"] == orphan["id"] and result["job_recovered"] is True
    assert result["job_cancelled"] is True and mantle.jobs[orphan["id"]]["status"] == "cancelled"
    assert all(j["status"] != "cancelled" for j in mantle.jobs.values() if j["id"] != orphan["id"])
    item = aws.registry_item(RUN)
    assert item["job_id"] == orphan["id"] and item["job_cancelled"] is True and item["job_recovered"] is True


def _native_job(name: str) -> None:
    boto3.client("bedrock", region_name="us-west-2").create_model_customization_job(
        jobName=name,
        customModelName=name,
        roleArn="arn:aws:iam::123456789012:role/b",
        baseModelIdentifier="amazon.nova-2-lite-v1:0:256k",
        customizationType="REINFORCEMENT_FINE_TUNING",
        trainingDataConfig={"s3Uri": "s3://b/t.jsonl"},
        outputDataConfig={"s3Uri": "s3://b/o/"},
        clientRequestToken=RUN,
    )


def test_a_native_job_whose_create_answer_was_lost_is_found_by_its_name_and_stopped(handlers, aws, ctx):
    from moto.bedrock.models import bedrock_backends

    aws.config.update(control_plane="native", base_model="amazon.nova-2-lite-v1:0:256k")
    _native_job(f"{CUSTOMIZATION}-{RUN}")
    _native_job(f"{CUSTOMIZATION}-r20260101000000-ffffff")  # another run's job: left alone
    result = handlers.record_failure(
        state(aws, RUN, failed_state="TrainingJob", error={"Error": "Bedrock.InternalServerException", "Cause": "x"}),
        ctx,
    )
    assert result["job_cancelled"] is True and result["job_recovered"] is True
    backend = bedrock_backends["123456789012"]["us-west-2"].model_customization_jobs
    assert backend[f"{CUSTOMIZATION}-{RUN}"].status in ("Stopping", "Stopped")
    assert backend[f"{CUSTOMIZATION}-r20260101000000-ffffff"].status == "InProgress"


def test_no_job_to_recover_before_anything_was_submitted(handlers, aws, ctx, mantle):
    result = handlers.record_failure(
        state(aws, RUN, failed_state="ValidateDataset", error={"Error": "DatasetInvalid", "Cause": "x"}), ctx
    )
    assert result["job_id"] is None and result["job_cancelled"] is False and not result["warnings"]
    assert mantle.requests == []  # nothing uploaded: not even a lookup


# ----------------------------------------------------------------------------- cleanup of abandoned runs
def _event(machine: str, name: str, status: str) -> dict:
    """AWS's documented Execution Status Change shape (step-functions/latest/dg/cw-events.html)."""
    arn = f"arn:aws:states:us-west-2:123456789012:stateMachine:{machine}"
    return {
        "version": "0",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": "123456789012",
        "region": "us-west-2",
        "detail": {
            "executionArn": arn.replace(":stateMachine:", ":execution:") + f":{name}",
            "stateMachineArn": arn,
            "name": name,
            "status": status,
        },
    }


@pytest.fixture
def cleanup_env(aws, monkeypatch):

    monkeypatch.setenv("RFT_TEAM", "example")
    monkeypatch.setenv("RFT_REGISTRY_TABLE", aws.table)
    monkeypatch.setenv("RFT_TEAM_PLANES", "native")


def test_a_timed_out_native_run_gets_its_unrecorded_job_stopped(handlers, aws, ctx, cleanup_env):
    from moto.bedrock.models import bedrock_backends

    _native_job(f"{CUSTOMIZATION}-{RUN}")
    result = handlers.cleanup_abandoned_run(_event(f"rft-example-{CUSTOMIZATION}", RUN, "TIMED_OUT"), ctx)
    assert result["cancelled"] is True and result["recovered"] is True
    assert bedrock_backends["123456789012"]["us-west-2"].model_customization_jobs[f"{CUSTOMIZATION}-{RUN}"].status in (
        "Stopping",
        "Stopped",
    )
    item = aws.registry_item(RUN)
    assert item["execution_status"] == "TIMED_OUT" and item["status"] == "failed"
    assert item["error"]["Error"] == "ExecutionTimedOut"


def test_other_state_machines_and_statuses_are_ignored(handlers, aws, ctx, cleanup_env):
    _native_job(f"{CUSTOMIZATION}-{RUN}")
    for event in (
        _event("rft-other-ticket-triage", RUN, "ABORTED"),
        _event(f"rft-example-{CUSTOMIZATION}", RUN, "SUCCEEDED"),
    ):
        assert handlers.cleanup_abandoned_run(event, ctx)["ignored"] is True
    assert aws.registry_item(RUN) is None


def test_a_run_that_already_succeeded_keeps_its_status(handlers, aws, ctx, cleanup_env):
    import boto3

    from rft_contracts.registry import RunRegistry

    registry = RunRegistry(boto3.resource("dynamodb", region_name="us-west-2").Table(aws.table))
    registry.update(CUSTOMIZATION, RUN, {"status": "succeeded", "job_id": f"{CUSTOMIZATION}-{RUN}"})
    _native_job(f"{CUSTOMIZATION}-{RUN}")
    handlers.cleanup_abandoned_run(_event(f"rft-example-{CUSTOMIZATION}", RUN, "ABORTED"), ctx)
    item = aws.registry_item(RUN)
    assert item["status"] == "succeeded" and item["execution_status"] == "ABORTED"


def test_a_submit_that_outlives_its_aborted_execution_cancels_its_own_job(
    handlers, aws, ctx, datasets, mantle, monkeypatch
):
    """The cleanup ran (and found nothing) while the submit Lambda was still uploading."""

    from rft_workflow import submit as submit_module
    from rft_workflow.errors import RunAbandoned

    monkeypatch.setenv("RFT_TEAM", "example")
    monkeypatch.setenv("RFT_REGISTRY_TABLE", aws.table)
    monkeypatch.setenv("RFT_TEAM_PLANES", "mantle")
    mantle.statuses = ["running"]
    dataset = handlers.validate_dataset(state(aws, RUN, input=datasets), ctx)
    original = submit_module.job_request

    def abort_before_create(*args, **kwargs):
        result = handlers.cleanup_abandoned_run(_event(f"rft-example-{CUSTOMIZATION}", RUN, "ABORTED"), ctx)
        assert result["job_id"] is None  # uploaded, but no job yet: nothing to cancel
        return original(*args, **kwargs)

    monkeypatch.setattr(submit_module, "job_request", abort_before_create)
    with pytest.raises(RunAbandoned, match="ABORTED"):
        handlers.submit_mantle_job(state(aws, RUN, dataset=dataset), ctx)
    [job] = mantle.jobs.values()
    assert job["status"] == "cancelled"
