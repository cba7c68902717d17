"""boto3 clients and small S3/JSON helpers shared by the handlers.

Clients are made per call (cheap next to the work they do) so that tests can swap the
backend (moto) between invocations without module-level caches going stale.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import boto3
from botocore.config import Config

_RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})


def client(service: str, region: str | None = None):
    return boto3.client(service, region_name=region, config=_RETRIES)


def resource(service: str, region: str | None = None):
    return boto3.resource(service, region_name=region, config=_RETRIES)


def read_object(s3, bucket: str, key: str, version_id: str | None = None) -> tuple[bytes, str | None]:
    """Body and the version id actually read (the latest when ``version_id`` is None)."""
    kwargs = {"Bucket": bucket, "Key": key}
    if version_id:
        kwargs["VersionId"] = version_id
    response = s3.get_object(**kwargs)
    return response["Body"].read(), response.get("VersionId")


def put_json(s3, bucket: str, key: str, document: Any) -> str:
    """Write a JSON document (the bucket's default SSE-KMS applies); returns the key."""
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=json.dumps(document, indent=1, sort_keys=True, default=str).encode(),
        ContentType="application/json",
    )
    return key


def to_dynamo(value: Any) -> Any:
    """JSON-like value -> DynamoDB-safe value (floats as Decimal, non-finite floats as None)."""
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_dynamo(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dynamo(v) for v in value]
    return value


def from_dynamo(value: Any) -> Any:
    """DynamoDB value -> JSON-like value (Decimal as int when integral, else float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [from_dynamo(v) for v in value]
    if isinstance(value, set):
        return sorted(from_dynamo(v) for v in value)
    return value
