"""The role Bedrock assumes to run a native-plane (Nova) customization job."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib import nag


class BedrockServiceRole(Construct):
    """Trusted by bedrock.amazonaws.com for jobs of this account and region only.

    It can read its customization's dataset prefix, write its artifacts prefix, use the team key
    for those two through S3 and for the tuned model through Bedrock; nothing else. Graders add `lambda:InvokeFunction` on their own
    function with `grant_invoke_grader`.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        customization: str,
        datasets_bucket: s3.IBucket,
        artifacts_bucket: s3.IBucket,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        prefix = f"{customization}/"
        # Confused-deputy guard: only customization jobs of this account and region may use it.
        self.role = iam.Role(
            self,
            "Role",
            description=f"Bedrock RFT service role of customization {customization}",
            assumed_by=iam.ServicePrincipal(
                "bedrock.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="bedrock", resource="model-customization-job", resource_name="*"
                        )
                    },
                },
            ),
        )
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description=f"Data access of the Bedrock service role of {customization}",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(
                    sid="ReadOwnDatasets",
                    actions=["s3:GetObject"],
                    resources=[datasets_bucket.arn_for_objects(f"{prefix}*")],
                ),
                iam.PolicyStatement(
                    sid="ListOwnDatasets",
                    actions=["s3:ListBucket"],
                    resources=[datasets_bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}},
                ),
                iam.PolicyStatement(
                    sid="WriteOwnArtifacts",
                    actions=["s3:GetObject", "s3:PutObject"],
                    resources=[artifacts_bucket.arn_for_objects(f"{prefix}*")],
                ),
                iam.PolicyStatement(
                    sid="ListOwnArtifacts",
                    actions=["s3:ListBucket"],
                    resources=[artifacts_bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}},
                ),
                iam.PolicyStatement(
                    sid="UseTeamKeyThroughS3Only",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}},
                ),
                # The tuned model is encrypted with the team key (customModelKmsKeyId); Bedrock
                # uses it as this job role, and only through Bedrock (bedrock-rft.md §5a).
                iam.PolicyStatement(
                    sid="EncryptTunedModelThroughBedrockOnly",
                    actions=["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"],
                    resources=[key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"bedrock.{stack.region}.amazonaws.com"}},
                ),
            ],
        )
        for bucket in (datasets_bucket, artifacts_bucket):
            nag.acknowledge(
                self.policy,
                nag.wildcard_resource_finding(self, bucket.arn_for_objects(f"{prefix}*")),
                f"Object access is confined to the '{prefix}' prefix of this customization; the "
                "wildcard stands for the dataset and artifact object names inside it, which each "
                "run creates anew.",
            )

    def allow_job_vpc(self, subnet_ids: tuple[str, ...], security_group_ids: tuple[str, ...]) -> None:
        """What Bedrock needs, as this role, to place a job's network interfaces in the team's
        subnets (bedrock-rft.md 5a): interfaces it creates are tagged BedrockManaged and may
        only be created, shared, tagged and deleted in those subnets."""
        stack = Stack.of(self)
        subnets = [stack.format_arn(service="ec2", resource="subnet", resource_name=s) for s in subnet_ids]
        groups = [
            stack.format_arn(service="ec2", resource="security-group", resource_name=g) for g in security_group_ids
        ]
        interfaces = stack.format_arn(service="ec2", resource="network-interface", resource_name="*")
        jobs = stack.format_arn(service="bedrock", resource="model-customization-job", resource_name="*")
        self.policy.add_statements(
            iam.PolicyStatement(
                sid="DescribeNetwork",
                actions=[
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                ],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="CreateTaggedInterfaces",
                actions=["ec2:CreateNetworkInterface"],
                resources=[interfaces],
                conditions={
                    "StringEquals": {"aws:RequestTag/BedrockManaged": ["true"]},
                    "ArnLike": {"aws:RequestTag/BedrockModelCustomizationJobArn": [jobs]},
                },
            ),
            iam.PolicyStatement(
                sid="InTeamSubnetsAndGroups", actions=["ec2:CreateNetworkInterface"], resources=[*subnets, *groups]
            ),
            iam.PolicyStatement(
                sid="ManageOwnInterfaces",
                actions=[
                    "ec2:CreateNetworkInterfacePermission",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DeleteNetworkInterfacePermission",
                ],
                resources=["*"],
                conditions={
                    "ArnEquals": {"ec2:Subnet": subnets},
                    "StringEquals": {"ec2:ResourceTag/BedrockManaged": "true"},
                },
            ),
            iam.PolicyStatement(
                sid="TagOnlyAtCreation",
                actions=["ec2:CreateTags"],
                resources=[interfaces],
                conditions={
                    "StringEquals": {"ec2:CreateAction": ["CreateNetworkInterface"]},
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["BedrockManaged", "BedrockModelCustomizationJobArn"]},
                },
            ),
        )
        nag.acknowledge(
            self.policy,
            "AwsSolutions-IAM5[Resource::*]",
            "EC2 Describe* actions support no resource-level permissions; interface permissions "
            "and deletion are limited by condition to Bedrock-tagged interfaces in the team's "
            "subnets.",
        )
        nag.acknowledge(
            self.policy,
            nag.wildcard_resource_finding(self, interfaces),
            "Network interface ids are generated when Bedrock creates them; creation requires the "
            "BedrockManaged and job-ARN request tags, and tagging is allowed only at creation.",
        )

    def grant_invoke_grader(self, function_arn: str) -> None:
        """Let Bedrock call this customization's grader, and only it."""
        self.policy.add_statements(
            iam.PolicyStatement(sid="InvokeOwnGrader", actions=["lambda:InvokeFunction"], resources=[function_arn])
        )
