"""Selection (the gate's pick among evaluated candidates), promote (SSM + lineage), smoke_test, record_failure."""

from __future__ import annotations

import json

import boto3
import pytest
from workflow_testkit import state

RUN = "r20260101000000-abc123"


@pytest.fixture
def trained(handlers, aws, ctx, datasets, mantle):
    """Validated data and a succeeded mantle job with two checkpoints."""
    mantle.initial_checkpoints = [{"step_number": 10}, {"step_number": 20}]
    dataset = handlers.validate_dataset(state(aws, RUN, input=datasets), ctx)
    job = handlers.submit_mantle_job(state(aws, RUN, dataset=dataset), ctx)
    for _ in range(2):
        job = handlers.job_status(state(aws, RUN, job=job), ctx)
    assert job["status"] == "succeeded"
    checkpoints = handlers.list_checkpoints(state(aws, RUN, job=job), ctx)
    return {"dataset": dataset, "job": job, "checkpoints": checkpoints}


# ----------------------------------------------------------------------------- selection
def ev(step, mean, final=False):
    return {
        "model_id": f"m{step}{'f' if final else ''}",
        "step": step,
        "final": final,
        "reward_mean": mean,
        "evaluated": mean is not None,
        "samples": 8,
        "errors": 0,
    }


def select(handlers, aws, ctx, evaluations, prefer="latest_on_tie", final_model="final"):
    from rft_workflow import selection

    return selection.select(evaluations, {"final_model": final_model}, aws.config["selection"]["metric"], prefer)


def test_select_highest_and_ties(handlers, aws, ctx):
    evaluations = [ev(10, 0.7), ev(20, 0.9), ev(30, 0.9), ev(30, 0.5, final=True)]
    latest = select(handlers, aws, ctx, evaluations)
    assert latest["chosen"]["model_id"] == "m30" and "tied with 1" in latest["chosen"]["reason"]
    earliest = select(handlers, aws, ctx, evaluations, prefer="earliest_on_tie")
    assert earliest["chosen"]["model_id"] == "m20"
    assert [s["reward_mean"] for s in latest["scores"]] == [0.7, 0.9, 0.9, 0.5]  # every score kept
    assert "latest" in latest["rule"]


def test_mean_minus_std_prefers_the_consistent_checkpoint(handlers, aws, ctx):
    steady, erratic = ev(10, 0.8), ev(20, 0.85)
    steady["reward_std"], erratic["reward_std"] = 0.05, 0.3
    aws.config["selection"]["metric"] = "reward_mean_minus_std"
    chosen = select(handlers, aws, ctx, [steady, erratic])["chosen"]
    assert chosen["model_id"] == "m10"
    assert chosen["reward_mean_minus_std"] == pytest.approx(0.75)
    aws.config["selection"]["metric"] = "reward_mean"
    assert select(handlers, aws, ctx, [steady, erratic])["chosen"]["model_id"] == "m20"


def test_final_model_counts_as_latest_on_tie(handlers, aws, ctx):
    evaluations = [ev(10, 0.8), ev(10, 0.8, final=True)]
    assert select(handlers, aws, ctx, evaluations)["chosen"]["model_id"] == "m10f"
    assert select(handlers, aws, ctx, evaluations, prefer="earliest_on_tie")["chosen"]["model_id"] == "m10"


def test_no_evaluations_choose_the_final_model(handlers, aws, ctx):
    result = select(
        handlers,
        aws,
        ctx,
        [{"model_id": "x", "evaluated": False, "reason": "no validation dataset", "reward_mean": None}],
    )
    assert result["chosen"]["model_id"] == "final" and result["chosen"]["final"] is True
    assert "no validation dataset" in result["chosen"]["reason"]
    assert select(handlers, aws, ctx, [])["chosen"]["model_id"] == "final"


