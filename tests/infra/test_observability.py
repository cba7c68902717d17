"""Dashboard, alarms, job-state rule and consumer policy, read from the synthesized template."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from constructs_lib.metric_catalog import GRADER_SERVICE, JUDGE_METRICS
from rft.config.loader import REPO_ROOT, load_team

AWS_NAMESPACES_RECEIVED = {"AWS/BedrockMantle", "AWS/Bedrock"}  # traffic of promoted models


def _resolve(node, resources):
    """Dashboard bodies are Fn::Join strings: turn Refs/GetAtts into `<LogicalId>` markers."""
    if isinstance(node, dict) and len(node) == 1:
        ((key, value),) = node.items()
        if key == "Ref":
            return {"AWS::Region": "us-west-2", "AWS::Partition": "aws", "AWS::AccountId": "111111111111"}.get(
                value, f"<{value}>"
            )
        if key == "Fn::GetAtt":
            return f"<{value[0]}>"
        if key == "Fn::Join":
            return value[0].join(str(_resolve(p, resources)) for p in value[1])
    return node


def _emitted_grader_metric_names() -> set[str]:
    """Run the real grader handler once and read the metric names of its EMF document."""
    env = os.environ | {
        "GRADER_SPEC": json.dumps({"template": "classification", "labels": ["a", "b"]}),
        "POWERTOOLS_METRICS_NAMESPACE": "RFT/t/Graders",
        "POWERTOOLS_SERVICE_NAME": GRADER_SERVICE,
        "CUSTOMIZATION_NAME": "c",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "AWS_REGION": "us-west-2",
    }
    code = (
        "import handler, types\n"
        "ctx = types.SimpleNamespace(function_name='f', memory_limit_in_mb=128, "
        "invoked_function_arn='arn', aws_request_id='1', get_remaining_time_in_millis=lambda: 60000)\n"
        "handler.lambda_handler([{'id': '1', 'messages': [{'role': 'user', 'content': 'q'}, "
        "{'role': 'assistant', 'content': 'a'}], 'reference_answer': 'a'}], ctx)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT / "lambda" / "grader",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    [document] = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["Customization", "service"]]
    return {m["Name"] for m in directive["Metrics"]}


@pytest.fixture(scope="module")
def platform(synth):
    return synth("example").template("all-but-data")


def _dashboard_widgets(template):
    """Widgets of every dashboard: the team overview and each customization's own."""
    return [
        widget
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Dashboard"
        for widget in json.loads(_resolve(r["Properties"]["DashboardBody"], template["Resources"]))["widgets"]
    ]


@pytest.fixture(scope="module")
def dashboard_metrics(platform):
    return [
        metric
        for widget in _dashboard_widgets(platform)
        if widget["type"] == "metric"
        for metric in widget["properties"]["metrics"]
    ]


