"""The native job-state recorder against moto's DynamoDB."""

from __future__ import annotations

import importlib.util
import json

import pytest
from moto import mock_aws

from rft.config.loader import REPO_ROOT
from tests.fakes.registry_table import create_registry_table


@pytest.fixture()
def recorder(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("REGISTRY_TABLE", "rft-t-runs")
    monkeypatch.setenv("CUSTOMIZATIONS", json.dumps(["invoice", "invoice-extraction"]))
    with mock_aws():
        table = create_registry_table("rft-t-runs")
        spec = importlib.util.spec_from_file_location(
            "job_events_handler", REPO_ROOT / "lambda" / "job_events" / "handler.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module, table


def _event(job_name: str, status: str, **extra) -> dict:
    return {
        "source": "aws.bedrock",
        "detail-type": "Model Customization Job State Change",
        "detail": {"jobName": job_name, "jobStatus": status, **extra},
    }


def test_splits_on_the_longest_customization_name(recorder):
    module, _ = recorder
    names = ["invoice", "invoice-extraction"]
    assert module.split_job_name("invoice-extraction-r1-ab", names) == ("invoice-extraction", "r1-ab")
    assert module.split_job_name("invoice-r2", names) == ("invoice", "r2")
    assert module.split_job_name("other-r3", names) is None
    assert module.split_job_name("invoice-", names) is None


def test_failed_job_is_recorded_on_its_run(recorder):
    module, table = recorder
    table.put_item(Item={"customization": "invoice-extraction", "run_id": "r1-ab", "status": "running"})
    out = module.handler(_event("invoice-extraction-r1-ab", "Failed", failureMessage="quota"), None)
    assert out == {"updated": True, "customization": "invoice-extraction", "run_id": "r1-ab"}
    item = table.get_item(Key={"customization": "invoice-extraction", "run_id": "r1-ab"})["Item"]
    assert item["job_event_status"] == "Failed"
    assert item["job_failure_message"] == "quota"
    assert item["status"] == "running"  # the workflow owns the run status; the event only adds facts


def test_event_for_a_run_we_never_started_creates_nothing(recorder):
    module, table = recorder
    assert module.handler(_event("invoice-r9", "Completed"), None) == {"updated": False}
    assert module.handler(_event("unrelated-job", "Completed"), None) == {"updated": False}
    assert table.scan()["Items"] == []


def test_malformed_event_is_a_clear_error(recorder):
    module, _ = recorder
    with pytest.raises(ValueError, match="detail.jobName and detail.jobStatus"):
        module.handler({"detail": {"status": "Completed"}}, None)
