"""Aborted and timed-out executions (issue 11, item 7): the synthesized EventBridge rule matches
exactly our ABORTED / TIMED_OUT execution events, and the cleanup function cancels the run's job.

Sample events follow the "Step Functions Execution Status Change" examples of
https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html (version, id, detail-type,
source, account, time, region, resources, detail = DescribeExecution's fields).
"""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.local_world import MOTO_ACCOUNT, RUN_ID, datasets

CLEANUP_FUNCTION = "rft-example-wf-cleanup-abandoned-run"


def execution_event(
    machine_arn: str, name: str, status: str, *, region: str = "us-west-2", account: str = "111111111111"
) -> dict:
    """Shape of the AWS documentation's example (cw-events.html, "Execution Aborted")."""
    execution_arn = machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
    return {
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": account,
        "time": "2026-11-25T19:42:21Z",
        "region": region,
        "resources": [execution_arn],
        "detail": {
            "executionArn": execution_arn,
            "stateMachineArn": machine_arn,
            "name": name,
            "status": status,
            "startDate": 1551225014968,
            "stopDate": 1551225017576,
            "input": "{}",
            "inputDetails": {"included": True},
            "output": None,
            "outputDetails": None,
        },
    }


@pytest.fixture(scope="module")
def platform(synth):
    return synth("example").template("all-but-data")


def _cleanup_rule(template: dict) -> dict:
    [rule] = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Events::Rule" and r["Properties"]["EventPattern"]["source"] == ["aws.states"]
    ]
    return rule


def test_the_rule_matches_our_aborted_and_timed_out_executions_only(platform):
    from moto.events.models import EventPattern

    pattern = EventPattern.load(json.dumps(_cleanup_rule(platform)["Properties"]["EventPattern"]))
    ours = "arn:aws:states:us-west-2:111111111111:stateMachine:rft-example-ticket-triage"
    assert pattern.matches_event(execution_event(ours, RUN_ID, "ABORTED"))
    assert pattern.matches_event(execution_event(ours, RUN_ID, "TIMED_OUT"))
    for handled_elsewhere in ("RUNNING", "SUCCEEDED", "FAILED"):  # FAILED ran RecordFailure
        assert not pattern.matches_event(execution_event(ours, RUN_ID, handled_elsewhere))
    other = "arn:aws:states:us-west-2:111111111111:stateMachine:rft-other-team-ticket-triage"
    assert not pattern.matches_event(execution_event(other, RUN_ID, "ABORTED"))
    assert not pattern.matches_event(execution_event(ours, RUN_ID, "ABORTED") | {"source": "aws.sagemaker"})


def test_the_rule_targets_the_cleanup_function_with_a_dead_letter_queue_and_errors_alarm(platform):
    resources = platform["Resources"]
    [target] = _cleanup_rule(platform)["Properties"]["Targets"]
    function_id = target["Arn"]["Fn::GetAtt"][0]
    assert resources[function_id]["Properties"]["FunctionName"] == CLEANUP_FUNCTION
    assert "KmsMasterKeyId" in resources[target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]]["Properties"]
    alarms = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and r["Properties"].get("MetricName") == "Errors"
        and {"Name": "FunctionName", "Value": {"Ref": function_id}} in r["Properties"].get("Dimensions", [])
    ]
    assert len(alarms) == 1 and alarms[0]["Threshold"] == 1


