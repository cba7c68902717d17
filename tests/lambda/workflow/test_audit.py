"""audit_reward_signal: base-model samples from mantle, graded by the grader Lambda (in-process)."""

from __future__ import annotations

import itertools

import pytest
from workflow_testkit import gold_label, state


def validated(handlers, aws, ctx, datasets):
    return handlers.validate_dataset(state(aws, input=datasets), ctx)


def test_audit_passes_with_spread_and_writes_report(handlers, aws, ctx, datasets, mantle):
    counter = itertools.count()
    mantle.respond = lambda model, messages: gold_label(messages) if next(counter) % 2 else "medium"
    ds = validated(handlers, aws, ctx, datasets)
    result = handlers.audit_reward_signal(state(aws, dataset=ds), ctx)
    summary = result["summary"]
    assert result["passed"] is True
    assert summary["samples"] == 24 and summary["graded_samples"] == 24 and summary["prompts"] == 6
    assert summary["reward_mean"] == pytest.approx(0.5)
    assert summary["zero_spread_fraction"] == 0.0
    assert summary["grader_errors"] == 0 and summary["grader_latency_p95_ms"] is not None
    # the base model, through the SDK, with a minted Bedrock bearer token
    chats = mantle.requests_to("POST", "/v1/chat/completions")
    assert len(chats) == 24 and {r.json["model"] for r in chats} == {"qwen.qwen3-32b"}
    assert all(r.bearer.startswith("bedrock-api-key-") for r in chats)
    # graded by invoking the grader function with Bedrock's batch contract
    batch = aws.grader_calls[0]
    assert isinstance(batch, list) and batch[0]["messages"][-1]["role"] == "assistant"
    assert "reference_answer" in batch[0]["metadata"]
    report = aws.read_json(result["report_key"])
    assert report["failures"] == [] and len(report["per_prompt"]) == 6
    assert all(len(p["scores"]) == 4 for p in report["per_prompt"])


def test_same_run_id_samples_same_prompts(handlers, aws, ctx, datasets, mantle):
    ds = validated(handlers, aws, ctx, datasets)
    from rft_workflow.audit import sample_indices

    assert sample_indices(40, 6, "run-a") == sample_indices(40, 6, "run-a")
    assert sample_indices(40, 6, "run-a") != sample_indices(40, 6, "run-b")
    assert len(set(sample_indices(40, 6, "run-a"))) == 6
    assert ds["train"]["rows"] == 40


def test_fail_closed_when_every_sample_scores_the_same(handlers, aws, ctx, datasets, mantle):
    from rft_workflow.errors import RewardSignalInsufficient

    ds = validated(handlers, aws, ctx, datasets)  # the fake answers the gold label: all correct
    with pytest.raises(RewardSignalInsufficient) as caught:
        handlers.audit_reward_signal(state(aws, dataset=ds), ctx)
    message = str(caught.value)
    assert "100% of prompts gave all their samples the same reward" in message
    assert "all correct 100%" in message
    assert "base model already scores 1.000" in message
    assert "report: s3://" in message


def test_fail_closed_on_grader_errors(handlers, aws, ctx, datasets, mantle, monkeypatch):
    from rft_workflow.errors import RewardSignalInsufficient

    counter = itertools.count()
    mantle.respond = lambda model, messages: gold_label(messages) if next(counter) % 2 else "medium"
    ds = validated(handlers, aws, ctx, datasets)
    from moto.awslambda_simple.models import LambdaSimpleBackend

    def broken(self, function_name, qualifier, body, headers, response_headers):
        response_headers["x-amz-function-error"] = "Unhandled"
        return b'{"errorType": "RuntimeError", "errorMessage": "boom"}'

    monkeypatch.setattr(LambdaSimpleBackend, "invoke", broken)
    with pytest.raises(RewardSignalInsufficient) as caught:
        handlers.audit_reward_signal(state(aws, dataset=ds), ctx)
    assert "no sample could be generated and graded" in str(caught.value)


def test_fail_closed_on_generation_errors(handlers, aws, ctx, datasets, mantle):
    from rft_workflow.errors import RewardSignalInsufficient
    from tests.fakes.mantle_server import HttpFailure

    counter = itertools.count()

    def flaky(model, messages):
        n = next(counter)
        if n % 3 == 0:
            raise HttpFailure(400, "content filtered")
        return gold_label(messages) if n % 2 else "low"

    mantle.respond = flaky
    ds = validated(handlers, aws, ctx, datasets)
    with pytest.raises(RewardSignalInsufficient) as caught:
        handlers.audit_reward_signal(state(aws, dataset=ds), ctx)
    assert "generation error rate" in str(caught.value)


def test_skip_reason_returns_a_skip_record(handlers, aws, ctx, datasets):
    aws.config["audit"]["skip_reason"] = "judge grader too expensive to audit"
    result = handlers.audit_reward_signal(state(aws, dataset={}), ctx)
    assert result == {"skipped": True, "reason": "judge grader too expensive to audit"}


def test_native_plane_samples_through_converse(handlers, aws, ctx, datasets, monkeypatch):
    """Nova audit: bedrock-runtime Converse (stubbed: moto has no bedrock-runtime)."""

    seen = []

    class Runtime:
        def converse(self, **kwargs):
            seen.append(kwargs)
            text = gold_label([{"content": kwargs["messages"][-1]["content"][0]["text"]}])
            return {"output": {"message": {"content": [{"text": text if len(seen) % 2 else "nope"}]}}}

    from rft_workflow import clients

    original = clients.client
    monkeypatch.setattr(
        clients,
        "client",
        lambda service, region=None: Runtime() if service == "bedrock-runtime" else original(service, region),
    )
    aws.config.update(control_plane="native", base_model="amazon.nova-2-lite-v1:0:256k")
    ds = validated(handlers, aws, ctx, datasets)
    result = handlers.audit_reward_signal(state(aws, dataset=ds), ctx)
    assert result["passed"] and len(seen) == 24
    assert seen[0]["modelId"] == "amazon.nova-2-lite-v1:0:256k"
    assert seen[0]["system"] == [{"text": "Classify the ticket priority as low or high."}]
    assert seen[0]["inferenceConfig"] == {"maxTokens": 64, "temperature": 1.0}
