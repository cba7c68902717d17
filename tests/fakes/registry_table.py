"""The run registry's DynamoDB table in moto, keyed as the platform creates it
(``rft_contracts.registry``'s key names, the same ones ``constructs_lib/run_registry.py`` uses)."""

from __future__ import annotations

from typing import Any

from rft_contracts.registry import PARTITION_KEY, SORT_KEY


def create_registry_table(name: str, region: str | None = None) -> Any:
    """Create the table (inside an active moto mock); returns its boto3 Table resource."""
    import boto3

    return boto3.resource("dynamodb", region_name=region).create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": SORT_KEY, "AttributeType": "S"},
        ],
    )
