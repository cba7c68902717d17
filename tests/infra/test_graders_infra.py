"""Grader functions and the code sandbox, as synthesized."""

from __future__ import annotations

import json

import pytest

from rft.config.loader import load_team


def _by_suffix(resources: dict, fragment: str) -> dict:
    [(_, resource)] = [(k, v) for k, v in resources.items() if fragment in k]
    return resource


def _functions(result):
    return result.resources("all-but-data", "AWS::Lambda::Function")


def _grader(result, customization: str) -> dict:
    slug = customization.replace("-", "")
    return _by_suffix(_functions(result), f"Customization{slug}GraderRuntimeFunction")


def _policy_statements(result, fragment: str) -> dict[str, dict]:
    policy = _by_suffix(result.resources("all-but-data", "AWS::IAM::ManagedPolicy"), fragment)
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


@pytest.mark.parametrize("customization", [c.name for c in load_team("example").customizations])
def test_each_customization_gets_a_grader_configured_with_its_own_spec(synth, customization):
    result = synth("example")
    grader = _grader(result, customization)["Properties"]
    declared = load_team("example").customization(customization).grader
    env = grader["Environment"]["Variables"]
    assert json.loads(env["GRADER_SPEC"]) == declared
    assert env["CUSTOMIZATION_NAME"] == customization
    assert env["GRADER_DEBUG"] == "false"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "RFT/example/Graders"
    assert grader["Runtime"] == "python3.13"
    assert grader["Architectures"] == ["arm64"]
    assert grader["Timeout"] == 300  # minutes from config, not Lambda's 3-second default
    assert grader["MemorySize"] == 1024
    assert grader["TracingConfig"] == {"Mode": "Active"}
    assert grader["Handler"] == "handler.lambda_handler"
    assert "KmsKeyArn" in grader  # environment (the spec) encrypted with the team key


def test_grader_logs_go_to_a_kms_encrypted_log_group_with_configured_retention(synth):
    result = synth("example")
    groups = result.resources("all-but-data", "AWS::Logs::LogGroup")
    graders = [g for lid, g in groups.items() if "GraderRuntimeLogs" in lid]
    assert len(graders) == len(load_team("example").customizations)
    for group in groups.values():  # graders, sandbox, workflow functions, state machines
        assert group["Properties"]["RetentionInDays"] == 90
        assert "KmsKeyId" in group["Properties"]
    for function in _functions(result).values():
        assert function["Properties"]["LoggingConfig"]["LogFormat"] == "JSON"


def test_bedrock_may_invoke_graders_only_for_this_account(synth):
    result = synth("example")
    permissions = result.resources("all-but-data", "AWS::Lambda::Permission").values()
    bedrock = [p["Properties"] for p in permissions if p["Properties"]["Principal"] == "bedrock.amazonaws.com"]
    assert len(bedrock) == len(load_team("example").customizations)
    for permission in bedrock:
        assert permission["SourceAccount"] == "111111111111"
        assert permission["Action"] == "lambda:InvokeFunction"


def test_grader_role_can_only_log_trace_and_call_the_sandbox(synth):
    result = synth("example")
    statements = _policy_statements(result, "CustomizationpythonfunctionsGraderRuntimePolicy")
    assert set(statements) == {"WriteOwnLogs", "WriteTraces", "RunCodeInSandbox"}
    assert statements["RunCodeInSandbox"]["Action"] == "lambda:InvokeFunction"
    # By name: the sandbox lives in the team's platform stack, the grader in its own stack.
    assert (
        statements["RunCodeInSandbox"]["Resource"]
        == "arn:aws:lambda:us-west-2:111111111111:function:rft-example-code-sandbox"
    )
    sandbox = next(f for k, f in _functions(result).items() if k.startswith("CodeSandbox"))
    assert sandbox["Properties"]["FunctionName"] == "rft-example-code-sandbox"
    assert sorted(statements["WriteTraces"]["Action"]) == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]


