"""Record Bedrock's native customization-job state changes in the team's run registry.

EventBridge delivers `Model Customization Job State Change` events (detail.jobName,
detail.jobStatus, detail.failureMessage). Our jobs are named `<customization>-<run_id>`; the
team's customization names (env CUSTOMIZATIONS, a JSON list) tell where the name splits, since
both parts may contain hyphens. Only runs the workflow created are updated: an event for any
other job of the account changes nothing.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

logger = Logger(service="rft-job-events")
_table = None


def split_job_name(job_name: str, customizations: list[str]) -> tuple[str, str] | None:
    """(customization, run_id) of a workflow job name, or None for a job that is not ours."""
    for name in sorted(customizations, key=len, reverse=True):  # longest first: "a-b" before "a"
        if job_name.startswith(f"{name}-") and len(job_name) > len(name) + 1:
            return name, job_name[len(name) + 1:]
    return None


def registry_update(detail: dict[str, Any]) -> dict[str, Any]:
    """The attributes an event sets on the run's registry item."""
    fields = {"job_event_status": detail["jobStatus"],
              "job_event_at": detail.get("lastModifiedTime") or detail.get("endTime") or ""}
    if detail.get("failureMessage"):
        fields["job_failure_message"] = detail["failureMessage"][:2000]
    if detail.get("outputModelArn"):
        fields["job_output_model_arn"] = detail["outputModelArn"]
    return fields


def handler(event: dict, context: Any) -> dict:
    detail = event.get("detail") or {}
    if "jobName" not in detail or "jobStatus" not in detail:
        raise ValueError("not a Model Customization Job State Change event: detail.jobName and "
                         "detail.jobStatus are required")
    parts = split_job_name(detail["jobName"], json.loads(os.environ["CUSTOMIZATIONS"]))
    if parts is None:
        logger.info("job not created by this team's workflows", extra={"job": detail["jobName"]})
        return {"updated": False}
    customization, run_id = parts
    fields = registry_update(detail)
    global _table
    _table = _table or boto3.resource("dynamodb").Table(os.environ["REGISTRY_TABLE"])
    try:
        _table.update_item(
            Key={"customization": customization, "run_id": run_id},
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
            ExpressionAttributeNames={f"#{k}": k for k in fields} | {"#run_id": "run_id"},
            ExpressionAttributeValues={f":{k}": v for k, v in fields.items()},
            ConditionExpression="attribute_exists(#run_id)",  # never invent a run
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        logger.info("no registry item for this run", extra={"customization": customization,
                                                            "run_id": run_id})
        return {"updated": False}
    logger.info("job state recorded", extra={"customization": customization, "run_id": run_id,
                                             "status": detail["jobStatus"]})
    return {"updated": True, "customization": customization, "run_id": run_id}
