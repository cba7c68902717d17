"""Security properties of the data stack, read from the synthesized template."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

STATEFUL_LOGICAL_IDS = {"TeamKey", "DatasetsBucket", "ArtifactsBucket", "AccessLogsBucket", "RunRegistryTable"}


@pytest.fixture(scope="module")
def data(synth):
    return synth("example")


@pytest.fixture(scope="module")
def template(data):
    return Template.from_json(data.template("data"))


def test_stateful_resources_have_pinned_logical_ids_and_are_retained(data):
    resources = data.template("data")["Resources"]
    assert STATEFUL_LOGICAL_IDS <= set(resources)
    for logical_id in STATEFUL_LOGICAL_IDS:
        assert resources[logical_id]["DeletionPolicy"] == "Retain", logical_id
        assert resources[logical_id]["UpdateReplacePolicy"] == "Retain", logical_id


def test_termination_protection_is_on(synth):
    from aws_cdk import App

    from rft.config.loader import load_team
    from stacks.team_app import build_team_app, cdk_json_context

    app = App(context=cdk_json_context() | {"aws:cdk:bundling-stacks": []})
    stacks = build_team_app(app, load_team("example"))
    assert stacks.data.termination_protection is True


def test_team_key_rotates_and_has_the_team_alias(template):
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/rft/example"})


@pytest.mark.parametrize("logical_id", ["DatasetsBucket", "ArtifactsBucket"])
def test_data_buckets_use_the_team_key_with_bucket_keys(data, logical_id):
    bucket = data.template("data")["Resources"][logical_id]["Properties"]
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": ["TeamKey", "Arn"]}
    assert rule["BucketKeyEnabled"] is True
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}
    [lifecycle] = bucket["LifecycleConfiguration"]["Rules"]
    assert lifecycle["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}
    assert lifecycle["Status"] == "Enabled"


@pytest.mark.parametrize("logical_id", ["DatasetsBucket", "ArtifactsBucket", "AccessLogsBucket"])
def test_every_bucket_denies_plain_http_and_old_tls(template, logical_id):
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": logical_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                        Match.object_like({"Effect": "Deny", "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}}),
                    ]
                )
            },
        },
    )


def test_bucket_names_follow_the_naming_scheme(data):
    resources = data.template("data")["Resources"]
    assert resources["DatasetsBucket"]["Properties"]["BucketName"] == "rft-example-datasets-111111111111-us-west-2"
    assert resources["AccessLogsBucket"]["Properties"]["BucketName"] == "rft-example-logs-111111111111-us-west-2"


def test_key_policy_lets_only_this_accounts_log_groups_use_the_key_through_logs(data):
    statements = data.template("data")["Resources"]["TeamKey"]["Properties"]["KeyPolicy"]["Statement"]
    [logs] = [s for s in statements if s.get("Sid") == "AllowCloudWatchLogsOfThisAccount"]
    assert logs["Principal"] == {"Service": "logs.us-west-2.amazonaws.com"}
    arn = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert "111111111111" in str(arn) and ":log-group:" in str(arn)


def test_run_registry_is_encrypted_recoverable_and_protected(template):
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": "rft-example-runs",
            "KeySchema": [
                {"AttributeName": "customization", "KeyType": "HASH"},
                {"AttributeName": "run_id", "KeyType": "RANGE"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {
                "SSEEnabled": True,
                "SSEType": "KMS",
                "KMSMasterKeyId": {"Fn::GetAtt": ["TeamKey", "Arn"]},
            },
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "DeletionProtectionEnabled": True,
        },
    )
