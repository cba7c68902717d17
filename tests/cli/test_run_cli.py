"""`rft run` against moto: start (uploads + execution), watch, approve/reject, clear errors."""

from __future__ import annotations

import argparse
import hashlib
import json
import time

import boto3
import pytest

from rft import run_control as run_cli
from rft_contracts.run_ids import RUN_ID_LENGTH, is_run_id
from tests.fakes.registry_table import create_registry_table

TEAM, CUSTOMIZATION, ACCOUNT, REGION = "example", "ticket-triage", "111111111111", "us-west-2"
BUCKET = f"rft-{TEAM}-datasets-{ACCOUNT}-{REGION}"
MACHINE = f"rft-{TEAM}-{CUSTOMIZATION}"
MACHINE_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{MACHINE}"
TABLE = f"rft-{TEAM}-runs"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sfn"


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="rft")
    run_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["run", *argv])
    return args.func(args)


@pytest.fixture(autouse=True)
def env(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "MOTO_ACCOUNT_ID": ACCOUNT,
        "USER": "tester",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setattr(run_cli, "_sleep", lambda seconds: time.sleep(0.05))


@pytest.fixture
def aws():
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        create_registry_table(TABLE, REGION)
        yield s3


def machine(definition: dict) -> str:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    arn = sfn.create_state_machine(name=MACHINE, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    assert arn == MACHINE_ARN
    return arn


WAIT_FOREVER = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def test_start_uploads_new_versions_and_starts_a_named_execution(aws, tmp_path, capsys):
    machine(WAIT_FOREVER)
    train, validation = tmp_path / "t.jsonl", tmp_path / "v.jsonl"
    train.write_bytes(b'{"messages": []}\n')
    validation.write_bytes(b'{"messages": [1]}\n')
    assert (
        cli(
            "start",
            "--team",
            TEAM,
            "--customization",
            CUSTOMIZATION,
            "--train",
            str(train),
            "--validation",
            str(validation),
            "--poll-seconds",
            "5",
        )
        == 0
    )
    name = capsys.readouterr().out.strip()
    assert is_run_id(name) and len(name) == RUN_ID_LENGTH
    assert name.endswith(hashlib.sha256(train.read_bytes()).hexdigest()[:6])
    assert len(f"{CUSTOMIZATION}-{name}") <= 63
    sfn = boto3.client("stepfunctions", region_name=REGION)
    execution = sfn.describe_execution(executionArn=f"{MACHINE_ARN.replace('stateMachine', 'execution')}:{name}")
    run_input = json.loads(execution["input"])["input"]
    assert run_input.pop("started_by").startswith("arn:aws:")  # the caller (STS), for the promotion gate
    versions = aws.list_object_versions(Bucket=BUCKET, Prefix=CUSTOMIZATION)["Versions"]
    latest = {v["Key"]: v["VersionId"] for v in versions if v["IsLatest"]}
    assert run_input == {
        "train": {"key": f"{CUSTOMIZATION}/train.jsonl", "version_id": latest[f"{CUSTOMIZATION}/train.jsonl"]},
        "validation": {
            "key": f"{CUSTOMIZATION}/validation.jsonl",
            "version_id": latest[f"{CUSTOMIZATION}/validation.jsonl"],
        },
        "poll_seconds": 5,
    }
    assert aws.get_object(Bucket=BUCKET, Key=f"{CUSTOMIZATION}/train.jsonl")["Body"].read() == train.read_bytes()


def test_start_without_files_pins_the_current_versions(aws, capsys):
    machine(WAIT_FOREVER)
    version = aws.put_object(Bucket=BUCKET, Key=f"{CUSTOMIZATION}/train.jsonl", Body=b"x\n")["VersionId"]
    assert cli("start", "--team", TEAM, "--customization", CUSTOMIZATION) == 0
    name = capsys.readouterr().out.strip()
    execution = boto3.client("stepfunctions", region_name=REGION).describe_execution(
        executionArn=f"{MACHINE_ARN.replace('stateMachine', 'execution')}:{name}"
    )
    run_input = json.loads(execution["input"])["input"]
    assert run_input.pop("started_by")
    assert run_input == {"train": {"key": f"{CUSTOMIZATION}/train.jsonl", "version_id": version}, "validation": None}


def test_start_errors(aws, tmp_path, capsys):
    assert cli("start", "--team", TEAM, "--customization", CUSTOMIZATION) == 2
    assert "train.jsonl does not exist; pass --train FILE" in capsys.readouterr().err
    assert cli("start", "--team", TEAM, "--customization", CUSTOMIZATION, "--train", str(tmp_path / "no")) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "t.jsonl").write_bytes(b"x\n")
    assert cli("start", "--team", TEAM, "--customization", CUSTOMIZATION, "--train", str(tmp_path / "t.jsonl")) == 2
    assert f"state machine {MACHINE_ARN} does not exist" in capsys.readouterr().err
    assert cli("start", "--team", "nobody", "--customization", CUSTOMIZATION) == 2
    assert "no config for team 'nobody'" in capsys.readouterr().err
    assert cli("start", "--team", TEAM, "--customization", "nope") == 2
    assert "declares no customization 'nope'" in capsys.readouterr().err


def _start(name: str, definition: dict, run_input: dict | None = None) -> str:
    machine(definition)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    return sfn.start_execution(stateMachineArn=MACHINE_ARN, name=name, input=json.dumps(run_input or {}))[
        "executionArn"
    ]


def test_watch_prints_each_state_once_and_exits_0_on_success(aws, capsys):
    _start(
        "r20260101000000-aaaaaa",
        {
            "StartAt": "ValidateDataset",
            "States": {
                "ValidateDataset": {"Type": "Pass", "Next": "Promote"},
                "Promote": {"Type": "Pass", "End": True},
            },
        },
    )
    assert (
        cli("watch", "r20260101000000-aaaaaa", "--team", TEAM, "--customization", CUSTOMIZATION, "--interval", "0") == 0
    )
    out = capsys.readouterr().out
    lines = [line.split(" ", 1)[1] for line in out.splitlines() if line[:2].isdigit()]
    assert lines == ["-> ValidateDataset", "ok ValidateDataset", "-> Promote", "ok Promote", "run succeeded"]
    assert out.strip().endswith("r20260101000000-aaaaaa: SUCCEEDED")


def test_watch_exits_1_on_failure(aws, capsys):
    _start(
        "r20260101000000-bbbbbb",
        {
            "StartAt": "Check",
            "States": {
                "Check": {"Type": "Pass", "Next": "RunFailed"},
                "RunFailed": {"Type": "Fail", "Error": "DatasetInvalid", "Cause": "3 dataset problems"},
            },
        },
    )
    assert cli("watch", "r20260101000000-bbbbbb", "--team", TEAM, "--customization", CUSTOMIZATION) == 1
    out = capsys.readouterr().out
    assert "DatasetInvalid: 3 dataset problems" in out and out.strip().endswith("FAILED")


def test_watch_unknown_run(aws, capsys):
    machine(WAIT_FOREVER)
    assert cli("watch", "r20260101000000-cccccc", "--team", TEAM, "--customization", CUSTOMIZATION) == 2
    assert "no run r20260101000000-cccccc of ticket-triage" in capsys.readouterr().err


APPROVAL_MACHINE = {
    "StartAt": "RequestApproval",
    "States": {
        "RequestApproval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl.$": "$.queue", "MessageBody": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.approval",
            "Next": "Approved?",
        },
        "Approved?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.approval.approved", "BooleanEquals": True, "Next": "Go"}],
            "Default": "Rejected",
        },
        "Go": {"Type": "Succeed"},
        "Rejected": {"Type": "Fail", "Error": "Rejected"},
    },
}