def _cleanup_environment(platform: dict, monkeypatch) -> None:
    """The deployed function's own environment, from the template (account moved to moto's)."""
    [function] = [
        r
        for r in platform["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["FunctionName"] == CLEANUP_FUNCTION
    ]
    for name, value in function["Properties"]["Environment"]["Variables"].items():
        assert isinstance(value, str), (name, value)  # literal names, no tokens
        monkeypatch.setenv(name, value.replace("111111111111", MOTO_ACCOUNT))


def test_a_stopped_execution_gets_its_running_job_cancelled_and_recorded(local_platform, platform, monkeypatch):
    import handlers

    from tests.fakes.inprocess_lambda import fake_context

    world = local_platform("example", "ticket-triage", statuses=("running",))
    execution = world.start(datasets(world))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "WaitForJob" not in world.entered(execution):
        time.sleep(0.05)
    world.sfn.stop_execution(executionArn=execution, error="Manual", cause="operator stopped it")
    described = world.wait(execution)
    assert described["status"] == "ABORTED"
    [job] = world.mantle.jobs.values()
    assert job["status"] != "cancelled"  # nothing in the state machine ran: the leak this closes

    _cleanup_environment(platform, monkeypatch)
    event = execution_event(described["stateMachineArn"], described["name"], described["status"], account=MOTO_ACCOUNT)
    result = handlers.cleanup_abandoned_run(event, fake_context(CLEANUP_FUNCTION))
    assert result["cancelled"] is True and result["job_id"] == job["id"]
    assert world.mantle.jobs[job["id"]]["status"] == "cancelled"
    record = world.registry_item()
    assert record["status"] == "failed" and record["execution_status"] == "ABORTED"
    assert record["cleanup"]["cancelled"] is True and record["job_cancelled"] is True
    # No state wrote the run's page: the cleanup asked WriteRunReport for it (issue 12, item 5).
    assert result["report"] == "written"
    from rft_contracts.naming import run_report_key

    key = run_report_key("ticket-triage", RUN_ID)
    page = world.s3.get_object(Bucket=world.config["artifacts_bucket"], Key=key)["Body"].read().decode()
    assert RUN_ID in page and ">failed<" in page
    assert world.registry_item()["report_key"] == key
    # Delivered twice (EventBridge is at-least-once): nothing more to do, nothing breaks.
    again = handlers.cleanup_abandoned_run(event, fake_context(CLEANUP_FUNCTION))
    assert again["cancelled"] is False


def test_rft_run_stop_stops_the_execution_with_its_reason(monkeypatch, capsys):
    import argparse

    import boto3
    from moto import mock_aws

    from rft import run_control as run_cli

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-west-2",
        "MOTO_ACCOUNT_ID": "111111111111",
    }.items():
        monkeypatch.setenv(key, value)

    def cli(*argv: str) -> int:
        parser = argparse.ArgumentParser(prog="rft")
        run_cli.register(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args(["run", *argv])
        return args.func(args)

    with mock_aws(config={"stepfunctions": {"execute_state_machine": False}}):  # stays RUNNING
        sfn = boto3.client("stepfunctions", region_name="us-west-2")
        arn = sfn.create_state_machine(
            name="rft-example-ticket-triage",
            roleArn="arn:aws:iam::111111111111:role/sfn",
            definition=json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}),
        )["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, name=RUN_ID)["executionArn"]
        assert (
            cli("stop", RUN_ID, "--team", "example", "--customization", "ticket-triage", "--reason", "wrong dataset")
            == 0
        )
        described = sfn.describe_execution(executionArn=execution)
        assert described["status"] == "ABORTED"
        assert "cleanup" in capsys.readouterr().out
        assert cli("stop", RUN_ID, "--team", "example", "--customization", "ticket-triage") == 2
        assert capsys.readouterr().err.strip() == f"rft run: run {RUN_ID} is not running (status: ABORTED)"


def test_the_cleanup_waits_long_enough_for_the_report_and_not_longer_than_it_may_run(platform):
    """The cleanup invokes WriteRunReport synchronously: its client waits past the report
    function's timeout, and its own timeout leaves room for that wait after its work."""
    from rft_workflow.cleanup import REPORT_WAIT_SECONDS

    timeouts = {
        r["Properties"]["FunctionName"]: r["Properties"]["Timeout"]
        for r in platform["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and isinstance(r["Properties"].get("FunctionName"), str)
    }
    report = timeouts["rft-example-wf-write-run-report"]
    assert report < REPORT_WAIT_SECONDS < timeouts[CLEANUP_FUNCTION] - 60
