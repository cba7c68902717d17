"""Issue 12, item 5: every run leaves its report page in the artifacts bucket, linked from the
notification (WriteRunReport, in moto's Step Functions engine with the real handlers), and a
report that cannot be written changes nothing but the link."""

from __future__ import annotations

import pytest

from rft_contracts.naming import run_report_key, s3_console_url
from tests.e2e.local_world import RUN_ID, datasets

# outcome -> (how the run is made to end so, execution status, registry status, notification,
#             report state, what the page says of the gate)
OUTCOMES = {
    "promoted": ({}, 120, "SUCCEEDED", "succeeded", "succeeded", "WriteRunReport", "Gate decision: <strong>promote"),
    "not_promoted": (
        {"min_improvement_over_base": 5.0},  # rewards are in [0, 1]: no model clears +5
        120,
        "SUCCEEDED",
        "not_promoted",
        "not_promoted",
        "WriteRunReportNotPromoted",
        "Gate decision: <strong>reject",
    ),
    "failed": (
        {},
        5,  # below the 100-row minimum: DatasetInvalid, before any job
        "FAILED",
        "failed",
        "failed",
        "WriteRunReportFailed",
        "no held-out evaluation recorded",
    ),
}


def _world(local_platform, promotion: dict):
    return local_platform(
        "example", "ticket-triage", edit_config=lambda c: c["promotion"].update(promotion) if promotion else None
    )


def _notification(world) -> dict:
    [message] = [n for n in world.notifications() if n.get("run_id") == RUN_ID]
    return message


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_every_run_path_writes_its_report_and_the_notification_links_it(local_platform, outcome):
    promotion, train_rows, execution_status, status, notified, state, gate_text = OUTCOMES[outcome]
    world = _world(local_platform, promotion)
    execution = world.start(datasets(world, train_rows=train_rows, validation_rows=40))
    described = world.wait(execution)
    assert described["status"] == execution_status, world.history(execution)[-3:]
    assert state in world.entered(execution)

    bucket, key = world.config["artifacts_bucket"], run_report_key("ticket-triage", RUN_ID)
    written = world.s3.get_object(Bucket=bucket, Key=key)
    assert written["ContentType"].startswith("text/html")
    page = written["Body"].read().decode()
    assert f"<h1>Run {RUN_ID}</h1>" in page
    assert f'<strong id="status">{status}</strong>' in page
    assert gate_text in page
    assert "Training curves are not in this copy" in page  # said, not silently missing
    if outcome == "failed":
        assert "DatasetInvalid" in page and "ValidateDataset" in page

    message = _notification(world)
    assert message["outcome"] == notified
    assert message["run_report"]["written"] is True
    assert message["run_report"]["uri"] == f"s3://{bucket}/{key}"
    assert message["run_report"]["console_url"] == s3_console_url(bucket, key, world.region)
    assert "X-Amz-Signature" not in str(message)  # a console link, never a presigned URL
    item = world.registry_item()
    assert item["report_key"] == key and item["status"] == status


@pytest.mark.parametrize("outcome", ["promoted", "failed"])
def test_a_report_that_cannot_be_written_leaves_the_outcome_and_notifies_without_a_link(
    local_platform, monkeypatch, outcome
):
    import rft_report.publish

    def broken(bundle):
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(rft_report.publish, "render", broken)
    promotion, train_rows, execution_status, status, notified, state, _ = OUTCOMES[outcome]
    world = _world(local_platform, promotion)
    execution = world.start(datasets(world, train_rows=train_rows, validation_rows=40))
    described = world.wait(execution)
    assert described["status"] == execution_status, world.history(execution)[-3:]
    assert f"{state}Missed" in world.entered(execution)

    bucket, key = world.config["artifacts_bucket"], run_report_key("ticket-triage", RUN_ID)
    assert "Contents" not in world.s3.list_objects_v2(Bucket=bucket, Prefix=key)
    message = _notification(world)
    assert message["outcome"] == notified
    assert message["run_report"]["written"] is False
    assert "uri" not in message["run_report"] and "console_url" not in message["run_report"]
    assert "the renderer broke" not in str(message)  # the error stays in the execution history
    item = world.registry_item()
    assert item["status"] == status and "report_key" not in item
    if outcome == "promoted":
        assert item["model_id"]
