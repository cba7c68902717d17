"""Job status on both control planes: normalisation, deadline, training-metric events. Pure
helpers plus the two fetchers (mantle via the SDK, native via boto3 bedrock).

Normalised statuses: running | succeeded | failed | cancelled.
- mantle (OpenAI vocabulary): validating_files, queued, running, paused -> running;
  succeeded; failed; cancelled. Anything unknown -> running (the deadline still ends it).
- native: InProgress, Stopping -> running; Completed -> succeeded; Failed -> failed;
  Stopped -> cancelled.

Events ([U] ordering): OpenAI lists events newest first and ``after`` pages to older ones.
We page from the newest until we reach the recorded cursor (the newest event id seen last
time), so each event is read once; events not newer than the cursor's ``created_at`` are
dropped as well, which keeps us from publishing twice should the order be reversed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rft_contracts.metrics import training_namespace
from rft_contracts.runtime_config import WorkflowConfig

from . import clients, mantle

MANTLE_STATUS = {
    "validating_files": "running",
    "queued": "running",
    "running": "running",
    "paused": "running",
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
}
NATIVE_STATUS = {
    "InProgress": "running",
    "Stopping": "running",
    "Completed": "succeeded",
    "Failed": "failed",
    "Stopped": "cancelled",
}
TERMINAL = ("succeeded", "failed", "cancelled")
METRIC_BATCH = 1000  # PutMetricData accepts up to 1000 datums per call
MAX_EVENT_PAGES = 50
EVENT_PAGE_SIZE = 100


def normalize(plane: str, status: str | None) -> str:
    table = MANTLE_STATUS if plane == "mantle" else NATIVE_STATUS
    return table.get(status or "", "running")


def parse_time(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def past_deadline(started_at: Any, max_job_hours: float, now: dt.datetime) -> bool:
    started = parse_time(started_at)
    if started is None:
        return False
    return now > started + dt.timedelta(hours=max_job_hours)


def new_events(list_page, cursor: str | None, cursor_created_at: int | None) -> list[dict]:
    """Events newer than the cursor, oldest first. ``list_page(after) -> (events, has_more)``."""
    fresh: list[dict] = []
    after = None
    for _ in range(MAX_EVENT_PAGES):
        events, has_more = list_page(after)
        reached = False
        for event in events:
            if cursor is not None and event["id"] == cursor:
                reached = True
                break
            if cursor_created_at is not None and (event.get("created_at") or 0) < cursor_created_at:
                continue
            fresh.append(event)
        if reached or not has_more or not events:
            break
        after = events[-1]["id"]
    seen: set[str] = set()
    unique: list[dict] = []
    for e in fresh:
        if e["id"] not in seen:
            seen.add(e["id"])
            unique.append(e)
    return sorted(unique, key=lambda e: (e.get("created_at") or 0, e["id"]))


def metric_data(events: list[dict], customization: str, run_id: str) -> list[dict]:
    """PutMetricData datums for ``type == "metrics"`` events: one per numeric data field
    (``step`` and ``total_steps`` are positions, not metrics), at the event's time."""
    dimensions = [{"Name": "Customization", "Value": customization}, {"Name": "RunId", "Value": run_id}]
    datums = []
    for event in events:
        if event.get("type") != "metrics" or not isinstance(event.get("data"), dict):
            continue
        when = parse_time(event.get("created_at")) or dt.datetime.now(dt.UTC)
        for name, value in event["data"].items():
            if name in ("step", "total_steps") or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            datums.append(
                {"MetricName": name, "Dimensions": dimensions, "Timestamp": when, "Value": float(value), "Unit": "None"}
            )
    return datums


def publish(cloudwatch: Any, namespace: str, datums: list[dict]) -> int:
    for start in range(0, len(datums), METRIC_BATCH):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=datums[start : start + METRIC_BATCH])
    return len(datums)


def _now() -> dt.datetime:  # tests replace it
    return dt.datetime.now(dt.UTC)


def check(config: WorkflowConfig, run_id: str, job_state: dict) -> dict:
    """Refresh the job part of the state from the plane; publishes new training metrics."""
    job = dict(job_state)
    plane = job.get("plane") or config.control_plane
    job["plane"] = plane
    if plane == "mantle":
        client = clients.mantle(config)
        remote = mantle.as_dict(client.fine_tuning.jobs.retrieve(job["job_id"]))
        job["raw_status"] = remote.get("status")
        job["fine_tuned_model"] = remote.get("fine_tuned_model")
        job["failure_message"] = (remote.get("error") or {}).get("message") if remote.get("error") else None
        if not job.get("started_at") and remote.get("created_at"):
            started = parse_time(remote["created_at"])
            assert started is not None  # a truthy time always parses
            job["started_at"] = started.isoformat()

        def page(after: str | None) -> tuple[list[dict], bool]:
            kwargs: dict[str, Any] = {"limit": EVENT_PAGE_SIZE}
            if after:
                kwargs["after"] = after
            result = client.fine_tuning.jobs.list_events(job["job_id"], **kwargs)
            return [mantle.as_dict(e) for e in result.data], bool(getattr(result, "has_more", False))

        fresh = new_events(page, job.get("events_cursor"), job.get("events_cursor_created_at"))
        datums = metric_data(fresh, config.customization, run_id)
        published = (
            publish(clients.client("cloudwatch", config.region), training_namespace(config.team), datums)
            if datums
            else 0
        )
        if fresh:
            job["events_cursor"] = fresh[-1]["id"]
            job["events_cursor_created_at"] = fresh[-1].get("created_at")
            steps = [e["data"].get("step") for e in fresh if isinstance(e.get("data"), dict) and "step" in e["data"]]
            if steps:
                job["last_step"] = steps[-1]
        job["metrics_published"] = published
        job["events_read"] = len(fresh)
    else:
        remote = clients.client("bedrock", config.region).get_model_customization_job(jobIdentifier=job["job_id"])
        job["raw_status"] = remote.get("status")
        job["output_model_arn"] = remote.get("outputModelArn")
        job["failure_message"] = remote.get("failureMessage")
        if not job.get("started_at") and remote.get("creationTime"):
            started = parse_time(remote["creationTime"])
            assert started is not None  # a truthy time always parses
            job["started_at"] = started.isoformat()
        job["metrics_published"] = 0
    now = _now()
    job["status"] = normalize(plane, job["raw_status"])
    job["past_deadline"] = job["status"] == "running" and past_deadline(
        job.get("started_at"), config.workflow.max_job_hours, now
    )
    job["checked_at"] = now.isoformat(timespec="seconds")
    return job