def test_sandbox_role_can_do_nothing_but_write_its_own_logs(synth):
    result = synth("example")
    statements = _policy_statements(result, "CodeSandboxRuntimePolicy")
    assert list(statements) == ["WriteOwnLogs"]
    assert statements["WriteOwnLogs"]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    [log_group_id] = [k for k in result.resources("all-but-data", "AWS::Logs::LogGroup") if k.startswith("CodeSandbox")]
    assert statements["WriteOwnLogs"]["Resource"] == {"Fn::GetAtt": [log_group_id, "Arn"]}
    # ... and no other policy of any kind reaches the sandbox role.
    [role_id] = [k for k in result.resources("all-but-data", "AWS::IAM::Role") if k.startswith("CodeSandbox")]
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for lid, policy in result.resources("all-but-data", kind).items():
            roles = policy["Properties"].get("Roles", [])
            if {"Ref": role_id} in roles:
                assert lid.startswith("CodeSandboxRuntimePolicy"), lid
    sandbox = _by_suffix(_functions(result), "CodeSandboxRuntimeFunction")["Properties"]
    assert "TracingConfig" not in sandbox
    assert not any(k.startswith("AWS_") for k in sandbox["Environment"]["Variables"])


def test_native_service_role_may_invoke_only_its_own_grader(synth):
    result = synth("nova-example")
    for customization in ("invoice-extraction", "receipt-extraction"):
        slug = customization.replace("-", "")
        statements = _policy_statements(result, f"Customization{slug}BedrockServiceRolePolicy")
        grader_id = next(k for k in _functions(result) if f"Customization{slug}GraderRuntimeFunction" in k)
        assert statements["InvokeOwnGrader"]["Resource"] == {"Fn::GetAtt": [grader_id, "Arn"]}


def test_lambda_graders_in_a_spec_are_granted_and_nothing_else(tmp_path):
    from tests.synth_support import synthesize

    arn = "arn:aws:lambda:us-west-2:111111111111:function:team-reward"
    config = load_team("example")
    custom = config.customizations[0].model_copy(
        update={
            "grader": {
                "type": "multi",
                "calculate_output": "0.5 * fmt + 0.5 * own",
                "graders": {
                    "fmt": {"type": "regex", "name": "fmt", "pattern": "^[a-z]+$"},
                    "own": {"type": "lambda", "name": "own", "function_arn": arn},
                },
            }
        }
    )
    result = synthesize(config.model_copy(update={"customizations": (custom,)}), tmp_path)
    statements = _policy_statements(result, "GraderRuntimePolicy")
    assert statements["ForwardToDeclaredGraders"]["Resource"] == arn
    assert not result.violations


def test_a_spec_too_large_for_the_function_configuration_is_rejected(tmp_path):
    from tests.synth_support import synthesize

    config = load_team("example")
    huge = config.customizations[0].model_copy(
        update={"grader": {"template": "classification", "labels": [f"label-{i:04d}" for i in range(400)]}}
    )
    with pytest.raises(Exception, match="at most 3000 fit"):
        synthesize(config.model_copy(update={"customizations": (huge,)}), tmp_path)


def test_judge_grader_may_call_exactly_its_judge_through_its_profile(synth):
    result = synth("example")
    statements = _policy_statements(result, "CustomizationsupportrepliesGraderRuntimePolicy")
    profile = "arn:aws:bedrock:us-west-2:111111111111:inference-profile/us.amazon.nova-pro-v1:0"
    assert statements["CallDeclaredJudges"]["Resource"] == profile
    routed = statements["JudgeThroughProfile0"]
    assert routed["Resource"] == "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0"
    assert routed["Condition"] == {"StringEquals": {"bedrock:InferenceProfileArn": profile}}
    # Rule-only graders get no Bedrock access at all.
    rules_only = _policy_statements(result, "CustomizationtickettriageGraderRuntimePolicy")
    assert not any("bedrock:" in json.dumps(s["Action"]) for s in rules_only.values())


def test_a_judge_of_the_base_models_family_warns_at_synth(tmp_path):
    from aws_cdk import App
    from aws_cdk.assertions import Annotations, Match

    from stacks.team_app import build_team_app, cdk_json_context

    config = load_team("example")
    same = config.customization("support-replies").model_copy(
        update={"grader": {"template": "conversation_quality", "model": "qwen.qwen3-235b-a22b-2507-v1:0"}}
    )
    app = App(context=cdk_json_context() | {"aws:cdk:bundling-stacks": []}, outdir=str(tmp_path))
    stacks = build_team_app(app, config.model_copy(update={"customizations": (same,)}))
    Annotations.from_stack(stacks.customizations["support-replies"]).has_warning(
        "*", Match.string_like_regexp("same model family as the base model qwen.qwen3-32b")
    )
    other = Annotations.from_stack(
        build_team_app(
            App(context=cdk_json_context() | {"aws:cdk:bundling-stacks": []}, outdir=str(tmp_path / "b")),
            load_team("example"),
        ).customizations["support-replies"]
    )
    assert not other.find_warning("*", Match.string_like_regexp("self-preference"))
