"""estimate_cost decisions and request_approval (registry token + SNS message)."""

from __future__ import annotations

import pytest
from workflow_testkit import state

DATASET = {
    "train": {"key": "k", "rows": 1000, "prompt_tokens_mean": 100.0},
    "validation": {"key": "v", "rows": 100, "prompt_tokens_mean": 100.0},
}


def estimate(handlers, aws, ctx, **overrides):
    for section, values in overrides.items():
        if isinstance(values, dict) and section != "hyperparameters":
            aws.config[section].update(values)
        else:
            aws.config[section] = values
    return handlers.estimate_cost(state(aws, dataset=DATASET), ctx)


def test_mantle_estimate_arithmetic(handlers, aws, ctx):
    result = estimate(handlers, aws, ctx, hyperparameters={"n_epochs": 2})
    b = result["breakdown"]
    # 1000 rows x 2 epochs x 4 samples (mantle default) x (100 prompt + 64 max response tokens)
    assert (b["epochs"], b["samples_per_prompt"], b["max_response_tokens"]) == (2, 4, 64)
    assert b["training_tokens"] == 1000 * 2 * 4 * 164
    assert b["training_usd"] == pytest.approx(1000 * 2 * 4 * 164 / 1e6 * 10, abs=0.01)
    # audit 6x4x(100+64) + evaluation (5 candidates + base + current) x 8 prompts x (100+64) + smoke 160
    assert b["evaluated_models"] == 7
    assert b["inference_tokens"] == 6 * 4 * 164 + 7 * 8 * 164 + 160
    assert result["estimate_usd"] == round(b["training_usd"] + b["inference_usd"], 2)
    assert result["decision"] == "proceed"


def test_native_hyperparameter_names(handlers, aws, ctx):
    result = estimate(
        handlers,
        aws,
        ctx,
        control_plane="native",
        hyperparameters={"epochCount": 3, "trainingSamplePerPrompt": 8, "inferenceMaxTokens": 900},
    )
    b = result["breakdown"]
    assert (b["epochs"], b["samples_per_prompt"], b["max_response_tokens"]) == (3, 8, 900)
    assert b["training_tokens"] == 1000 * 3 * 8 * 1000


def test_nova_evaluation_is_priced_only_when_it_deploys(handlers, aws, ctx):
    """Without the opt-in nothing can answer for a Nova model, so no evaluation is estimated;
    with it, the final model and both baselines answer every held-out prompt (issue 12, item 3:
    the deployment's inference goes through the cost guard before any job exists)."""
    aws.config["audit"]["skip_reason"] = "estimate the evaluation alone in this test"
    off = estimate(handlers, aws, ctx, control_plane="native", hyperparameters={"inferenceMaxTokens": 900})
    aws.config["evaluation"]["nova_deployment"]["enabled"] = True
    on = estimate(handlers, aws, ctx, control_plane="native", hyperparameters={"inferenceMaxTokens": 900})
    assert (off["breakdown"]["evaluated_models"], on["breakdown"]["evaluated_models"]) == (0, 3)
    assert off["breakdown"]["inference_tokens"] == 0
    # 3 models x 8 prompts x (100 prompt + 64 evaluation max tokens) + smoke 160
    assert on["breakdown"]["inference_tokens"] == 3 * 8 * 164 + 160


def test_unset_epochs_use_the_conservative_default(handlers, aws, ctx):
    assert estimate(handlers, aws, ctx, hyperparameters={})["breakdown"]["epochs"] == 3


@pytest.mark.parametrize(
    "approval_above,cap,decision",
    [(1000.0, 2000.0, "proceed"), (1.0, 2000.0, "needs_approval"), (1.0, 5.0, "over_cap")],
)
def test_decisions(handlers, aws, ctx, approval_above, cap, decision):
    result = estimate(handlers, aws, ctx, budget={"approval_above_usd": approval_above, "max_usd": cap})
    assert 5.0 < result["estimate_usd"] < 1000.0
    assert result["decision"] == decision


def test_request_approval_stores_token_and_notifies(handlers, aws, ctx):
    cost = estimate(handlers, aws, ctx, budget={"approval_above_usd": 1.0, "max_usd": 2000.0})
    event = {**state(aws, "r20260101000000-aaaaaa", dataset=DATASET, cost=cost), "task_token": "TOKEN-123"}
    assert handlers.request_approval(event, ctx) == {"requested": True, "notified": True}
    item = aws.registry_item("r20260101000000-aaaaaa")
    assert item["status"] == "awaiting_approval" and item["task_token"] == "TOKEN-123"
    assert item["team"] == "example" and item["cost_estimate_usd"] == cost["estimate_usd"]
    [message] = aws.notifications()
    assert f"${cost['estimate_usd']:,.2f}" in message
    assert "rft run approve r20260101000000-aaaaaa --team example --customization ticket-triage" in message
    assert "rft run reject r20260101000000-aaaaaa --team example --customization ticket-triage" in message


def test_request_approval_needs_a_token(handlers, aws, ctx):
    with pytest.raises(ValueError, match="task_token"):
        handlers.request_approval(state(aws, cost={}), ctx)
