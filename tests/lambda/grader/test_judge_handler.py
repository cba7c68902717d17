"""The handler with a judge spec: lazy client, deadline from the context, EMF cost metrics."""

import json
import time

import boto3
import pytest
from grader_testkit import make_sample
from judge_testkit import FakeBedrock, text_reply, verdict
from test_handler import Context, load_handler

from rft_graders.judges.client import default_judge_client

JUDGE_SPEC = {
    "type": "multi",
    "graders": {
        "format": {"type": "regex", "pattern": "^Answer:"},
        "quality": {"template": "conversation_quality", "model": "qwen.qwen3-32b-v1:0"},
    },
    "calculate_output": "format * quality",
}


class TimedContext(Context):
    def __init__(self, remaining_ms):
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self):
        return self.remaining_ms


@pytest.fixture
def fake_bedrock(monkeypatch):
    fake = FakeBedrock(
        lambda request, n: text_reply(verdict(reasoning="JUDGE-SAYS", score=9), tokens_in=40, tokens_out=4)
    )
    made = []

    def client(service, **kwargs):
        made.append((service, kwargs))
        return fake

    default_judge_client.cache_clear()
    monkeypatch.setattr(boto3, "client", client)
    yield fake, made
    default_judge_client.cache_clear()


def load(monkeypatch, **env):
    """The handler, its log lines going to this test's captured stdout (Powertools binds its
    stream once per process, to whichever stdout existed when the first Logger was made)."""
    import sys

    handler = load_handler(monkeypatch, **env)
    for log_handler in handler.logger._logger.handlers:
        log_handler.stream = sys.stdout  # not setStream: it flushes the old, closed stream
    return handler


def emf_doc(out):
    docs = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    return docs[-1]


def test_judge_batch_emits_cost_metrics_and_keeps_content_out_of_logs(monkeypatch, capsys, fake_bedrock):
    fake, made = fake_bedrock
    handler = load(monkeypatch, GRADER_SPEC=json.dumps(JUDGE_SPEC))
    assert made == []  # no client at cold start
    event = [make_sample("Answer: POLICY-TEXT", "x", sid="a"), make_sample("no format", "x", sid="b"), {"id": "c"}]
    results = handler.lambda_handler(event, TimedContext(300_000))
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert [r["aggregate_reward_score"] for r in results] == [pytest.approx(0.9), 0.0, 0.0]
    assert made[0][0] == "bedrock-runtime"
    assert made[0][1]["config"].retries == {"total_max_attempts": 1, "mode": "standard"}
    out = capsys.readouterr().out
    assert '"message":"graded batch"' in out and '"JudgeInputTokens":80.0' in out  # logs are captured
    assert "POLICY-TEXT" not in out and "JUDGE-SAYS" not in out
    doc = emf_doc(out)
    value = lambda key: doc[key][0] if isinstance(doc[key], list) else doc[key]  # noqa: E731
    assert value("JudgeInputTokens") == 80 and value("JudgeOutputTokens") == 8
    assert value("JudgeParseErrors") == 0 and value("JudgeRefusals") == 0 and value("JudgeTimeouts") == 0


def test_debug_flag_logs_judge_traffic(monkeypatch, capsys, fake_bedrock):
    handler = load(monkeypatch, GRADER_SPEC=json.dumps(JUDGE_SPEC), GRADER_DEBUG="true")
    handler.lambda_handler([make_sample("Answer: POLICY-TEXT", "x")], TimedContext(300_000))
    assert "JUDGE-SAYS" in capsys.readouterr().out


def test_rule_only_specs_emit_no_judge_metrics(monkeypatch, capsys):
    handler = load_handler(monkeypatch, GRADER_SPEC=json.dumps({"template": "math_reasoning"}))
    handler.lambda_handler([make_sample("\\boxed{1}", "1")], TimedContext(300_000))
    assert "JudgeInputTokens" not in emf_doc(capsys.readouterr().out)


def test_deadline_comes_from_remaining_time_minus_margin(monkeypatch, fake_bedrock):
    handler = load_handler(monkeypatch, GRADER_SPEC=json.dumps(JUDGE_SPEC))
    seen = []
    real = handler.grade_batch
    monkeypatch.setattr(
        handler,
        "grade_batch",
        lambda event, grader, deadline=None: seen.append(deadline) or real(event, grader, deadline),
    )
    before = time.monotonic()
    handler.lambda_handler([make_sample("Answer: x", "x")], TimedContext(300_000))
    assert before + 300 - 30 - 1 <= seen[0] <= time.monotonic() + 300 - 30  # 10% margin, capped at 30 s
    assert handler.deadline_from(Context()) is None
    monkeypatch.setenv("JUDGE_DEADLINE_MARGIN_S", "5")
    assert handler.deadline_from(TimedContext(20_000)) == pytest.approx(time.monotonic() + 15, abs=1)
    monkeypatch.delenv("JUDGE_DEADLINE_MARGIN_S")
    assert handler.deadline_from(TimedContext(10_000)) == pytest.approx(time.monotonic() + 8, abs=1)  # margin >= 2 s
