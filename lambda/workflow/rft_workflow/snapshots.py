"""Immutable, content-addressed copies of the exact dataset bytes a run trains on.

Re-uploading a dataset overwrites its key, and the bucket expires noncurrent versions, so a
(key, version id) pair in a lineage record eventually names nothing. Before a job is created,
each dataset version the run validated is copied to
``<customization>/by-sha256/<sha256>.jsonl`` in the datasets bucket (``rft_contracts.naming``):
the key is the content's hash, so it is written once and never overwritten with other bytes,
and the bucket policy denies deleting it or its versions. The lineage records the copy.

Mantle: ``submit_mantle_job`` writes the copies from the bytes it uploads (after checking them
against the sha256 the validation step recorded). Native: the state machine's snapshot states
copy the validated versions to these keys, and the job trains from them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from rft_contracts.naming import dataset_snapshot_key


class SnapshotMismatch(Exception):
    """The bytes read are not the bytes the validation step checked (sha256 differs)."""


def keep(s3: Any, bucket: str, customization: str, data: bytes, expected_sha256: str | None) -> dict:
    """Write the content-addressed copy unless it exists; returns {"bucket", "key", "sha256"}."""
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        raise SnapshotMismatch(f"dataset bytes hash to {digest}, validation checked {expected_sha256}")
    key = dataset_snapshot_key(customization, digest)
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise
        s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType="application/jsonl", Metadata={"sha256": digest})
    return {"bucket": bucket, "key": key, "sha256": digest}
