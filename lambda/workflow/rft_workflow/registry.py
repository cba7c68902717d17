"""The run registry: one DynamoDB item per run, key (customization, run_id).

Item shape (attributes appear as the run advances; every write sets ``updated_at``)::

    customization (S, partition key)   run_id (S, sort key)
    team, created_at, updated_at       ISO-8601 UTC
    status             awaiting_approval | approved | rejected | submitting | running |
                       succeeded | failed
    task_token         while awaiting approval (removed when answered)
    approval_requested_at, cost_estimate_usd, approval {approved, by, reason, at}
    submit             {"state": "submitting"|"submitted", "started_at", "train_file_id",
                        "validation_file_id", "job_id", "adopted": bool}
    job_id, plane, base_model
    lineage            (promote) datasets, grader spec hash, hyperparameters, job, chosen
                       checkpoint and every score, cost estimate
    model_id, model_parameter, promoted_at
    error {Error, Cause}, failed_step, job_cancelled   (record_failure)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.exceptions import ClientError

from .aws import from_dynamo, resource, to_dynamo


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class ConditionFailed(Exception):
    """A conditional registry write lost (someone else wrote first)."""


class Registry:
    def __init__(self, table_name: str, region: str | None = None, table: Any = None):
        self.table = table if table is not None else resource("dynamodb", region).Table(table_name)

    def get(self, customization: str, run_id: str) -> dict | None:
        item = self.table.get_item(Key={"customization": customization, "run_id": run_id},
                                   ConsistentRead=True).get("Item")
        return from_dynamo(item) if item else None

    def update(
        self,
        customization: str,
        run_id: str,
        fields: dict[str, Any],
        *,
        remove: tuple[str, ...] = (),
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
        condition_names: dict[str, str] | None = None,
    ) -> dict:
        """Upsert ``fields`` (top-level attributes); returns the item after the write."""
        names: dict[str, str] = dict(condition_names or {})
        values: dict[str, Any] = {":now": now_iso()}
        sets = ["#updated_at = :now", "#created_at = if_not_exists(#created_at, :now)"]
        names["#updated_at"], names["#created_at"] = "updated_at", "created_at"
        for index, (key, value) in enumerate(fields.items()):
            names[f"#f{index}"] = key
            values[f":f{index}"] = to_dynamo(value)
            sets.append(f"#f{index} = :f{index}")
        expression = "SET " + ", ".join(sets)
        if remove:
            for index, key in enumerate(remove):
                names[f"#r{index}"] = key
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove)))
        kwargs: dict[str, Any] = {
            "Key": {"customization": customization, "run_id": run_id},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            kwargs["ConditionExpression"] = condition
            values.update(to_dynamo(condition_values or {}))
        try:
            return from_dynamo(self.table.update_item(**kwargs)["Attributes"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConditionFailed(condition) from None
            raise
