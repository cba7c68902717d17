"""The Lambda handler: spec from env at cold start, Bedrock results, EMF, no content in logs."""

import importlib
import json
import sys
from pathlib import Path

import pytest
from grader_testkit import make_sample

HANDLER_DIR = Path(__file__).resolve().parents[3] / "lambda" / "grader"


class Context:
    function_name = "grader"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-west-2:123456789012:function:grader"
    aws_request_id = "req-1"


def load_handler(monkeypatch, **env):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "RftGraders")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "grader")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("CUSTOMIZATION_NAME", "ticket-triage")
    for key in ("GRADER_SPEC", "GRADER_SPEC_FILE", "SANDBOX_FUNCTION_NAME", "GRADER_DEBUG"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.syspath_prepend(str(HANDLER_DIR))
    sys.modules.pop("handler", None)
    handler = importlib.import_module("handler")
    # Powertools binds its log stream once per process, to the stdout of whichever test made
    # the first Logger: point it at this test's captured stdout.
    for log_handler in handler.logger._logger.handlers:
        log_handler.stream = sys.stdout  # not setStream: it flushes the old, closed stream
    return handler


def test_handler_grades_and_emits_metrics_without_content(monkeypatch, capsys):
    handler = load_handler(monkeypatch, GRADER_SPEC=json.dumps({"template": "math_reasoning"}))
    event = [
        make_sample("TOP-SECRET-ANSWER \\boxed{72}", "72", sid="a"),
        make_sample("\\boxed{71}", "72", sid="b"),
        {"id": "c"},
    ]
    results = handler.lambda_handler(event, Context())
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert [r["aggregate_reward_score"] for r in results] == [1.0, 0.0, 0.0]
    out = capsys.readouterr().out
    assert "TOP-SECRET-ANSWER" not in out
    emf = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    assert emf, out
    doc = emf[-1]
    names = {m["Name"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert {"Samples", "RewardMean", "RewardStd", "ZeroRewardFraction", "GraderErrors", "BatchDuration"} <= names
    assert doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "RftGraders"
    assert doc["Customization"] == "ticket-triage"
    value = lambda key: doc[key][0] if isinstance(doc[key], list) else doc[key]  # noqa: E731
    assert value("Samples") == 3 and value("GraderErrors") == 1
    assert value("RewardMean") == pytest.approx(1 / 3)
    assert value("ZeroRewardFraction") == pytest.approx(2 / 3)
    assert "Component.math_reasoning" in names
    assert "sample has no messages" in out  # the reason is logged, the content is not


def test_handler_reads_spec_file_relative_to_handler_dir(monkeypatch):
    handler = load_handler(monkeypatch, GRADER_SPEC_FILE="examples/classification.yaml")
    results = handler.lambda_handler([make_sample("urgent", metadata={"priority": "urgent"})], Context())
    assert results[0]["aggregate_reward_score"] == 1.0


def test_handler_rejects_a_malformed_event(monkeypatch):
    handler = load_handler(monkeypatch, GRADER_SPEC=json.dumps({"template": "classification"}))
    from rft_graders.bedrock_event import InvalidEventError

    with pytest.raises(InvalidEventError):
        handler.lambda_handler({"samples": []}, Context())


def test_handler_fails_at_cold_start_on_a_bad_spec(monkeypatch):
    from rft_graders.spec import GraderSpecError

    with pytest.raises(GraderSpecError, match="grader.operation"):
        load_handler(
            monkeypatch,
            GRADER_SPEC=json.dumps({"type": "string_check", "input": "a", "reference": "b", "operation": "x"}),
        )


def test_handler_without_sandbox_never_runs_code_locally(monkeypatch):
    handler = load_handler(monkeypatch, GRADER_SPEC=json.dumps({"template": "code_generation"}))
    marker = HANDLER_DIR / "should_not_exist.txt"
    code = f"open({str(marker)!r}, 'w').write('ran')\ndef f():\n    return 1\n"
    results = handler.lambda_handler([make_sample(code, {"tests": "assert f() == 1"})], Context())
    assert not marker.exists()
    assert any(m["name"] == "grader_error" for m in results[0]["metrics_list"])


def test_handler_uses_lambda_sandbox_when_configured(monkeypatch):
    handler = load_handler(
        monkeypatch, GRADER_SPEC=json.dumps({"template": "code_generation"}), SANDBOX_FUNCTION_NAME="sandbox-fn"
    )
    seen = {}

    class FakeClient:
        def invoke(self, **kwargs):
            import io

            seen.update(kwargs)
            runs = json.loads(kwargs["Payload"])["runs"]
            body = {"results": [{"status": "passed", "passed": 1, "total": 1, "detail": ""} for _ in runs]}
            return {"Payload": io.BytesIO(json.dumps(body).encode())}

    import boto3

    monkeypatch.setattr(boto3, "client", lambda name, **kw: FakeClient())
    results = handler.lambda_handler([make_sample("def f(): return 1", {"tests": "assert f() == 1"})], Context())
    assert results[0]["aggregate_reward_score"] == 1.0
    assert seen["FunctionName"] == "sandbox-fn"


@pytest.mark.parametrize("n", [0, 1, 40])
def test_lambda_sandbox_client_chunks_and_keeps_order(n):
    import io

    from rft_graders.sandbox_client import LambdaSandboxClient

    class Echo:
        def __init__(self):
            self.payload_sizes = []

        def invoke(self, **kwargs):
            runs = json.loads(kwargs["Payload"])["runs"]
            self.payload_sizes.append(len(runs))
            body = {
                "results": [{"status": "passed", "passed": int(r["code"]), "total": 100, "detail": ""} for r in runs]
            }
            return {"Payload": io.BytesIO(json.dumps(body).encode())}

    echo = Echo()
    client = LambdaSandboxClient("fn", echo, chunk_size=16, max_concurrency=4)
    runs = [
        {"code": str(i), "tests": "", "entry_point": None, "scoring": "fraction", "timeout_s": 1.0} for i in range(n)
    ]
    results = client.run_batch(runs)
    assert [r["passed"] for r in results] == list(range(n))
    assert sum(echo.payload_sizes) == n and all(size <= 16 for size in echo.payload_sizes)
