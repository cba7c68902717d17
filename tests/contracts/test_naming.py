"""Names and endpoints every deployable derives from the team config alone."""

from __future__ import annotations

from rft_contracts import naming


def test_default_endpoint_is_the_regional_mantle_url(monkeypatch):
    monkeypatch.delenv(naming.MANTLE_BASE_URL_ENV, raising=False)
    assert naming.mantle_base_url("us-west-2") == "https://bedrock-mantle.us-west-2.api.aws/v1"
    monkeypatch.setenv(naming.MANTLE_BASE_URL_ENV, "http://127.0.0.1:9/v1")
    assert naming.mantle_base_url("us-west-2") == "http://127.0.0.1:9/v1"


def test_artifact_keys_live_under_the_runs_prefix():
    key = naming.artifact_key("ticket-triage", "r20260101000000-abcdef", "dataset-report.json")
    assert key == "ticket-triage/runs/r20260101000000-abcdef/dataset-report.json"
    assert key.startswith(naming.runs_prefix("ticket-triage"))


def test_longest_names_fit_aws_limits():
    team, customization = "t" * 20, "c" * 32  # the config's caps
    assert len(naming.grader_function_name(team, customization)) <= 64  # Lambda
    assert len(naming.state_machine_name(team, customization)) <= 80  # Step Functions
    assert len(naming.bucket_name(team, "artifacts", "123456789012", "ap-southeast-2")) <= 63  # S3
    assert len(naming.workflow_function_name(team, "EvaluateCheckpoint")) <= 64


def test_the_run_report_key_and_its_console_link():
    key = naming.run_report_key("ticket-triage", "r20260101000000-abcdef")
    assert key == naming.artifact_key("ticket-triage", "r20260101000000-abcdef", "report.html")
    assert naming.s3_uri("b", key) == f"s3://b/{key}"
    url = naming.s3_console_url("b", key, "us-west-2")
    assert url == f"https://console.aws.amazon.com/s3/object/b?region=us-west-2&prefix={key}"
    assert naming.s3_console_url("b", "a b&c/x", "us-west-2").endswith("prefix=a%20b%26c/x")  # quoted
    # Other partitions have their own console hosts.
    assert naming.s3_console_url("b", "k", "cn-north-1").startswith("https://console.amazonaws.cn/s3/object/b?")
    assert naming.s3_console_url("b", "k", "us-gov-west-1").startswith("https://console.amazonaws-us-gov.com/s3/")
