"""A team's AWS world in moto, with the synthesized state machine of one customization.

Shared by the end-to-end tests and `benchmarks/workflow.py`. The definition is the one CDK
synthesized (intrinsics resolved to fake ARNs); its Lambda tasks run the real workflow handlers
and the real grader runtime in-process; S3, DynamoDB, SNS, SSM, CloudWatch and Bedrock (native
plane) are moto; the mantle endpoint is the local fake, driven by the real `openai` SDK.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import time
from collections.abc import Callable
from types import SimpleNamespace

from rft.config.loader import REPO_ROOT, load_team
from rft_contracts.naming import grader_function_name, workflow_function_name
from rft_contracts.runtime_config import config_of_definition
from tests.e2e.sfn_local import fast_clock, functions, install_moto_patches, state_machines
from tests.fakes.registry_table import create_registry_table

MOTO_ACCOUNT = "123456789012"  # moto's default account; ARNs in the definition are resolved to it
RUN_ID = "r20261125180000-abc123"
WORKFLOW_DIR = REPO_ROOT / "lambda" / "workflow"
REPORT_DIR = REPO_ROOT / "lambda" / "run_report"  # WriteRunReport: its own function and asset
for _folder in (WORKFLOW_DIR, REPORT_DIR):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

STEP_HANDLERS = {
    "ValidateDataset": "validate_dataset",
    "AuditRewardSignal": "audit_reward_signal",
    "EstimateCost": "estimate_cost",
    "RequestApproval": "request_approval",
    "SubmitMantleJob": "submit_mantle_job",
    "JobStatus": "job_status",
    "ListCheckpoints": "list_checkpoints",
    "Promote": "promote",
    "SmokeTest": "smoke_test",
    "RecordFailure": "record_failure",
    "CleanupAbandonedRun": "cleanup_abandoned_run",
    "PlanEvaluation": "plan_evaluation",
    "EvaluateBatch": "evaluate_batch",
    "PromotionGate": "promotion_gate",
    "RequestPromotionApproval": "request_promotion_approval",
    "CheckPromotionApproval": "check_promotion_approval",
    "WriteRunReport": "report_handler.write_run_report",  # module.function outside handlers.py
}
# Functions a team has only when a customization deploys Nova models for evaluation.
OPTIONAL_STEP_HANDLERS = {
    "CreateEvaluationDeployment": "create_evaluation_deployment",
    "EvaluationDeploymentStatus": "evaluation_deployment_status",
    "ReleaseEvaluationDeployment": "release_evaluation_deployment",
}


def ticket(i: int) -> dict:
    down = i % 2 == 1
    return {
        "messages": [
            {"role": "system", "content": "Answer with the ticket priority: low, medium, high or urgent."},
            {"role": "user", "content": f"Ticket {i}: checkout {'is down' if down else 'looks slow'} (#{i})"},
        ],
        # The example's grader reads the gold label from the dataset field `priority`.
        "reference_answer": "urgent" if down else "low",
        "priority": "urgent" if down else "low",
    }


def gold(messages: list) -> str:
    return "urgent" if "is down" in messages[-1]["content"] else "low"


class Responder:
    """Base model: right about half the time, varying per sample (so the audit sees spread);
    checkpoints: better with training, the final model best."""

    def __init__(self):
        self.calls = 0

    def __call__(self, model: str, messages: list) -> str:
        self.calls += 1
        if "ckpt-step-" in model:
            step = int(model.rsplit("-", 1)[1])
            return gold(messages) if (self.calls % 10) < step // 10 else "medium"
        if model.startswith("ft:"):
            return gold(messages)
        return gold(messages) if self.calls % 2 else "high"


class LocalWorlds:
    """`build(team, customization, ...)` opens a world; `close()` ends every one opened.

    `template_for(team)` returns the team's synthesized platform template; `monkeypatch` is a
    pytest MonkeyPatch (environment and moto patches are undone with it)."""

    def __init__(self, template_for: Callable[[str], dict], monkeypatch) -> None:
        self._template_for = template_for
        self._monkeypatch = monkeypatch
        self._opened: list = []
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "RFT/example/Training",
        }.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("AWS_PROFILE", raising=False)

    def close(self) -> None:
        for close in reversed(self._opened):
            close()
        self._opened.clear()

    def build(
        self,
        team: str,
        customization: str,
        *,
        statuses=("running", "running", "succeeded"),
        checkpoints=((10,), (20,), (30,)),
        edit_config=None,
        fake_mantle=True,
    ):
        import boto3
        import handlers as workflow_handlers
        from moto import mock_aws

        from tests.fakes.inprocess_lambda import MOTO_CONFIG, create_function, grader_handler, install
        from tests.fakes.mantle_server import FakeMantle

        monkeypatch, opened = self._monkeypatch, self._opened
        config = load_team(team)
        region = config.region
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)
        monkeypatch.setenv("AWS_REGION", region)
        template = self._template_for(team)
        definition = state_machines(template, account=MOTO_ACCOUNT, region=region)[f"rft-{team}-{customization}"]
        # Names and ARNs written by account (bucket names, functions of the platform stack) move
        # to moto's account, consistently across the definition and its config.
        definition = json.loads(json.dumps(definition).replace(config.account, MOTO_ACCOUNT))
        runtime_config = config_of_definition(definition)
        if edit_config:
            edit_config(runtime_config)
        spec = runtime_config["grader_spec"]

        def handler_of(name: str):
            module, _, function = name.rpartition(".")
            return getattr(importlib.import_module(module) if module else workflow_handlers, function)

        handlers_by_function = {
            workflow_function_name(team, step): handler_of(name) for step, name in STEP_HANDLERS.items()
        }
        handlers_by_function[grader_function_name(team, customization)] = grader_handler(spec)
        deployed = {p["FunctionName"] for p in functions(template).values()}
        for step, name in OPTIONAL_STEP_HANDLERS.items():
            if workflow_function_name(team, step) in deployed:
                handlers_by_function[workflow_function_name(team, step)] = getattr(workflow_handlers, name)
        assert set(handlers_by_function) <= deployed, "the template no longer has these functions"
        calls = install(monkeypatch, handlers_by_function)

        mock = mock_aws(config=MOTO_CONFIG)
        mock.start()
        opened.append(mock.stop)
        install_moto_patches()
        fast_clock()
        from tests.fakes.bedrock_deployments import FakeDeployments

        deployments = FakeDeployments(account=MOTO_ACCOUNT, region=region).install()
        opened.append(deployments.uninstall)
        for name in handlers_by_function:
            create_function(name, region)
        s3 = boto3.client("s3", region_name=region)
        for bucket in (runtime_config["datasets_bucket"], runtime_config["artifacts_bucket"]):
            create = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            s3.create_bucket(Bucket=bucket, **create)
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        create_registry_table(runtime_config["registry_table"], region)
        sns = boto3.client("sns", region_name=region)
        topic = sns.create_topic(Name=f"rft-{team}-notifications")["TopicArn"]
        assert topic == runtime_config["topic_arn"]
        sqs = boto3.client("sqs", region_name=region)
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        role = boto3.client("iam", region_name=region).create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")[
            "Role"
        ]["Arn"]
        sfn = boto3.client("stepfunctions", region_name=region)
        machine = sfn.create_state_machine(
            name=f"rft-{team}-{customization}", definition=asl_text(definition), roleArn=role
        )["stateMachineArn"]

        responder = Responder()
        mantle = None
        if fake_mantle:
            mantle = FakeMantle(
                statuses=list(statuses),
                respond=responder,
                checkpoints=[{"step_number": s[0], "metrics": {}} for s in checkpoints],
                events=[
                    {
                        "type": "metrics",
                        "message": "Step 1/2: training metrics",
                        "data": {
                            "step": 1,
                            "total_steps": 2,
                            "critic_rewards_mean": 0.4,
                            "response_length_mean": 120.0,
                        },
                    }
                ],
            )
            mantle.__enter__()
            opened.append(lambda: mantle.__exit__(None, None, None))
            monkeypatch.setenv("MANTLE_BASE_URL", mantle.base_url)

        def put(name: str, rows) -> dict:
            key = f"{customization}/{name}"
            body = "".join(json.dumps(r) + "\n" for r in rows).encode()
            return {
                "key": key,
                "version_id": s3.put_object(Bucket=runtime_config["datasets_bucket"], Key=key, Body=body)["VersionId"],
            }

        def start(run_input: dict, name: str = RUN_ID) -> str:
            return sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps({"input": run_input}))[
                "executionArn"
            ]

        def wait(execution: str, *, until=("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"), timeout: float = 90) -> dict:
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
            return [
                e["stateEnteredEventDetails"]["name"] for e in history(execution) if "stateEnteredEventDetails" in e
            ]

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
            config=runtime_config,
            s3=s3,
            sfn=sfn,
            machine=machine,
            mantle=mantle,
            calls=calls,
            put=put,
            start=start,
            wait=wait,
            history=history,
            entered=entered,
            notifications=notifications,
            registry_item=registry_item,
            region=region,
            ssm=boto3.client("ssm", region_name=region),
            bedrock=boto3.client("bedrock", region_name=region),
            deployments=deployments,
        )


def asl_text(definition: dict) -> str:
    """JSON for moto's ASL parser, which rejects exponent notation (Python writes 1e-05; CDK's
    own template writes 0.00001, which real Step Functions reads)."""
    text = json.dumps(definition)
    return re.sub(r"(?<=[:\[,] )(-?\d+(?:\.\d+)?e-?\d+)", lambda m: f"{float(m.group(1)):.12f}".rstrip("0"), text)


def datasets(world, train_rows=120, validation_rows=20) -> dict:
    """A valid run input: 120 training and 20 held-out tickets, polled every second."""
    return {
        "train": world.put("train.jsonl", [ticket(i) for i in range(train_rows)]),
        "validation": world.put("validation.jsonl", [ticket(i) for i in range(5000, 5000 + validation_rows)]),
        "poll_seconds": 1,
    }


def output(described: dict) -> dict:
    return json.loads(described["output"])


def promote_whatever_is_evaluated(config: dict) -> None:
    """An ``edit_config`` for tests of permissions and contracts rather than of the gate's
    judgement: the gate promotes any candidate that was evaluated at all (a hold would wait for
    a person), so every step down to Promote runs."""
    config["promotion"].update(min_improvement_over_base=-1.0, min_improvement_over_current=-1.0, min_paired_prompts=1)


def invoice_rows(n: int, *, kind: str = "Invoice", field: str = "vendor") -> list[dict]:
    """Nova examples: pull the issuer (``field``) and the total out of a one-line document."""
    return [
        {
            "messages": [{"role": "user", "content": f"{kind} {i}: ACME, total {i}.00 USD"}],
            "reference_answer": {field: "ACME", "total": float(i)},
        }
        for i in range(n)
    ]


def start_native_run(world, rows: list[dict], *, train_rows: int = 120, job_status: str = "Completed") -> str:
    """Start a run on ``rows`` (the first ``train_rows`` train, the rest validate), wait for its
    native job, and end the job (moto's jobs never finish by themselves). Returns the execution."""
    from moto.bedrock.models import bedrock_backends

    execution = world.start(
        {
            "train": world.put("train.jsonl", rows[:train_rows]),
            "validation": world.put("validation.jsonl", rows[train_rows:]),
            "poll_seconds": 1,
        }
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "WaitForJob" not in world.entered(execution):
        time.sleep(0.05)
    for job in bedrock_backends[MOTO_ACCOUNT][world.region].model_customization_jobs.values():
        job.status = job_status
    return execution
