"""The Nova evaluation deployment's steps against the botocore-level fake deployment API and
moto (registry): adoption, the ready deadline, release, and the deletes of the failure path and
cleanup, including the one attack that matters most: never deleting the deployment a promotion
of the run made live."""

from __future__ import annotations

import datetime as dt

import pytest
from workflow_testkit import ACCOUNT, REGION, state

from rft_contracts.naming import DEPLOYMENT_NAME_MAX_ALNUM, evaluation_deployment_name
from tests.fakes.bedrock_deployments import FakeDeployments

RUN = "r20260101000000-abc123"
MODEL_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/amazon.nova-2-lite-v1:0:256k/abcdef123456"


@pytest.fixture
def nova(aws):
    aws.config.update(control_plane="native", base_model="amazon.nova-2-lite-v1:0:256k")
    aws.config["evaluation"]["nova_deployment"].update(enabled=True, keep="never", ready_timeout_minutes=30)
    fake = FakeDeployments(account=ACCOUNT, region=REGION).install()
    yield fake
    fake.uninstall()


def _create(handlers, aws, ctx):
    return handlers.create_evaluation_deployment(
        state(aws, RUN, job={"output_model_arn": MODEL_ARN}, checkpoints={"final_model": MODEL_ARN}), ctx
    )


def test_create_then_poll_until_active_and_record_it(handlers, aws, ctx, nova):
    created = _create(handlers, aws, ctx)
    assert created["status"] == "Creating" and created["adopted"] is False
    assert created["name"] == evaluation_deployment_name("example", "ticket-triage", RUN)
    polled = handlers.evaluation_deployment_status(state(aws, RUN, deployment=created), ctx)
    assert (polled["status"], polled["ready"], polled["done"]) == ("Creating", False, False)
    polled = handlers.evaluation_deployment_status(state(aws, RUN, deployment=polled), ctx)
    assert (polled["status"], polled["ready"], polled["done"]) == ("Active", True, True)
    assert aws.registry_item(RUN)["evaluation_deployment"]["status"] == "Active"


def test_a_retried_create_adopts_the_runs_deployment_instead_of_making_a_second(handlers, aws, ctx, nova):
    first = _create(handlers, aws, ctx)
    again = _create(handlers, aws, ctx)
    assert again["arn"] == first["arn"] and again["adopted"] is True


def test_a_retry_does_not_restart_the_ready_deadline(handlers, aws, ctx, nova):
    """Attack: a step retried again and again must not keep a deployment that never becomes
    Active waiting forever; the deadline counts from the deployment's creation."""
    nova.polls_until_settled = 10**6
    first = _create(handlers, aws, ctx)
    nova.deployments[first["name"]].created_at -= dt.timedelta(minutes=31)
    again = _create(handlers, aws, ctx)
    polled = handlers.evaluation_deployment_status(state(aws, RUN, deployment=again), ctx)
    assert polled["status"] == "Failed" and "not Active after 30 minutes" in polled["failure_message"]
    assert [op for op, _ in nova.calls].count("CreateCustomModelDeployment") == 1


def test_a_create_that_loses_a_race_adopts_the_winners_deployment(handlers, aws, ctx, nova, monkeypatch):
    """Two invocations of the step overlap: both look the name up before either creates; the
    second create is refused (the name is taken) and adopts the first one's deployment."""
    original = nova._create

    def create_twice(body, identifier):
        original(body, identifier)  # the overlapping invocation got there first
        return original({**body, "clientRequestToken": "another-invocation"}, identifier)

    monkeypatch.setattr(nova, "_create", create_twice)
    created = _create(handlers, aws, ctx)
    assert created["status"] == "Creating" and created["adopted"] is True and created["arn"]
    assert len(nova.deployments) == 1


def test_a_refused_create_is_a_failed_deployment_not_an_error(handlers, aws, ctx, nova):
    nova.refuse_create = "ServiceQuotaExceededException"
    created = _create(handlers, aws, ctx)
    assert created["status"] == "Failed" and "ServiceQuotaExceededException" in created["failure_message"]
    assert created["arn"] is None


def test_throttling_raises_for_the_state_machine_to_retry(handlers, aws, ctx, nova):
    from rft_workflow.errors import DeploymentThrottled

    nova.throttle = 1
    with pytest.raises(DeploymentThrottled):
        _create(handlers, aws, ctx)


