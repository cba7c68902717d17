"""Record Bedrock's native customization-job state changes in the team's run registry.

EventBridge delivers `Model Customization Job State Change` events (detail.jobName,
detail.jobStatus, detail.failureMessage). Our jobs are named ``rft_contracts.run_ids.job_name``
(`<customization>-<run_id>`); the team's customization names (env CUSTOMIZATIONS, a JSON list)
tell where the name splits. Only runs the workflow created are updated: an event for any other
job of the account changes nothing.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from rft_contracts.registry import ConditionFailed, RunRegistry
from rft_contracts.run_ids import split_job_name

logger = Logger(service="rft-job-events")
_registry: RunRegistry | None = None


def handler(event: dict, context: Any) -> dict:
    detail = event.get("detail") or {}
    if "jobName" not in detail or "jobStatus" not in detail:
        raise ValueError(
            "not a Model Customization Job State Change event: detail.jobName and detail.jobStatus are required"
        )
    parts = split_job_name(detail["jobName"], json.loads(os.environ["CUSTOMIZATIONS"]))
    if parts is None:
        logger.info("job not created by this team's workflows", extra={"job": detail["jobName"]})
        return {"updated": False}
    customization, run_id = parts
    global _registry
    _registry = _registry or RunRegistry(boto3.resource("dynamodb").Table(os.environ["REGISTRY_TABLE"]))
    try:
        _registry.record_job_event(customization, run_id, detail)
    except ConditionFailed:
        logger.info("no registry item for this run", extra={"customization": customization, "run_id": run_id})
        return {"updated": False}
    logger.info(
        "job state recorded", extra={"customization": customization, "run_id": run_id, "status": detail["jobStatus"]}
    )
    return {"updated": True, "customization": customization, "run_id": run_id}
