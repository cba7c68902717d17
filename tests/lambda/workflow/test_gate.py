"""The promotion gate's statistics and decisions (pure), and one evaluation item (moto + fake
mantle): resumable, partial results, throttling and total failure raise for the Map's retry."""

from __future__ import annotations

import json
import random

import pytest
from workflow_testkit import gold_label, state

from rft_contracts.runtime_config import PromotionGateSettings

RUN = "r20260101000000-abc123"


def settings(**changes) -> PromotionGateSettings:
    base = {
        "metric": "reward_mean",
        "pass_threshold": 1.0,
        "min_improvement_over_base": 0.0,
        "min_improvement_over_current": 0.0,
        "confidence": 0.95,
        "bootstrap_samples": 1000,
        "min_paired_prompts": 10,
        "require_distinct_approver": False,
        "approval_timeout_hours": 24,
    }
    return PromotionGateSettings(**{**base, **changes})


def plan(*roles: tuple[str, str], prompts: int = 100) -> dict:
    return {
        "prompts": prompts,
        "note": "",
        "candidates": [
            {"key": key, "role": role, "model_id": f"m-{key}", "step": i, "final": key == "final"}
            for i, (key, role) in enumerate(roles)
        ],
    }


def coin(p: float, n: int, seed: int) -> dict[int, float]:
    rng = random.Random(seed)
    return {i: float(rng.random() < p) for i in range(n)}


def decide(plan_, values, **changes):
    from rft_workflow.gate import decide as gate_decide

    return gate_decide(plan_, values, {}, settings(**changes), "latest_on_tie", "reward_mean", seed=RUN)


def test_bootstrap_interval_covers_the_mean_and_shrinks_with_more_prompts():
    from rft_workflow.gate import bootstrap_interval

    small = list(coin(0.5, 40, 1).values())
    large = list(coin(0.5, 2000, 1).values())
    lo_s, hi_s = bootstrap_interval(small, 0.95, 1000, "s")
    lo_l, hi_l = bootstrap_interval(large, 0.95, 1000, "s")
    assert lo_s <= sum(small) / len(small) <= hi_s
    assert (hi_l - lo_l) < (hi_s - lo_s) / 3
    assert bootstrap_interval(small, 0.95, 1000, "s") == (lo_s, hi_s)  # deterministic per seed


def test_a_clearly_better_candidate_is_promoted():
    values = {"final": coin(0.9, 100, 1), "base": coin(0.4, 100, 2)}
    gate = decide(plan(("final", "candidate"), ("base", "base")), values)
    assert gate["decision"] == "promote"
    [vs] = gate["comparisons"]
    assert vs["verdict"] == "pass" and vs["ci"][0] > 0 and vs["paired_prompts"] == 100


def test_a_candidate_no_better_than_the_base_is_rejected():
    same = coin(0.6, 100, 3)
    gate = decide(plan(("final", "candidate"), ("base", "base")), {"final": same, "base": dict(same)})
    assert gate["decision"] == "reject" and gate["comparisons"][0]["verdict"] == "fail"


def test_better_than_base_but_worse_than_current_is_rejected():
    values = {"final": coin(0.7, 100, 1), "base": coin(0.3, 100, 2), "current": coin(0.95, 100, 4)}
    gate = decide(plan(("final", "candidate"), ("base", "base"), ("current", "current")), values)
    assert {c["baseline"]: c["verdict"] for c in gate["comparisons"]} == {"base": "pass", "current": "fail"}
    assert gate["decision"] == "reject"


def test_a_small_noisy_gain_is_held_for_a_person_not_promoted():
    # 3 prompts better out of 30: the point estimate is positive, the interval reaches 0.
    base = {i: 0.0 for i in range(30)}
    final = {i: (1.0 if i < 3 else 0.0) for i in range(30)}
    gate = decide(plan(("final", "candidate"), ("base", "base"), prompts=30), {"final": final, "base": base})
    assert gate["comparisons"][0]["verdict"] == "uncertain" and gate["decision"] == "hold"


def test_the_required_improvement_is_applied_to_the_interval():
    values = {"final": coin(0.9, 200, 1), "base": coin(0.4, 200, 2)}
    assert (
        decide(plan(("final", "candidate"), ("base", "base"), prompts=200), values, min_improvement_over_base=0.8)[
            "decision"
        ]
        == "reject"
    )


def test_choosing_among_more_candidates_widens_the_interval():
    values = {"step-1": coin(0.6, 100, 5), "base": coin(0.5, 100, 6)}
    one = decide(plan(("step-1", "candidate"), ("base", "base")), values)
    many_plan = plan(*[(f"step-{i}", "candidate") for i in range(1, 9)], ("base", "base"))
    many_values = {**values, **{f"step-{i}": coin(0.1, 100, 10 + i) for i in range(2, 9)}}
    many = decide(many_plan, many_values)
    assert many["chosen"]["key"] == "step-1"
    width = lambda g: g["comparisons"][0]["ci"][1] - g["comparisons"][0]["ci"][0]  # noqa: E731
    assert many["adjusted_confidence"] > one["adjusted_confidence"] and width(many) > width(one)


