"""`rft doctor --team T` against moto and the fake mantle endpoint: one line per check, exit codes.

The team's resources are made in moto from the synthesized templates where it matters (the
datasets bucket policy and the abandoned-run rule come from the data and platform stacks)."""

from __future__ import annotations

import argparse
import json

import boto3
import pytest

from rft import doctor
from rft.config.loader import load_team
from tests.fakes.registry_table import create_registry_table

TEAM, ACCOUNT, REGION = "example", "111111111111", "us-west-2"


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="rft")
    doctor.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["doctor", *argv])
    return args.func(args)


@pytest.fixture
def world(synth, monkeypatch):
    from moto import mock_aws

    from tests.fakes.mantle_server import FakeMantle

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "MOTO_ACCOUNT_ID": ACCOUNT,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    result = synth(TEAM)
    data, platform = result.template("data"), result.template("all-but-data")
    team = load_team(TEAM)
    with mock_aws(), FakeMantle() as mantle:
        monkeypatch.setenv("MANTLE_BASE_URL", mantle.base_url)
        monkeypatch.setattr(
            "rft.aws_errors.mantle_client",
            lambda region: __import__("openai").OpenAI(base_url=mantle.base_url, api_key="bedrock-api-key-test"),
        )
        s3 = boto3.client("s3", region_name=REGION)
        bucket = f"rft-{TEAM}-datasets-{ACCOUNT}-{REGION}"
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        [policy] = [
            r["Properties"]["PolicyDocument"]
            for r in data["Resources"].values()
            if r["Type"] == "AWS::S3::BucketPolicy" and "KeepTrainedDatasetSnapshots" in json.dumps(r)
        ]
        statements = [s for s in policy["Statement"] if s.get("Sid") == doctor.SNAPSHOT_POLICY_SID]
        for s in statements:
            s["Resource"] = f"arn:aws:s3:::{bucket}/*/by-sha256/*"
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
        create_registry_table(f"rft-{TEAM}-runs", REGION)
        from tests.fakes.inprocess_lambda import create_function

        sfn = boto3.client("stepfunctions", region_name=REGION)
        role = boto3.client("iam", region_name=REGION).create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")
        for c in team.customizations:
            create_function(f"rft-{TEAM}-{c.name}-grader", REGION)
            sfn.create_state_machine(
                name=f"rft-{TEAM}-{c.name}",
                roleArn=role["Role"]["Arn"],
                definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}),
            )
        cleanup = create_function(f"rft-{TEAM}-wf-cleanup-abandoned-run", REGION)
        [rule] = [
            r["Properties"]
            for r in platform["Resources"].values()
            if r["Type"] == "AWS::Events::Rule" and r["Properties"]["EventPattern"]["source"] == ["aws.states"]
        ]
        events = boto3.client("events", region_name=REGION)
        events.put_rule(Name="abandoned-runs", EventPattern=json.dumps(rule["EventPattern"]), State="ENABLED")
        events.put_targets(Rule="abandoned-runs", Targets=[{"Id": "cleanup", "Arn": cleanup}])
        yield {"s3": s3, "bucket": bucket, "events": events, "mantle": mantle}


def lines(capsys) -> dict[str, str]:
    out = capsys.readouterr().out.strip().splitlines()
    return {line.split()[1]: line.split()[0] for line in out}


def test_a_healthy_sandbox_passes_with_paid_checks_skipped(world, capsys):
    assert cli("--team", TEAM) == 0
    status = lines(capsys)
    assert status["identity"] == "PASS"
    for check in (
        "registry-table",
        "snapshot-protection",
        "abandoned-run-rule",
        "mantle-fine-tuning-api",
        "state-machine:ticket-triage",
        "grader-function:ticket-triage",
    ):
        assert status[check] == "PASS", check
    assert status["mantle-responses:qwen.qwen3-32b"] == "SKIP"  # paid: only with --paid-probes
    assert status["mantle-validation-file"] == "SKIP" and status["grader-event-shape"] == "SKIP"
    assert status["mantle-route:qwen.qwen3-32b"] in ("PASS", "WARN")  # the fake serves no /v1/models
    assert world["mantle"].requests_to("POST", "/v1/") == []  # read-only: no POST at all


