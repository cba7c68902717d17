"""Build one team's stacks into an app. `app.py` calls this; so do the tests and benchmarks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import App, Environment, Stack
from aws_cdk import aws_iam as iam

from constructs_lib import nag
from rft.config.team_config import TeamConfig
from rft_contracts.naming import bucket_name, customization_stack_name, registry_table_name
from stacks.customization_stack import CustomizationStack
from stacks.data_stack import DataStack
from stacks.platform_stack import PlatformStack

CDK_JSON = Path(__file__).resolve().parents[1] / "cdk.json"


@dataclass(frozen=True)
class TeamStacks:
    data: DataStack
    platform: PlatformStack
    customizations: dict[str, CustomizationStack]

    @property
    def all(self) -> tuple[Stack, ...]:
        return (self.data, self.platform, *self.customizations.values())


def stack_name(team: str, part: str) -> str:
    return f"Rft-{team}-{part}"


def cdk_json_context() -> dict:
    """The feature flags of cdk.json, so apps built outside the CLI synthesize the same way."""
    context = json.loads(CDK_JSON.read_text())["context"]
    return {k: v for k, v in context.items() if k.startswith("@aws-cdk")}


def build_team_app(app: App, config: TeamConfig, *, apply_acknowledgments: bool = True) -> TeamStacks:
    """Add the nag gate and the team's data and platform stacks to `app`."""
    # Packs first: acknowledgments made while building need to know which packs are on.
    nag.add_nag_packs(app, config.compliance_packs, apply_acknowledgments=apply_acknowledgments)
    env = Environment(account=config.account, region=config.region)
    data = DataStack(
        app,
        stack_name(config.team, "Data"),
        env=env,
        team=config.team,
        data=config.data,
        description=f"RFT platform data of team {config.team}: KMS key and buckets (retained)",
    )
    platform = PlatformStack(
        app,
        stack_name(config.team, "Platform"),
        env=env,
        config=config,
        datasets_bucket_name=bucket_name(config.team, "datasets", config.account, config.region),
        artifacts_bucket_name=bucket_name(config.team, "artifacts", config.account, config.region),
        registry_table_name=registry_table_name(config.team),
        key=data.key,
        description=f"RFT platform of team {config.team}: resources its customizations share",
    )
    platform.add_stack_dependency(data)
    customizations = {}
    for c in config.customizations:
        stack = CustomizationStack(
            app,
            customization_stack_name(config.team, c.name),
            env=env,
            team=config,
            customization=c,
            datasets_bucket_name=bucket_name(config.team, "datasets", config.account, config.region),
            artifacts_bucket_name=bucket_name(config.team, "artifacts", config.account, config.region),
            registry_table_name=registry_table_name(config.team),
            key=data.key,
            description=f"RFT customization {c.name} of team {config.team}: grader, workflow, alarms",
        )
        # The platform stack creates the sandbox, topic and workflow functions this stack uses
        # by name; deploy it first (a name is no reference, so CDK cannot infer the order).
        stack.add_stack_dependency(platform)
        customizations[c.name] = stack
    stacks = TeamStacks(data, platform, customizations)
    if config.permissions_boundary_arn:
        for team_stack in stacks.all:
            boundary = iam.ManagedPolicy.from_managed_policy_arn(
                team_stack, "PermissionsBoundary", config.permissions_boundary_arn
            )
            iam.PermissionsBoundary.of(team_stack).apply(boundary)
    return stacks
