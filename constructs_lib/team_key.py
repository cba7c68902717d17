"""The team's customer-managed KMS key: every bucket, log group, topic and queue uses it."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib.cfn import cfn_child
from constructs_lib.iam_statements import team_rules_arn_pattern
from rft_contracts.naming import kms_alias
from rft_contracts.naming import topic_arn as notification_topic_arn


class TeamKey(Construct):
    """A rotating KMS key aliased `alias/rft/<team>`, retained when its stack is deleted.

    Deleting the key would make every object, log and model it encrypted unreadable, so it is
    retained; its logical id is pinned so a refactor cannot replace it.
    """

    def __init__(self, scope: Construct, id_: str, *, team: str) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self.key = kms.Key(
            self,
            "Key",
            description=f"RFT platform data key of team {team}: datasets, artifacts, logs, topics",
            enable_key_rotation=True,
            rotation_period=Duration.days(365),
            alias=kms_alias(team),
            removal_policy=RemovalPolicy.RETAIN,
            pending_window=Duration.days(30),
        )
        cfn_child(self.key, kms.CfnKey).override_logical_id("TeamKey")
        # CloudWatch Logs encrypts the team's log groups (workflow, graders) with this key. The
        # service principal is regional and limited to log groups of this account and region.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsOfThisAccount",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"
                    }
                },
            )
        )
        # Services that write into the team's encrypted topic and queues on our behalf: SNS (its
        # dead-letter queue), CloudWatch (alarm actions) and EventBridge (rule targets and their
        # dead-letter queue). Each only for this account (aws:SourceAccount) and for the team's
        # own resources (aws:SourceArn): without the source ARN, any alarm or rule in the account
        # could write into the team's topic (a forged approval mail, for one).
        for sid, service, source in (
            (
                "AllowTeamTopicToWriteItsQueues",
                "sns",
                notification_topic_arn(team, stack.account, stack.region, stack.partition),
            ),
            (
                "AllowAlarmsOfThisAccountToNotify",
                "cloudwatch",
                stack.format_arn(
                    service="cloudwatch", resource="alarm", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
                ),
            ),
            ("AllowTeamRulesToDeliver", "events", team_rules_arn_pattern(self, team)),
        ):
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=sid,
                    principals=[iam.ServicePrincipal(f"{service}.amazonaws.com")],
                    actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                    resources=["*"],  # in a key policy, "*" means this key
                    conditions={
                        "StringEquals": {"aws:SourceAccount": stack.account},
                        "ArnLike": {"aws:SourceArn": source},
                    },
                )
            )
        # CDK's grants for encrypted rule targets add an unconditioned Allow for EventBridge to
        # this policy (the platform stack's rule targets); the Deny confines every EventBridge
        # use of the key to the team's own rules, whatever Allow a future target adds.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlyTeamRulesMayUseTheKeyAsEventBridge",
                effect=iam.Effect.DENY,
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["kms:*"],
                resources=["*"],
                conditions={"ArnNotLike": {"aws:SourceArn": team_rules_arn_pattern(self, team)}},
            )
        )
