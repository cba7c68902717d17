"""The native (Nova) CreateModelCustomizationJob task matches Bedrock's API exactly."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.validate import ParamValidator

from constructs_lib.rft_workflow import native_create_job_parameters
from rft.config.loader import load_team

RUN_ID = "r20261125183049-ab12cd"


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _as_api_request(node):
    """Step Functions' PascalCase (and `.$` paths) -> the API's camelCase with sample values."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key.endswith(".$"):
                key, value = key[:-2], f"sample-{RUN_ID}"
                if key in ("S3Uri",):
                    value = f"s3://bucket/prefix/{RUN_ID}/train.jsonl"
            out[_camel(key)] = _as_api_request(value)
        return out
    if isinstance(node, list):
        return [_as_api_request(v) for v in node]
    return node


def _config(**overrides):
    """The nova example's runtime config, made by the builder synth uses."""
    from rft.config.runtime_config import build_runtime_config
    from rft_contracts import naming

    team = load_team("nova-example")
    customization = team.customizations[0]
    account, region = "222222222222", "us-east-1"
    config = build_runtime_config(
        team,
        customization,
        account=account,
        region=region,
        partition="aws",
        grader_function_arn=f"arn:aws:lambda:{region}:{account}:function:grader",
        service_role_arn=f"arn:aws:iam::{account}:role/service",
        kms_key_arn=f"arn:aws:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        datasets_bucket=naming.bucket_name(team.team, "datasets", account, region),
        artifacts_bucket=naming.bucket_name(team.team, "artifacts", account, region),
        registry_table=naming.registry_table_name(team.team),
    )
    return config.model_copy(update=overrides)


@pytest.mark.parametrize("with_validation", [True, False])
def test_parameters_validate_against_botocore_service_model(with_validation):
    operation = (
        botocore.session.get_session().get_service_model("bedrock").operation_model("CreateModelCustomizationJob")
    )
    request = _as_api_request(native_create_job_parameters(config=_config(), with_validation=with_validation))
    report = ParamValidator().validate(request, operation.input_shape)
    assert not report.has_errors(), report.generate_report()
    assert request["customizationType"] == "REINFORCEMENT_FINE_TUNING"
    assert request["customizationConfig"]["rftConfig"]["hyperParameters"]["epochCount"] == 3
    assert ("validationDataConfig" in request) is with_validation


def test_every_catalog_hyperparameter_of_nova_is_an_rft_hyperparameter_member():
    from rft.config.catalog import CATALOG

    shape = botocore.session.get_session().get_service_model("bedrock").shape_for("RFTHyperParameters")
    names = set(CATALOG["amazon.nova-2-lite-v1:0:256k"].hyperparameter_names)
    assert names == set(shape.members)


def test_a_misspelled_member_would_be_caught():
    """The check above can fail: an unknown member is reported by botocore's validator."""
    operation = (
        botocore.session.get_session().get_service_model("bedrock").operation_model("CreateModelCustomizationJob")
    )
    params = native_create_job_parameters(config=_config(), with_validation=False)
    params["CustomizationConfig"]["RftConfig"]["HyperParams"] = {}
    report = ParamValidator().validate(_as_api_request(params), operation.input_shape)
    assert report.has_errors()


def test_vpc_config_validates_against_botocore_too():
    from rft.config.team_config import JobVpc

    operation = (
        botocore.session.get_session().get_service_model("bedrock").operation_model("CreateModelCustomizationJob")
    )
    vpc = JobVpc(
        subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
        security_group_ids=("sg-0123456789abcdef0",),
    )
    request = _as_api_request(native_create_job_parameters(config=_config(), with_validation=True, vpc=vpc))
    report = ParamValidator().validate(request, operation.input_shape)
    assert not report.has_errors(), report.generate_report()
    assert request["vpcConfig"] == {"subnetIds": list(vpc.subnet_ids), "securityGroupIds": list(vpc.security_group_ids)}


def test_a_team_vpc_gives_the_service_role_tag_scoped_network_rights_and_passes_nag(tmp_path):
    from rft.config.team_config import JobVpc
    from tests.synth_support import synthesize

    vpc = JobVpc(subnet_ids=("subnet-0123456789abcdef0",), security_group_ids=("sg-0123456789abcdef0",))
    result = synthesize(load_team("nova-example").model_copy(update={"job_vpc": vpc}), tmp_path)
    assert not result.violations, result.violations
    [policy] = [
        p
        for lid, p in result.resources("all-but-data", "AWS::IAM::ManagedPolicy").items()
        if "invoiceextractionBedrockServiceRole" in lid
    ]
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    create = statements["CreateTaggedInterfaces"]
    assert create["Condition"]["StringEquals"] == {"aws:RequestTag/BedrockManaged": ["true"]}
    assert set(statements["InTeamSubnetsAndGroups"]["Resource"]) == {
        "arn:aws:ec2:us-east-1:222222222222:subnet/subnet-0123456789abcdef0",
        "arn:aws:ec2:us-east-1:222222222222:security-group/sg-0123456789abcdef0",
    }
    assert statements["ManageOwnInterfaces"]["Condition"]["StringEquals"] == {"ec2:ResourceTag/BedrockManaged": "true"}
    machines = result.resources("all-but-data", "AWS::StepFunctions::StateMachine").values()
    assert all("subnet-0123456789abcdef0" in json.dumps(m["Properties"]["DefinitionString"]) for m in machines)


def test_without_a_vpc_the_service_role_has_no_ec2_rights(synth):
    policies = [
        p
        for lid, p in synth("nova-example").resources("all-but-data", "AWS::IAM::ManagedPolicy").items()
        if "BedrockServiceRole" in lid
    ]
    assert policies and "ec2:" not in json.dumps(policies)