def test_every_dashboard_metric_is_emitted_or_received_by_something_in_the_stack(platform, dashboard_metrics):
    resources = platform["Resources"]
    # Widgets name functions and state machines by their fixed names (they live in other stacks).
    functions = {r["Properties"]["FunctionName"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"}
    machines = {
        f"arn:aws:states:us-west-2:111111111111:stateMachine:{r['Properties']['StateMachineName']}"
        for r in resources.values()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
    }
    customizations = {c.name for c in load_team("example").customizations}
    grader_names = _emitted_grader_metric_names() | set(JUDGE_METRICS)
    namespaces = {"RFT/example/Graders", "RFT/example/Training"}
    assert dashboard_metrics
    for metric in dashboard_metrics:
        if isinstance(metric[0], dict):  # a SEARCH expression
            expression = metric[0]["expression"]
            namespace = re.search(r"\{([^,}]+)", expression).group(1)
            assert namespace in namespaces | AWS_NAMESPACES_RECEIVED, expression
            for customization in re.findall(r'Customization="([^"]+)"', expression):
                assert customization in customizations
            continue
        namespace, name, *rest = [m for m in metric if not isinstance(m, dict)]
        dimensions = dict(zip(rest[::2], rest[1::2], strict=False))
        if namespace == "AWS/Lambda":
            assert dimensions["FunctionName"] in functions, metric
        elif namespace == "AWS/States":
            assert dimensions["StateMachineArn"] in machines, metric
        elif namespace == "RFT/example/Graders":
            assert name in grader_names, f"the grader emits no {name}"
            assert dimensions == {"Customization": dimensions["Customization"], "service": GRADER_SERVICE}
            assert dimensions["Customization"] in customizations
        else:
            pytest.fail(f"metric of an unexpected namespace: {metric}")


def test_every_judge_counter_is_a_per_sample_metric_the_judges_write():
    """A renamed per-sample metric would silently zero its batch counter and alarm."""
    from pathlib import Path

    import rft_graders.judges
    from rft_contracts.metrics import JUDGE_COUNTERS

    source = "".join(p.read_text() for p in Path(rft_graders.judges.__file__).parent.glob("*.py"))
    for per_sample in JUDGE_COUNTERS:
        assert f'"{per_sample}"' in source, per_sample


def test_nova_teams_see_bedrock_runtime_traffic_and_mantle_teams_do_not(platform, nova_platform):
    def expressions(template):
        return [
            m[0]["expression"]
            for w in _dashboard_widgets(template)
            if w["type"] == "metric"
            for m in w["properties"]["metrics"]
            if isinstance(m[0], dict)
        ]

    assert any("{AWS/Bedrock,ModelId}" in e for e in expressions(nova_platform))
    assert not any("{AWS/Bedrock,ModelId}" in e for e in expressions(platform))


def test_dashboard_has_a_section_per_customization(platform):
    headings = [w["properties"]["markdown"] for w in _dashboard_widgets(platform) if w["type"] == "text"]
    for c in load_team("example").customizations:
        assert f"## {c.name}" in headings


def test_every_alarm_notifies_the_team_topic(platform):
    resources = platform["Resources"]
    [topic] = [r for r in resources.values() if r["Type"] == "AWS::SNS::Topic"]
    topic_arn = f"arn:aws:sns:us-west-2:111111111111:{topic['Properties']['TopicName']}"
    alarms = {
        lid: r
        for lid, r in resources.items()
        if r["Type"] in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
    }
    assert alarms
    for lid, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [topic_arn], lid


def test_each_customization_has_its_alarms_and_one_composite(platform):
    resources = platform["Resources"]
    for c in load_team("example").customizations:
        slug = c.name.replace("-", "")
        names = {lid for lid in resources if lid.startswith(f"Customization{slug}Alarms")}
        for alarm in (
            "WorkflowFailed",
            "WorkflowTimedOut",
            "GraderErrorRate",
            "GraderThrottles",
            "GraderNearTimeout",
            "RewardCollapse",
        ):
            assert any(n.startswith(f"Customization{slug}Alarms{alarm}") for n in names), (c.name, alarm)
        has_judge = "model" in c.grader
        assert any("JudgeParseErrors" in n for n in names) is has_judge, c.name
        composites = [n for n in names if resources[n]["Type"] == "AWS::CloudWatch::CompositeAlarm"]
        assert len(composites) == 1


def test_grader_near_timeout_threshold_follows_the_configured_timeout(platform):
    alarm = next(
        r
        for lid, r in platform["Resources"].items()
        if lid.startswith("CustomizationtickettriageAlarmsGraderNearTimeout")
    )
    assert alarm["Properties"]["Threshold"] == 0.8 * 5 * 60 * 1000
    assert alarm["Properties"]["ExtendedStatistic"] == "p95"


@pytest.fixture(scope="module")
def nova_platform(synth):
    return synth("nova-example").template("all-but-data")


def test_job_state_rule_matches_our_terminal_job_events_only(nova_platform):
    # moto's EventBridge pattern matcher (its test_event_pattern API is a stub in 5.2.5).
    from moto.events.models import EventPattern

    [rule] = [
        r
        for r in nova_platform["Resources"].values()
        if r["Type"] == "AWS::Events::Rule" and r["Properties"]["EventPattern"]["source"] == ["aws.bedrock"]
    ]  # not the abandoned-run rule
    pattern = EventPattern.load(json.dumps(rule["Properties"]["EventPattern"]))

    def event(job_name: str, **detail):
        return {
            "id": "1",
            "account": "222222222222",
            "time": "2026-11-25T18:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "source": "aws.bedrock",
            "detail-type": "Model Customization Job State Change",
            "detail": {"jobName": job_name, **detail},
        }

    ours = "invoice-extraction-r20261125180000-abc123"
    assert pattern.matches_event(event(ours, jobStatus="Completed"))
    assert pattern.matches_event(event(ours, jobStatus="Failed", failureMessage="boom"))
    assert not pattern.matches_event(event(ours, jobStatus="InProgress"))
    assert not pattern.matches_event(event("someone-elses-job", jobStatus="Completed"))
    assert not pattern.matches_event(event(ours, status="Completed"))  # detail.status is not it
    other_source = event(ours, jobStatus="Completed") | {"source": "aws.sagemaker"}
    assert not pattern.matches_event(other_source)


def test_rule_targets_have_a_kms_encrypted_dead_letter_queue(nova_platform):
    resources = nova_platform["Resources"]
    [rule] = [
        r
        for r in resources.values()
        if r["Type"] == "AWS::Events::Rule" and r["Properties"]["EventPattern"]["source"] == ["aws.bedrock"]
    ]  # not the abandoned-run rule
    assert len(rule["Properties"]["Targets"]) == 2  # the topic and the registry recorder
    for target in rule["Properties"]["Targets"]:
        queue_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        assert "KmsMasterKeyId" in resources[queue_id]["Properties"]


def test_mantle_only_teams_get_no_native_job_rule(platform):
    assert not [
        r
        for r in platform["Resources"].values()
        if r["Type"] == "AWS::Events::Rule" and r["Properties"]["EventPattern"]["source"] == ["aws.bedrock"]
    ]  # not the abandoned-run rule


def test_consumer_policy_allows_inference_and_reading_model_ids_only(platform):
    [policy] = [
        r
        for r in platform["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
        and r["Properties"].get("ManagedPolicyName") == "rft-example-model-consumers"
    ]
    actions = {
        a
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert actions == {
        "ssm:GetParameter",
        "bedrock-mantle:CallWithBearerToken",
        "bedrock-mantle:CreateInference",
        "bedrock-mantle:GetModel",
    }
    [read] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Sid"] == "ReadPromotedModelIds"]
    assert json.dumps(read["Resource"]).endswith('parameter/rft/example/*/model"')