def test_paid_probes_compare_responses_with_the_catalog(world, capsys):
    assert cli("--team", TEAM, "--paid-probes") == 0
    status = lines(capsys)
    # The fake serves Responses for every model: the catalog's "not served" for Qwen is a WARN.
    assert status["mantle-responses:qwen.qwen3-32b"] == "WARN"
    assert status["mantle-responses:openai.gpt-oss-20b"] == "PASS"


def test_a_missing_protection_or_rule_fails_with_one_line_each_and_exit_1(world, capsys):
    world["s3"].delete_bucket_policy(Bucket=world["bucket"])
    world["events"].remove_targets(Rule="abandoned-runs", Ids=["cleanup"])
    assert cli("--team", TEAM) == 1
    out = capsys.readouterr().out
    [protection] = [line for line in out.splitlines() if " snapshot-protection " in line]
    assert protection.startswith("FAIL") and "NoSuchBucketPolicy" in protection
    [rule] = [line for line in out.splitlines() if " abandoned-run-rule " in line]
    assert rule.startswith("FAIL") and "would keep their jobs" in rule
    assert all(len(line.split()) >= 3 for line in out.splitlines())  # status, check, message


def test_credentials_of_another_account_stop_after_the_first_line(world, capsys, monkeypatch):
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "999999999999")
    assert cli("--team", TEAM) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("FAIL  identity") and "999999999999" in out[0]


def test_an_unknown_team_is_one_line_and_exit_2(capsys):
    assert cli("--team", "no-such-team") == 2
    assert capsys.readouterr().err.startswith("rft doctor: ")


def test_native_checks_with_botocore_stubs_validated_against_the_model():
    """Nova checks: moto has no GetFoundationModel / GetInferenceProfile, so the bedrock client
    is a botocore Stubber (which validates each call's parameters against the service model)."""
    from botocore.stub import Stubber

    team = load_team("nova-example")
    bedrock = boto3.client("bedrock", region_name=team.region, aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(bedrock)
    stub.add_response(
        "get_foundation_model",
        {
            "modelDetails": {
                "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-lite-v1:0:256k",
                "modelId": "amazon.nova-2-lite-v1:0:256k",
                "customizationsSupported": ["FINE_TUNING"],
            }
        },
        {"modelIdentifier": "amazon.nova-2-lite-v1:0:256k"},
    )
    # model_id set explicitly both ways: the shipped config may set a profile (issue 11, item 2)
    customization = team.customizations[0]
    customization = customization.model_copy(
        update={"audit": customization.audit.model_copy(update={"model_id": None})}
    )
    checker = doctor.Doctor(team, client=lambda service: bedrock)
    with stub:
        status, text = checker.native_base_model(customization.base_model)
        assert status == doctor.PASS and "FINE_TUNING" in text
        status, text = checker.native_inference_profile(customization)
    assert status == doctor.WARN and "audit.model_id is not set" in text

    with_profile = customization.model_copy(
        update={"audit": customization.audit.model_copy(update={"model_id": "us.amazon.nova-2-lite-v1:0"})}
    )
    stub = Stubber(bedrock)
    stub.add_response(
        "get_inference_profile",
        {
            "inferenceProfileName": "US Nova 2 Lite",
            "inferenceProfileArn": "arn:aws:bedrock:us-east-1:222222222222:inference-profile/us.amazon.nova-2-lite-v1:0",
            "inferenceProfileId": "us.amazon.nova-2-lite-v1:0",
            "status": "ACTIVE",
            "type": "SYSTEM_DEFINED",
            "models": [{"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-lite-v1:0"}],
        },
        {"inferenceProfileIdentifier": "us.amazon.nova-2-lite-v1:0"},
    )
    with stub:
        status, text = checker.native_inference_profile(with_profile)
    assert status == doctor.PASS and "ACTIVE" in text
