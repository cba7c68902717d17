"""The clients every step uses: boto3 (made per call), the run registry, and mantle.

Clients are made per call (cheap next to the work they do) so that tests can swap the
backend (moto, the fake mantle endpoint) between invocations without stale module caches.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from rft_contracts.registry import RunRegistry
from rft_contracts.runtime_config import WorkflowConfig

from . import mantle as mantle_endpoint

_RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})


def client(service: str, region: str | None = None, *, read_timeout: int | None = None) -> Any:
    """``read_timeout``: for a call that waits on a slow answer (a synchronous Lambda invoke),
    longer than botocore's 60 s, and not retried: a retry would run the work again."""
    if read_timeout is None:
        return boto3.client(service, region_name=region, config=_RETRIES)
    return boto3.client(
        service, region_name=region, config=Config(read_timeout=read_timeout, retries={"total_max_attempts": 1})
    )


def resource(service: str, region: str | None = None) -> Any:
    return boto3.resource(service, region_name=region, config=_RETRIES)


def registry(config: WorkflowConfig) -> RunRegistry:
    return RunRegistry(resource("dynamodb", config.region).Table(config.registry_table))


def mantle(config: WorkflowConfig) -> Any:
    """An ``openai.OpenAI`` client on the customization's region, with a fresh bearer token."""
    return mantle_endpoint.client(config.region)
