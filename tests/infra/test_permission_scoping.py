"""Issue 11 items 2, 3, 9, 11: what the synthesized templates allow, and to whom.

The IAM coverage test (tests/iam) proves the roles allow every call the handlers make; these
assert the other direction: confused-deputy conditions, and rights a role must *not* have.
"""

from __future__ import annotations

import json

import pytest

from rft.config.catalog import CATALOG
from tests.iam.authorization import role_policies


def _policies_of(template: dict) -> dict[str, list[dict]]:
    return role_policies(template, lambda node: node)


def _statements(documents: list[dict]) -> list[dict]:
    return [s for d in documents for s in d["Statement"]]


def _actions(statement: dict) -> list[str]:
    action = statement.get("Action", [])
    return action if isinstance(action, list) else [action]


def _by_sid(template: dict, cfn_type: str) -> dict[str, dict]:
    return {
        s.get("Sid"): s
        for r in template["Resources"].values()
        if r["Type"] == cfn_type
        for s in r["Properties"].get("PolicyDocument", r["Properties"].get("KeyPolicy", {}))["Statement"]
    }


# -- item 2: the Nova audit invokes an id that can be invoked ---------------------------------------


def test_catalog_maps_nova_to_its_inference_profile_and_open_weight_models_to_themselves():
    nova = CATALOG["amazon.nova-2-lite-v1:0:256k"]
    assert nova.invocation_id == "us.amazon.nova-2-lite-v1:0"
    assert CATALOG["qwen.qwen3-32b"].invocation_id == "qwen.qwen3-32b"


def test_nova_audit_model_defaults_to_the_profile_and_is_granted_through_it(synth):
    from tests.e2e.sfn_local import state_machines

    s = synth("nova-example")
    template = s.template("all-but-data")
    definition = state_machines(template, account="1", region="us-east-1")["rft-nova-example-invoice-extraction"]
    assert (
        definition["States"]["LoadConfig"]["Parameters"]["config"]["audit"]["model_id"] == "us.amazon.nova-2-lite-v1:0"
    )
    audit = _statements(_policies_of(template)["rft-nova-example-wf-audit-reward-signal"])
    sampled = [s for s in audit if "bedrock:InvokeModel" in _actions(s)]
    rendered = json.dumps(sampled)
    assert "inference-profile/us.amazon.nova-2-lite-v1:0" in rendered
    routed = [s for s in sampled if "foundation-model/amazon.nova-2-lite-v1:0" in json.dumps(s["Resource"])]
    assert routed and all("bedrock:InferenceProfileArn" in s["Condition"]["StringEquals"] for s in routed)
    assert "256k" not in rendered  # the customization id is never invoked


# -- item 3: consumers of Nova models ---------------------------------------------------------------


def _consumer(template: dict) -> list[dict]:
    [policy] = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
        and "Call the promoted RFT models" in r["Properties"].get("Description", "")
    ]
    return policy["PolicyDocument"]["Statement"]


def test_nova_consumers_may_stream_and_decrypt_the_team_key_only_through_bedrock(synth):
    statements = {s["Sid"]: s for s in _consumer(synth("nova-example").template("all-but-data"))}
    assert set(_actions(statements["InvokeNovaDeployments"])) == {
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
    }
    decrypt = statements["DecryptTunedNovaModelsThroughBedrock"]
    assert _actions(decrypt) == ["kms:Decrypt"]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "bedrock.us-east-1.amazonaws.com"}}


def test_open_weight_consumers_get_no_kms_or_native_rights(synth):
    actions = {a for s in _consumer(synth("example").template("all-but-data")) for a in _actions(s)}
    assert not {a for a in actions if a.startswith(("kms:", "bedrock:"))}


# -- item 9: confused deputy and scoping ------------------------------------------------------------


