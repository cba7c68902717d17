"""Issue 12 done-criteria in moto's Step Functions engine: the held-out evaluation Map, the
promotion gate and its hold-for-approval path, with the real handlers and grader."""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.local_world import RUN_ID, datasets, gold, output

SECOND_RUN = "r20261125190000-def456"
PARAMETER = "/rft/example/ticket-triage/model"


def _run(world, name=RUN_ID):
    execution = world.start(datasets(world, validation_rows=40), name=name)
    described = world.wait(execution)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    return execution, output(described)


def test_a_tuned_model_that_beats_the_base_is_promoted_with_its_intervals_recorded(local_platform):
    world = local_platform("example", "ticket-triage")
    _, out = _run(world)
    gate = out["gate"]
    assert gate["decision"] == "promote"
    [vs_base] = gate["comparisons"]  # nothing was promoted before: the base is the only baseline
    assert vs_base["baseline"] == "base" and vs_base["verdict"] == "pass"
    assert vs_base["paired_prompts"] == 40 and vs_base["ci"][0] > 0
    item = world.registry_item()
    assert item["status"] == "succeeded"
    assert item["model_id"] == gate["chosen"]["model_id"] == out["selection"]["chosen"]["model_id"]
    recorded = item["gate"]
    assert recorded["decision"] == "promote"
    assert {c["key"]: int(c["n"]) for c in recorded["candidates"]}["base"] == 40
    assert all(len(c["ci"]) == 2 for c in recorded["candidates"])
    # per-item results are in the artifacts bucket, one object per (candidate, batch)
    listed = world.s3.list_objects_v2(
        Bucket=world.config["artifacts_bucket"], Prefix=f"ticket-triage/runs/{RUN_ID}/evaluation/items/"
    )
    assert len(listed["Contents"]) == len(out["evaluation_plan"]["items"]) == 5 * 2  # 40 prompts / 25


def test_a_run_that_does_not_beat_the_current_model_is_not_promoted_and_the_old_model_stays(local_platform):
    world = local_platform("example", "ticket-triage")
    _, first = _run(world)
    promoted = world.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"]
    assert promoted == first["gate"]["chosen"]["model_id"]
    # The second run trains models that answer as the base model does: no better than what serves.
    current = promoted

    base_like = world.mantle.respond  # the world's responder: the base model is right about half the time

    def respond(model, messages):
        if model == current:
            return gold(messages)
        if model.startswith("ft:"):  # this run's checkpoints and final model
            return base_like("the-base-model", messages)
        return base_like(model, messages)

    world.mantle.respond = respond
    execution, second = _run(world, name=SECOND_RUN)
    assert second["gate"]["decision"] == "reject"
    assert {c["baseline"] for c in second["gate"]["comparisons"]} == {"base", "current"}
    assert "Promote" not in world.entered(execution)
    assert world.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"] == promoted
    item = world.registry_item(SECOND_RUN)
    assert item["status"] == "not_promoted" and item["not_promoted_reason"]
    assert [n["outcome"] for n in world.notifications() if n.get("run_id") == SECOND_RUN] == ["not_promoted"]


def test_an_evaluation_item_failing_twice_is_retried_then_missing_and_the_run_completes(local_platform):
    from moto.awslambda_simple.models import LambdaSimpleBackend

    world = local_platform("example", "ticket-triage")
    patched = LambdaSimpleBackend.invoke
    attempts = []

    def flaky(self, function_name, qualifier, body, headers, response_headers):
        event = json.loads(body) if body else {}
        if (
            function_name.endswith("wf-evaluate-batch")
            and event.get("item", {}).get("candidate", {}).get("key") == "step-20"
            and event["item"]["batch"] == 1
        ):
            attempts.append(1)
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": "EvaluationItemFailed", "errorMessage": "scripted"}).encode()
        return patched(self, function_name, qualifier, body, headers, response_headers)

    LambdaSimpleBackend.invoke = flaky
    try:
        _, out = _run(world)
    finally:
        LambdaSimpleBackend.invoke = patched
    assert len(attempts) == 2  # tried, retried once, then given up on
    gate = out["gate"]
    assert gate["missing_items"] == 1
    step20 = next(c for c in gate["candidates"] if c["key"] == "step-20")
    assert step20["missing_items"] == 1 and step20["n"] == 25  # batch 0 only
    assert gate["decision"] == "promote"


