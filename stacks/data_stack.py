"""The stateful half of a team's platform: its KMS key, buckets and run registry.

Kept apart from the platform stack so that changing graders or workflows can never replace
storage: this stack has termination protection, retains everything on deletion and pins the
logical ids of its stateful resources. Bucket names are derived from the team config
(`rft.naming`), so the platform stack and the CLI find them without cross-stack exports.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack, Tags
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib.run_registry import RunRegistry
from constructs_lib.secure_bucket import AccessLogBucket, SecureBucket
from constructs_lib.team_key import TeamKey
from rft.config.team_config import DataSettings
from rft_contracts.naming import DATASET_SNAPSHOT_DIR, bucket_name, registry_table_name


class DataStack(Stack):
    """KMS key `alias/rft/<team>`, the datasets, artifacts and log buckets, the run registry."""

    def __init__(self, scope: Construct, id_: str, *, team: str, data: DataSettings, **kwargs) -> None:
        super().__init__(scope, id_, termination_protection=True, **kwargs)
        Tags.of(self).add("rft:team", team)

        def name(purpose: str) -> str:
            return bucket_name(team, purpose, self.account, self.region)

        self.key = TeamKey(self, "TeamKey", team=team).key
        self.access_logs_bucket = AccessLogBucket(
            self,
            "AccessLogs",
            bucket_name=name("logs"),
            logical_id="AccessLogsBucket",
            retention_days=data.access_log_days,
        ).bucket
        self.datasets_bucket = SecureBucket(
            self,
            "Datasets",
            bucket_name=name("datasets"),
            logical_id="DatasetsBucket",
            encryption_key=self.key,
            access_logs_bucket=self.access_logs_bucket,
            noncurrent_version_days=data.noncurrent_version_days,
        ).bucket
        # The content-addressed copies runs trained on are lineage: nobody deletes them or their
        # versions (a delete marker would make the copy noncurrent, and noncurrent versions expire).
        self.datasets_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="KeepTrainedDatasetSnapshots",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["s3:DeleteObject", "s3:DeleteObjectVersion"],
                resources=[self.datasets_bucket.arn_for_objects(f"*/{DATASET_SNAPSHOT_DIR}/*")],
            )
        )
        self.artifacts_bucket = SecureBucket(
            self,
            "Artifacts",
            bucket_name=name("artifacts"),
            logical_id="ArtifactsBucket",
            encryption_key=self.key,
            access_logs_bucket=self.access_logs_bucket,
            noncurrent_version_days=data.noncurrent_version_days,
        ).bucket
        self.registry = RunRegistry(self, "RunRegistry", table_name=registry_table_name(team), key=self.key).table

        CfnOutput(self, "KeyArn", value=self.key.key_arn, description="Team KMS key")
        CfnOutput(
            self,
            "DatasetsBucketName",
            value=self.datasets_bucket.bucket_name,
            description="Upload datasets to s3://<this>/<customization>/",
        )
        CfnOutput(
            self,
            "ArtifactsBucketName",
            value=self.artifacts_bucket.bucket_name,
            description="Run reports and job outputs, under s3://<this>/<customization>/",
        )
