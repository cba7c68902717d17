"""submit_mantle_job idempotency, job_status on both planes (metrics, deadline), list_checkpoints."""

from __future__ import annotations

import datetime as dt

import pytest
from workflow_testkit import CUSTOMIZATION, state

RUN = "r20260101000000-abc123"


@pytest.fixture
def validated(handlers, aws, ctx, datasets):
    return handlers.validate_dataset(state(aws, input=datasets), ctx)


def submit(handlers, aws, ctx, validated):
    return handlers.submit_mantle_job(state(aws, RUN, dataset=validated), ctx)


def test_submit_uploads_files_and_creates_one_reinforcement_job(handlers, aws, ctx, validated, mantle):
    job = submit(handlers, aws, ctx, validated)
    assert job["plane"] == "mantle" and job["status"] == "running" and job["events_cursor"] is None
    [create] = mantle.requests_to("POST", "/v1/fine_tuning/jobs")
    body = create.json
    assert body["model"] == "qwen.qwen3-32b"
    assert body["method"] == {
        "type": "reinforcement",
        "reinforcement": {
            "grader": {"type": "lambda", "lambda": {"function": aws.config["grader_function_arn"]}},
            "hyperparameters": {"n_epochs": 2, "batch_size": 16, "learning_rate_multiplier": 0.5},
        },
    }
    uploads = mantle.requests_to("POST", "/v1/files")
    # validation_file is opt-in (no AWS document or sample passes it for RFT): train only
    assert [u.form["file"]["filename"] for u in uploads] == ["train.jsonl"]
    assert all(u.form["purpose"] == "fine-tune" for u in uploads)
    train_bytes = aws.s3.get_object(
        Bucket=aws.config["datasets_bucket"], Key=validated["train"]["key"], VersionId=validated["train"]["version_id"]
    )["Body"].read()
    assert uploads[0].form["file"]["content"] == train_bytes
    assert body["training_file"] == mantle.jobs[job["job_id"]]["training_file"]
    assert "validation_file" not in body
    assert create.bearer.startswith("bedrock-api-key-")
    item = aws.registry_item(RUN)
    assert item["job_id"] == job["job_id"] and item["status"] == "running"
    assert item["submit"]["state"] == "submitted" and item["submit"]["adopted"] is False


def test_validation_file_is_passed_only_when_the_customization_opts_in(handlers, aws, ctx, validated, mantle):
    aws.config["workflow"]["mantle_validation_file"] = True
    submit(handlers, aws, ctx, validated)
    [create] = mantle.requests_to("POST", "/v1/fine_tuning/jobs")
    uploads = mantle.requests_to("POST", "/v1/files")
    assert [u.form["file"]["filename"] for u in uploads] == ["train.jsonl", "validation.jsonl"]
    assert create.json["validation_file"] == mantle.jobs[next(iter(mantle.jobs))]["validation_file"]


def test_retry_reuses_the_recorded_job(handlers, aws, ctx, validated, mantle):
    first = submit(handlers, aws, ctx, validated)
    second = submit(handlers, aws, ctx, validated)
    assert second["job_id"] == first["job_id"]
    assert len(mantle.requests_to("POST", "/v1/fine_tuning/jobs")) == 1
    assert len(mantle.requests_to("POST", "/v1/files")) == 1


def test_crash_after_upload_reuses_the_files(handlers, aws, ctx, validated, mantle):
    mantle.fail_next("POST", "/v1/fine_tuning/jobs", status=400)  # refused: a non-retryable SDK error
    from rft_workflow.errors import JobSubmissionFailed

    with pytest.raises(JobSubmissionFailed, match="400"):
        submit(handlers, aws, ctx, validated)
    assert aws.registry_item(RUN)["submit"]["state"] == "submitting" and not mantle.jobs
    job = submit(handlers, aws, ctx, validated)  # nothing to adopt on the endpoint: create
    assert len(mantle.requests_to("POST", "/v1/files")) == 1  # not uploaded again
    assert len(mantle.jobs) == 1 and job["job_id"] in mantle.jobs and job["adopted"] is False