@pytest.mark.parametrize("approver, promoted", [("starter", False), ("someone-else", True)])
def test_an_uncertain_gate_holds_for_a_person_and_can_require_a_distinct_approver(local_platform, approver, promoted):
    world = local_platform(
        "example",
        "ticket-triage",
        edit_config=lambda c: c["promotion"].update(min_paired_prompts=1000, require_distinct_approver=True),
    )
    run_input = {**datasets(world, validation_rows=40), "started_by": "arn:aws:iam::1:user/starter"}
    execution = world.start(run_input)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (world.registry_item() or {}).get("status") != "awaiting_promotion_approval":
        time.sleep(0.05)
    item = world.registry_item()
    assert item["status"] == "awaiting_promotion_approval" and item["gate"]["decision"] == "hold"
    assert "rft run approve" in json.dumps(world.notifications())
    world.sfn.send_task_success(
        taskToken=item["task_token"],
        output=json.dumps({"approved": True, "by": f"arn:aws:iam::1:user/{approver}", "reason": "looks fine"}),
    )
    described = world.wait(execution)
    assert described["status"] == "SUCCEEDED"
    item = world.registry_item()
    assert item["promotion_approval"]["by"].endswith(approver)
    assert item["promotion_approval"]["accepted"] is promoted
    assert item["status"] == ("succeeded" if promoted else "not_promoted")
    assert bool(world.ssm.get_parameters(Names=[PARAMETER])["Parameters"]) is promoted


# -- operator commands against the same world ---------------------------------------------------
def test_cancel_stops_the_execution_and_leaves_no_job_running(local_platform, operator, capsys):
    world = local_platform("example", "ticket-triage", statuses=("running",))
    execution = world.start(datasets(world))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "WaitForJob" not in world.entered(execution):
        time.sleep(0.05)
    assert operator.cancel_run("example", "ticket-triage", RUN_ID, "wrong dataset") == 0
    assert world.wait(execution)["status"] == "ABORTED"
    [job] = world.mantle.jobs.values()
    assert job["status"] == "cancelled"
    item = world.registry_item()
    assert item["status"] == "cancelled" and item["cancelled"]["job_cancelled"] is True
    assert item["cancelled"]["reason"] == "wrong dataset" and item["cancelled"]["by"].startswith("arn:aws:")
    with pytest.raises(Exception, match="already ended"):
        operator.cancel_run("example", "ticket-triage", RUN_ID, "again")


def test_promote_goes_through_the_gate_unless_forced_and_rollback_restores_the_previous_model(
    local_platform, operator, capsys
):
    from rft.aws_errors import CliError

    world = local_platform("example", "ticket-triage")
    _, first = _run(world)
    model_a = world.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"]
    current, base_like = model_a, world.mantle.respond
    world.mantle.respond = lambda model, messages: (
        gold(messages)
        if model == current
        else base_like("the-base-model" if model.startswith("ft:") else model, messages)
    )
    _, second = _run(world, name=SECOND_RUN)
    assert second["gate"]["decision"] == "reject"

    with pytest.raises(CliError, match="the gate rejects"):
        operator.promote_run("example", "ticket-triage", SECOND_RUN, checkpoint=None, force=False, reason="try")
    assert world.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"] == model_a
    assert (
        operator.promote_run(
            "example", "ticket-triage", SECOND_RUN, checkpoint="final", force=True, reason="needed for the demo"
        )
        == 0
    )
    model_b = world.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"]
    assert model_b != model_a and model_b == next(
        c["model_id"] for c in second["gate"]["candidates"] if c["key"] == "final"
    )
    item = world.registry_item(SECOND_RUN)
    [entry] = item["promotion_history"]
    assert (
        entry["how"] == "forced" and entry["previous_model_id"] == model_a and entry["reason"] == "needed for the demo"
    )

    assert operator.rollback_model("example", "ticket-triage", "the demo is over") == 0
    assert world.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"] == model_a
    assert world.registry_item(SECOND_RUN)["promotion_history"][-1]["how"] == "rollback"
    assert world.registry_item(RUN_ID)["promotion_history"][-1]["model_id"] == model_a
    capsys.readouterr()

    assert operator.compare_runs("example", "ticket-triage", RUN_ID, SECOND_RUN) == 0
    table = capsys.readouterr().out
    assert "promote" in table and "reject" in table and RUN_ID in table and SECOND_RUN in table