def test_a_deployment_not_active_by_its_deadline_is_failed(handlers, aws, ctx, nova):
    nova.polls_until_settled = 10**6  # never settles
    created = _create(handlers, aws, ctx)
    created["started_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)).isoformat()
    polled = handlers.evaluation_deployment_status(state(aws, RUN, deployment=created), ctx)
    assert polled["status"] == "Failed" and polled["done"] is True and polled["ready"] is False
    assert "not Active after 30 minutes" in polled["failure_message"]


@pytest.mark.parametrize(
    "keep, promoted, action",
    [("never", True, "deleted"), ("if_promoted", False, "deleted"), ("if_promoted", True, "kept")],
)
def test_release_keeps_only_a_promoted_models_deployment_when_the_team_keeps_them(
    handlers, aws, ctx, nova, keep, promoted, action
):
    aws.config["evaluation"]["nova_deployment"]["keep"] = keep
    created = _create(handlers, aws, ctx)
    extra = {"promotion": {"model_id": created["arn"]}} if promoted else {}
    released = handlers.release_evaluation_deployment(state(aws, RUN, deployment=created, **extra), ctx)
    assert released["action"] == action
    assert (created["name"] in nova.deployments) is (action == "kept")


def test_promote_names_the_deployment_only_when_it_is_kept(handlers, aws, ctx, nova):
    import boto3

    created = _create(handlers, aws, ctx)
    chosen = {"model_id": created["arn"], "custom_model_arn": MODEL_ARN}
    ssm = boto3.client("ssm", region_name=REGION)
    handlers.promote(state(aws, RUN, selection={"chosen": chosen}), ctx)
    assert ssm.get_parameter(Name=aws.config["model_parameter"])["Parameter"]["Value"] == MODEL_ARN
    aws.config["evaluation"]["nova_deployment"]["keep"] = "if_promoted"
    handlers.promote(state(aws, RUN, selection={"chosen": chosen}), ctx)
    assert ssm.get_parameter(Name=aws.config["model_parameter"])["Parameter"]["Value"] == created["arn"]


def test_the_failure_path_deletes_by_name_when_the_state_lost_the_deployment(handlers, aws, ctx, nova):
    _create(handlers, aws, ctx)
    result = handlers.record_failure(state(aws, RUN, error={"Error": "X", "Cause": "y"}, failed_state="Notify"), ctx)
    assert result["deployment_deleted"] == "deleted" and nova.deployments == {}


def test_a_failure_after_promotion_never_deletes_the_live_deployment(handlers, aws, ctx, nova):
    """Attack: the run promoted its kept deployment, then a later state failed (the success
    notification). Deleting the deployment now would take the promoted model offline."""
    aws.config["evaluation"]["nova_deployment"]["keep"] = "if_promoted"
    created = _create(handlers, aws, ctx)
    chosen = {"model_id": created["arn"], "custom_model_arn": MODEL_ARN}
    handlers.promote(state(aws, RUN, selection={"chosen": chosen}), ctx)
    result = handlers.record_failure(
        state(aws, RUN, error={"Error": "Sns.X", "Cause": "y"}, failed_state="Notify", deployment=created), ctx
    )
    assert result["deployment_deleted"] == "kept (promoted)" and created["name"] in nova.deployments


def test_the_abandoned_run_cleanup_deletes_the_runs_deployment_by_name(aws, nova):
    import boto3
    from handlers import create_evaluation_deployment

    from rft_contracts.registry import RunRegistry
    from rft_workflow import cleanup
    from tests.fakes.inprocess_lambda import fake_context

    create_evaluation_deployment(
        state(aws, RUN, job={"output_model_arn": MODEL_ARN}, checkpoints={}), fake_context("workflow")
    )
    registry = RunRegistry(boto3.resource("dynamodb", region_name=REGION).Table(aws.config["registry_table"]))
    event = {
        "detail": {
            "stateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:rft-example-ticket-triage",
            "name": RUN,
            "status": "TIMED_OUT",
        }
    }
    result = cleanup.cleanup(
        event, team="example", planes=["native"], region=REGION, registry=registry, deployments=True
    )
    assert result["deployment"] == "deleted" and nova.deployments == {}
    # A team without evaluation deployments never calls the deployment API from the cleanup.
    calls = len(nova.calls)
    cleanup.cleanup(event, team="example", planes=["native"], region=REGION, registry=registry, deployments=False)
    assert len(nova.calls) == calls


def test_deployment_names_fit_bedrocks_limit_and_stay_unique():
    long_team, long_customization = "t" * 40, "c" * 40
    name = evaluation_deployment_name(long_team, long_customization, RUN)
    assert sum(ch.isalnum() for ch in name) <= DEPLOYMENT_NAME_MAX_ALNUM
    assert name != evaluation_deployment_name(long_team, "d" * 40, RUN)
    assert name != evaluation_deployment_name(long_team, long_customization, "r20260101000000-abc124")
    import re

    assert re.fullmatch(r"([0-9a-zA-Z][_-]?){1,63}", name)  # botocore's ModelDeploymentName pattern


def test_an_uninvocable_current_model_is_never_a_passed_comparison(aws, nova):
    """A Nova model promoted without a kept deployment cannot be evaluated: it gets no items,
    and the gate does not count the missing comparison as passed (it holds for a person)."""
    from rft_contracts.runtime_config import WorkflowConfig
    from rft_workflow import baselines, gate

    config = WorkflowConfig.model_validate(aws.config)
    deployment = {
        "ready": True,
        "arn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model-deployment/x",
        "model_arn": MODEL_ARN,
    }
    checkpoints, note = baselines.nova_candidates(config, {"final_model": MODEL_ARN}, deployment)
    candidates = baselines.candidates_of(config, checkpoints, current=MODEL_ARN.replace("abcdef", "older0"))
    current = next(c for c in candidates if c["role"] == "current")
    assert note == "" and current["invocable"] is False
    final = next(c for c in candidates if c["role"] == "candidate")
    assert final["model_id"] == deployment["arn"] and final["custom_model_arn"] == MODEL_ARN
    values = {"final": {i: 1.0 for i in range(40)}, "base": {i: 0.0 for i in range(40)}}
    decided = gate.decide(
        {"candidates": candidates, "prompts": 40}, values, {}, config.promotion, "latest_on_tie", "reward_mean", "s"
    )
    verdicts = {c["baseline"]: (c["verdict"], c["why"]) for c in decided["comparisons"]}
    assert verdicts["base"][0] == "pass"
    assert verdicts["current"] == ("uncertain", current["note"])
    assert decided["decision"] == "hold"


def test_converse_throttling_is_recognised_so_the_item_is_retried():
    from rft_workflow.eval_items import is_throttled

    assert is_throttled(
        "ClientError: An error occurred (ThrottlingException) when calling the Converse operation: Too many"
    )
    assert is_throttled("RateLimitError: Error code: 429")
    assert not is_throttled("ClientError: An error occurred (ValidationException) when calling the Converse operation")
    # Only the error's head is read: a model's refusal text quoted later in a message is not throttling.
    assert not is_throttled("ValueError: " + "x" * 200 + " ThrottlingException")