def test_crash_between_create_and_record_adopts_the_job(handlers, aws, ctx, validated, mantle, monkeypatch):
    from rft_contracts import registry as registry_module

    original = registry_module.RunRegistry.update

    def crash_when_recording_job(self, customization, run_id, fields, **kwargs):
        if fields.get("job_id"):
            raise TimeoutError("Lambda timed out")
        return original(self, customization, run_id, fields, **kwargs)

    monkeypatch.setattr(registry_module.RunRegistry, "update", crash_when_recording_job)
    with pytest.raises(TimeoutError):
        submit(handlers, aws, ctx, validated)
    [created] = mantle.jobs.values()
    # another team's job on the endpoint, newer, must not be adopted
    mantle.create_job_directly("qwen.qwen3-32b", training_file="file-other")
    monkeypatch.setattr(registry_module.RunRegistry, "update", original)
    job = submit(handlers, aws, ctx, validated)
    assert job["job_id"] == created["id"] and job["adopted"] is True
    assert len(mantle.requests_to("POST", "/v1/fine_tuning/jobs")) == 1
    assert aws.registry_item(RUN)["submit"]["adopted"] is True


# ----------------------------------------------------------------------------- job_status
def status(handlers, aws, ctx, job, **extra):
    return handlers.job_status(state(aws, RUN, job=job, **extra), ctx)


def test_mantle_status_progression_and_metrics(handlers, aws, ctx, validated, mantle):
    import boto3

    mantle.statuses = ["queued", "running", "succeeded"]
    job = submit(handlers, aws, ctx, validated)
    mantle.add_events(
        job["job_id"],
        [
            {"type": "message", "message": "Job started"},
            {
                "type": "metrics",
                "message": "Step 1/4",
                "data": {"step": 1, "total_steps": 4, "critic_rewards_mean": 0.2, "response_length_mean": 120.0},
            },
            {
                "type": "metrics",
                "message": "Step 2/4",
                "data": {"step": 2, "total_steps": 4, "critic_rewards_mean": 0.4, "actor_entropy": 0.9},
            },
        ],
    )
    job = status(handlers, aws, ctx, job)
    assert (job["status"], job["raw_status"], job["past_deadline"]) == ("running", "queued", False)
    assert job["metrics_published"] == 4 and job["events_read"] == 3 and job["last_step"] == 2
    # nothing new -> nothing published
    job = status(handlers, aws, ctx, job)
    assert job["status"] == "running" and job["metrics_published"] == 0
    mantle.add_events(job["job_id"], [{"type": "metrics", "data": {"step": 3, "critic_rewards_mean": 0.6}}])
    job = status(handlers, aws, ctx, job)
    assert job["status"] == "succeeded" and job["metrics_published"] == 1
    assert job["fine_tuned_model"] == f"ft:qwen.qwen3-32b:{job['job_id']}"
    cloudwatch = boto3.client("cloudwatch", region_name="us-west-2")
    listed = cloudwatch.list_metrics(Namespace="RFT/example/Training")["Metrics"]
    assert {m["MetricName"] for m in listed} == {"critic_rewards_mean", "response_length_mean", "actor_entropy"}
    assert {d["Name"]: d["Value"] for d in listed[0]["Dimensions"]} == {"Customization": CUSTOMIZATION, "RunId": RUN}
    stats = cloudwatch.get_metric_statistics(
        Namespace="RFT/example/Training",
        MetricName="critic_rewards_mean",
        Dimensions=[{"Name": "Customization", "Value": CUSTOMIZATION}, {"Name": "RunId", "Value": RUN}],
        StartTime=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        EndTime=dt.datetime.now(dt.UTC),
        Period=86400 * 2,
        Statistics=["SampleCount", "Sum"],
    )["Datapoints"]
    assert sum(d["SampleCount"] for d in stats) == 3 and sum(d["Sum"] for d in stats) == pytest.approx(1.2)


def test_event_paging_reads_every_new_event_once(handlers, aws, ctx, validated, mantle, monkeypatch):
    from rft_workflow import jobs

    monkeypatch.setattr(jobs, "EVENT_PAGE_SIZE", 3)
    mantle.statuses = ["running"]
    job = submit(handlers, aws, ctx, validated)
    mantle.add_events(
        job["job_id"], [{"type": "metrics", "data": {"step": i, "critic_rewards_mean": i / 10}} for i in range(7)]
    )
    job = status(handlers, aws, ctx, job)
    assert job["metrics_published"] == 7 and job["last_step"] == 6
    mantle.add_events(
        job["job_id"], [{"type": "metrics", "data": {"step": i, "critic_rewards_mean": 1.0}} for i in range(7, 12)]
    )
    job = status(handlers, aws, ctx, job)
    assert job["metrics_published"] == 5 and job["last_step"] == 11


