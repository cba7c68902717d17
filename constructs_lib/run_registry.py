"""The team's run registry: one item per workflow run, with its lineage."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib import nag
from constructs_lib.cfn import cfn_child
from rft_contracts.registry import PARTITION_KEY, SORT_KEY


class RunRegistry(Construct):
    """DynamoDB table keyed by (customization, run_id), encrypted with the team key.

    It is the record of what was trained on what, graded by which grader version, and which
    model was promoted: point-in-time recovery on, deletion protection on, retained with the stack.
    """

    def __init__(self, scope: Construct, id_: str, *, table_name: str, key: kms.IKey) -> None:
        super().__init__(scope, id_)
        self.table = dynamodb.Table(
            self,
            "Table",
            table_name=table_name,
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        cfn_child(self.table, dynamodb.CfnTable).override_logical_id("RunRegistryTable")
        for rule in ("NIST.800.53.R5-DynamoDBInBackupPlan", "HIPAA.Security-DynamoDBInBackupPlan"):
            nag.acknowledge(
                cfn_child(self.table, dynamodb.CfnTable),
                rule,
                "Point-in-time recovery (35 days, to the second) and deletion protection cover "
                "this run registry; an AWS Backup plan is the account owner's to attach.",
            )
