"""Every AWS call a handler makes end to end is allowed by the synthesized role of its function.

The synthesized state machines run in moto (tests/e2e/local_world.py) with the real workflow
handlers and grader runtime in-process. moto authorizes nothing, so this test does: each boto3
call (botocore event hooks) and each mantle request (the fake endpoint's request log, which
names the calling function) becomes the authorization requests AWS would make
(tests/iam/authorization.py), and each must be allowed by the policies the template attaches
to that function's role, conditions included (tests/iam/policy_eval.py). A call no policy
allows fails the test with the function, the action and the resource.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re

import pytest

from rft.config.loader import load_team
from rft_contracts.naming import grader_function_name, workflow_function_name
from tests.e2e.local_world import (
    MOTO_ACCOUNT,
    LocalWorlds,
    datasets,
    invoice_rows,
    output,
    promote_whatever_is_evaluated,
    start_native_run,
)
from tests.iam.authorization import (
    World,
    checks_for_boto_call,
    checks_for_mantle_request,
    mantle_caller,
    role_policies,
)
from tests.iam.policy_eval import Decision, allowing_statements, evaluate
from tests.iam.recorder import STATE_MACHINE, CallRecorder


def judge_reply(request: dict) -> str:
    """A judge that gives a verdict bound to the call, varying with the answer it grades."""
    from rft_graders.judges.scripted import request_text, verdict

    digest = hashlib.sha256(request_text(request).encode()).digest()
    return verdict(request, reasoning="scripted", score=digest[0] % 11)


_NOVA_CALLS = itertools.count()


def nova_reply(request: dict) -> str:
    """Nova answering an invoice prompt: every other answer is wrong (so samples differ)."""
    text = request["messages"][-1]["content"][0]["text"]
    found = re.search(r"total ([0-9.]+)", text)
    if found is None:  # the smoke test's prompt
        return "Ready."
    total = float(found.group(1))
    return json.dumps({"vendor": "ACME", "total": total if next(_NOVA_CALLS) % 2 else total + 1})


@pytest.fixture
def recorded_worlds(synth, monkeypatch):
    recorder = CallRecorder().install(monkeypatch)
    worlds = LocalWorlds(lambda team: synth(team).template("all-but-data"), monkeypatch)
    yield recorder, worlds.build
    worlds.close()
    recorder.uninstall()


def _resolver(template: dict, account: str, region: str, real_account: str):
    resources = template["Resources"]

    def name_of(logical_id: str) -> str:
        properties = resources.get(logical_id, {}).get("Properties", {})
        return (
            properties.get("FunctionName")
            or properties.get("TopicName")
            or properties.get("StateMachineName")
            or logical_id
        )

    def resolve(node):
        if isinstance(node, dict) and len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                pseudo = {
                    "AWS::Partition": "aws",
                    "AWS::Region": region,
                    "AWS::AccountId": account,
                    "AWS::URLSuffix": "amazonaws.com",
                }
                if value in pseudo:
                    return pseudo[value]
                kind = resources.get(value, {}).get("Type")
                if kind == "AWS::SNS::Topic":
                    return f"arn:aws:sns:{region}:{account}:{name_of(value)}"
                return name_of(value)
            if key == "Fn::GetAtt":
                logical_id, attribute = value if isinstance(value, list) else value.split(".", 1)
                kind = resources.get(logical_id, {}).get("Type")
                formats = {
                    "AWS::Lambda::Function": "arn:aws:lambda:{r}:{a}:function:{n}",
                    "AWS::Logs::LogGroup": "arn:aws:logs:{r}:{a}:log-group:{n}:*",
                    "AWS::StepFunctions::StateMachine": "arn:aws:states:{r}:{a}:stateMachine:{n}",
                    "AWS::IAM::Role": "arn:aws:iam::{a}:role/{n}",
                    "AWS::SNS::Topic": "arn:aws:sns:{r}:{a}:{n}",
                    "AWS::SQS::Queue": "arn:aws:sqs:{r}:{a}:{n}",
                }
                return formats.get(kind, "arn:aws:x:{r}:{a}:{n}").format(r=region, a=account, n=name_of(logical_id))
            if key == "Fn::Join":
                return value[0].join(str(resolve(part)) for part in value[1])
            if key in ("Fn::GetStackOutput", "Fn::ImportValue"):
                # The team key, exported by the data stack (the same value local_world gives it).
                return f"arn:aws:kms:{region}:{account}:key/cross-stack-key"
        if isinstance(node, dict):
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        if isinstance(node, str):
            return node.replace(real_account, account)
        return node

    return resolve


def _denials(recorder: CallRecorder, world, template: dict, real_account: str) -> tuple[list[str], dict]:
    config = world.config
    policies = role_policies(template, _resolver(template, MOTO_ACCOUNT, world.region, real_account))
    scope = World(
        account=MOTO_ACCOUNT,
        region=world.region,
        key_arn=config["kms_key_arn"],
        encrypted_buckets=frozenset({config["datasets_bucket"], config["artifacts_bucket"]}),
        encrypted_tables=frozenset({config["registry_table"]}),
        encrypted_topics=frozenset({config["topic_arn"]}),
        function_tags={
            r["Properties"]["FunctionName"]: {t["Key"]: t["Value"] for t in r["Properties"].get("Tags", [])}
            for r in template["Resources"].values()
            if r["Type"] == "AWS::Lambda::Function" and isinstance(r["Properties"].get("FunctionName"), str)
        },
    )
    checked: dict[str, int] = {}
    denied: list[str] = []

    def check(function: str, what: str, requests) -> None:
        documents = policies.get(function)
        assert documents is not None, f"{function} made {what} but the template has no such function"
        for request in requests:
            checked[function] = checked.get(function, 0) + 1
            decision = evaluate(documents, request)
            if decision is not Decision.ALLOW:
                denied.append(f"{function}: {request} ({decision.value}; call {what})")
            else:
                assert allowing_statements(documents, request)

    machine = world.machine.rsplit(":", 1)[-1]
    for call in recorder.calls:
        function = machine if call.function == STATE_MACHINE else call.function
        check(function, f"{call.service}.{call.operation}", checks_for_boto_call(call, scope))
    if world.mantle is not None:
        for request in world.mantle.requests:
            caller = mantle_caller(request.headers)
            assert caller, f"mantle {request.method} {request.path} came from outside any handler"
            check(
                caller,
                f"mantle {request.method} {request.path}",
                checks_for_mantle_request(request.method, request.path, request.json, scope),
            )
    return sorted(set(denied)), checked


MANTLE_STEPS = {
    "ValidateDataset",
    "AuditRewardSignal",
    "SubmitMantleJob",
    "JobStatus",
    "ListCheckpoints",
    "PlanEvaluation",
    "EvaluateBatch",
    "PromotionGate",
    "Promote",
    "SmokeTest",
    "WriteRunReport",
}


@pytest.mark.parametrize("customization", ["ticket-triage", "support-replies"])
def test_mantle_run_calls_are_all_allowed(synth, recorded_worlds, customization):
    recorder, worlds = recorded_worlds
    recorder.converse = judge_reply
    # A gate that promotes whatever was evaluated: this test covers every step's permissions
    # down to Promote and SmokeTest, not the gate's judgement (tests/e2e/test_promotion_gate_e2e.py).
    world = worlds(
        "example",
        customization,
        edit_config=promote_whatever_is_evaluated,
    )
    described = world.wait(world.start(datasets(world)))
    assert described["status"] == "SUCCEEDED", world.history(described["executionArn"])[-3:]
    assert output(described)["selection"]["chosen"]["model_id"]

    denied, checked = _denials(recorder, world, synth("example").template("all-but-data"), load_team("example").account)
    assert not denied, "calls the synthesized roles do not allow:\n" + "\n".join(denied)
    # Not vacuous: every step that talks to AWS was checked, the state machine's own task calls
    # too, and the grader when it calls AWS (a judge).
    expected = {workflow_function_name("example", s) for s in MANTLE_STEPS} | {f"rft-example-{customization}"}
    if customization == "support-replies":  # the judge's grader calls Bedrock
        expected.add(grader_function_name("example", customization))
    assert expected <= set(checked), sorted(expected - set(checked))


NATIVE_STEPS = {
    "ValidateDataset",
    "AuditRewardSignal",
    "JobStatus",
    "CreateEvaluationDeployment",
    "EvaluationDeploymentStatus",
    "PlanEvaluation",
    "EvaluateBatch",
    "PromotionGate",
    "SmokeTest",
    "Promote",
    "ReleaseEvaluationDeployment",
    "WriteRunReport",
}


def test_native_run_calls_are_all_allowed(synth, recorded_worlds):
    """invoice-extraction deploys its Nova model for evaluation: every step down to the
    deployment's release, through a gate that promotes whatever was evaluated."""
    recorder, worlds = recorded_worlds
    recorder.converse = nova_reply
    world = worlds(
        "nova-example",
        "invoice-extraction",
        fake_mantle=False,
        edit_config=promote_whatever_is_evaluated,
    )
    execution = start_native_run(world, invoice_rows(140))
    described = world.wait(execution)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]

    denied, checked = _denials(
        recorder, world, synth("nova-example").template("all-but-data"), load_team("nova-example").account
    )
    assert not denied, "calls the synthesized roles do not allow:\n" + "\n".join(denied)
    converse = {c.params["modelId"] for c in recorder.calls if c.operation == "Converse"}
    assert "us.amazon.nova-2-lite-v1:0" in converse, "the audit sampled nothing"
    assert any(":custom-model-deployment/" in m for m in converse), "nothing answered through the deployment"
    assert world.deployments.deleted, "the deployment was not released"
    expected = {workflow_function_name("nova-example", s) for s in NATIVE_STEPS}
    expected.add("rft-nova-example-invoice-extraction")  # the state machine: snapshot, create job
    assert expected <= set(checked), sorted(expected - set(checked))