@pytest.mark.parametrize(
    "remote,expected",
    [("failed", "failed"), ("cancelled", "cancelled"), ("validating_files", "running"), ("paused", "running")],
)
def test_mantle_status_normalisation(handlers, aws, ctx, validated, mantle, remote, expected):
    mantle.statuses = [remote]
    job = status(handlers, aws, ctx, submit(handlers, aws, ctx, validated))
    assert job["status"] == expected
    if remote == "failed":
        assert job["failure_message"] == "fake training failure"


def test_deadline(handlers, aws, ctx, validated, mantle):
    mantle.statuses = ["running"]
    job = submit(handlers, aws, ctx, validated)
    job["started_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)).isoformat()
    assert status(handlers, aws, ctx, job)["past_deadline"] is True
    job["started_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=23)).isoformat()
    assert status(handlers, aws, ctx, job)["past_deadline"] is False


def _native_job(aws, name="ticket-triage-r1"):
    import boto3

    bedrock = boto3.client("bedrock", region_name="us-west-2")
    bedrock.create_model_customization_job(
        jobName=name,
        customModelName=name,
        roleArn="arn:aws:iam::123456789012:role/bedrock",
        baseModelIdentifier="amazon.nova-2-lite-v1:0:256k",
        customizationType="REINFORCEMENT_FINE_TUNING",
        trainingDataConfig={"s3Uri": "s3://b/train.jsonl"},
        outputDataConfig={"s3Uri": "s3://b/out/"},
    )
    return name


def _set_native_status(name, value):
    from moto.bedrock.models import bedrock_backends

    bedrock_backends["123456789012"]["us-west-2"].model_customization_jobs[name].status = value


@pytest.mark.parametrize(
    "remote,expected",
    [
        ("InProgress", "running"),
        ("Stopping", "running"),
        ("Completed", "succeeded"),
        ("Failed", "failed"),
        ("Stopped", "cancelled"),
    ],
)
def test_native_status(handlers, aws, ctx, remote, expected):
    aws.config.update(control_plane="native", base_model="amazon.nova-2-lite-v1:0:256k")
    name = _native_job(aws)
    _set_native_status(name, remote)
    job = status(
        handlers,
        aws,
        ctx,
        {
            "job_id": name,
            "plane": "native",
            "status": "running",
            "started_at": dt.datetime.now(dt.UTC).isoformat(),
            "past_deadline": False,
        },
    )
    assert job["status"] == expected and job["raw_status"] == remote and job["metrics_published"] == 0
    assert "output_model_arn" in job


# ----------------------------------------------------------------------------- list_checkpoints
def test_checkpoints_plus_final_model(handlers, aws, ctx, validated, mantle):
    mantle.initial_checkpoints = [{"step_number": 20, "metrics": {"train_loss": 0.3}}, {"step_number": 10}]
    job = submit(handlers, aws, ctx, validated)
    job = status(handlers, aws, ctx, status(handlers, aws, ctx, job))
    result = handlers.list_checkpoints(state(aws, RUN, job=job), ctx)
    assert [(c["step"], c["final"]) for c in result["items"]] == [(10, False), (20, False), (20, True)]
    assert result["items"][1]["model_id"].endswith(":ckpt-step-20") and result["items"][1]["metrics"] == {
        "train_loss": 0.3
    }
    assert result["final_model"] == job["fine_tuned_model"] == result["items"][-1]["model_id"]


def test_no_checkpoints_still_evaluates_the_final_model(handlers, aws, ctx, validated, mantle):
    job = submit(handlers, aws, ctx, validated)
    job = status(handlers, aws, ctx, status(handlers, aws, ctx, job))
    result = handlers.list_checkpoints(state(aws, RUN, job=job), ctx)
    assert result["items"] == [{"model_id": job["fine_tuned_model"], "step": None, "metrics": {}, "final": True}]
    assert "no checkpoints" in result["note"]


def test_native_has_no_checkpoint_api(handlers, aws, ctx):
    aws.config.update(control_plane="native")
    arn = "arn:aws:bedrock:us-east-1:123456789012:custom-model/x"
    result = handlers.list_checkpoints(
        state(aws, RUN, job={"job_id": "j", "plane": "native", "output_model_arn": arn}), ctx
    )
    assert result["items"] == [] and result["final_model"] == arn
    assert "custom model deployment" in result["note"] and "evaluation.nova_deployment" in result["note"]
    aws.config["evaluation"]["nova_deployment"]["enabled"] = True  # opted in: the final model is evaluated
    assert (
        "not evaluated"
        not in handlers.list_checkpoints(
            state(aws, RUN, job={"job_id": "j", "plane": "native", "output_model_arn": arn}), ctx
        )["note"]
    )
