"""The synthesized state machines, executed end to end in moto's Step Functions engine.

The definition is the one CDK synthesized for the shipped example teams (intrinsics resolved to
fake ARNs). Its Lambda tasks run the real workflow handlers and the real grader runtime
in-process; S3, DynamoDB, SNS, SSM, CloudWatch and Bedrock (native plane) are moto; the mantle
(OpenAI-compatible) endpoint is the local fake, driven by the real `openai` SDK.
"""

from __future__ import annotations

import copy
import json
import re
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from rft.config.loader import REPO_ROOT, load_team
from tests.e2e.sfn_local import fast_clock, functions, install_moto_patches, state_machines

MOTO_ACCOUNT = "123456789012"  # moto's default account; ARNs in the definition are resolved to it
RUN_ID = "r20261125180000-abc123"
WORKFLOW_DIR = REPO_ROOT / "lambda" / "workflow"
if str(WORKFLOW_DIR) not in sys.path:
    sys.path.insert(0, str(WORKFLOW_DIR))

STEP_HANDLERS = {
    "ValidateDataset": "validate_dataset", "AuditRewardSignal": "audit_reward_signal",
    "EstimateCost": "estimate_cost", "RequestApproval": "request_approval",
    "SubmitMantleJob": "submit_mantle_job", "JobStatus": "job_status",
    "ListCheckpoints": "list_checkpoints", "EvaluateCheckpoint": "evaluate_checkpoint",
    "SelectBest": "select_best", "Promote": "promote", "SmokeTest": "smoke_test",
    "RecordFailure": "record_failure",
}


def _ticket(i: int) -> dict:
    down = i % 2 == 1
    return {"messages": [
        {"role": "system", "content": "Answer with the ticket priority: low, medium, high or urgent."},
        {"role": "user", "content": f"Ticket {i}: checkout {'is down' if down else 'looks slow'} (#{i})"}],
        # The example's grader reads the gold label from the dataset field `priority`.
        "reference_answer": "urgent" if down else "low", "priority": "urgent" if down else "low"}


def _gold(messages: list) -> str:
    return "urgent" if "is down" in messages[-1]["content"] else "low"


class _Responder:
    """Base model: right about half the time, varying per sample (so the audit sees spread);
    checkpoints: better with training, the final model best."""

    def __init__(self):
        self.calls = 0

    def __call__(self, model: str, messages: list) -> str:
        self.calls += 1
        if "ckpt-step-" in model:
            step = int(model.rsplit("-", 1)[1])
            return _gold(messages) if (self.calls % 10) < step // 10 else "medium"
        if model.startswith("ft:"):
            return _gold(messages)
        return _gold(messages) if self.calls % 2 else "high"


