"""The team's notification topic: approvals, failures and promotions go here."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib import nag


class NotificationTopic(Construct):
    """An SNS topic encrypted with the team key, TLS-only, with the config's email subscribers."""

    def __init__(self, scope: Construct, id_: str, *, topic_name: str, key: kms.IKey,
                 emails: tuple[str, ...]) -> None:
        super().__init__(scope, id_)
        self.topic = sns.Topic(
            self, "Topic", topic_name=topic_name, display_name=f"RFT {topic_name}",
            master_key=key, enforce_ssl=True,
        )
        # Messages SNS cannot deliver (bounced addresses, throttled endpoints) land here instead
        # of vanishing: an approval request must not be lost silently.
        self.undeliverable = sqs.Queue(
            self, "Undeliverable", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key,
            enforce_ssl=True, retention_period=Duration.days(14),
        )
        nag.acknowledge_each(
            self.undeliverable.node.default_child, ["AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"],
            "This queue is itself the dead-letter queue of the notification subscriptions (an SNS "
            "redrive policy, which cdk-nag does not recognise as a DLQ relationship).",
        )
        for email in emails:
            self.topic.add_subscription(
                subscriptions.EmailSubscription(email, dead_letter_queue=self.undeliverable))
