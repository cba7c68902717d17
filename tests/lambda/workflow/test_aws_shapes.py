"""Job responses built from AWS's and the SDKs' own shapes (issue 11, contract tests).

Sources, next to each fixture: botocore's bedrock model (the ModelCustomizationJobStatus enum),
the openai SDK's types (FineTuningJob.status, FineTuningJobEvent, FineTuningJobCheckpoint) and
the metric event AWS's blog and sample print (bedrock-rft.md §6, S28/S30)."""

from __future__ import annotations

import typing

import botocore.session

from rft_workflow import jobs


def test_every_native_job_status_in_botocore_is_mapped_explicitly():
    enum = botocore.session.get_session().get_service_model("bedrock").shape_for("ModelCustomizationJobStatus").enum
    assert set(enum) == set(jobs.NATIVE_STATUS)


def test_every_mantle_job_status_in_the_openai_sdk_is_mapped_explicitly():
    from openai.types.fine_tuning import FineTuningJob

    statuses = set(typing.get_args(FineTuningJob.model_fields["status"].annotation))
    assert statuses <= set(jobs.MANTLE_STATUS)
    assert jobs.normalize("mantle", "paused") == "running"  # not in the SDK's Literal, seen on OpenAI's API


# AWS ML blog "RFT with OpenAI-compatible APIs" (S28) and the gpt-oss sample notebook (S30).
BLOG_METRIC_EVENT = {
    "object": "fine_tuning.job.event",
    "id": "ftevent-abc",
    "created_at": 1764720000,
    "level": "info",
    "type": "metrics",
    "message": "Step 4/67: training metrics",
    "data": {
        "step": 4,
        "total_steps": 67,
        "critic_rewards_mean": 0.42,
        "actor_pg_loss": -0.01,
        "actor_entropy": 0.93,
        "actor_grad_norm": 0.2,
        "critic_advantages_mean": 0.0,
        "response_length_mean": 211.5,
    },
}


def test_the_documented_metric_event_parses_in_the_sdk_and_becomes_datums():
    from openai.types.fine_tuning import FineTuningJobEvent

    event = FineTuningJobEvent.model_validate(BLOG_METRIC_EVENT).to_dict()
    datums = jobs.metric_data([event], "c", "r20260101000000-abc123")
    assert {d["MetricName"] for d in datums} == {
        "critic_rewards_mean",
        "actor_pg_loss",
        "actor_entropy",
        "actor_grad_norm",
        "critic_advantages_mean",
        "response_length_mean",
    }
    assert all(d["Timestamp"].timestamp() == 1764720000 for d in datums)


def test_the_documented_checkpoint_has_the_fields_the_workflow_reads():
    from openai.types.fine_tuning.jobs import FineTuningJobCheckpoint

    # bedrock-rft.md §6 (S12): id, step_number, fine_tuned_model_checkpoint, metrics
    fields = set(FineTuningJobCheckpoint.model_fields)
    assert {"id", "step_number", "fine_tuned_model_checkpoint", "metrics"} <= fields
