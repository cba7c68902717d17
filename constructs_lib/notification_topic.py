"""The team's notification topic: approvals, failures and promotions go here."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from constructs_lib.dead_letter_queue import dead_letter_queue
from constructs_lib.iam_statements import team_rules_arn_pattern


class NotificationTopic(Construct):
    """An SNS topic encrypted with the team key, TLS-only, with the config's email subscribers."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        topic_name: str,
        key: kms.IKey,
        emails: tuple[str, ...],
        team: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=topic_name,
            display_name=f"RFT {topic_name}",
            master_key=key,
            enforce_ssl=True,
        )
        if team is not None:
            # EventBridge rule targets get an unconditioned Allow for events.amazonaws.com from
            # CDK; this Deny confines it to the team's own rules (rft-<team>-*) in this account,
            # so no other rule can publish (forged approval or failure mail). A Deny is used
            # because it also covers Allows that targets added later bring along.
            self.topic.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="OnlyTeamRulesMayPublishAsEventBridge",
                    effect=iam.Effect.DENY,
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["sns:Publish"],
                    resources=[self.topic.topic_arn],
                    conditions={"ArnNotLike": {"aws:SourceArn": team_rules_arn_pattern(self, team)}},
                )
            )
        # Messages SNS cannot deliver (bounced addresses, throttled endpoints) land here instead
        # of vanishing: an approval request must not be lost silently.
        self.undeliverable = dead_letter_queue(
            self,
            "Undeliverable",
            key=key,
            findings=("AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"),
            reason="This queue is itself the dead-letter queue of the notification subscriptions (an SNS "
            "redrive policy, which cdk-nag does not recognise as a DLQ relationship).",
        )
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email, dead_letter_queue=self.undeliverable))