def test_nothing_evaluable_is_never_promoted_blindly():
    gate = decide(
        {**plan(("final", "candidate"), ("base", "base")), "note": "Nova needs a deployment"},
        {"base": coin(0.5, 100, 1)},
    )
    assert gate["decision"] == "reject" and "no candidate could be evaluated" in gate["reason"]
    assert "Nova" in gate["reason"] and gate["chosen"] is None


def test_an_unevaluable_base_holds_and_too_few_paired_prompts_hold():
    assert decide(plan(("final", "candidate"), ("base", "base")), {"final": coin(0.9, 100, 1)})["decision"] == "hold"
    values = {"final": coin(0.9, 100, 1), "base": {i: 0.0 for i in range(95, 100)}}  # 5 paired prompts
    gate = decide(plan(("final", "candidate"), ("base", "base")), values)
    assert gate["decision"] == "hold" and gate["comparisons"][0]["paired_prompts"] == 5


def test_pass_rate_counts_rewards_at_the_threshold():
    from rft_workflow.gate import per_prompt_values

    docs = [{"scores": [{"index": 0, "reward": 0.7}, {"index": 1, "reward": 0.4}, {"index": 2, "reward": None}]}]
    assert per_prompt_values(docs, settings(metric="pass_rate", pass_threshold=0.5)) == {0: 1.0, 1: 0.0}
    assert per_prompt_values(docs, settings()) == {0: 0.7, 1: 0.4}


def test_a_candidates_own_failures_count_as_zero_but_infrastructure_failures_do_not():
    from rft_workflow.gate import per_prompt_values

    docs = [
        {
            "scores": [
                {"index": 0, "reward": 1.0},
                {"index": 1, "reward": None, "error_kind": "model"},
                {"index": 2, "reward": None, "error_kind": "grader"},
                {"index": 3, "reward": None, "error_kind": "grader_call"},
            ]
        }
    ]
    assert per_prompt_values(docs, settings(), failures_count=True) == {0: 1.0, 1: 0.0, 2: 0.0}
    assert per_prompt_values(docs, settings()) == {0: 1.0}  # a baseline: failures leave the prompt out


# ----------------------------------------------------------------------------- one Map item
@pytest.fixture
def planned(handlers, aws, ctx, datasets, mantle):
    from tests.fakes.mantle_server import FakeMantle  # noqa: F401 - the mantle fixture runs it

    dataset = handlers.validate_dataset(state(aws, RUN, input=datasets), ctx)
    checkpoints = {"items": [{"model_id": "qwen.qwen3-32b-tuned", "step": 10, "final": True}]}
    return handlers.plan_evaluation(state(aws, RUN, dataset=dataset, checkpoints=checkpoints), ctx)


def _item(handlers, aws, ctx, plan_, index):
    return handlers.evaluate_batch(
        {**state(aws, RUN), "item": plan_["items"][index], "prompts_key": plan_["prompts_key"]}, ctx
    )


def test_plan_covers_every_model_on_the_same_prompts_in_batches(planned):
    assert [c["key"] for c in planned["candidates"]] == ["final", "base"]
    assert planned["prompts"] == 8 and planned["batches"] == 3  # batch_size 3
    spans = [(i["candidate"]["key"], i["start"], i["end"]) for i in planned["items"]]
    assert spans[:3] == [("final", 0, 3), ("final", 3, 6), ("final", 6, 8)]


def test_plan_adds_the_promoted_model_as_a_baseline(handlers, aws, ctx, datasets, mantle):
    import boto3

    boto3.client("ssm").put_parameter(Name=aws.config["model_parameter"], Value="ft:old", Type="String")
    dataset = handlers.validate_dataset(state(aws, RUN, input=datasets), ctx)
    result = handlers.plan_evaluation(
        state(aws, RUN, dataset=dataset, checkpoints={"items": [{"model_id": "m1", "step": 1, "final": True}]}), ctx
    )
    assert [(c["key"], c["model_id"]) for c in result["candidates"]][-1] == ("current", "ft:old")


def test_an_item_is_resumable_and_records_partial_failures(handlers, aws, ctx, planned, mantle):
    from tests.fakes.mantle_server import HttpFailure

    def respond(model, messages):
        if "1003" in messages[-1]["content"]:
            raise HttpFailure(400, "bad prompt")
        return gold_label(messages)

    mantle.respond = respond
    results = [_item(handlers, aws, ctx, planned, i) for i in range(3)]
    assert [r["reused"] for r in results] == [False] * 3
    calls = len(mantle.requests_to("POST", "/v1/chat/completions"))
    again = [_item(handlers, aws, ctx, planned, i) for i in range(3)]
    assert [r["reused"] for r in again] == [True] * 3
    assert len(mantle.requests_to("POST", "/v1/chat/completions")) == calls  # no model call paid twice
    docs = [aws.read_json(r["key"]) for r in results]
    scores = [s for d in docs for s in d["scores"]]
    assert len(scores) == 8 and sum(s["reward"] is None for s in scores) <= 1