# ----------------------------------------------------------------------------- promote + smoke
def test_promote_writes_parameter_and_lineage_then_smoke_test(handlers, aws, ctx, trained, mantle):
    evaluations = [
        {**ev(c["step"], 1.0, final=c["final"]), "model_id": c["model_id"]} for c in trained["checkpoints"]["items"]
    ]
    run_state = state(
        aws,
        RUN,
        dataset=trained["dataset"],
        job=trained["job"],
        checkpoints=trained["checkpoints"],
        evaluations=evaluations,
        cost={"estimate_usd": 12.5, "decision": "proceed"},
        audit={"passed": True, "summary": {"reward_mean": 0.5}, "report_key": "a"},
    )
    run_state["selection"] = select(handlers, aws, ctx, evaluations)
    promotion = handlers.promote(run_state, ctx)
    chosen = run_state["selection"]["chosen"]["model_id"]
    assert chosen == trained["job"]["fine_tuned_model"]  # all tie at 1.0 -> latest = final
    parameter = boto3.client("ssm", region_name="us-west-2").get_parameter(Name=aws.config["model_parameter"])
    assert parameter["Parameter"]["Value"] == chosen and parameter["Parameter"]["Type"] == "String"
    assert promotion["parameter_version"] == parameter["Parameter"]["Version"]
    item = aws.registry_item(RUN)
    lineage = item["lineage"]
    assert item["status"] == "succeeded" and item["model_id"] == chosen
    assert lineage["datasets"]["train"] == {
        k: trained["dataset"]["train"][k] for k in ("key", "version_id", "sha256", "rows")
    }
    assert lineage["datasets"]["validation"]["sha256"] == trained["dataset"]["validation"]["sha256"]
    assert lineage["grader_spec_hash"] == aws.config["grader_spec_hash"]
    assert lineage["hyperparameters"] == aws.config["hyperparameters"]
    assert lineage["job"]["job_id"] == trained["job"]["job_id"] and lineage["base_model"] == "qwen.qwen3-32b"
    assert len(lineage["scores"]) == 3 and lineage["chosen"]["model_id"] == chosen
    assert lineage["cost_estimate"]["estimate_usd"] == 12.5
    assert item["submit"]["job_id"] == trained["job"]["job_id"]  # earlier attributes kept

    assert lineage["dataset_snapshots"]["train"] == {
        "bucket": aws.config["datasets_bucket"],
        "sha256": trained["dataset"]["train"]["sha256"],
        "key": f"ticket-triage/by-sha256/{trained['dataset']['train']['sha256']}.jsonl",
    }


def test_smoke_test_calls_responses_only_where_the_catalog_says_it_is_served(handlers, aws, ctx, trained, mantle):
    """The candidate (the selection's choice) is tested before promotion."""
    chosen = trained["job"]["fine_tuned_model"]
    run_state = state(aws, RUN, selection={"chosen": {"model_id": chosen}})
    mantle.requests.clear()
    assert handlers.smoke_test(run_state, ctx)["responses"].startswith("not served")  # Qwen: chat only
    assert mantle.requests_to("POST", "/v1/responses") == []
    assert mantle.requests_to("POST", "/v1/chat/completions")[0].json["model"] == chosen
    aws.config["responses_api"] = True  # e.g. gpt-oss
    assert handlers.smoke_test(run_state, ctx) == {"chat_completions": "ok", "responses": "ok", "model_id": chosen}
    [responses] = mantle.requests_to("POST", "/v1/responses")
    assert responses.json["store"] is False and responses.json["model"] == chosen
    assert mantle.requests_to("POST", "/v1/chat/completions")[0].json["model"] == chosen


def test_promote_again_overwrites_the_parameter(handlers, aws, ctx):
    for model in ("m1", "m2"):
        handlers.promote(state(aws, RUN, selection={"chosen": {"model_id": model}, "scores": []}), ctx)
    value = boto3.client("ssm", region_name="us-west-2").get_parameter(Name=aws.config["model_parameter"])
    assert value["Parameter"]["Value"] == "m2" and value["Parameter"]["Version"] == 2


def test_promote_without_a_model_fails(handlers, aws, ctx):
    from rft_workflow.errors import NothingToPromote

    with pytest.raises(NothingToPromote):
        handlers.promote(state(aws, RUN, selection={"chosen": {"model_id": None, "reason": "job made none"}}), ctx)


def test_smoke_test_failures(handlers, aws, ctx, trained, mantle):
    from rft_workflow.errors import SmokeTestFailed

    aws.config["responses_api"] = True

    model = trained["job"]["fine_tuned_model"]
    mantle.respond = lambda model, messages: ""
    with pytest.raises(SmokeTestFailed, match="Chat Completions .* returned no text"):
        handlers.smoke_test(state(aws, RUN, selection={"chosen": {"model_id": model}}), ctx)
    with pytest.raises(SmokeTestFailed, match="NotFoundError"):
        handlers.smoke_test(state(aws, RUN, selection={"chosen": {"model_id": "ft:qwen.qwen3-32b:missing"}}), ctx)
    calls = iter(["fine", ""])
    mantle.respond = lambda model, messages: next(calls)
    with pytest.raises(SmokeTestFailed, match="Responses .* returned no text"):
        handlers.smoke_test(state(aws, RUN, selection={"chosen": {"model_id": model}}), ctx)


def test_smoke_test_skipped_on_native(handlers, aws, ctx):
    aws.config["control_plane"] = "native"
    result = handlers.smoke_test(state(aws, RUN, selection={"chosen": {"model_id": "arn:x"}}), ctx)
    assert result["skipped"] is True and "deployment" in result["reason"]


