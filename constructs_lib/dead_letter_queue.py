"""A dead-letter queue of the platform: KMS-encrypted with the team key, TLS only, 14 days.

cdk-nag asks every queue for a dead-letter queue of its own (Serverless-SQSRedrivePolicy, and
AwsSolutions-SQS3 when it does not see the queue used as one): for a dead-letter queue that
would only move the problem, so each caller acknowledges those with the queue's own role.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib import nag
from constructs_lib.cfn import cfn_child

RETENTION = Duration.days(14)  # SQS's maximum: time to look at and replay what failed


def dead_letter_queue(
    scope: Construct,
    id_: str,
    *,
    key: kms.IKey,
    reason: str,
    findings: tuple[str, ...] = ("Serverless-SQSRedrivePolicy",),
) -> sqs.Queue:
    """The queue, with ``findings`` acknowledged for ``reason`` (what the queue is the DLQ of)."""
    queue = sqs.Queue(
        scope,
        id_,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        retention_period=RETENTION,
    )
    nag.acknowledge_each(cfn_child(queue, sqs.CfnQueue), list(findings), reason)
    return queue
