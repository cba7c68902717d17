"""The WriteRunReport handler against moto: what it reads, the page it writes, what it records."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.fakes.registry_table import create_registry_table

REPORT_DIR = Path(__file__).resolve().parents[3] / "lambda" / "run_report"
if str(REPORT_DIR) not in sys.path:
    sys.path.insert(0, str(REPORT_DIR))

REGION, ACCOUNT, TEAM, CUSTOMIZATION = "us-west-2", "123456789012", "example", "ticket-triage"
RUN_ID = "r20260101000000-abc123"
ARTIFACTS = f"rft-{TEAM}-artifacts-{ACCOUNT}-{REGION}"
TABLE = f"rft-{TEAM}-runs"
HOSTILE = "<script>window.pwned=1</script>"


def _config() -> dict:
    """The example team's runtime config, built the way synth builds it (one owner of its shape)."""
    from rft.config.loader import load_team
    from rft.config.runtime_config import build_runtime_config

    team = load_team(TEAM)
    config = build_runtime_config(
        team,
        team.customization(CUSTOMIZATION),
        account=ACCOUNT,
        region=REGION,
        partition="aws",
        grader_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rft-{TEAM}-{CUSTOMIZATION}-grader",
        service_role_arn=None,
        kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
        datasets_bucket=f"rft-{TEAM}-datasets-{ACCOUNT}-{REGION}",
        artifacts_bucket=ARTIFACTS,
        registry_table=TABLE,
    )
    return config.model_dump(mode="json")


GATE = {
    "decision": "reject",
    "reason": "final reward_mean 0.5000 over 2 prompts; vs base: fail (no better)",
    "metric": "reward_mean",
    "confidence": 0.95,
    "chosen": {"key": "final", "model_id": "ft:final"},
    "comparisons": [],
    "candidates": [
        {"key": "base", "role": "base", "model_id": "qwen.qwen3-32b", "mean": 0.5, "ci": [0.0, 1.0], "n": 2},
        {"key": "final", "role": "candidate", "model_id": "ft:final", "mean": 0.5, "ci": [0.0, 1.0], "n": 2},
    ],
}


@pytest.fixture
def world(monkeypatch):
    import boto3
    from moto import mock_aws

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=ARTIFACTS, CreateBucketConfiguration={"LocationConstraint": REGION})
        create_registry_table(TABLE, REGION)
        table = boto3.resource("dynamodb", region_name=REGION).Table(TABLE)
        prefix = f"{CUSTOMIZATION}/runs/{RUN_ID}/evaluation/"

        def put(name: str, document) -> None:
            body = document if isinstance(document, str) else json.dumps(document)
            s3.put_object(Bucket=ARTIFACTS, Key=prefix + name, Body=body.encode())

        for model, rewards in (("base", (1.0, 0.0)), ("final", (0.0, 1.0))):
            put(
                f"items/{model}/0.json",
                {"scores": [{"index": i, "answer": f"{model} says {i}", "reward": r} for i, r in enumerate(rewards)]},
            )
        prompts = [{"messages": [{"role": "user", "content": f"Ticket {i} {HOSTILE}"}]} for i in range(2)]
        put("prompts.jsonl", "".join(json.dumps(p) + "\n" for p in prompts))
        put("gate.json", GATE)
        yield SimpleNamespace(s3=s3, table=table, put=put)


def _invoke():
    import report_handler

    from tests.fakes.inprocess_lambda import fake_context

    return report_handler.write_run_report({"run_id": RUN_ID, "config": _config(), "input": {}}, fake_context())


def _page(world) -> tuple[str, dict]:
    from rft_contracts.naming import run_report_key

    written = world.s3.get_object(Bucket=ARTIFACTS, Key=run_report_key(CUSTOMIZATION, RUN_ID))
    return written["Body"].read().decode(), written


def test_the_page_is_written_as_html_and_its_key_recorded_on_the_finished_run(world):
    from rft_contracts.naming import run_report_key
    from rft_contracts.registry import to_dynamo

    world.table.put_item(
        Item={
            "customization": CUSTOMIZATION,
            "run_id": RUN_ID,
            "status": "not_promoted",
            "updated_at": "2026-01-01T00:10:00+00:00",
            "gate": to_dynamo(GATE),
        }
    )
    result = _invoke()
    key = run_report_key(CUSTOMIZATION, RUN_ID)
    assert result == {
        "written": True,
        "key": key,
        "uri": f"s3://{ARTIFACTS}/{key}",
        "console_url": f"https://console.aws.amazon.com/s3/object/{ARTIFACTS}?region={REGION}&prefix={key}",
    }
    page, written = _page(world)
    assert written["ContentType"] == "text/html; charset=utf-8"
    assert f"Run {RUN_ID}" in page and '<strong id="status">not_promoted</strong>' in page
    assert "Gate decision: <strong>reject</strong>" in page
    assert "chart-distribution" in page and "base says 1" in page and "final says 0" in page
    assert HOSTILE not in page  # prompts are escaped, never markup
    assert "Training curves are not in this copy" in page and "chart-training" not in page
    item = world.table.get_item(Key={"customization": CUSTOMIZATION, "run_id": RUN_ID})["Item"]
    assert item["report_key"] == key and item["report_written_at"]
    assert item["updated_at"] == "2026-01-01T00:10:00+00:00"  # still when the run ended


def test_the_gate_report_stands_in_when_the_registry_has_no_gate(world):
    world.table.put_item(Item={"customization": CUSTOMIZATION, "run_id": RUN_ID, "status": "failed"})
    _invoke()
    page, _ = _page(world)
    assert "Gate decision: <strong>reject</strong>" in page and "no better" in page


def test_a_run_missing_from_the_registry_gets_a_page_but_no_partial_item(world):
    from rft_report.publish import MISSING_ITEM_STATUS

    assert _invoke()["written"] is True
    page, _ = _page(world)
    assert MISSING_ITEM_STATUS in page
    assert "Item" not in world.table.get_item(Key={"customization": CUSTOMIZATION, "run_id": RUN_ID})


def test_a_failed_run_shows_where_and_why(world):
    world.table.put_item(
        Item={
            "customization": CUSTOMIZATION,
            "run_id": RUN_ID,
            "status": "failed",
            "failed_step": "TrainingJob",
            "error": {"Error": "JobFailed", "Cause": f"Job j ended failed: {HOSTILE}"},
            "job_cancelled": False,
        }
    )
    _invoke()
    page, _ = _page(world)
    assert "<h2>Failure</h2>" in page and "JobFailed" in page and "TrainingJob" in page
    assert HOSTILE not in page


def test_objects_the_page_does_not_show_are_not_read(world, monkeypatch):
    """Only items/, prompts.jsonl and gate.json are fetched (a run's evaluation folder may hold more)."""
    from rft_report import bundle

    world.put("notes/big.bin", "x" * 1000)
    fetched = []

    class Recording:
        def __init__(self, s3):
            self._s3 = s3

        def get_paginator(self, name):
            return self._s3.get_paginator(name)

        def get_object(self, **kwargs):
            fetched.append(kwargs["Key"].rsplit("/evaluation/", 1)[1])
            return self._s3.get_object(**kwargs)

    result = bundle.read_evaluation(Recording(world.s3), ARTIFACTS, f"{CUSTOMIZATION}/runs/{RUN_ID}/evaluation/")
    assert sorted(fetched) == ["gate.json", "items/base/0.json", "items/final/0.json", "prompts.jsonl"]
    assert set(result["results"]) == {"base", "final"} and len(result["prompts"]) == 2