# ----------------------------------------------------------------------------- record_failure
def test_record_failure_cancels_a_running_mantle_job(handlers, aws, ctx, datasets, mantle):
    mantle.statuses = ["running"]
    dataset = handlers.validate_dataset(state(aws, RUN, input=datasets), ctx)
    job = handlers.submit_mantle_job(state(aws, RUN, dataset=dataset), ctx)
    error = {"Error": "JobDeadline", "Cause": "Job ran longer than 24 hours; cancelled"}
    result = handlers.record_failure(
        state(aws, RUN, dataset=dataset, job={**job, "past_deadline": True}, error=error, failed_state="TrainingJob"),
        ctx,
    )
    assert result["job_cancelled"] is True and mantle.jobs[job["job_id"]]["status"] == "cancelled"
    assert result["status"] == "failed" and result["failed_step"] == "TrainingJob"
    assert "cancelled" in result["summary"] and "JobDeadline" in result["summary"]
    item = aws.registry_item(RUN)
    assert item["status"] == "failed" and item["error"] == error and item["job_cancelled"] is True


def test_record_failure_finds_the_job_in_the_registry(handlers, aws, ctx, datasets, mantle):
    """Submit created the job but its result never reached the state (e.g. a timeout)."""
    mantle.statuses = ["running"]
    dataset = handlers.validate_dataset(state(aws, RUN, input=datasets), ctx)
    job = handlers.submit_mantle_job(state(aws, RUN, dataset=dataset), ctx)
    cause = json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out after 600 seconds"})
    result = handlers.record_failure(
        state(aws, RUN, dataset=dataset, error={"Error": "Sandbox.Timedout", "Cause": cause}), ctx
    )
    assert result["job_cancelled"] is True and result["job_id"] == job["job_id"]
    assert result["cause"] == "Task timed out after 600 seconds"
    assert result["failed_step"] == "unknown"  # the state machine always says; a bare call does not


def test_record_failure_leaves_finished_jobs_alone(handlers, aws, ctx, mantle):
    result = handlers.record_failure(
        state(
            aws,
            RUN,
            job={"job_id": "ftjob-x", "plane": "mantle", "status": "failed", "failure_message": "boom"},
            error={"Error": "JobFailed", "Cause": "Job ftjob-x ended failed: boom"},
            failed_state="TrainingJob",
        ),
        ctx,
    )
    assert result["job_cancelled"] is False and not mantle.requests_to("POST", "/v1/fine_tuning/jobs/")
    assert result["failed_step"] == "TrainingJob"


def test_record_failure_stops_a_native_job(handlers, aws, ctx):
    from moto.bedrock.models import bedrock_backends

    aws.config.update(control_plane="native", base_model="amazon.nova-2-lite-v1:0:256k")
    bedrock = boto3.client("bedrock", region_name="us-west-2")
    bedrock.create_model_customization_job(
        jobName="ticket-triage-r1",
        customModelName="ticket-triage-r1",
        roleArn="arn:aws:iam::123456789012:role/b",
        baseModelIdentifier="amazon.nova-2-lite-v1:0:256k",
        customizationType="REINFORCEMENT_FINE_TUNING",
        trainingDataConfig={"s3Uri": "s3://b/t.jsonl"},
        outputDataConfig={"s3Uri": "s3://b/o/"},
    )
    result = handlers.record_failure(
        state(
            aws,
            RUN,
            job={"job_id": "ticket-triage-r1", "plane": "native", "status": "running"},
            error={"Error": "States.Timeout", "Cause": "x"},
        ),
        ctx,
    )
    assert result["job_cancelled"] is True
    job = bedrock_backends["123456789012"]["us-west-2"].model_customization_jobs["ticket-triage-r1"]
    assert job.status in ("Stopping", "Stopped")


def test_record_failure_after_rejection(handlers, aws, ctx):
    handlers.request_approval({**state(aws, RUN, cost={"estimate_usd": 99}), "task_token": "T"}, ctx)
    result = handlers.record_failure(
        state(
            aws,
            RUN,
            cost={"decision": "needs_approval"},
            approval={"approved": False, "by": "alice", "reason": "too costly"},
            error={"Error": "Rejected", "Cause": "Rejected by alice: too costly"},
            failed_state="Approval",
        ),
        ctx,
    )
    assert result["status"] == "rejected" and result["failed_step"] == "Approval"
    assert "rejected by alice: too costly" in result["summary"]
    item = aws.registry_item(RUN)
    assert item["status"] == "rejected" and "task_token" not in item


def test_record_failure_over_budget_and_missing_registry(handlers, aws, ctx):
    aws.config["registry_table"] = "no-such-table"
    result = handlers.record_failure(
        state(
            aws,
            RUN,
            dataset={},
            audit={},
            cost={"decision": "over_cap"},
            error={"Error": "OverBudget", "Cause": "Estimated cost 900 USD"},
            failed_state="CostGuard",
        ),
        ctx,
    )
    assert result["failed_step"] == "CostGuard" and result["status"] == "failed"
    assert any("registry" in w for w in result["warnings"])
