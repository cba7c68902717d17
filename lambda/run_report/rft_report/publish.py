"""The WriteRunReport step: a finished run's page, written to the team's artifacts bucket.

Runs at the end of every run path (promoted, not promoted, failed), before the notification,
which then links the page. Best effort by construction: the state machine catches any error of
this step and notifies without a link; nothing here changes the run's outcome.

Training curves are left out on purpose. The job's metric events come from the mantle
endpoint, which this function would reach only with a bearer-token right (``*``) and the
project's job reads; the same points in CloudWatch would need ``cloudwatch:GetMetricData``,
which has no resource-level permission (every metric of the account). Neither is worth a
report page: the page says so, `rft runs report RUN` draws the curves with the operator's
credentials, and the customization's dashboard shows the training reward.
"""

from __future__ import annotations

import time
from typing import Any

from rft_contracts.naming import run_report_key, s3_console_url, s3_uri
from rft_contracts.registry import RunRegistry
from rft_contracts.runtime_config import WorkflowConfig
from rft_report.bundle import evaluation_prefix, make_bundle, read_evaluation
from rft_report.page import render

CONTENT_TYPE = "text/html; charset=utf-8"
NO_EVENTS_NOTE = (
    "Training curves are not in this copy of the report: the workflow's report function is not "
    "allowed to read the job's metric events. `rft runs report RUN -o report.html` draws them "
    "with your credentials, and the customization's dashboard shows the training reward."
)
MISSING_ITEM_STATUS = "unknown (no registry item)"


def write_run_report(config: WorkflowConfig, run_id: str, *, s3: Any, registry: RunRegistry) -> dict:
    """Gather, render, write ``naming.run_report_key``, record that key on the run's item.

    Returns what the notification links: ``{"written", "bucket", "key", "uri", "console_url",
    "bytes", "recorded", "models", "render_seconds"}``."""
    item = registry.get(config.customization, run_id)
    evaluation = read_evaluation(s3, config.artifacts_bucket, evaluation_prefix(config.customization, run_id))
    bundle = make_bundle(
        run_id=run_id,
        team=config.team,
        customization=config.customization,
        base_model=config.base_model,
        control_plane=config.control_plane,
        item=item or {"status": MISSING_ITEM_STATUS},
        evaluation=evaluation,
        events=[],
        events_note=NO_EVENTS_NOTE,
        usd_per_million_training_tokens=config.pricing.usd_per_million_training_tokens,
    )
    started = time.perf_counter()
    page = render(bundle).encode("utf-8")
    render_seconds = time.perf_counter() - started
    key = run_report_key(config.customization, run_id)
    # The bucket's default encryption (SSE-KMS with the team key) applies, as for every report.
    s3.put_object(Bucket=config.artifacts_bucket, Key=key, Body=page, ContentType=CONTENT_TYPE)
    recorded = item is not None and registry.record_report(config.customization, run_id, key)
    return {
        "written": True,
        "bucket": config.artifacts_bucket,
        "key": key,
        "uri": s3_uri(config.artifacts_bucket, key),
        "console_url": s3_console_url(config.artifacts_bucket, key, config.region),
        "bytes": len(page),
        "recorded": recorded,
        "models": len(evaluation["results"]),
        "render_seconds": round(render_seconds, 3),
    }
