"""Reading dataset versions and writing run reports in the team's buckets."""

from __future__ import annotations

import json
from typing import Any

from rft_contracts.runtime_config import WorkflowConfig


def read_object(s3: Any, bucket: str, key: str, version_id: str | None = None) -> tuple[bytes, str | None]:
    """Body and the version id actually read (the latest when ``version_id`` is None)."""
    kwargs = {"Bucket": bucket, "Key": key}
    if version_id:
        kwargs["VersionId"] = version_id
    response = s3.get_object(**kwargs)
    return response["Body"].read(), response.get("VersionId")


def put_json(s3: Any, bucket: str, key: str, document: Any) -> str:
    """Write a JSON document (the bucket's default SSE-KMS applies); returns the key."""
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=json.dumps(document, indent=1, sort_keys=True, default=str).encode(),
        ContentType="application/json",
    )
    return key


def read_rows(s3: Any, config: WorkflowConfig, ref: dict) -> list[tuple[int, dict]]:
    """(line number, row) of a JSONL object version that validate_dataset already checked."""
    data, _ = read_object(s3, config.datasets_bucket, ref["key"], ref.get("version_id"))
    return [(n, json.loads(line)) for n, line in enumerate(data.decode("utf-8-sig").splitlines(), 1) if line.strip()]
