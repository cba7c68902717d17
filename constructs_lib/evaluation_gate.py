"""The held-out evaluation and the promotion gate, as states of a customization's workflow.

    PlanEvaluation -> Map EvaluateCandidates (one item = one candidate x one prompt batch)
      -> PromotionGate -> promote | hold: RequestPromotionApproval (task token)
                                          -> CheckPromotionApproval | reject
      promote / accepted -> UseGateSelection -> (the workflow's promote chain)
      reject / not accepted -> WriteRunReportNotPromoted -> NotifyNotPromoted -> RunNotPromoted
                               (the run succeeded, the current model stays)

An inline Map, not a Distributed Map, on purpose: the item list is bounded
(``rft_workflow.baselines.MAX_ITEMS``, 120 items for 6 models x 500 prompts), results go to
the artifacts bucket per item rather than into the state, and the definition must run in moto's
local Step Functions engine, which the end-to-end tests use. A Distributed Map would add child
executions (and an ItemReader/ResultWriter) for no gain at these sizes.

Retries per item: throttling (``EvaluationThrottled``, the SDK's ``RateLimitError``, Lambda's
own throttle) with exponential backoff and jitter; any other error once more; then the item is
caught and counted as missing by the gate (never fatal to the run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks

from rft.config.team_config import Customization

if TYPE_CHECKING:
    from constructs_lib.rft_workflow import RftWorkflow

THROTTLING_ERRORS = ["EvaluationThrottled", "RateLimitError", "Lambda.TooManyRequestsException"]
# Functions the gate adds to the team's workflow functions (constructs_lib.workflow_functions).
STEPS = ("PlanEvaluation", "EvaluateBatch", "PromotionGate", "RequestPromotionApproval", "CheckPromotionApproval")


def held_out_gate(
    workflow: RftWorkflow,
    customization: Customization,
    promote_chain: sfn.IChainable,
    *,
    before_not_promoted: Callable[[sfn.IChainable], sfn.IChainable] | None = None,
) -> sfn.IChainable:
    """The chain from the job's candidates (``$.checkpoints``) to promote_chain or 'not promoted'
    (through ``before_not_promoted(not_promoted)`` when given: the Nova deployment's release)."""
    functions = workflow._functions
    plan = workflow._step("PlanEvaluation", "$.evaluation_plan", phase="EvaluateCheckpoints")

    evaluate = sfn.Map(
        workflow,
        "EvaluateCandidates",
        items_path="$.evaluation_plan.items",
        max_concurrency=customization.evaluation.max_concurrency,
        item_selector={
            "item.$": "$$.Map.Item.Value",
            "config.$": "$.config",
            "run_id.$": "$.run_id",
            "prompts_key.$": "$.evaluation_plan.prompts_key",
        },
        result_path=sfn.JsonPath.DISCARD,
    )
    item = tasks.LambdaInvoke(
        workflow,
        "EvaluateBatch",
        lambda_function=functions["EvaluateBatch"],
        payload_response_only=True,
        retry_on_service_exceptions=True,
    )
    item.add_retry(
        errors=THROTTLING_ERRORS,
        interval=Duration.seconds(5),
        max_attempts=5,
        backoff_rate=2,
        jitter_strategy=sfn.JitterType.FULL,
    )
    item.add_retry(errors=["States.ALL"], interval=Duration.seconds(2), max_attempts=1)
    item.add_catch(
        sfn.Pass(workflow, "EvaluationItemMissing", parameters={"missing": True}),
        errors=["States.ALL"],
        result_path="$.error",
    )
    evaluate.item_processor(item)
    workflow._catch(evaluate, "EvaluateCheckpoints")

    gate = workflow._step("PromotionGate", "$.gate", phase="PromotionGate")
    notify_not_promoted = workflow.notify(
        "NotifyNotPromoted",
        f"RFT run not promoted: {customization.name}",
        outcome="not_promoted",
        decision=sfn.JsonPath.string_at("$.gate.decision"),
        reason=sfn.JsonPath.string_at("$.gate.reason"),
        report=sfn.JsonPath.string_at("$.gate.report_key"),
        **workflow.deployment_fields(customization),
    )
    workflow._catch(notify_not_promoted, "Notify")
    notify_not_promoted.next(sfn.Succeed(workflow, "RunNotPromoted"))
    not_promoted = workflow.report_then("WriteRunReportNotPromoted", notify_not_promoted)
    end_not_promoted = before_not_promoted(not_promoted) if before_not_promoted else not_promoted

    use_selection = sfn.Pass(workflow, "UseGateSelection", input_path="$.gate.selection", result_path="$.selection")
    use_selection.next(promote_chain)

    request = tasks.LambdaInvoke(
        workflow,
        "RequestPromotionApproval",
        lambda_function=functions["RequestPromotionApproval"],
        integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload=sfn.TaskInput.from_object(
            {
                "task_token": sfn.JsonPath.task_token,
                "run_id": sfn.JsonPath.string_at("$.run_id"),
                "config": sfn.JsonPath.object_at("$.config"),
                "gate": sfn.JsonPath.object_at("$.gate"),
            }
        ),
        result_path="$.promotion_approval",
        task_timeout=sfn.Timeout.duration(Duration.minutes(round(customization.promotion.approval_timeout_hours * 60))),
    )
    timed_out = sfn.Pass(
        workflow,
        "PromotionApprovalTimedOut",
        result_path="$.promotion_approval",
        result=sfn.Result.from_object(
            {
                "approved": False,
                "by": "timeout",
                "reason": f"no answer within {customization.promotion.approval_timeout_hours:g} hours",
            }
        ),
    )
    request.add_catch(timed_out, errors=["States.Timeout"], result_path="$.promotion_approval_error")
    workflow._catch(request, "PromotionGate")
    check = workflow._step("CheckPromotionApproval", "$.promotion_check", phase="PromotionGate")
    timed_out.next(check)
    request.next(check).next(
        sfn.Choice(workflow, "PromotionAccepted?")
        .when(
            sfn.Condition.boolean_equals("$.promotion_check.accepted", True),
            use_selection,
        )
        .otherwise(end_not_promoted)
    )

    decision = (
        sfn.Choice(workflow, "GateDecision")
        .when(
            sfn.Condition.string_equals("$.gate.decision", "promote"),
            use_selection,
        )
        .when(
            sfn.Condition.string_equals("$.gate.decision", "hold"),
            request,
        )
        .otherwise(end_not_promoted)
    )
    plan.next(evaluate).next(gate).next(decision)
    return plan
