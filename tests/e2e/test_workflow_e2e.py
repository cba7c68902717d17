"""The synthesized state machines, executed end to end in moto's Step Functions engine.

The world each test runs in is built by `tests/e2e/local_world.py`: the real workflow handlers
and grader runtime in-process, moto for AWS, the local mantle fake for the OpenAI-compatible
endpoint.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.local_world import (
    RUN_ID,
    datasets,
    gold,
    invoice_rows,
    output,
    start_native_run,
    ticket,
)

# -- mantle (OpenAI-compatible) plane ----------------------------------------------------------------


def test_mantle_happy_path_promotes_the_best_checkpoint_and_smoke_tests_it(local_platform):
    world = local_platform("example", "ticket-triage")
    execution = world.start(datasets(world))
    described = world.wait(execution)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    out = output(described)

    assert [
        s
        for s in world.entered(execution)
        if s
        in (
            "ValidateDataset",
            "AuditRewardSignal",
            "EstimateCost",
            "SubmitMantleJob",
            "WaitForJob",
            "JobStatus",
            "ListCheckpoints",
            "EvaluateCandidates",
            "PromotionGate",
            "Promote",
            "SmokeTest",
            "NotifySuccess",
        )
    ][:5] == ["ValidateDataset", "AuditRewardSignal", "EstimateCost", "SubmitMantleJob", "WaitForJob"]
    # One paid job, created through the OpenAI SDK with a bearer token and our Lambda grader.
    [create] = world.mantle.requests_to("POST", "/v1/fine_tuning/jobs")
    body = create.json
    assert body["model"] == "qwen.qwen3-32b"
    assert body["method"]["type"] == "reinforcement"
    assert body["method"]["reinforcement"]["grader"]["lambda"]["function"] == world.config["grader_function_arn"]
    assert body["method"]["reinforcement"]["hyperparameters"] == {
        "n_epochs": 3,
        "batch_size": 64,
        "learning_rate_multiplier": 0.5,
    }
    assert create.headers["authorization"].startswith("Bearer ")

    chosen = out["selection"]["chosen"]
    assert chosen["model_id"].startswith("ft:qwen.qwen3-32b:")
    assert not chosen["model_id"].endswith(("ckpt-step-10", "ckpt-step-20"))  # the best, not the first
    # 3 checkpoints + the final model + the base model, on the same held-out prompts.
    assert {c["key"] for c in out["gate"]["candidates"]} == {"step-10", "step-20", "step-30", "final", "base"}
    assert out["gate"]["decision"] == "promote"
    parameter = world.ssm.get_parameter(Name="/rft/example/ticket-triage/model")["Parameter"]["Value"]
    assert parameter == chosen["model_id"]
    record = world.registry_item()
    assert record["status"] == "succeeded"
    assert record["lineage"]["grader_spec_hash"] == world.config["grader_spec_hash"]
    assert record["lineage"]["datasets"]["train"]["sha256"]
    assert out["smoke"]["chat_completions"] == "ok"  # Qwen serves no Responses API (catalog)
    assert world.mantle.requests_to("POST", "/v1/responses") == []
    entered = world.entered(execution)
    assert entered.index("SmokeTest") < entered.index("Promote")
    outcome = [n for n in world.notifications() if n.get("outcome") == "succeeded"]
    assert outcome and outcome[0]["model"] == chosen["model_id"]


def test_a_failed_job_is_recorded_and_notified_and_nothing_is_promoted(local_platform):
    world = local_platform("example", "ticket-triage", statuses=("running", "failed"))
    execution = world.start(datasets(world))
    described = world.wait(execution)
    assert described["status"] == "FAILED"
    assert described["error"] == "JobFailed"
    record = world.registry_item()
    assert record["status"] == "failed"
    assert record["error"]["Error"] == "JobFailed"
    assert record["failed_step"] == "TrainingJob"  # set by the state machine's failure path
    assert [n["error"] for n in world.notifications() if n.get("outcome") == "failed"] == ["JobFailed"]
    assert world.ssm.get_parameters(Names=["/rft/example/ticket-triage/model"])["InvalidParameters"]


def test_a_job_past_its_deadline_is_cancelled(local_platform):
    world = local_platform(
        "example", "ticket-triage", statuses=("running",), edit_config=lambda c: c["workflow"].update(max_job_hours=0)
    )
    execution = world.start(datasets(world))
    described = world.wait(execution)
    assert described["status"] == "FAILED" and described["error"] == "JobDeadlineExceeded"
    assert len(world.mantle.requests_to("POST", "/v1/fine_tuning/jobs/")) >= 1  # .../cancel
    [job] = world.mantle.jobs.values()
    assert job["status"] == "cancelled"
    assert world.registry_item()["job_cancelled"] is True


def test_audit_fails_closed_before_any_job_is_paid_for(local_platform):
    # A grader that cannot tell answers apart: every sample of a prompt scores the same.
    world = local_platform(
        "example", "ticket-triage", edit_config=lambda c: c["audit"].update(max_zero_spread_fraction=0.0)
    )
    world.mantle.respond = lambda model, messages: "urgent"
    execution = world.start(datasets(world))
    described = world.wait(execution)
    assert described["status"] == "FAILED" and described["error"] == "RewardSignalInsufficient"
    assert world.mantle.requests_to("POST", "/v1/fine_tuning/jobs") == []
    assert world.registry_item()["status"] == "failed"
    assert world.registry_item()["failed_step"] == "RewardSignalAudit"


def test_invalid_dataset_fails_with_line_numbers_and_no_job(local_platform):
    world = local_platform("example", "ticket-triage")
    run_input = datasets(world)
    rows = [ticket(i) for i in range(120)]
    rows[6] = {"messages": "not a list", "reference_answer": "low"}
    run_input["train"] = world.put("train.jsonl", rows)
    described = world.wait(world.start(run_input))
    assert described["status"] == "FAILED" and described["error"] == "DatasetInvalid"
    assert "7" in described["cause"]  # the first offending line, 1-based
    assert world.mantle.requests_to("POST", "/v1/files") == []


@pytest.mark.parametrize("approve", [True, False])
def test_runs_above_the_approval_limit_wait_for_a_human(local_platform, approve):
    world = local_platform("example", "ticket-triage", edit_config=lambda c: c["budget"].update(approval_above_usd=0.0))
    execution = world.start(datasets(world))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (world.registry_item() or {}).get("task_token"):
        time.sleep(0.05)
    item = world.registry_item()
    assert item["status"] == "awaiting_approval"
    # the e-mail goes out just after the registry write: wait for it too
    seen: list = []
    while time.monotonic() < deadline and "rft run approve" not in json.dumps(seen):
        seen += world.notifications()
        time.sleep(0.05)
    assert "rft run approve" in json.dumps(seen)
    world.sfn.send_task_success(
        taskToken=item["task_token"],
        output=json.dumps({"approved": approve, "by": "reviewer@example.com", "reason": "test"}),
    )
    described = world.wait(execution)
    if approve:
        assert described["status"] == "SUCCEEDED"
        assert len(world.mantle.requests_to("POST", "/v1/fine_tuning/jobs")) == 1
    else:
        assert described["status"] == "FAILED" and described["error"] == "Rejected"
        assert world.mantle.requests_to("POST", "/v1/fine_tuning/jobs") == []


def test_a_retried_submit_finds_the_job_instead_of_paying_twice(local_platform):
    """The first SubmitMantleJob invocation dies after creating the job (Lambda timeout); Step
    Functions retries it; the retry adopts the job already created."""
    world = local_platform("example", "ticket-triage")
    submit_id = "rft-example-wf-submit-mantle-job"
    assert submit_id in world.calls
    from moto.awslambda_simple.models import LambdaSimpleBackend

    patched = LambdaSimpleBackend.invoke
    failed_once = []

    def flaky(self, function_name, qualifier, body, headers, response_headers):
        result = patched(self, function_name, qualifier, body, headers, response_headers)
        if function_name.endswith(submit_id) and not failed_once:
            failed_once.append(True)
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": "Lambda.Unknown", "errorMessage": "timed out"}).encode()
        return result

    LambdaSimpleBackend.invoke = flaky
    try:
        execution = world.start(datasets(world))
        described = world.wait(execution)
    finally:
        LambdaSimpleBackend.invoke = patched
    assert failed_once
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    assert len(world.mantle.requests_to("POST", "/v1/fine_tuning/jobs")) == 1


def test_without_checkpoints_the_final_model_is_promoted(local_platform):
    world = local_platform("example", "ticket-triage", checkpoints=())
    described = world.wait(world.start(datasets(world)))
    assert described["status"] == "SUCCEEDED"
    out = output(described)
    [job] = world.mantle.jobs.values()
    assert out["selection"]["chosen"]["model_id"] == job["fine_tuned_model"]


# -- native (Nova) plane -----------------------------------------------------------------------------


def test_native_run_creates_the_job_from_snapshots_and_does_not_promote_what_it_cannot_evaluate(
    local_platform, monkeypatch
):
    """receipt-extraction does not opt in to an evaluation deployment: its Nova model cannot be
    invoked, so it is trained, not evaluated, not promoted, and the run says why."""
    import rft_workflow.generate as generate

    world = local_platform("nova-example", "receipt-extraction", fake_mantle=False)
    calls = []

    def nova(runtime, model_id, messages, max_tokens, temperature):  # moto has no Converse
        calls.append(model_id)
        total = float(messages[-1]["content"].split("total ")[1].split(" ")[0])
        return json.dumps({"merchant": "ACME", "total": total if len(calls) % 2 else total + 1})

    monkeypatch.setattr(generate, "converse_text", nova)
    execution = start_native_run(world, invoice_rows(140, kind="Receipt", field="merchant"))
    described = world.wait(execution)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    [job] = world.bedrock.list_model_customization_jobs()["modelCustomizationJobSummaries"]
    assert job["jobName"] == f"receipt-extraction-{RUN_ID}"
    # The job trains from the run's immutable, content-addressed copy of the validated version.
    out_dataset = output(described)["dataset"]
    snapshot_key = f"receipt-extraction/by-sha256/{out_dataset['train']['sha256']}.jsonl"
    assert (
        job["jobName"]
        and world.bedrock.get_model_customization_job(jobIdentifier=job["jobName"])["trainingDataConfig"]["s3Uri"]
        == f"s3://{world.config['datasets_bucket']}/{snapshot_key}"
    )
    snapshot = world.s3.get_object(Bucket=world.config["datasets_bucket"], Key=snapshot_key)
    body = snapshot["Body"].read()
    assert body.decode().count("\n") == 120
    import hashlib

    assert hashlib.sha256(body).hexdigest() == out_dataset["train"]["sha256"]
    # Not promoted (a Nova model is not evaluated without a deployment), so no lineage record:
    # the content-addressed copy above is what a later promotion's lineage would name.
    out = output(described)
    # The audit invokes the base model through its inference profile (the catalog's invocation id):
    # the customization id `amazon.nova-2-lite-v1:0:256k` cannot be invoked.
    assert calls and set(calls) == {"us.amazon.nova-2-lite-v1:0"}
    # No opt-in: no deployment was created, nothing was evaluated, and the reason says how to opt in.
    assert world.deployments.calls == [] and "CreateEvaluationDeployment" not in world.entered(execution)
    assert out["gate"]["decision"] == "reject"
    assert "not evaluated" in out["gate"]["reason"] and "evaluation.nova_deployment" in out["gate"]["reason"]
    item = world.registry_item()
    assert item["status"] == "not_promoted" and item["gate"]["decision"] == "reject"
    assert world.ssm.get_parameters(Names=["/rft/nova-example/receipt-extraction/model"])["InvalidParameters"]
    # ...and so does the run's page (issue 12, item 3: say clearly that it was not evaluated).
    from rft_contracts.naming import run_report_key

    page = world.s3.get_object(
        Bucket=world.config["artifacts_bucket"], Key=run_report_key("receipt-extraction", RUN_ID)
    )["Body"].read()
    assert b"The Nova model was not evaluated" in page and b"does not opt in" in page


def test_a_failing_smoke_test_leaves_the_live_model_parameter_alone(local_platform):
    """Issue 11, item 8: the candidate is smoke-tested before the parameter applications read
    is written, so a model that cannot answer never goes live (here: the parameter, which no
    run has written yet, stays absent, although the gate chose to promote)."""
    from rft_workflow.smoke import PROMPT

    world = local_platform("example", "ticket-triage")
    answer = world.mantle.respond

    def silent_on_the_smoke_prompt(model, messages):
        content = messages[-1]["content"]
        if content == PROMPT or (isinstance(content, list) and PROMPT in json.dumps(content)):
            return ""
        # this run's models clearly beat the base, so the gate promotes: only the smoke test
        # stands between the candidate and the parameter
        return gold(messages) if model.startswith("ft:") else answer("the-base-model", messages)

    world.mantle.respond = silent_on_the_smoke_prompt
    execution = world.start(datasets(world))
    described = world.wait(execution)
    assert "PromotionGate" in world.entered(execution) and "Promote" not in world.entered(execution)
    assert described["status"] == "FAILED" and described["error"] == "SmokeTestFailed"
    assert world.ssm.get_parameters(Names=["/rft/example/ticket-triage/model"])["InvalidParameters"]
    record = world.registry_item()
    assert record["status"] == "failed" and record["failed_step"] == "SmokeTest" and "model_id" not in record
