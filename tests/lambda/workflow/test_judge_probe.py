"""Judge graders in the pre-flight: a bounded, deterministic sample of rows, counted in the estimate.

Before the fix the pre-flight graded every row through the judge: one paid Bedrock call per
row (up to 20,000 inside one Lambda), from a function that had no Bedrock permission.
"""

from __future__ import annotations

import pytest
from workflow_testkit import state, ticket_row

from tests.iam.recorder import CallRecorder

JUDGE_SPEC = {"template": "conversation_quality", "model": "us.amazon.nova-pro-v1:0", "reference_guided": True}
DATASET = {
    "train": {"key": "k", "rows": 1000, "prompt_tokens_mean": 100.0},
    "validation": {"key": "v", "rows": 100, "prompt_tokens_mean": 100.0},
}


@pytest.fixture
def judge_calls(monkeypatch):
    """Every Converse call, answered with a valid verdict (botocore before-call hook)."""
    from rft_graders.judges.scripted import verdict

    recorder = CallRecorder().install(monkeypatch)
    seen: list[dict] = []

    def reply(request: dict) -> str:
        seen.append(request)
        return verdict(request, reasoning="scripted", score=7)

    recorder.converse = reply
    yield seen
    recorder.uninstall()


def validate(handlers, aws, ctx, rows, run_id):
    aws.config["grader_spec"] = JUDGE_SPEC
    train = aws.put_dataset("train.jsonl", rows)
    return handlers.validate_dataset(state(aws, run_id, input={"train": train}), ctx)


def test_a_judge_grades_a_bounded_sample_of_rows(handlers, aws, ctx, judge_calls):
    from rft_workflow.grading import JUDGE_PROBE_ROWS

    aws.config["dataset_limits"]["max_rows"] = 1000
    rows = [ticket_row(i) for i in range(200)]
    result = validate(handlers, aws, ctx, rows, "r20260101000000-abc123")
    report = aws.read_json(result["report_key"])
    assert report["grader_reference_check"] == {
        "status": "ran",
        "rows": JUDGE_PROBE_ROWS,
        "unusable": 0,
        "sampled_from": 200,
    }
    assert len(judge_calls) == JUDGE_PROBE_ROWS  # not 200
    assert {c["modelId"] for c in judge_calls} == {"us.amazon.nova-pro-v1:0"}


def test_the_sample_is_the_same_for_the_same_run_and_differs_between_runs(handlers, aws, ctx, judge_calls):
    rows = [ticket_row(i) for i in range(200)]
    aws.config["dataset_limits"]["max_rows"] = 1000

    def graded_tickets(run_id: str) -> set[str]:
        judge_calls.clear()
        validate(handlers, aws, ctx, rows, run_id)
        return {
            c["messages"][0]["content"][0]["text"].split("Ticket ")[1].split(":")[0]
            if "Ticket " in c["messages"][0]["content"][0]["text"]
            else "?"
            for c in judge_calls
        }

    first = graded_tickets("r20260101000000-aaaaaa")
    assert graded_tickets("r20260101000000-aaaaaa") == first
    assert graded_tickets("r20260101000000-bbbbbb") != first


def test_offline_graders_still_check_every_row(handlers, aws, ctx, judge_calls):
    train = aws.put_dataset("train.jsonl", [ticket_row(i) for i in range(30)])
    result = handlers.validate_dataset(state(aws, input={"train": train}), ctx)
    assert aws.read_json(result["report_key"])["grader_reference_check"] == {"status": "ran", "rows": 30, "unusable": 0}
    assert judge_calls == []


def test_the_estimate_counts_every_judge_call(handlers, aws, ctx):
    from rft_workflow.cost import JUDGE_OVERHEAD_TOKENS
    from rft_workflow.grading import JUDGE_PROBE_ROWS

    plain = handlers.estimate_cost(state(aws, dataset=DATASET), ctx)["breakdown"]
    aws.config["grader_spec"] = JUDGE_SPEC
    judged = handlers.estimate_cost(state(aws, dataset=DATASET), ctx)["breakdown"]
    assert set(plain["judge_calls"].values()) == {0} and plain["judge_tokens"] == 0
    calls = judged["judge_calls"]
    # conftest config: audit 6 prompts x 4 samples, evaluation 7 models (5 candidates + 2 baselines) x 8 prompts, 2 epochs x 4 rollouts
    assert calls == {"reference_probe": JUDGE_PROBE_ROWS, "audit": 24, "evaluation": 7 * 8, "training": 1000 * 2 * 4}
    per_call = 100 + 64 + JUDGE_OVERHEAD_TOKENS
    assert judged["judge_tokens"] == sum(calls.values()) * per_call
    assert judged["inference_tokens"] - plain["inference_tokens"] == judged["judge_tokens"]
    assert judged["inference_usd"] > plain["inference_usd"]
