"""Issue 12, item 3, in moto's Step Functions engine: a Nova run that opts in is evaluated
through an on-demand custom model deployment, which the run deletes unless it keeps a promoted
model's, on every outcome (promoted, not promoted, deployment failed, run failed).

The deployment API is answered inside botocore by ``tests/fakes/bedrock_deployments.py``
(moto has none), so requests are validated against botocore's bedrock model; Converse (moto has
none either) is scripted: the tuned model (any deployment ARN) extracts invoices right, the base
model's inference profile gets every other total wrong.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.local_world import RUN_ID, invoice_rows, output, start_native_run

CUSTOMIZATION = "invoice-extraction"
PARAMETER = f"/rft/nova-example/{CUSTOMIZATION}/model"
BASE_PROFILE = "us.amazon.nova-2-lite-v1:0"


class Nova:
    """Converse answers by model id; ``tuned_right``: whether the deployed model is always
    right (better than the base model) or always wrong (worse)."""

    def __init__(self, tuned_right: bool = True, field: str = "vendor"):
        self.tuned_right, self.field = tuned_right, field
        self.calls: list[str] = []

    def __call__(self, runtime, model_id, messages, max_tokens, temperature) -> str:
        self.calls.append(model_id)
        text = messages[-1]["content"]
        if text.startswith("Reply with one short sentence"):  # the smoke test
            return "Ready."
        total = float(text.split("total ")[1].split(" ")[0])
        # The base model: every other answer wrong (so the audit's samples of a prompt differ).
        wrong = len(self.calls) % 2 == 1
        if ":custom-model-deployment/" in model_id:
            wrong = not self.tuned_right
        return json.dumps({self.field: "ACME", "total": total + 1 if wrong else total})


def _world(local_platform, monkeypatch, nova: Nova, **kwargs):
    import rft_workflow.generate as generate

    monkeypatch.setattr(generate, "converse_text", nova)
    return local_platform("nova-example", CUSTOMIZATION, fake_mantle=False, **kwargs)


def _run(world, *, until=("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")):
    execution = start_native_run(world, invoice_rows(170))
    return execution, world.wait(execution, until=until)


def _report(world, customization: str = CUSTOMIZATION) -> str:
    """The page WriteRunReport left in the artifacts bucket."""
    from rft_contracts.naming import run_report_key

    key = run_report_key(customization, RUN_ID)
    return world.s3.get_object(Bucket=world.config["artifacts_bucket"], Key=key)["Body"].read().decode()


def _custom_model_arn(world) -> str:
    [job] = world.bedrock.list_model_customization_jobs()["modelCustomizationJobSummaries"]
    return world.bedrock.get_model_customization_job(jobIdentifier=job["jobName"])["outputModelArn"]


def test_a_better_nova_model_is_evaluated_through_its_deployment_promoted_and_the_deployment_deleted(
    local_platform, monkeypatch
):
    nova = Nova(tuned_right=True)
    world = _world(local_platform, monkeypatch, nova)
    execution, described = _run(world)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    out = output(described)
    model_arn = _custom_model_arn(world)

    # One deployment, of the job's custom model, named for the run, with the run id as its token.
    creates = [body for op, body in world.deployments.calls if op == "CreateCustomModelDeployment"]
    assert len(creates) == 1
    assert creates[0]["modelArn"] == model_arn and creates[0]["clientRequestToken"] == RUN_ID
    assert creates[0]["modelDeploymentName"] == f"rft-nova-example-{CUSTOMIZATION}-{RUN_ID}"
    deployment_arn = out["deployment"]["arn"]
    assert out["deployment"]["status"] == "Active" and "WaitForDeployment" in world.entered(execution)

    # Evaluated through the deployment, next to the base model's inference profile, on 50 prompts.
    gate = out["gate"]
    assert gate["decision"] == "promote", gate["reason"]
    by_key = {c["key"]: c for c in gate["candidates"]}
    assert by_key["final"]["model_id"] == deployment_arn and by_key["base"]["model_id"] == BASE_PROFILE
    assert by_key["final"]["n"] == by_key["base"]["n"] == 50
    assert by_key["final"]["mean"] > by_key["base"]["mean"]
    assert {deployment_arn, BASE_PROFILE} <= set(nova.calls)
    # Smoke-tested through the deployment before the parameter moved.
    assert out["smoke"] == {"converse": "ok", "model_id": deployment_arn}

    # keep: never -> the parameter names the custom model, and the deployment is gone.
    assert world.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"] == model_arn
    assert out["promotion"]["model_id"] == model_arn
    assert world.deployments.deleted == [deployment_arn] and world.deployments.deployments == {}
    assert out["deployment_release"]["action"] == "deleted"
    item = world.registry_item()
    assert item["status"] == "succeeded" and item["model_id"] == model_arn
    assert item["evaluation_deployment"]["action"] == "deleted"
    assert item["lineage"]["chosen"]["model_id"] == deployment_arn  # what was evaluated
    [message] = [m for m in world.notifications() if m.get("outcome") == "succeeded"]
    assert message["model"] == model_arn
    assert message["deployment"]["action"] == "deleted" and message["deployment"]["arn"] == deployment_arn
    # The run's page says how the model was evaluated, and that the deployment is gone.
    page = _report(world)
    assert f"evaluated through its on-demand deployment {deployment_arn}" in page and "was deleted" in page


def test_a_team_that_keeps_promoted_deployments_serves_the_deployment(local_platform, monkeypatch):
    world = _world(
        local_platform,
        monkeypatch,
        Nova(tuned_right=True),
        edit_config=lambda c: c["evaluation"]["nova_deployment"].update(keep="if_promoted"),
    )
    execution, described = _run(world)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    out = output(described)
    deployment_arn = out["deployment"]["arn"]
    assert out["gate"]["decision"] == "promote"
    assert world.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"] == deployment_arn
    assert world.deployments.deleted == [] and list(world.deployments.deployments.values())[0].arn == deployment_arn
    assert out["deployment_release"]["action"] == "kept"
    assert world.registry_item()["evaluation_deployment"]["action"] == "kept"


def test_a_nova_model_no_better_than_the_base_is_not_promoted_and_its_deployment_is_deleted(
    local_platform, monkeypatch
):
    world = _world(
        local_platform,
        monkeypatch,
        Nova(tuned_right=False),
        # keep applies to a promoted model only: a rejected one's deployment goes regardless.
        edit_config=lambda c: c["evaluation"]["nova_deployment"].update(keep="if_promoted"),
    )
    execution, described = _run(world)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    out = output(described)
    assert out["gate"]["decision"] == "reject" and "RunNotPromoted" in world.entered(execution)
    assert world.deployments.deleted == [out["deployment"]["arn"]] and world.deployments.deployments == {}
    assert world.ssm.get_parameters(Names=[PARAMETER])["InvalidParameters"] == [PARAMETER]
    assert world.registry_item()["status"] == "not_promoted"
    [message] = [m for m in world.notifications() if m.get("outcome") == "not_promoted"]
    assert message["deployment"]["action"] == "deleted"


@pytest.mark.parametrize(
    "script, reason",
    [
        ({"becomes": "Failed"}, "the model could not be deployed (scripted)"),
        ({"refuse_create": "ServiceQuotaExceededException"}, "ServiceQuotaExceededException"),
    ],
    ids=["deployment-failed", "create-refused"],
)
def test_a_deployment_that_never_serves_ends_the_run_not_promoted_with_its_reason(
    local_platform, monkeypatch, script, reason
):
    nova = Nova()
    world = _world(local_platform, monkeypatch, nova)
    for name, value in script.items():
        setattr(world.deployments, name, value)
    execution, described = _run(world)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]  # degraded, not failed
    out = output(described)
    assert out["gate"]["decision"] == "reject"
    assert reason in out["gate"]["reason"] and "not evaluated" in out["gate"]["reason"]
    assert not [c for c in nova.calls if ":custom-model-deployment/" in c]  # nothing answered through it
    assert world.deployments.deployments == {}  # a failed deployment is deleted too
    assert world.registry_item()["status"] == "not_promoted"
    page = _report(world)
    assert "The Nova model was not evaluated: its evaluation deployment" in page and reason in page


def test_a_release_that_fails_keeps_the_outcome_and_tells_the_team(local_platform, monkeypatch):
    """The delete is refused (a missing permission): the promoted run still succeeds, and its
    message and registry item say the deployment was not released (it still exists)."""
    world = _world(local_platform, monkeypatch, Nova(tuned_right=True))
    world.deployments.refuse_delete = "AccessDeniedException"
    execution, described = _run(world)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    [message] = [m for m in world.notifications() if m.get("outcome") == "succeeded"]
    assert "AccessDeniedException" in message["deployment"]["Cause"]
    assert len(world.deployments.deployments) == 1  # left, and said so
    assert world.registry_item()["evaluation_deployment"]["status"] == "Active"


def test_throttled_deployment_calls_are_retried_and_create_exactly_one(local_platform, monkeypatch):
    world = _world(local_platform, monkeypatch, Nova())
    # The fake answers before botocore's endpoint, so botocore's own retries do not run: each
    # throttle fails the step, and the state machine's retries (5 per step) absorb them.
    world.deployments.throttle = 4
    execution, described = _run(world)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    assert output(described)["gate"]["decision"] == "promote"
    assert len(world.deployments.deleted) == 1 and world.deployments.deployments == {}
    assert len({body["modelDeploymentName"] for op, body in world.deployments.calls if op.startswith("Create")}) == 1


def test_a_run_that_fails_after_deploying_deletes_the_deployment(local_platform, monkeypatch):
    """The smoke test fails (the deployment answers nothing): the failure path deletes it."""
    nova = Nova()

    def silent(runtime, model_id, messages, max_tokens, temperature):
        answer = nova(runtime, model_id, messages, max_tokens, temperature)
        return "" if messages[-1]["content"].startswith("Reply with one short sentence") else answer

    import rft_workflow.generate as generate

    world = local_platform("nova-example", CUSTOMIZATION, fake_mantle=False)
    monkeypatch.setattr(generate, "converse_text", silent)
    execution, described = _run(world)
    assert described["status"] == "FAILED"
    out_item = world.registry_item()
    assert out_item["status"] == "failed" and out_item["failed_step"] == "SmokeTest"
    assert out_item["deployment_deleted"] == "deleted"
    assert len(world.deployments.deleted) == 1 and world.deployments.deployments == {}
    assert world.ssm.get_parameters(Names=[PARAMETER])["InvalidParameters"] == [PARAMETER]


def test_forcing_a_rejected_nova_model_promotes_the_custom_model_not_its_deleted_deployment(
    local_platform, monkeypatch, operator, capsys
):
    """Attack on the operator path: the gate's recorded candidate is the deployment the model
    was evaluated through, which the run then deleted. A forced promotion must name something
    that exists: the custom model (as the workflow's own Promote does with keep: never)."""
    world = _world(local_platform, monkeypatch, Nova(tuned_right=False))
    execution, described = _run(world)
    assert output(described)["gate"]["decision"] == "reject"
    assert world.deployments.deployments == {}
    assert (
        operator.promote_run(
            "nova-example", CUSTOMIZATION, RUN_ID, checkpoint=None, force=True, reason="the team read the answers"
        )
        == 0
    )
    assert world.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"] == _custom_model_arn(world)


def test_a_nova_model_without_the_opt_in_can_still_be_forced(local_platform, monkeypatch, operator, capsys):
    """receipt-extraction never deploys: the gate records the custom model as its one candidate
    (not evaluated), so `rft models promote RUN --force` has something to promote, as the
    README says; without --force the gate refuses it."""
    import rft_workflow.generate as generate
    from rft.aws_errors import CliError

    monkeypatch.setattr(generate, "converse_text", Nova(field="merchant"))
    world = local_platform("nova-example", "receipt-extraction", fake_mantle=False)
    described = world.wait(start_native_run(world, invoice_rows(140, kind="Receipt", field="merchant")))
    gate = output(described)["gate"]
    [candidate] = [c for c in gate["candidates"] if c["role"] == "candidate"]
    assert candidate["n"] == 0 and ":custom-model/" in candidate["model_id"]
    with pytest.raises(CliError, match="the gate rejects"):
        operator.promote_run("nova-example", "receipt-extraction", RUN_ID, checkpoint=None, force=False, reason="x")
    assert (
        operator.promote_run(
            "nova-example", "receipt-extraction", RUN_ID, checkpoint=None, force=True, reason="evaluated by hand"
        )
        == 0
    )
    parameter = "/rft/nova-example/receipt-extraction/model"
    assert world.ssm.get_parameter(Name=parameter)["Parameter"]["Value"] == candidate["model_id"]


def test_a_deployment_the_evaluation_may_not_invoke_is_missing_not_scored_low(local_platform, monkeypatch):
    """docs/aws-contracts.md A19: if invoking a deployment needed a right we do not grant, every
    call through it fails. The items fail, are retried, and count as missing: the gate rejects
    because nothing could be evaluated, never because the model scored 0."""
    from botocore.exceptions import ClientError

    nova = Nova(tuned_right=True)

    def denied_for_deployments(runtime, model_id, messages, max_tokens, temperature):
        if ":custom-model-deployment/" in model_id:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Converse")
        return nova(runtime, model_id, messages, max_tokens, temperature)

    import rft_workflow.generate as generate

    world = local_platform("nova-example", CUSTOMIZATION, fake_mantle=False)
    monkeypatch.setattr(generate, "converse_text", denied_for_deployments)
    execution, described = _run(world)
    assert described["status"] == "SUCCEEDED", world.history(execution)[-3:]
    gate = output(described)["gate"]
    assert gate["decision"] == "reject" and "could be evaluated" in gate["reason"]
    final = next(c for c in gate["candidates"] if c["key"] == "final")
    assert final["n"] == 0 and final["missing_items"] == len(output(described)["evaluation_plan"]["items"]) // 2
    assert world.deployments.deployments == {}  # released all the same
