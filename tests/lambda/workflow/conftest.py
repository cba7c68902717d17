"""Fixtures for the workflow handlers: moto (S3, DynamoDB, SNS, SSM, Lambda, Bedrock,
CloudWatch), the fake mantle endpoint, an in-process grader function, datasets and states."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

WORKFLOW_DIR = Path(__file__).resolve().parents[3] / "lambda" / "workflow"
for path in (WORKFLOW_DIR, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from workflow_testkit import (  # noqa: E402
    ACCOUNT,
    CUSTOMIZATION,
    REGION,
    SPEC,
    TEAM,
    gold_label,
    jsonl,
    ticket_row,
)


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "RFT/example/Workflow",
        "POWERTOOLS_SERVICE_NAME": "rft-workflow",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("MANTLE_BASE_URL", raising=False)


@pytest.fixture
def aws(monkeypatch):
    """Everything the handlers touch, in moto, plus helpers. Yields a namespace."""
    import boto3
    from moto import mock_aws

    from rft_graders.spec import spec_hash
    from tests.fakes.inprocess_lambda import MOTO_CONFIG, create_function, grader_handler, install
    from tests.fakes.registry_table import create_registry_table

    calls = install(monkeypatch, {"grader": grader_handler(SPEC)})
    with mock_aws(config=MOTO_CONFIG):
        s3 = boto3.client("s3", region_name=REGION)
        datasets = f"rft-{TEAM}-datasets-{ACCOUNT}-{REGION}"
        artifacts = f"rft-{TEAM}-artifacts-{ACCOUNT}-{REGION}"
        for bucket in (datasets, artifacts):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        table = f"rft-{TEAM}-runs"
        create_registry_table(table, REGION)
        sns = boto3.client("sns", region_name=REGION)
        topic = sns.create_topic(Name=f"rft-{TEAM}-notifications")["TopicArn"]
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="notifications")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        grader_arn = create_function("grader", REGION)

        config = {
            "team": TEAM,
            "customization": CUSTOMIZATION,
            "base_model": "qwen.qwen3-32b",
            "control_plane": "mantle",
            "responses_api": False,
            "region": REGION,
            "account": ACCOUNT,
            "hyperparameters": {"n_epochs": 2, "batch_size": 16, "learning_rate_multiplier": 0.5},
            "grader_function_arn": grader_arn,
            "grader_spec": SPEC,
            "grader_spec_hash": spec_hash(SPEC),
            "datasets_bucket": datasets,
            "artifacts_bucket": artifacts,
            "service_role_arn": None,
            "kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000",
            "registry_table": table,
            "model_parameter": f"/rft/{TEAM}/{CUSTOMIZATION}/model",
            "topic_arn": topic,
            "dataset_limits": {"min_rows": 10, "max_rows": 500, "max_prompt_tokens": 200},
            "audit": {
                "prompts": 6,
                "samples_per_prompt": 4,
                "max_tokens": 64,
                "max_zero_spread_fraction": 0.8,
                "max_baseline_mean": 0.95,
                "max_error_rate": 0.05,
                "skip_reason": None,
                "model_id": None,
            },
            "budget": {"approval_above_usd": 50.0, "max_usd": 500.0},
            "pricing": {"usd_per_million_training_tokens": 10.0, "usd_per_million_inference_tokens": 1.0},
            "workflow": {"poll_seconds": 300, "max_job_hours": 24, "mantle_validation_file": False},
            "evaluation": {
                "max_prompts": 8,
                "max_concurrency": 4,
                "max_tokens": 64,
                "batch_size": 3,
                "item_concurrency": 2,
                "nova_deployment": {"enabled": False, "keep": "never", "ready_timeout_minutes": 60},
            },
            "selection": {"metric": "reward_mean", "prefer": "latest_on_tie"},
            "promotion": {
                "metric": "reward_mean",
                "pass_threshold": 1.0,
                "min_improvement_over_base": 0.0,
                "min_improvement_over_current": 0.0,
                "confidence": 0.95,
                "bootstrap_samples": 500,
                "min_paired_prompts": 4,
                "require_distinct_approver": False,
                "approval_timeout_hours": 24,
            },
        }

        def put_dataset(name: str, rows) -> dict:
            key = f"{CUSTOMIZATION}/{name}"
            body = rows if isinstance(rows, bytes) else jsonl(rows)
            version = s3.put_object(Bucket=datasets, Key=key, Body=body)["VersionId"]
            return {"key": key, "version_id": version}

        def read_json(key: str) -> dict:
            return json.loads(s3.get_object(Bucket=artifacts, Key=key)["Body"].read())

        def registry_item(run_id: str) -> dict | None:
            from rft_contracts.registry import from_dynamo

            item = (
                boto3.resource("dynamodb", region_name=REGION)
                .Table(table)
                .get_item(Key={"customization": CUSTOMIZATION, "run_id": run_id})
                .get("Item")
            )
            return from_dynamo(item) if item else None

        def notifications() -> list[str]:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            return [m["Body"] for m in messages]

        yield SimpleNamespace(
            config=config,
            s3=s3,
            put_dataset=put_dataset,
            read_json=read_json,
            registry_item=registry_item,
            notifications=notifications,
            grader_calls=calls["grader"],
            table=table,
            topic=topic,
        )


@pytest.fixture
def mantle(monkeypatch):
    from tests.fakes.mantle_server import FakeMantle

    fake = FakeMantle(respond=lambda model, messages: gold_label(messages))
    with fake:
        monkeypatch.setenv("MANTLE_BASE_URL", fake.base_url)
        yield fake


@pytest.fixture
def handlers():
    import handlers as module

    return module


@pytest.fixture
def ctx():
    from tests.fakes.inprocess_lambda import fake_context

    return fake_context("workflow")


@pytest.fixture
def datasets(aws):
    """A valid train (40 rows) and validation (12 rows) pair; returns the run input."""
    train = aws.put_dataset("train.jsonl", [ticket_row(i) for i in range(40)])
    validation = aws.put_dataset("validation.jsonl", [ticket_row(i) for i in range(1000, 1012)])
    return {"train": train, "validation": validation}