@pytest.fixture
def local_platform(synth, monkeypatch):
    """Build the example team's world in moto; returns a factory per team/customization."""
    import boto3
    from moto import mock_aws

    from tests.fakes.inprocess_lambda import MOTO_CONFIG, create_function, grader_handler, install
    from tests.fakes.mantle_server import FakeMantle

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "POWERTOOLS_TRACE_DISABLED": "true",
                       "POWERTOOLS_METRICS_NAMESPACE": "RFT/example/Training"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    import handlers as workflow_handlers

    opened: list = []

    def build(team: str, customization: str, *, statuses=("running", "running", "succeeded"),
              checkpoints=((10,), (20,), (30,)), edit_config=None, fake_mantle=True):
        config = load_team(team)
        region = config.region
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)
        monkeypatch.setenv("AWS_REGION", region)
        template = synth(team).template("platform")
        definition = copy.deepcopy(state_machines(template, account=MOTO_ACCOUNT, region=region)[
            f"rft-{team}-{customization}"])
        runtime_config = definition["States"]["LoadConfig"]["Parameters"]["config"]
        if edit_config:
            edit_config(runtime_config)
        spec = runtime_config["grader_spec"]

        handlers_by_function = {}
        for logical_id in functions(template):
            for step, name in STEP_HANDLERS.items():
                if logical_id.startswith(f"WorkflowFunctions{step}Function"):
                    handlers_by_function[logical_id] = getattr(workflow_handlers, name)
            slug = customization.replace("-", "")
            if logical_id.startswith(f"Customization{slug}GraderRuntimeFunction"):
                handlers_by_function[logical_id] = grader_handler(spec)
        calls = install(monkeypatch, handlers_by_function)

        mock = mock_aws(config=MOTO_CONFIG)
        mock.start()
        opened.append(mock.stop)
        install_moto_patches()
        fast_clock()
        for logical_id in handlers_by_function:
            create_function(logical_id, region)
        s3 = boto3.client("s3", region_name=region)
        for bucket in (runtime_config["datasets_bucket"], runtime_config["artifacts_bucket"]):
            create = {} if region == "us-east-1" else {
                "CreateBucketConfiguration": {"LocationConstraint": region}}
            s3.create_bucket(Bucket=bucket, **create)
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        boto3.client("dynamodb", region_name=region).create_table(
            TableName=runtime_config["registry_table"], BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "customization", "KeyType": "HASH"},
                       {"AttributeName": "run_id", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "customization", "AttributeType": "S"},
                                  {"AttributeName": "run_id", "AttributeType": "S"}])
        sns = boto3.client("sns", region_name=region)
        topic = sns.create_topic(Name=f"rft-{team}-notifications")["TopicArn"]
        assert topic == runtime_config["topic_arn"]
        sqs = boto3.client("sqs", region_name=region)
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"RawMessageDelivery": "true"})
        role = boto3.client("iam", region_name=region).create_role(
            RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        sfn = boto3.client("stepfunctions", region_name=region)
        machine = sfn.create_state_machine(name=f"rft-{team}-{customization}",
                                           definition=_asl_text(definition), roleArn=role)["stateMachineArn"]

        responder = _Responder()
        mantle = None
        if fake_mantle:
            mantle = FakeMantle(statuses=list(statuses), respond=responder,
                                checkpoints=[{"step_number": s[0], "metrics": {}} for s in checkpoints],
                                events=[{"type": "metrics", "message": "Step 1/2: training metrics",
                                         "data": {"step": 1, "total_steps": 2, "critic_rewards_mean": 0.4,
                                                  "response_length_mean": 120.0}}])
            mantle.__enter__()
            opened.append(lambda: mantle.__exit__(None, None, None))
            monkeypatch.setenv("MANTLE_BASE_URL", mantle.base_url)

        def put(name: str, rows) -> dict:
            key = f"{customization}/{name}"
            body = "".join(json.dumps(r) + "\n" for r in rows).encode()
            return {"key": key, "version_id": s3.put_object(
                Bucket=runtime_config["datasets_bucket"], Key=key, Body=body)["VersionId"]}

        def start(run_input: dict, name: str = RUN_ID) -> str:
            return sfn.start_execution(stateMachineArn=machine, name=name,
                                       input=json.dumps({"input": run_input}))["executionArn"]

        def wait(execution: str, *, until=("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"),
                 timeout: float = 90) -> dict:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                described = sfn.describe_execution(executionArn=execution)
                if described["status"] in until:
                    return described
                time.sleep(0.05)
            raise AssertionError(f"execution still {described['status']} after {timeout}s")

        def history(execution: str) -> list[dict]:
            return sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]

        def entered(execution: str) -> list[str]:
            return [e["stateEnteredEventDetails"]["name"] for e in history(execution)
                    if "stateEnteredEventDetails" in e]

        def notifications() -> list[dict]:
            """Messages on the team topic: JSON ones parsed, text ones as {"text": ...}."""
            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
            out = []
            for message in messages:
                try:
                    out.append(json.loads(message["Body"]))
                except json.JSONDecodeError:
                    out.append({"text": message["Body"]})
            return out

        def registry_item(run_id: str = RUN_ID) -> dict | None:
            table = boto3.resource("dynamodb", region_name=region).Table(runtime_config["registry_table"])
            return table.get_item(Key={"customization": customization, "run_id": run_id}).get("Item")

        return SimpleNamespace(
            config=runtime_config, s3=s3, sfn=sfn, machine=machine, mantle=mantle, calls=calls,
            put=put, start=start, wait=wait, history=history, entered=entered,
            notifications=notifications, registry_item=registry_item, region=region,
            ssm=boto3.client("ssm", region_name=region), bedrock=boto3.client("bedrock", region_name=region),
        )

    yield build
    for close in reversed(opened):
        close()


def _asl_text(definition: dict) -> str:
    """JSON for moto's ASL parser, which rejects exponent notation (Python writes 1e-05; CDK's
    own template writes 0.00001, which real Step Functions reads)."""
    text = json.dumps(definition)
    return re.sub(r"(?<=[:\[,] )(-?\d+(?:\.\d+)?e-?\d+)",
                  lambda m: f"{float(m.group(1)):.12f}".rstrip("0"), text)