@pytest.mark.parametrize("team", ["example", "nova-example"])
def test_service_principals_in_the_key_policy_need_a_source_arn(synth, team):
    statements = _by_sid(synth(team).template("data"), "AWS::KMS::Key")
    for sid in ("AllowTeamTopicToWriteItsQueues", "AllowAlarmsOfThisAccountToNotify", "AllowTeamRulesToDeliver"):
        condition = statements[sid]["Condition"]
        assert "aws:SourceAccount" in condition["StringEquals"] and "aws:SourceArn" in condition["ArnLike"], sid
    assert f":rule/rft-{team}-*" in json.dumps(statements["AllowTeamRulesToDeliver"]["Condition"])
    events = [s for s in statements.values() if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    unconditioned = [s for s in events if s["Effect"] == "Allow" and "Condition" not in s]
    if unconditioned:  # CDK's own grant for encrypted targets: the Deny must confine it
        deny = statements["OnlyTeamRulesMayUseTheKeyAsEventBridge"]
        assert deny["Effect"] == "Deny" and _actions(deny) == ["kms:*"]
        assert f":rule/rft-{team}-*" in json.dumps(deny["Condition"]["ArnNotLike"]["aws:SourceArn"])
    others = [s for s in statements.values() if "Service" in json.dumps(s.get("Principal", {})) and s not in events]
    assert all("Condition" in s for s in others), "a service principal without conditions"


def test_only_the_teams_rules_may_publish_to_the_topic_as_eventbridge(synth):
    template = synth("nova-example").template("all-but-data")
    statements = _by_sid(template, "AWS::SNS::TopicPolicy")
    deny = statements["OnlyTeamRulesMayPublishAsEventBridge"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"Service": "events.amazonaws.com"}
    assert ":rule/rft-nova-example-*" in json.dumps(deny["Condition"]["ArnNotLike"]["aws:SourceArn"])
    [rule] = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Events::Rule" and "Bedrock native" in r["Properties"].get("Description", "")
    ]
    assert rule["Name"] == "rft-nova-example-job-events"  # inside the allowed prefix


@pytest.mark.parametrize("team", ["example", "nova-example"])
def test_bedrock_may_invoke_graders_only_for_customization_jobs_of_this_account(synth, team):
    permissions = [
        r["Properties"]
        for r in synth(team).template("all-but-data")["Resources"].values()
        if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["Principal"] == "bedrock.amazonaws.com"
    ]
    assert permissions
    for permission in permissions:
        assert permission["SourceAccount"]
        assert "model-customization-job/*" in json.dumps(permission["SourceArn"])


def test_only_graders_that_run_code_may_invoke_the_sandbox(synth):
    policies = _policies_of(synth("example").template("all-but-data"))
    reach = {
        name
        for name, documents in policies.items()
        if any(
            "code-sandbox" in json.dumps(s["Resource"])
            for s in _statements(documents)
            if "lambda:InvokeFunction" in _actions(s)
        )
    }
    assert reach == {"rft-example-python-functions-grader"}


def test_runs_code_walks_templates_and_multi_graders():
    from constructs_lib.grader_function import runs_code

    assert runs_code({"template": "code_generation"})
    assert not runs_code({"template": "classification", "labels": ["a", "b"]})
    assert runs_code(
        {
            "type": "multi",
            "graders": {
                "fmt": {"type": "regex", "pattern": "x"},
                "py": {"type": "python", "source": "def grade(sample, item):\n    return 1.0\n"},
            },
            "calculate_output": "py",
        }
    )
    assert not runs_code({"type": "python", "module": "team_graders.example"})


def test_a_nova_only_team_has_no_mantle_rights_and_an_open_weight_team_no_native_job_rights(synth):
    template = synth("nova-example").template("all-but-data")
    nova = {a for docs in _policies_of(template).values() for s in _statements(docs) for a in _actions(s)}
    nova |= {a for s in _consumer(template) for a in _actions(s)}
    assert not {a for a in nova if a.startswith("bedrock-mantle:")}
    example = {
        a
        for name, docs in _policies_of(synth("example").template("all-but-data")).items()
        for s in _statements(docs)
        for a in _actions(s)
    }
    assert not {a for a in example if "ModelCustomizationJob" in a}


def test_the_judge_preflight_may_call_exactly_the_judge_models(synth):
    validate = _statements(_policies_of(synth("example").template("all-but-data"))["rft-example-wf-validate-dataset"])
    invoke = [s for s in validate if "bedrock:InvokeModel" in _actions(s)]
    rendered = json.dumps(invoke)
    assert "inference-profile/us.amazon.nova-pro-v1:0" in rendered
    assert "foundation-model/amazon.nova-pro-v1:0" in rendered
    assert "foundation-model/*" not in rendered and "qwen" not in rendered


# -- item 11: Step Functions logs -----------------------------------------------------------------


@pytest.mark.parametrize("team", ["example", "nova-example"])
def test_state_machines_log_every_transition_but_no_execution_data(synth, team):
    """ALL without execution data: transitions and error names reach the logs; state input and
    output (the approval task token, error causes quoting model output) do not."""
    machines = [
        r["Properties"]
        for r in synth(team).template("all-but-data")["Resources"].values()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
    ]
    assert machines
    for machine in machines:
        logging = machine["LoggingConfiguration"]
        assert logging["Level"] == "ALL" and logging["IncludeExecutionData"] is False