def test_an_item_where_nothing_answers_raises_for_the_maps_retry(handlers, aws, ctx, planned, mantle):
    from rft_workflow.errors import EvaluationItemFailed, EvaluationThrottled
    from tests.fakes.mantle_server import HttpFailure

    def down(model, messages):
        raise HttpFailure(400, "model unavailable")

    mantle.respond = down
    with pytest.raises(EvaluationItemFailed):
        _item(handlers, aws, ctx, planned, 0)

    def throttled(model, messages):
        raise HttpFailure(429, "slow down")

    mantle.respond = throttled
    with pytest.raises(EvaluationThrottled):
        _item(handlers, aws, ctx, planned, 1)
    assert "Contents" not in aws.s3.list_objects_v2(
        Bucket=aws.config["artifacts_bucket"], Prefix=f"ticket-triage/runs/{RUN}/evaluation/items/"
    )


def test_the_gate_step_reads_the_items_and_records_its_decision(handlers, aws, ctx, planned, mantle, capsys):
    mantle.respond = lambda model, messages: gold_label(messages) if "tuned" in model else "low"
    for i in range(len(planned["items"]) - 1):  # the base model's last batch goes missing
        _item(handlers, aws, ctx, planned, i)
    gate = handlers.promotion_gate(state(aws, RUN, evaluation_plan=planned), ctx)
    assert gate["missing_items"] == 1
    base = next(c for c in gate["candidates"] if c["key"] == "base")
    assert base["n"] == 6 and base["missing_items"] == 1
    item = aws.registry_item(RUN)
    assert item["gate"]["decision"] == gate["decision"]
    assert item["gate"]["comparisons"][0]["paired_prompts"] == 6
    assert (
        json.loads(aws.s3.get_object(Bucket=aws.config["artifacts_bucket"], Key=gate["report_key"])["Body"].read())[
            "decision"
        ]
        == gate["decision"]
    )
    # the dashboard's series: one EMF document per model, and the decision
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    held_out = {d["Model"]: d["HeldOutMetric"] for d in emf if "HeldOutMetric" in d}
    assert set(held_out) == {"final", "base"} and all(d.get("RunId") == RUN for d in emf if "HeldOutMetric" in d)
    assert [d["Decision"] for d in emf if "GateDecision" in d] == [gate["decision"]]


# ----------------------------------------------------------------------------- adversarial
def test_a_candidate_cannot_win_by_erroring_on_the_prompts_it_would_fail(handlers, aws, ctx, planned, mantle):
    """A policy that answers hard prompts with something the grader cannot grade (or no answer)
    must not have those prompts dropped from its score: its errors count as the lowest value."""
    from tests.fakes.mantle_server import HttpFailure

    def respond(model, messages):
        right = gold_label(messages)
        if "tuned" in model and right != "low":  # right on "low" tickets, refuses the rest
            raise HttpFailure(400, "refused")
        return right if "tuned" in model or len(messages[-1]["content"]) % 3 else "low"

    mantle.respond = respond
    for i in range(len(planned["items"])):
        try:
            _item(handlers, aws, ctx, planned, i)
        except Exception:  # noqa: BLE001 - a batch with nothing gradable is a missing item
            pass
    gate = handlers.promotion_gate(state(aws, RUN, evaluation_plan=planned), ctx)
    assert gate["decision"] != "promote"
    final = next(c for c in gate["candidates"] if c["key"] == "final")
    assert final["mean"] < 1.0


@pytest.mark.parametrize(
    "started_by, by, accepted",
    [
        ("arn:starter", "arn:other", True),
        ("arn:starter", "arn:starter", False),
        (None, "arn:other", False),  # who started the run is unknown: the rule cannot be met
        ("arn:starter", None, False),
    ],
)
def test_the_distinct_approver_rule_fails_closed(handlers, aws, ctx, started_by, by, accepted):
    aws.config["promotion"]["require_distinct_approver"] = True
    event = {
        **state(aws, RUN, promotion_approval={"approved": True, "by": by, "reason": "ok"}),
        "input": {"started_by": started_by} if started_by else {},
    }
    result = handlers.check_promotion_approval(event, ctx)
    assert result["accepted"] is accepted
    item = aws.registry_item(RUN)
    assert item["promotion_approval"]["accepted"] is accepted
    assert (item.get("status") == "not_promoted") is (not accepted)