def _datasets(world, train_rows=120, validation_rows=20) -> dict:
    return {"train": world.put("train.jsonl", [_ticket(i) for i in range(train_rows)]),
            "validation": world.put("validation.jsonl", [_ticket(i) for i in range(5000, 5000 + validation_rows)]),
            "poll_seconds": 1}


def _output(described: dict) -> dict:
    return json.loads(described["output"])


# -- mantle (OpenAI-compatible) plane ----------------------------------------------------------------

def test_mantle_happy_path_promotes_the_best_checkpoint_and_smoke_tests_it(local_platform):
    world = local_platform("example", "ticket-triage")
    execution = world.start(_datasets(world))
    described = world.wait(execution)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    out = _output(described)

    assert [s for s in world.entered(execution) if s in (
        "ValidateDataset", "AuditRewardSignal", "EstimateCost", "SubmitMantleJob", "WaitForJob",
        "JobStatus", "ListCheckpoints", "EvaluateCheckpoints", "SelectBest", "Promote", "SmokeTest",
        "NotifySuccess")][:5] == ["ValidateDataset", "AuditRewardSignal", "EstimateCost",
                                  "SubmitMantleJob", "WaitForJob"]
    # One paid job, created through the OpenAI SDK with a bearer token and our Lambda grader.
    [create] = world.mantle.requests_to("POST", "/v1/fine_tuning/jobs")
    body = create.json
    assert body["model"] == "qwen.qwen3-32b"
    assert body["method"]["type"] == "reinforcement"
    assert body["method"]["reinforcement"]["grader"]["lambda"]["function"] == world.config["grader_function_arn"]
    assert body["method"]["reinforcement"]["hyperparameters"] == {
        "n_epochs": 3, "batch_size": 64, "learning_rate_multiplier": 0.5}
    assert create.headers["authorization"].startswith("Bearer ")

    chosen = out["selection"]["chosen"]
    assert chosen["model_id"].startswith("ft:qwen.qwen3-32b:")
    assert not chosen["model_id"].endswith(("ckpt-step-10", "ckpt-step-20"))  # the best, not the first
    assert len(out["evaluations"]) >= 3
    parameter = world.ssm.get_parameter(Name="/rft/example/ticket-triage/model")["Parameter"]["Value"]
    assert parameter == chosen["model_id"]
    record = world.registry_item()
    assert record["status"] == "succeeded"
    assert record["lineage"]["grader_spec_hash"] == world.config["grader_spec_hash"]
    assert record["lineage"]["datasets"]["train"]["sha256"]
    assert out["smoke"]["chat_completions"] == "ok" and out["smoke"]["responses"] == "ok"
    outcome = [n for n in world.notifications() if n.get("outcome") == "succeeded"]
    assert outcome and outcome[0]["model"] == chosen["model_id"]


def test_job_failure_cancels_nothing_twice_records_and_notifies(local_platform):
    world = local_platform("example", "ticket-triage", statuses=("running", "failed"))
    execution = world.start(_datasets(world))
    described = world.wait(execution)
    assert described["status"] == "FAILED"
    assert described["error"] == "JobFailed"
    record = world.registry_item()
    assert record["status"] == "failed"
    assert record["error"]["Error"] == "JobFailed"
    assert [n["error"] for n in world.notifications() if n.get("outcome") == "failed"] == ["JobFailed"]
    assert world.ssm.get_parameters(Names=["/rft/example/ticket-triage/model"])["InvalidParameters"]


def test_a_job_past_its_deadline_is_cancelled(local_platform):
    world = local_platform("example", "ticket-triage", statuses=("running",),
                           edit_config=lambda c: c["workflow"].update(max_job_hours=0))
    execution = world.start(_datasets(world))
    described = world.wait(execution)
    assert described["status"] == "FAILED" and described["error"] == "JobDeadlineExceeded"
    assert len(world.mantle.requests_to("POST", "/v1/fine_tuning/jobs/")) >= 1  # .../cancel
    [job] = world.mantle.jobs.values()
    assert job["status"] == "cancelled"
    assert world.registry_item()["job_cancelled"] is True


def test_audit_fails_closed_before_any_job_is_paid_for(local_platform):
    # A grader that cannot tell answers apart: every sample of a prompt scores the same.
    world = local_platform("example", "ticket-triage",
                           edit_config=lambda c: c["audit"].update(max_zero_spread_fraction=0.0))
    world.mantle.respond = lambda model, messages: "urgent"
    execution = world.start(_datasets(world))
    described = world.wait(execution)
    assert described["status"] == "FAILED" and described["error"] == "RewardSignalInsufficient"
    assert world.mantle.requests_to("POST", "/v1/fine_tuning/jobs") == []
    assert world.registry_item()["status"] == "failed"


