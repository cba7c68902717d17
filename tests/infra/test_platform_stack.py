"""The per-customization skeleton: prefixes, SSM records and the native service role."""

from __future__ import annotations

import json

import pytest

from rft.config.loader import load_team
from rft_contracts.naming import parameter_path


def _parameters(result) -> dict[str, str]:
    return {
        p["Properties"]["Name"]: p["Properties"]["Value"]
        for p in result.resources("all-but-data", "AWS::SSM::Parameter").values()
    }


def test_each_customization_records_its_data_locations_in_ssm(synth):
    params = _parameters(synth("example"))
    for name in ("ticket-triage", "grade-school-math"):
        prefix = parameter_path("example", name)
        assert params[f"{prefix}/base-model"] in ("qwen.qwen3-32b", "openai.gpt-oss-20b")
        assert params[f"{prefix}/control-plane"] == "mantle"
        assert (
            params[f"{prefix}/train-data-uri"] == f"s3://rft-example-datasets-111111111111-us-west-2/{name}/train.jsonl"
        )
        assert params[f"{prefix}/artifacts-uri"] == f"s3://rft-example-artifacts-111111111111-us-west-2/{name}/"


def _bedrock_roles(result) -> list[dict]:
    return [
        r
        for r in result.resources("all-but-data", "AWS::IAM::Role").values()
        if r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        == {"Service": "bedrock.amazonaws.com"}
    ]


def _bedrock_role_policies(result, customization: str = "") -> list[dict]:
    """The Bedrock service role policies (of one customization, when named)."""
    return [
        p
        for lid, p in result.resources("all-but-data", "AWS::IAM::ManagedPolicy").items()
        if "BedrockServiceRole" in lid and customization.replace("-", "") in lid
    ]


def test_mantle_customizations_get_no_bedrock_service_role(synth):
    # The OpenAI-compatible API takes no role; a role nobody can use is attack surface.
    assert _bedrock_roles(synth("example")) == []


@pytest.fixture(scope="module")
def nova(synth):
    return synth("nova-example")


def test_native_service_role_trusts_bedrock_only_for_this_accounts_jobs(nova):
    roles = _bedrock_roles(nova)
    assert len(roles) == len(load_team("nova-example").customizations)  # one per Nova customization
    for role in roles:
        [statement] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": "bedrock.amazonaws.com"}
        assert statement["Action"] == "sts:AssumeRole"
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "222222222222"}
        source_arn = json.dumps(statement["Condition"]["ArnLike"]["aws:SourceArn"])
        assert "model-customization-job/*" in source_arn and "222222222222" in source_arn


def test_native_service_role_reaches_only_its_own_prefixes(nova):
    [policy] = _bedrock_role_policies(nova, "invoice-extraction")
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    datasets = "arn:aws:s3:::rft-nova-example-datasets-222222222222-us-east-1"
    artifacts = "arn:aws:s3:::rft-nova-example-artifacts-222222222222-us-east-1"

    assert statements["ReadOwnDatasets"]["Action"] == "s3:GetObject"
    assert statements["ReadOwnDatasets"]["Resource"] == f"{datasets}/invoice-extraction/*"
    assert statements["WriteOwnArtifacts"]["Action"] == ["s3:GetObject", "s3:PutObject"]
    assert statements["WriteOwnArtifacts"]["Resource"] == f"{artifacts}/invoice-extraction/*"
    assert statements["ListOwnDatasets"]["Resource"] == datasets
    assert statements["ListOwnArtifacts"]["Resource"] == artifacts
    for sid in ("ListOwnDatasets", "ListOwnArtifacts"):
        assert statements[sid]["Condition"] == {
            "StringLike": {"s3:prefix": ["invoice-extraction/", "invoice-extraction/*"]}
        }
    kms = statements["UseTeamKeyThroughS3Only"]
    assert kms["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    # Nothing beyond these statements: no deletes, no other buckets, no wildcard actions.
    model_key = statements["EncryptTunedModelThroughBedrockOnly"]
    assert model_key["Condition"] == {"StringEquals": {"kms:ViaService": "bedrock.us-east-1.amazonaws.com"}}
    assert set(statements) == {
        "ReadOwnDatasets",
        "ListOwnDatasets",
        "WriteOwnArtifacts",
        "ListOwnArtifacts",
        "UseTeamKeyThroughS3Only",
        "EncryptTunedModelThroughBedrockOnly",
        "InvokeOwnGrader",
    }
    for statement in statements.values():
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not any("*" in a for a in actions)


def test_native_customization_records_its_service_role(nova):
    params = _parameters(nova)
    assert "/rft/nova-example/invoice-extraction/service-role-arn" in params
    assert params["/rft/nova-example/invoice-extraction/control-plane"] == "native"


def test_permissions_boundary_from_config_applies_to_every_role(tmp_path):
    from rft.config.loader import load_team
    from tests.synth_support import synthesize

    boundary = "arn:aws:iam::222222222222:policy/team-boundary"
    config = load_team("nova-example").model_copy(update={"permissions_boundary_arn": boundary})
    result = synthesize(config, tmp_path)
    roles = [r for t in result.templates.values() for r in t["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert roles
    for role in roles:
        assert role["Properties"]["PermissionsBoundary"] == boundary


def test_without_a_boundary_roles_carry_none(nova):
    for role in nova.resources("all-but-data", "AWS::IAM::Role").values():
        assert "PermissionsBoundary" not in role["Properties"]
