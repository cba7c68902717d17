"""Contract tests against botocore's service models (issue 11): every AWS call the workflow
makes, made the way AWS will receive it.

1. Every ``aws-sdk:<service>:<action>`` task in every synthesized state machine (both shipped
   teams): its Parameters, with Step Functions' PascalCase member names mapped onto the
   service's own and sample values for ``.$`` paths, validate against the operation's input
   shape. A misspelled or unknown member fails with the state's name.
2. Every boto3 call the workflow handlers make in the end-to-end runs (mantle and native
   happy paths, recorded through botocore's ``provide-client-params`` hook) validates against
   its operation's input shape, and the set of operations is the documented one
   (docs/aws-contracts.md, "Calls the workflow makes").
"""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.validate import ParamValidator

from tests.e2e.local_world import datasets, invoice_rows, promote_whatever_is_evaluated, start_native_run
from tests.e2e.sfn_local import state_machines

SESSION = botocore.session.get_session()
SDK_PREFIX = "arn:aws:states:::aws-sdk:"


def _sample(shape, name: str):
    kind = shape.type_name
    if kind == "string":
        if "uri" in name.lower():
            return "s3://bucket/prefix/r20261125180000-abc123/train.jsonl"
        return "r20261125180000-abc123"
    return {"integer": 1, "long": 1, "float": 1.0, "double": 1.0, "boolean": True}.get(kind, "sample")


def as_api_request(node: dict, shape, path: str = "") -> tuple[dict, list[str]]:
    """Step Functions aws-sdk Parameters -> the API's own member names, plus problems (members
    the shape does not have)."""
    out, problems = {}, []
    members = {m[:1].upper() + m[1:]: m for m in shape.members}
    for key, value in node.items():
        dynamic = key.endswith(".$")
        key = key[:-2] if dynamic else key
        member = members.get(key)
        if member is None:
            problems.append(f"{path}{key}: not a member of {shape.name}")
            continue
        member_shape = shape.members[member]
        if dynamic:
            out[member] = _sample(member_shape, member)
        elif member_shape.type_name == "structure" and isinstance(value, dict):
            out[member], more = as_api_request(value, member_shape, f"{path}{key}.")
            problems += more
        elif member_shape.type_name == "list" and isinstance(value, list):
            item_shape = member_shape.member
            converted = []
            for index, item in enumerate(value):
                if item_shape.type_name == "structure" and isinstance(item, dict):
                    item_out, more = as_api_request(item, item_shape, f"{path}{key}[{index}].")
                    converted.append(item_out)
                    problems += more
                else:
                    converted.append(item)
            out[member] = converted
        else:
            out[member] = value
    return out, problems


def sdk_tasks(definition: dict):
    for name, state in definition["States"].items():
        if state.get("Type") == "Task" and str(state.get("Resource", "")).startswith(SDK_PREFIX):
            service, action = state["Resource"][len(SDK_PREFIX) :].split(":")[:2]
            yield name, service, action, state.get("Parameters", {})
        for branch in state.get("Branches", []) + ([state["ItemProcessor"]] if "ItemProcessor" in state else []):
            yield from sdk_tasks(branch)


def operation_model(service: str, action: str):
    model = SESSION.get_service_model(service)
    wanted = action[:1].upper() + action[1:]
    return model.operation_model(wanted)


@pytest.mark.parametrize("team", ["example", "nova-example"])
def test_every_sdk_task_validates_against_botocore(synth, team):
    machines = state_machines(synth(team).template("all-but-data"), account="111111111111", region="us-west-2")
    checked = 0
    for machine, definition in machines.items():
        for state, service, action, parameters in sdk_tasks(definition):
            operation = operation_model(service, action)
            request, problems = as_api_request(parameters, operation.input_shape)
            assert not problems, f"{machine}/{state}: {problems}"
            report = ParamValidator().validate(request, operation.input_shape)
            assert not report.has_errors(), f"{machine}/{state}: {report.generate_report()}"
            checked += 1
    assert checked >= (3 if team == "nova-example" else 0)


def test_a_misspelled_sdk_member_is_caught():
    operation = operation_model("s3", "copyObject")
    _, problems = as_api_request({"Bucket": "b", "Key": "k", "CopySrc": "x"}, operation.input_shape)
    assert problems == ["CopySrc: not a member of CopyObjectRequest"]


# -- recorded boto3 calls ------------------------------------------------------------------------


def record_calls() -> list[tuple[str, str, dict]]:
    """(service, operation, params) of every boto3 call made from now on through the default
    session (call after the world is built: moto replaces the default session when it starts)."""
    import boto3

    calls: list[tuple[str, str, dict]] = []

    import copy

    from boto3.dynamodb.transform import TransformationInjector

    def record(params, model, **kwargs):
        params = copy.deepcopy(params)
        if model.service_model.service_name == "dynamodb":
            # What boto3's Table resource does next (its type serializer): record the wire form.
            TransformationInjector().inject_attribute_value_input(params, model)
        calls.append((model.service_model.service_name, model.name, params))

    boto3._get_default_session()._session.register("provide-client-params.*.*", record)
    return calls


