"""S3 buckets with the platform's storage defaults, and the bucket their access logs go to."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib import checkov_skips, nag
from constructs_lib.cfn import cfn_child

ABORT_INCOMPLETE_UPLOADS_DAYS = 7


def _private_bucket(scope: Construct, bucket_name: str, **settings) -> s3.Bucket:
    """A versioned, TLS 1.2+-only, private, ACL-free bucket that outlives its stack."""
    return s3.Bucket(
        scope,
        "Bucket",
        bucket_name=bucket_name,
        versioned=True,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=RemovalPolicy.RETAIN,
        **settings,
    )


class SecureBucket(Construct):
    """A KMS-encrypted, versioned, TLS-only, private, access-logged bucket that outlives its stack.

    `logical_id` pins the CloudFormation logical id on purpose: a refactor that moves this
    construct must not make CloudFormation replace (and orphan) a bucket full of datasets.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        bucket_name: str,
        logical_id: str,
        encryption_key: kms.IKey,
        access_logs_bucket: s3.IBucket,
        noncurrent_version_days: int,
    ) -> None:
        super().__init__(scope, id_)
        self.bucket = _private_bucket(
            self,
            bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=encryption_key,
            bucket_key_enabled=True,  # one KMS data key per bucket, not per object: ~99% fewer KMS calls
            server_access_logs_bucket=access_logs_bucket,
            server_access_logs_prefix=f"{logical_id}/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireReplacedVersions",
                    noncurrent_version_expiration=Duration.days(noncurrent_version_days),
                    abort_incomplete_multipart_upload_after=Duration.days(ABORT_INCOMPLETE_UPLOADS_DAYS),
                )
            ],
        )
        cfn_child(self.bucket, s3.CfnBucket).override_logical_id(logical_id)
        _acknowledge_no_replication(self.bucket)


class AccessLogBucket(Construct):
    """Target of S3 server access logs.

    S3 delivers server access logs only to buckets with SSE-S3 default encryption (SSE-KMS is
    not supported for the target), so this one bucket uses S3-managed keys. It holds request
    metadata (who read which object key), never dataset contents. cdk-nag recognises it as a log
    target (it receives the S3 logging service's writes), so it asks no access logs of it.
    """

    def __init__(self, scope: Construct, id_: str, *, bucket_name: str, logical_id: str, retention_days: int) -> None:
        super().__init__(scope, id_)
        self.bucket = _private_bucket(
            self,
            bucket_name,
            encryption=s3.BucketEncryption.S3_MANAGED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireAccessLogs",
                    expiration=Duration.days(retention_days),
                    noncurrent_version_expiration=Duration.days(1),
                )
            ],
        )
        cfn_child(self.bucket, s3.CfnBucket).override_logical_id(logical_id)
        resource = cfn_child(self.bucket, s3.CfnBucket)
        checkov_skips.skip(
            resource,
            "CKV_AWS_18",
            "This bucket is the access-log target of the datasets and artifacts buckets; logging "
            "its own access would write logs about log writes, recursively.",
        )
        for rule in ("NIST.800.53.R5-S3DefaultEncryptionKMS", "HIPAA.Security-S3DefaultEncryptionKMS"):
            nag.acknowledge(
                resource,
                rule,
                "S3 server access logging supports only SSE-S3 on the target bucket; the bucket "
                "holds request metadata, not dataset contents.",
            )
        _acknowledge_no_replication(self.bucket)


def _acknowledge_no_replication(bucket: s3.Bucket) -> None:
    for rule in ("NIST.800.53.R5-S3BucketReplicationEnabled", "HIPAA.Security-S3BucketReplicationEnabled"):
        nag.acknowledge(
            cfn_child(bucket, s3.CfnBucket),
            rule,
            "Cross-region replication needs a second bucket and key in another region, which a "
            "team platform does not own; versioning, noncurrent-version retention and RETAIN on "
            "delete protect these objects in place.",
        )
