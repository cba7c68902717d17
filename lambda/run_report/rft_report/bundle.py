"""A run's bundle: everything the page shows, gathered into one JSON-able dict.

``read_evaluation`` reads the run's held-out evaluation artifacts (per-item results, the
prompts, the gate report) from the artifacts bucket through the S3 client it is given: the
operator's (`rft runs report`) or the WriteRunReport function's. ``make_bundle`` puts them
together with the registry item and, when the caller could read them, the job's metric events.
"""

from __future__ import annotations

import json
from typing import Any

from rft_contracts.naming import EVALUATION_GATE as GATE_REPORT
from rft_contracts.naming import EVALUATION_ITEMS_DIR as ITEMS_DIR
from rft_contracts.naming import EVALUATION_PROMPTS as PROMPTS
from rft_contracts.naming import evaluation_key


def read_evaluation(s3: Any, bucket: str, prefix: str) -> dict:
    """{"results": {model key: [item documents]}, "prompts": [rows], "gate_report": dict | None}
    from the objects under ``prefix`` (the run's ``evaluation/`` folder)."""
    results: dict[str, list[dict]] = {}
    prompts: list[dict] = []
    gate_report: dict | None = None
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            rest = obj["Key"][len(prefix) :]
            if not (rest.startswith(ITEMS_DIR) or rest in (PROMPTS, GATE_REPORT)):
                continue  # nothing else the page shows: not read
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            if rest.startswith(ITEMS_DIR):
                results.setdefault(rest.split("/")[1], []).append(json.loads(body))
            elif rest == PROMPTS:
                prompts = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
            else:
                gate_report = json.loads(body)
    return {"results": results, "prompts": prompts, "gate_report": gate_report}


def evaluation_prefix(customization: str, run_id: str) -> str:
    return evaluation_key(customization, run_id)


def make_bundle(
    *,
    run_id: str,
    team: str,
    customization: str,
    base_model: str,
    control_plane: str,
    item: dict,
    evaluation: dict,
    events: list[dict],
    events_note: str | None = None,
    usd_per_million_training_tokens: float | None = None,
) -> dict:
    """The bundle ``rft_report.page.render`` reads. ``events_note`` says why ``events`` (the
    job's metric events, oldest first) are missing, when they are."""
    if not item.get("gate") and evaluation.get("gate_report"):
        # The gate wrote its report but not the registry (its write failed): show the report.
        item = {**item, "gate": evaluation["gate_report"]}
    return {
        "run_id": run_id,
        "team": team,
        "customization": customization,
        "base_model": base_model,
        "control_plane": control_plane,
        "item": item,
        "results": evaluation.get("results") or {},
        "prompts": evaluation.get("prompts") or [],
        "events": events,
        "events_note": events_note,
        "usd_per_million_training_tokens": usd_per_million_training_tokens,
    }
