"""Policy statements the platform's roles share, each scoped to named resources."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import IConstruct


def use_key_through(scope: IConstruct, key: kms.IKey, *services: str, sid: str) -> iam.PolicyStatement:
    """Decrypt/GenerateDataKey on the team key, only when called through the named services."""
    region = Stack.of(scope).region
    return iam.PolicyStatement(
        sid=sid,
        actions=["kms:Decrypt", "kms:GenerateDataKey"],
        resources=[key.key_arn],
        conditions={"StringEquals": {"kms:ViaService": [f"{s}.{region}.amazonaws.com" for s in services]}},
    )


def mantle_project_arn(scope: IConstruct) -> str:
    """Every bedrock-mantle project of this account and region (fine-tuning and inference
    actions authorize against the project the call runs in; ours use the default project)."""
    return Stack.of(scope).format_arn(service="bedrock-mantle", resource="project", resource_name="*")


def team_rule_name(team: str, purpose: str) -> str:
    """EventBridge rules of a team are named `rft-<team>-<purpose>`: the key and topic policies
    let EventBridge act only for rules with this prefix (aws:SourceArn)."""
    return f"rft-{team}-{purpose}"


def team_rules_arn_pattern(scope: IConstruct, team: str) -> str:
    """ArnLike pattern of the team's EventBridge rules in this account and region."""
    return Stack.of(scope).format_arn(service="events", resource="rule", resource_name=f"rft-{team}-*")
