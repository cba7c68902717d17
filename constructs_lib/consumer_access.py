"""What an application needs to call the team's promoted models, as one managed policy."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib import nag
from constructs_lib.iam_statements import mantle_project_arn


class ConsumerAccessPolicy(Construct):
    """Attach to an application's role: inference on the OpenAI-compatible endpoint (teams with
    open-weight customizations) and on the team's Nova deployments (with the team key through
    Bedrock, streaming included), and read access to `/rft/<team>/*/model` for the promoted ids.

    No training, file, job or management action is included.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        team: str,
        policy_name: str,
        has_native: bool,
        key: kms.IKey | None = None,
        has_mantle: bool = True,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        parameters = stack.format_arn(service="ssm", resource="parameter", resource_name=f"rft/{team}/*/model")
        statements = [
            iam.PolicyStatement(sid="ReadPromotedModelIds", actions=["ssm:GetParameter"], resources=[parameters]),
        ]
        if has_mantle:  # a Nova-only team's consumers never call the OpenAI-compatible endpoint
            statements += [
                iam.PolicyStatement(
                    sid="MintBearerTokens", actions=["bedrock-mantle:CallWithBearerToken"], resources=["*"]
                ),
                iam.PolicyStatement(
                    sid="InferOnTheOpenAICompatibleEndpoint",
                    actions=["bedrock-mantle:CreateInference", "bedrock-mantle:GetModel"],
                    resources=[mantle_project_arn(self)],
                ),
            ]
        if has_native:
            deployments = stack.format_arn(service="bedrock", resource="custom-model-deployment", resource_name="*")
            # Converse/InvokeModel and their streaming forms (ConverseStream is authorized as
            # InvokeModelWithResponseStream).
            statements.append(
                iam.PolicyStatement(
                    sid="InvokeNovaDeployments",
                    actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                    resources=[deployments],
                )
            )
            if key is not None:
                # A Nova custom model is encrypted with the team key (customModelKmsKeyId):
                # invoking its deployment needs kms:Decrypt, only through Bedrock
                # (bedrock-rft.md §5a and corrections 8).
                statements.append(
                    iam.PolicyStatement(
                        sid="DecryptTunedNovaModelsThroughBedrock",
                        actions=["kms:Decrypt"],
                        resources=[key.key_arn],
                        conditions={"StringEquals": {"kms:ViaService": f"bedrock.{stack.region}.amazonaws.com"}},
                    )
                )
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            managed_policy_name=policy_name,
            description=f"Call the promoted RFT models of team {team}",
            statements=statements,
        )
        reasons = {
            parameters: "Applications read the promoted model id of any customization of this "
            "team; the path is limited to /rft/<team>/<customization>/model.",
        }
        if has_mantle:
            reasons[mantle_project_arn(self)] = (
                "bedrock-mantle authorizes inference against the "
                "project; tuned model ids are created by training "
                "after deploy, so they cannot be listed here."
            )
            reasons["*"] = "bedrock-mantle:CallWithBearerToken supports no resource-level permissions."
        if has_native:
            reasons[deployments] = (
                "Nova custom model deployments get generated ids after promotion; limited to this account and region."
            )
        for arn, reason in reasons.items():
            finding = "AwsSolutions-IAM5[Resource::*]" if arn == "*" else nag.wildcard_resource_finding(self, arn)
            nag.acknowledge(self.policy, finding, reason)