def test_native_failure_path_and_abandoned_run_cleanup_calls_are_all_allowed(synth, recorded_worlds, monkeypatch):
    """A Nova run fails after its deployment (the smoke test gets no answer): RecordFailure
    deletes the deployment; then the abandoned-run cleanup runs for the same run (as EventBridge
    would invoke it for an aborted execution) and looks for the job and the deployment."""
    import boto3

    recorder, worlds = recorded_worlds
    recorder.converse = lambda request: "" if "total" not in json.dumps(request) else nova_reply(request)
    world = worlds(
        "nova-example",
        "invoice-extraction",
        fake_mantle=False,
        edit_config=promote_whatever_is_evaluated,
    )
    execution = start_native_run(world, invoice_rows(140))
    assert world.wait(execution)["status"] == "FAILED"
    assert world.registry_item()["deployment_deleted"] == "deleted"
    cleanup = workflow_function_name("nova-example", "CleanupAbandonedRun")
    # The function's environment as the template sets it (the registry table is a reference).
    [properties] = [
        r["Properties"]
        for r in synth("nova-example").template("all-but-data")["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("FunctionName") == cleanup
    ]
    for name, value in properties["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value if isinstance(value, str) else world.config["registry_table"])
    assert os.environ["RFT_EVALUATION_DEPLOYMENTS"] == "true"
    event = {
        "detail": {
            "stateMachineArn": world.machine,
            "executionArn": execution,
            "name": execution.rsplit(":", 1)[-1],
            "status": "ABORTED",
        }
    }
    answer = boto3.client("lambda", region_name=world.region).invoke(FunctionName=cleanup, Payload=json.dumps(event))
    result = json.loads(answer["Payload"].read())
    assert result.get("ignored") is False and result["deployment"] == "absent", result
    # ...and asked WriteRunReport for the page (read the config from the machine's definition).
    assert result["report"] == "written", result

    denied, checked = _denials(
        recorder, world, synth("nova-example").template("all-but-data"), load_team("nova-example").account
    )
    assert not denied, "calls the synthesized roles do not allow:\n" + "\n".join(denied)
    expected = {workflow_function_name("nova-example", s) for s in ("RecordFailure", "CleanupAbandonedRun")}
    assert expected <= set(checked), sorted(expected - set(checked))
    cleanup_calls = {c.operation for c in recorder.calls if c.function == cleanup}
    assert {"GetItem", "UpdateItem", "DeleteCustomModelDeployment", "DescribeStateMachine", "Invoke"} <= cleanup_calls
