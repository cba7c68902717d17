"""Lambda handlers of the RFT workflow: one function per state, each a thin shell.

Each handler parses its part of the workflow state (``run_id``, ``config`` and the results of
earlier steps), calls one function of ``rft_workflow``, logs ids and counts, and returns the
result the state machine stores at its ResultPath. Contract, errors, environment and IAM:
``README.md`` next to this file.

Environment (all optional): ``MANTLE_BASE_URL`` (endpoint override), Powertools'
``POWERTOOLS_SERVICE_NAME`` / ``POWERTOOLS_METRICS_NAMESPACE`` / ``LOG_LEVEL``.
Logs carry ids, counts and timings, never prompts, answers or dataset rows.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from rft_contracts import metrics as metric_names
from rft_workflow import (
    approval,
    audit,
    checkpoints,
    cleanup,
    cost,
    failure,
    jobs,
    lineage,
    preflight,
    smoke,
    submit,
)
from rft_workflow.state import DatasetResult, RunInput, config_of, run_id_of

logger = Logger()
tracer = Tracer()
metrics = Metrics()  # namespace from POWERTOOLS_METRICS_NAMESPACE, set by the function's construct

Handler = Callable[[dict, Any], dict]


def _handler(fn: Handler) -> Handler:
    @metrics.log_metrics
    @tracer.capture_lambda_handler(capture_response=False)
    @logger.inject_lambda_context(log_event=False)
    @functools.wraps(fn)
    def wrapper(event: dict, context: Any) -> dict:
        cfg = event.get("config") or {}
        logger.append_keys(run_id=event.get("run_id"), customization=cfg.get("customization"), step=fn.__name__)
        if cfg.get("customization"):
            metrics.add_dimension(name="Customization", value=str(cfg["customization"]))
        return fn(event, context)

    return wrapper


@_handler
def validate_dataset(event: dict, context: Any) -> dict:
    result, report = preflight.validate(config_of(event), run_id_of(event), RunInput.model_validate(event["input"]))
    logger.info(
        "dataset checked",
        extra={
            "rows": {k: v["rows"] for k, v in report["files"].items()},
            "probe": report["grader_reference_check"].get("status"),
        },
    )
    metrics.add_metric(name=metric_names.DATASET_ROWS, unit=MetricUnit.Count, value=result["train"]["rows"])
    return result


@_handler
def audit_reward_signal(event: dict, context: Any) -> dict:
    config = config_of(event)
    if config.audit.skip_reason:
        return {"skipped": True, "reason": config.audit.skip_reason}
    result = audit.run_audit(config, run_id_of(event), DatasetResult.model_validate(event["dataset"]))
    logger.info("reward signal audited", extra={"summary": result["summary"]})
    if result["summary"]["reward_mean"] is not None:
        metrics.add_metric(
            name=metric_names.AUDIT_REWARD_MEAN, unit=MetricUnit.NoUnit, value=result["summary"]["reward_mean"]
        )
    return result


@_handler
def estimate_cost(event: dict, context: Any) -> dict:
    result = cost.estimate(config_of(event), event["dataset"])
    metrics.add_metric(name=metric_names.ESTIMATED_COST_USD, unit=MetricUnit.NoUnit, value=result["estimate_usd"])
    return result


@_handler
def request_approval(event: dict, context: Any) -> dict:
    estimate = event.get("cost") or {}
    result = approval.request_approval(config_of(event), run_id_of(event), event.get("task_token"), estimate)
    logger.info("approval requested", extra={"estimate_usd": estimate.get("estimate_usd")})
    return result


@_handler
def submit_mantle_job(event: dict, context: Any) -> dict:
    job = submit.submit_mantle_job(
        config_of(event),
        run_id_of(event),
        event["dataset"],
        owner=context.aws_request_id,
        remaining_seconds=context.get_remaining_time_in_millis() / 1000,
    )
    logger.info("mantle job submitted", extra={"job_id": job["job_id"], "adopted": job["adopted"]})
    return job


@_handler
def job_status(event: dict, context: Any) -> dict:
    job = jobs.check(config_of(event), run_id_of(event), event["job"])
    logger.info(
        "job status",
        extra={
            "job_id": job["job_id"],
            "status": job["status"],
            "raw": job["raw_status"],
            "metrics_published": job["metrics_published"],
        },
    )
    return job


@_handler
def list_checkpoints(event: dict, context: Any) -> dict:
    return checkpoints.list_candidates(config_of(event), event.get("job") or {})


@_handler
def promote(event: dict, context: Any) -> dict:
    result = lineage.promote(config_of(event), run_id_of(event), event)
    logger.info(
        "model promoted", extra={"model_id": result["model_id"], "parameter_version": result["parameter_version"]}
    )
    return result


@_handler
def smoke_test(event: dict, context: Any) -> dict:
    # Runs before Promote: the candidate is the selection's choice, not yet the live model.
    return smoke.smoke_test(config_of(event), ((event.get("selection") or {}).get("chosen") or {}).get("model_id"))


@_handler
def record_failure(event: dict, context: Any) -> dict:
    result = failure.record_failure(config_of(event), run_id_of(event), event)
    logger.warning(
        "run failed", extra={k: result[k] for k in ("status", "failed_step", "error", "job_cancelled", "warnings")}
    )
    return result


@_handler
def cleanup_abandoned_run(event: dict, context: Any) -> dict:
    """EventBridge target: a team execution was aborted or timed out (no failure path ran).
    Environment: RFT_TEAM, RFT_REGISTRY_TABLE, RFT_TEAM_PLANES (the planes the team uses, comma-separated)."""
    result = cleanup.cleanup_from_environment(event, dict(os.environ))
    logger.warning(
        "abandoned run cleaned up",
        extra={
            k: result.get(k)
            for k in ("ignored", "customization", "run_id", "status", "job_id", "cancelled", "recovered", "notes")
        },
    )
    return result


# -- held-out evaluation and the promotion gate (rft_workflow.baselines, .eval_items, .gate) ------
@_handler
def plan_evaluation(event: dict, context: Any) -> dict:
    from rft_workflow import baselines

    plan = baselines.plan(
        config_of(event),
        run_id_of(event),
        event.get("checkpoints") or {},
        event.get("dataset") or {},
        event.get("deployment"),
    )
    logger.info(
        "evaluation planned",
        extra={
            "candidates": len(plan["candidates"]),
            "items": len(plan["items"]),
            "prompts": plan["prompts"],
            "note": plan["note"],
        },
    )
    return plan


@_handler
def evaluate_batch(event: dict, context: Any) -> dict:
    from rft_workflow import eval_items

    result = eval_items.evaluate_item(config_of(event), run_id_of(event), event["item"], event["prompts_key"])
    logger.info(
        "evaluation item",
        extra={"candidate": event["item"]["candidate"]["key"], "batch": event["item"]["batch"], **result},
    )
    return result


@_handler
def promotion_gate(event: dict, context: Any) -> dict:
    from rft_workflow import gate

    config, run_id = config_of(event), run_id_of(event)
    result = gate.run_gate(
        config, run_id, event.get("evaluation_plan") or {}, (event.get("input") or {}).get("started_by")
    )
    logger.info("promotion gate", extra={"decision": result["decision"], "missing_items": result["missing_items"]})
    # One EMF document per model (its own dimension set), for the dashboard next to the curves.
    for candidate in result["candidates"]:
        if candidate["mean"] is None:
            continue
        with single_metric(
            name=metric_names.HELD_OUT_METRIC,
            unit=MetricUnit.NoUnit,
            value=candidate["mean"],
            default_dimensions={"Customization": config.customization, "RunId": run_id, "Model": candidate["key"]},
        ):
            pass
    with single_metric(
        name=metric_names.GATE_DECISION,
        unit=MetricUnit.Count,
        value=1,
        default_dimensions={"Customization": config.customization, "Decision": result["decision"]},
    ):
        pass
    return result


@_handler
def request_promotion_approval(event: dict, context: Any) -> dict:
    from rft_workflow import promotion_approval

    return promotion_approval.request(
        config_of(event), run_id_of(event), event.get("task_token"), event.get("gate") or {}
    )


@_handler
def check_promotion_approval(event: dict, context: Any) -> dict:
    from rft_workflow import promotion_approval

    result = promotion_approval.check(
        config_of(event),
        run_id_of(event),
        event.get("promotion_approval") or {},
        (event.get("input") or {}).get("started_by"),
    )
    logger.info("promotion approval", extra={"accepted": result["accepted"]})
    return result


# -- the Nova evaluation deployment (rft_workflow.deployment; opt-in per customization) ----------
@_handler
def create_evaluation_deployment(event: dict, context: Any) -> dict:
    from rft_workflow import deployment

    result = deployment.create(
        config_of(event), run_id_of(event), event.get("job") or {}, event.get("checkpoints") or {}
    )
    # "name" is a LogRecord attribute: logging refuses it as an extra key.
    logger.info(
        "evaluation deployment",
        extra={"deployment_name": result.get("name"), **{k: result.get(k) for k in ("arn", "status", "adopted")}},
    )
    return result


@_handler
def evaluation_deployment_status(event: dict, context: Any) -> dict:
    from rft_workflow import deployment

    result = deployment.status(config_of(event), run_id_of(event), event.get("deployment") or {})
    logger.info("evaluation deployment status", extra={k: result.get(k) for k in ("arn", "status", "ready")})
    return result


@_handler
def release_evaluation_deployment(event: dict, context: Any) -> dict:
    from rft_workflow import deployment

    # Promote ran (its result is in the state) only on the path where the model was promoted.
    result = deployment.release(
        config_of(event), run_id_of(event), event.get("deployment") or {}, promoted=bool(event.get("promotion"))
    )
    logger.info("evaluation deployment released", extra={k: result.get(k) for k in ("arn", "action")})
    return result
