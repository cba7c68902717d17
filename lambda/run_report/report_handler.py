"""Lambda handler of the workflow's WriteRunReport step: a thin Powertools shell over
``rft_report.publish``. Its own function and code asset (plotly is 38 MB unzipped and only
this step needs it). Contract, IAM and why the page has no training curves: ``README.md``.

Receives the whole workflow state (``run_id``, ``config``, ...); returns what the notification
links: ``{"written": true, "key", "uri", "console_url"}``. Logs ids, sizes and timings, never
prompts or answers.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer

from rft_contracts.registry import RunRegistry
from rft_contracts.runtime_config import WorkflowConfig
from rft_report import publish

logger = Logger()
tracer = Tracer()

LINK_FIELDS = ("written", "key", "uri", "console_url")


@tracer.capture_lambda_handler(capture_response=False)
@logger.inject_lambda_context(log_event=False)
def write_run_report(event: dict, context: Any) -> dict:
    config = WorkflowConfig.model_validate(event["config"])
    run_id = str(event["run_id"])
    logger.append_keys(run_id=run_id, customization=config.customization, step="write_run_report")
    registry = RunRegistry(boto3.resource("dynamodb", region_name=config.region).Table(config.registry_table))
    result = publish.write_run_report(
        config, run_id, s3=boto3.client("s3", region_name=config.region), registry=registry
    )
    logger.info(
        "run report written",
        extra={k: result[k] for k in ("key", "bytes", "recorded", "models", "render_seconds")},
    )
    return {k: result[k] for k in LINK_FIELDS}