def test_invalid_dataset_fails_with_line_numbers_and_no_job(local_platform):
    world = local_platform("example", "ticket-triage")
    run_input = _datasets(world)
    rows = [_ticket(i) for i in range(120)]
    rows[6] = {"messages": "not a list", "reference_answer": "low"}
    run_input["train"] = world.put("train.jsonl", rows)
    described = world.wait(world.start(run_input))
    assert described["status"] == "FAILED" and described["error"] == "DatasetInvalid"
    assert "7" in described["cause"]  # the first offending line, 1-based
    assert world.mantle.requests_to("POST", "/v1/files") == []


@pytest.mark.parametrize("approve", [True, False])
def test_runs_above_the_approval_limit_wait_for_a_human(local_platform, approve):
    world = local_platform("example", "ticket-triage",
                           edit_config=lambda c: c["budget"].update(approval_above_usd=0.0))
    execution = world.start(_datasets(world))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (world.registry_item() or {}).get("task_token"):
        time.sleep(0.05)
    item = world.registry_item()
    assert item["status"] == "awaiting_approval"
    assert "rft run approve" in json.dumps(world.notifications())
    world.sfn.send_task_success(taskToken=item["task_token"], output=json.dumps(
        {"approved": approve, "by": "reviewer@example.com", "reason": "test"}))
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
    submit_id = next(k for k in world.calls if k.startswith("WorkflowFunctionsSubmitMantleJob"))
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
        execution = world.start(_datasets(world))
        described = world.wait(execution)
    finally:
        LambdaSimpleBackend.invoke = patched
    assert failed_once
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    assert len(world.mantle.requests_to("POST", "/v1/fine_tuning/jobs")) == 1


def test_without_checkpoints_the_final_model_is_promoted(local_platform):
    world = local_platform("example", "ticket-triage", checkpoints=())
    described = world.wait(world.start(_datasets(world)))
    assert described["status"] == "SUCCEEDED"
    out = _output(described)
    [job] = world.mantle.jobs.values()
    assert out["selection"]["chosen"]["model_id"] == job["fine_tuned_model"]


# -- native (Nova) plane -----------------------------------------------------------------------------

def _set_native_status(world, status: str) -> None:
    from moto.bedrock.models import bedrock_backends

    for job in bedrock_backends[MOTO_ACCOUNT][world.region].model_customization_jobs.values():
        job.status = status


def test_native_happy_path_creates_the_job_from_snapshots_and_promotes_the_final_model(
        local_platform, monkeypatch):
    import rft_workflow.generate as generate

    world = local_platform("nova-example", "invoice-extraction", fake_mantle=False)
    calls = []

    def nova(runtime, model_id, messages, max_tokens, temperature):  # moto has no Converse
        calls.append(model_id)
        total = float(messages[-1]["content"].split("total ")[1].split(" ")[0])
        return json.dumps({"vendor": "ACME", "total": total if len(calls) % 2 else total + 1})

    monkeypatch.setattr(generate, "converse_text", nova)
    rows = [{"messages": [{"role": "user", "content": f"Invoice {i}: ACME, total {i}.00 USD"}],
             "reference_answer": {"vendor": "ACME", "total": float(i)}} for i in range(140)]
    run_input = {"train": world.put("train.jsonl", rows[:120]),
                 "validation": world.put("validation.jsonl", rows[120:]), "poll_seconds": 1}
    execution = world.start(run_input)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "WaitForJob" not in world.entered(execution):
        time.sleep(0.05)
    _set_native_status(world, "Completed")
    described = world.wait(execution)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    [job] = world.bedrock.list_model_customization_jobs()["modelCustomizationJobSummaries"]
    assert job["jobName"] == f"invoice-extraction-{RUN_ID}"
    snapshot = world.s3.get_object(Bucket=world.config["artifacts_bucket"],
                                   Key=f"invoice-extraction/runs/{RUN_ID}/train.jsonl")
    assert snapshot["Body"].read().decode().count("\n") == 120
    out = _output(described)
    assert calls and set(calls) == {"amazon.nova-2-lite-v1:0:256k"}  # the audit sampled the base model
    assert out["smoke"].get("skipped")
    assert out["selection"]["chosen"]["model_id"] == out["job"]["output_model_arn"]
    assert world.registry_item()["status"] == "succeeded"