def _awaiting(name: str) -> str:
    """Start a run that waits for a task token; record the token as request_approval does."""
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="approvals")["QueueUrl"]
    arn = _start(name, APPROVAL_MACHINE, {"queue": queue})
    for _ in range(100):
        messages = sqs.receive_message(QueueUrl=queue).get("Messages")
        if messages:
            break
        time.sleep(0.02)
    token = json.loads(messages[0]["Body"])["token"]
    boto3.resource("dynamodb", region_name=REGION).Table(TABLE).put_item(
        Item={"customization": CUSTOMIZATION, "run_id": name, "status": "awaiting_approval", "task_token": token}
    )
    return arn


def _final(arn: str) -> dict:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    for _ in range(200):
        execution = sfn.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING":
            return execution
        time.sleep(0.02)
    raise AssertionError("execution did not finish")


@pytest.mark.parametrize("action,approved,final", [("approve", True, "SUCCEEDED"), ("reject", False, "FAILED")])
def test_approve_and_reject_complete_the_task(aws, capsys, action, approved, final):
    arn = _awaiting("r20260101000000-dddddd")
    assert (
        cli(
            action,
            "r20260101000000-dddddd",
            "--team",
            TEAM,
            "--customization",
            CUSTOMIZATION,
            "--reason",
            "budget ok" if approved else "too costly",
        )
        == 0
    )
    execution = _final(arn)
    assert execution["status"] == final
    item = (
        boto3.resource("dynamodb", region_name=REGION)
        .Table(TABLE)
        .get_item(Key={"customization": CUSTOMIZATION, "run_id": "r20260101000000-dddddd"})["Item"]
    )
    assert item["status"] == ("approved" if approved else "rejected") and "task_token" not in item
    assert item["approval"]["approved"] is approved and item["approval"]["by"].startswith("arn:aws:")
    assert item["approval"]["reason"] == ("budget ok" if approved else "too costly")
    assert f"{'approved' if approved else 'rejected'} by arn:aws:" in capsys.readouterr().out
    # answering twice is refused: the run no longer awaits approval
    assert cli("approve", "r20260101000000-dddddd", "--team", TEAM, "--customization", CUSTOMIZATION) == 2
    assert "is not awaiting approval (status: " in capsys.readouterr().err


def test_approve_unknown_run(aws, capsys):
    assert cli("approve", "r20260101000000-eeeeee", "--team", TEAM, "--customization", CUSTOMIZATION) == 2
    assert f"no run r20260101000000-eeeeee of {CUSTOMIZATION} in the registry {TABLE}" in capsys.readouterr().err


def test_no_credentials_is_one_line(monkeypatch, tmp_path, capsys):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert cli("approve", "r20260101000000-ffffff", "--team", TEAM, "--customization", CUSTOMIZATION) == 2
    err = capsys.readouterr().err
    assert err.startswith("rft run: no AWS credentials found") and err.count("\n") == 1