def _validate_all(calls):
    assert calls
    for service, operation, params in calls:
        shape = SESSION.get_service_model(service).operation_model(operation).input_shape
        report = ParamValidator().validate(params, shape)
        assert not report.has_errors(), f"{service}.{operation}: {report.generate_report()}"


# What the workflow handlers call on the mantle plane (ours, not moto's own traffic, is asserted
# below by excluding the Step Functions and Lambda calls the test itself makes).
MANTLE_OPERATIONS = {
    ("s3", "GetObject"),
    ("s3", "PutObject"),
    ("s3", "HeadObject"),
    ("dynamodb", "GetItem"),
    ("dynamodb", "UpdateItem"),
    ("lambda", "Invoke"),
    ("ssm", "PutParameter"),
    ("monitoring", "PutMetricData"),
}


def test_every_boto3_call_of_a_mantle_run_validates(local_platform):
    world = local_platform("example", "ticket-triage")
    recorded = record_calls()
    described = world.wait(world.start(datasets(world)))
    assert described["status"] == "SUCCEEDED"
    ours = [c for c in recorded if c[0] not in ("stepfunctions", "sqs")]
    _validate_all(ours)
    assert {(s, o) for s, o, _ in ours} >= MANTLE_OPERATIONS - {("monitoring", "PutMetricData")}


def test_every_boto3_call_of_a_native_run_validates(local_platform, monkeypatch):
    from rft_workflow import generate

    # A gate that promotes whatever was evaluated: every call down to the deployment's release
    # is made (a held promotion would wait for a person).
    world = local_platform(
        "nova-example",
        "invoice-extraction",
        fake_mantle=False,
        edit_config=promote_whatever_is_evaluated,
    )
    recorded = record_calls()
    calls = []

    def nova(runtime, model_id, messages, max_tokens, temperature):  # moto has no Converse
        calls.append(model_id)
        if "total " not in messages[-1]["content"]:
            return "Ready."  # the smoke test
        total = float(messages[-1]["content"].split("total ")[1].split(" ")[0])
        return json.dumps({"vendor": "ACME", "total": total if len(calls) % 2 else total + 1})

    monkeypatch.setattr(generate, "converse_text", nova)
    execution = start_native_run(world, invoice_rows(140))
    described = world.wait(execution)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    ours = [c for c in recorded if c[0] not in ("stepfunctions", "sqs")]
    _validate_all(ours)
    operations = {(s, o) for s, o, _ in ours}
    # Made by the state machine's SDK tasks through moto's engine (boto3 underneath) and by the handlers.
    assert ("bedrock", "CreateModelCustomizationJob") in operations
    assert ("s3", "CopyObject") in operations and ("bedrock", "GetModelCustomizationJob") in operations
    # The evaluation deployment's calls, validated like the rest (the fake answers them after
    # botocore serialized them against its model).
    assert {
        ("bedrock", "CreateCustomModelDeployment"),
        ("bedrock", "GetCustomModelDeployment"),
        ("bedrock", "DeleteCustomModelDeployment"),
    } <= operations


# -- grants and policies the hedges rely on (docs/aws-contracts.md A8, A15) ----------------------


def _policies_by_function(template: dict) -> dict[str, set[str]]:
    """{function name: every action its role's managed policies allow}."""
    resources = template["Resources"]
    role_of = {
        r["Properties"]["FunctionName"]: r["Properties"]["Role"]["Fn::GetAtt"][0]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    actions: dict[str, set[str]] = {}
    for name, role in role_of.items():
        for r in resources.values():
            if r["Type"] != "AWS::IAM::ManagedPolicy" or {"Ref": role} not in r["Properties"].get("Roles", []):
                continue
            for statement in r["Properties"]["PolicyDocument"]["Statement"]:
                listed = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                actions.setdefault(name, set()).update(listed)
    return actions


def test_list_fine_tuning_jobs_is_granted_wherever_mantle_jobs_are_read(synth):
    actions = _policies_by_function(synth("example").template("all-but-data"))
    for step in ("job-status", "list-checkpoints", "submit-mantle-job", "record-failure", "cleanup-abandoned-run"):
        assert "bedrock-mantle:ListFineTuningJobs" in actions[f"rft-example-wf-{step}"], step


def test_the_datasets_bucket_denies_deleting_the_trained_on_copies(synth):
    data = synth("example").template("data")
    statements = [
        s
        for r in data["Resources"].values()
        if r["Type"] == "AWS::S3::BucketPolicy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "KeepTrainedDatasetSnapshots"
    ]
    [deny] = statements
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert set(deny["Action"]) == {"s3:DeleteObject", "s3:DeleteObjectVersion"}
    assert json.dumps(deny["Resource"]).endswith('/*/by-sha256/*"]]}')
