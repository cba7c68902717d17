"""Lambda handlers of the RFT workflow: one function per state, a thin shell over ``rft_workflow``.

Each handler receives the whole workflow state (``run_id``, ``config``, ``input`` and the
results of earlier steps) and returns its own result, which the state machine stores at its
ResultPath. Contract, errors, environment and IAM: ``README.md`` next to this file.

Environment (all optional): ``MANTLE_BASE_URL`` (endpoint override), Powertools'
``POWERTOOLS_SERVICE_NAME`` / ``POWERTOOLS_METRICS_NAMESPACE`` / ``LOG_LEVEL``.
Logs carry ids, counts and timings, never prompts, answers or dataset rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from pathlib import PurePosixPath
from typing import Any, Callable

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import ClientError

from rft_workflow import audit as audit_logic
from rft_workflow import aws, cost, dataset, generate, grading, jobs, mantle, selection, submit
from rft_workflow.errors import (
    DatasetInvalid,
    JobSubmissionFailed,
    NothingToPromote,
    RewardSignalInsufficient,
    SmokeTestFailed,
)
from rft_workflow.registry import Registry, now_iso
from rft_workflow.state import DatasetResult, RunInput, WorkflowConfig, config_of, run_id_of

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "RFT/Workflow"))

SMOKE_PROMPT = "Reply with one short sentence confirming you are ready."
SMOKE_MAX_TOKENS = 512  # reasoning models spend tokens before answering
EVAL_TEMPERATURE = 0.0
NOVA_NO_INFERENCE = (
    "Nova (native plane) custom models answer only through a custom model deployment "
    "(CreateCustomModelDeployment) or Provisioned Throughput; the workflow does not create one "
    "automatically, so checkpoints are not evaluated and the smoke test is skipped"
)


def _handler(fn: Callable[[dict, Any], dict]) -> Callable[[dict, Any], dict]:
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


def _registry(config: WorkflowConfig) -> Registry:
    return Registry(config.registry_table, config.region)


def _mantle(config: WorkflowConfig):
    return mantle.client(config.region)


def _rows(s3, config: WorkflowConfig, ref: dict) -> list[tuple[int, dict]]:
    """(line number, row) of a JSONL object version that validate_dataset already checked."""
    data, _ = aws.read_object(s3, config.datasets_bucket, ref["key"], ref.get("version_id"))
    return [(n, json.loads(line)) for n, line in enumerate(data.decode("utf-8-sig").splitlines(), 1) if line.strip()]


# --------------------------------------------------------------------------- validate_dataset
@_handler
def validate_dataset(event: dict, context: Any) -> dict:
    config, run_id = config_of(event), run_id_of(event)
    run_input = RunInput.model_validate(event["input"])
    limits = config.dataset_limits
    s3 = aws.client("s3", config.region)
    checks: dict[str, dataset.FileCheck] = {}
    versions: dict[str, str | None] = {}
    problems: list[dataset.Problem] = []
    for name, ref in (("train", run_input.train), ("validation", run_input.validation)):
        if ref is None:
            continue
        try:
            data, versions[name] = aws.read_object(s3, config.datasets_bucket, ref.key, ref.version_id)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("NoSuchKey", "NoSuchVersion", "InvalidArgument", "404"):
                version = f" version {ref.version_id}" if ref.version_id else ""
                raise DatasetInvalid(
                    f"{name}: s3://{config.datasets_bucket}/{ref.key}{version} cannot be read ({code})"
                ) from None
            raise
        checks[name] = check = dataset.check_file(name, data, limits.max_prompt_tokens)
        problems.extend(check.problems)
        maximum = limits.max_rows
        minimum = limits.min_rows if name == "train" else 1
        problems.extend(dataset.row_count_problems(check, minimum, maximum, check.lines))
    if "validation" in checks:
        problems.extend(dataset.overlap_problems(checks["train"], checks["validation"]))

    probe: dict[str, Any] = {"status": "skipped"}
    skip = grading.probe_skip_reason(config.grader_spec)
    if skip:
        probe["reason"] = skip
    else:
        located = [(name, row) for name, check in checks.items() for row in check.rows]
        try:
            found = grading.reference_problems(config.grader_spec, [row.data for _, row in located])
        except Exception as exc:  # noqa: BLE001 - a grader that cannot be built offline is reported, not fatal
            probe["reason"] = f"cannot build the grader offline: {type(exc).__name__}: {str(exc)[:200]}"
        else:
            probe = {"status": "ran", "rows": len(located), "unusable": len(found)}
            for index, reason in found:
                name, row = located[index]
                problems.append(dataset.Problem(name, row.line, "grader",
                                                f"the grader cannot use this reference_answer ({reason})"))

    report_key = config.artifact_key(run_id, "dataset-report.json")
    files: dict[str, Any] = {}
    for name, check in checks.items():
        ref = run_input.train if name == "train" else run_input.validation
        tokens = check.prompt_tokens
        files[name] = {
            "key": ref.key,
            "version_id": versions[name],
            "sha256": check.sha256,
            "rows": check.lines,
            "prompt_tokens_mean": round(sum(tokens) / len(tokens), 1) if tokens else 0.0,
            "prompt_tokens_p95": dataset.percentile(tokens, 0.95),
            "prompt_tokens_max": max(tokens) if tokens else 0,
        }
    report = {
        "run_id": run_id,
        "customization": config.customization,
        "valid": not problems,
        "files": files,
        "limits": limits.model_dump(),
        "token_estimate": dataset.TOKEN_ESTIMATE,
        "grader_reference_check": probe,
        "problem_count": len(problems),
        "problems": [p.as_dict() for p in problems[:5000]],
        "checked_at": now_iso(),
    }
    aws.put_json(s3, config.artifacts_bucket, report_key, report)
    logger.info("dataset checked", extra={"problems": len(problems), "rows": {k: v["rows"] for k, v in files.items()},
                                          "probe": probe.get("status")})
    if problems:
        raise DatasetInvalid(
            f"{dataset.summary_message(problems)} (report: s3://{config.artifacts_bucket}/{report_key})"
        )
    metrics.add_metric(name="DatasetRows", unit=MetricUnit.Count, value=files["train"]["rows"])
    return {"train": files["train"], "validation": files.get("validation"), "report_key": report_key}


# --------------------------------------------------------------------------- audit_reward_signal
@_handler
def audit_reward_signal(event: dict, context: Any) -> dict:
    config, run_id = config_of(event), run_id_of(event)
    settings = config.audit
    if settings.skip_reason:
        return {"skipped": True, "reason": settings.skip_reason}
    ds = DatasetResult.model_validate(event["dataset"])
    s3 = aws.client("s3", config.region)
    rows = _rows(s3, config, ds.train.model_dump())
    picked = [rows[i] for i in audit_logic.sample_indices(len(rows), settings.prompts, run_id)]
    expanded = [(p, line, row) for p, (line, row) in enumerate(picked) for _ in range(settings.samples_per_prompt)]

    model_id = settings.model_id or config.base_model
    call = generate.caller(
        config.control_plane, model_id, settings.max_tokens, audit_logic.TEMPERATURE,
        mantle_client=_mantle(config) if config.control_plane == "mantle" else None,
        runtime_client=aws.client("bedrock-runtime", config.region) if config.control_plane == "native" else None,
    )
    answers = generate.answer_all(call, [row["messages"] for _, _, row in expanded], config.evaluation.max_concurrency)
    samples, positions = [], []
    for index, ((p, _line, row), answer) in enumerate(zip(expanded, answers)):
        if answer.text is not None:
            samples.append(grading.bedrock_sample(f"{run_id}-p{p}-s{index}", row["messages"], answer.text, row))
            positions.append(index)
    results, latencies = grading.invoke_grader(aws.client("lambda", config.region), config.grader_function_arn, samples)
    scores: list[float | None] = [None] * len(expanded)
    grader_errors = 0
    for index, result in zip(positions, results):
        if grading.is_error(result):
            grader_errors += 1
        else:
            scores[index] = float(result["aggregate_reward_score"])
    generation_errors = sum(1 for a in answers if a.text is None)
    summary = audit_logic.summarize([line for line, _ in picked], [p for p, _, _ in expanded], scores,
                                    generation_errors, grader_errors, latencies)
    failed = audit_logic.failures(summary, settings)
    report_key = config.artifact_key(run_id, "audit-report.json")
    aws.put_json(s3, config.artifacts_bucket, report_key, {
        "run_id": run_id,
        "model_id": model_id,
        "plane": config.control_plane,
        "settings": settings.model_dump(),
        "grader_function_arn": config.grader_function_arn,
        "grader_spec_hash": config.grader_spec_hash,
        "summary": summary,
        "failures": failed,
        "per_prompt": [
            {"line": line, "scores": [scores[i] for i, (p2, _, _) in enumerate(expanded) if p2 == p]}
            for p, (line, _) in enumerate(picked)
        ],
        "first_generation_errors": [a.error for a in answers if a.error][:5],
        "audited_at": now_iso(),
    })
    logger.info("reward signal audited", extra={"summary": summary, "failures": failed})
    if summary["reward_mean"] is not None:
        metrics.add_metric(name="AuditRewardMean", unit=MetricUnit.NoUnit, value=summary["reward_mean"])
    if failed:
        raise RewardSignalInsufficient(
            "; ".join(failed) + f" ({audit_logic.short(summary)}; report: s3://{config.artifacts_bucket}/{report_key})"
        )
    return {"passed": True, "summary": summary, "report_key": report_key}


# --------------------------------------------------------------------------- estimate_cost
@_handler
def estimate_cost(event: dict, context: Any) -> dict:
    result = cost.estimate(config_of(event), event["dataset"])
    metrics.add_metric(name="EstimatedCostUSD", unit=MetricUnit.NoUnit, value=result["estimate_usd"])
    return result


# --------------------------------------------------------------------------- request_approval
def approval_message(config: WorkflowConfig, run_id: str, estimate: dict) -> str:
    b = estimate.get("breakdown", {})
    where = f"--team {config.team} --customization {config.customization}"
    return "\n".join([
        f"Reinforcement fine-tuning run {run_id} of {config.customization} (team {config.team}) needs approval.",
        "",
        f"Estimated cost: ${estimate.get('estimate_usd', 0):,.2f} "
        f"(approval required above ${config.budget.approval_above_usd:,.2f}, hard cap ${config.budget.max_usd:,.2f}).",
        f"  training: {b.get('training_tokens', 0):,} tokens, ${b.get('training_usd', 0):,.2f} "
        f"({b.get('rows')} rows x {b.get('epochs')} epochs x {b.get('samples_per_prompt')} samples per prompt "
        f"x ({b.get('prompt_tokens_mean')} prompt + {b.get('max_response_tokens')} response tokens))",
        f"  inference (audit, checkpoint evaluation, smoke test): {b.get('inference_tokens', 0):,} tokens, "
        f"${b.get('inference_usd', 0):,.2f}",
        f"  base model {config.base_model}, hyperparameters {json.dumps(config.hyperparameters, sort_keys=True)}",
        "",
        f"Approve: rft run approve {run_id} {where} [--reason TEXT]",
        f"Reject:  rft run reject {run_id} {where} --reason TEXT",
        "The run waits until one of these is sent (or the workflow times out).",
    ])


@_handler
def request_approval(event: dict, context: Any) -> dict:
    config, run_id = config_of(event), run_id_of(event)
    token = event.get("task_token")
    if not token:
        raise ValueError("request_approval needs task_token in its payload (.waitForTaskToken)")
    estimate = event.get("cost") or {}
    _registry(config).update(config.customization, run_id, {
        "team": config.team,
        "status": "awaiting_approval",
        "task_token": token,
        "approval_requested_at": now_iso(),
        "cost_estimate_usd": estimate.get("estimate_usd"),
    })
    notified = False
    if config.topic_arn:
        aws.client("sns", config.region).publish(
            TopicArn=config.topic_arn,
            Subject=f"RFT approval needed: {config.customization} {run_id}"[:100],
            Message=approval_message(config, run_id, estimate),
        )
        notified = True
    logger.info("approval requested", extra={"estimate_usd": estimate.get("estimate_usd"), "notified": notified})
    return {"requested": True, "notified": notified}


# --------------------------------------------------------------------------- submit_mantle_job
@_handler
def submit_mantle_job(event: dict, context: Any) -> dict:
    import openai

    config, run_id = config_of(event), run_id_of(event)
    if config.control_plane != "mantle":
        raise ValueError("submit_mantle_job is for mantle-plane customizations")
    ds = event["dataset"]
    s3 = aws.client("s3", config.region)

    def read_file(name: str) -> tuple[bytes, str]:
        ref = ds[name]
        data, _ = aws.read_object(s3, config.datasets_bucket, ref["key"], ref.get("version_id"))
        return data, PurePosixPath(ref["key"]).name

    try:
        outcome = submit.submit(config, run_id, _registry(config), _mantle(config), read_file, ds)
    except (openai.BadRequestError, openai.UnprocessableEntityError, openai.NotFoundError,
            openai.PermissionDeniedError, openai.AuthenticationError) as exc:
        raise JobSubmissionFailed(f"mantle refused the submission ({exc.status_code}): {str(exc)[:500]}") from None
    logger.info("mantle job submitted", extra={"job_id": outcome["job_id"], "adopted": outcome["adopted"],
                                               "reused": outcome["reused"]})
    return {
        "job_id": outcome["job_id"],
        "plane": "mantle",
        "status": "running",
        "fine_tuned_model": None,
        "events_cursor": None,
        "events_cursor_created_at": None,
        "started_at": outcome["started_at"],
        "adopted": outcome["adopted"],
    }


# --------------------------------------------------------------------------- job_status
def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@_handler
def job_status(event: dict, context: Any) -> dict:
    config, run_id = config_of(event), run_id_of(event)
    job = dict(event["job"])
    plane = job.get("plane") or config.control_plane
    job["plane"] = plane
    if plane == "mantle":
        client = _mantle(config)
        remote = mantle.as_dict(client.fine_tuning.jobs.retrieve(job["job_id"]))
        job["raw_status"] = remote.get("status")
        job["fine_tuned_model"] = remote.get("fine_tuned_model")
        job["failure_message"] = (remote.get("error") or {}).get("message") if remote.get("error") else None
        if not job.get("started_at") and remote.get("created_at"):
            job["started_at"] = jobs.parse_time(remote["created_at"]).isoformat()

        def page(after: str | None):
            kwargs: dict[str, Any] = {"limit": jobs.EVENT_PAGE_SIZE}
            if after:
                kwargs["after"] = after
            result = client.fine_tuning.jobs.list_events(job["job_id"], **kwargs)
            return [mantle.as_dict(e) for e in result.data], bool(getattr(result, "has_more", False))

        fresh = jobs.new_events(page, job.get("events_cursor"), job.get("events_cursor_created_at"))
        datums = jobs.metric_data(fresh, config.customization, run_id)
        published = jobs.publish(aws.client("cloudwatch", config.region), f"RFT/{config.team}/Training", datums) \
            if datums else 0
        if fresh:
            job["events_cursor"] = fresh[-1]["id"]
            job["events_cursor_created_at"] = fresh[-1].get("created_at")
            steps = [e["data"].get("step") for e in fresh if isinstance(e.get("data"), dict) and "step" in e["data"]]
            if steps:
                job["last_step"] = steps[-1]
        job["metrics_published"] = published
        job["events_read"] = len(fresh)
    else:
        remote = aws.client("bedrock", config.region).get_model_customization_job(jobIdentifier=job["job_id"])
        job["raw_status"] = remote.get("status")
        job["output_model_arn"] = remote.get("outputModelArn")
        job["failure_message"] = remote.get("failureMessage")
        if not job.get("started_at") and remote.get("creationTime"):
            job["started_at"] = jobs.parse_time(remote["creationTime"]).isoformat()
        job["metrics_published"] = 0
    job["status"] = jobs.normalize(plane, job["raw_status"])
    job["past_deadline"] = job["status"] == "running" and jobs.past_deadline(
        job.get("started_at"), config.workflow.max_job_hours, _now())
    job["checked_at"] = _now().isoformat(timespec="seconds")
    logger.info("job status", extra={"job_id": job["job_id"], "status": job["status"], "raw": job["raw_status"],
                                     "metrics_published": job["metrics_published"]})
    return job


# --------------------------------------------------------------------------- list_checkpoints
@_handler
def list_checkpoints(event: dict, context: Any) -> dict:
    config = config_of(event)
    job = event.get("job") or {}
    if (job.get("plane") or config.control_plane) != "mantle":
        return {"items": [], "final_model": job.get("output_model_arn"), "note": NOVA_NO_INFERENCE}
    client = _mantle(config)
    final_model = job.get("fine_tuned_model") or mantle.as_dict(
        client.fine_tuning.jobs.retrieve(job["job_id"])).get("fine_tuned_model")
    items, after = [], None
    for _ in range(100):
        kwargs: dict[str, Any] = {"limit": 100}
        if after:
            kwargs["after"] = after
        page = client.fine_tuning.jobs.checkpoints.list(job["job_id"], **kwargs)
        batch = [mantle.as_dict(c) for c in page.data]
        items.extend({"model_id": c.get("fine_tuned_model_checkpoint"), "step": c.get("step_number"),
                      "metrics": c.get("metrics") or {}, "final": False} for c in batch)
        if not getattr(page, "has_more", False) or not batch:
            break
        after = batch[-1]["id"]
    items.sort(key=lambda c: (c["step"] is None, c["step"]))
    note = "" if items else "the job reported no checkpoints; only the final model is evaluated"
    if final_model and final_model not in {c["model_id"] for c in items}:
        last = max((c["step"] for c in items if isinstance(c["step"], int)), default=None)
        items.append({"model_id": final_model, "step": last, "metrics": {}, "final": True})
    return {"items": items, "final_model": final_model, "note": note}


# --------------------------------------------------------------------------- evaluate_checkpoint
@_handler
def evaluate_checkpoint(event: dict, context: Any) -> dict:
    config, run_id = config_of(event), run_id_of(event)
    checkpoint = event["checkpoint"]
    base = {"model_id": checkpoint.get("model_id"), "step": checkpoint.get("step"),
            "final": bool(checkpoint.get("final")), "grader_spec_hash": config.grader_spec_hash,
            "reward_mean": None, "reward_std": None, "samples": 0, "errors": 0}
    if config.control_plane != "mantle":
        return {**base, "evaluated": False, "reason": NOVA_NO_INFERENCE}
    validation = (event.get("dataset") or {}).get("validation")
    if not validation:
        return {**base, "evaluated": False, "reason": "no validation dataset to evaluate on"}
    settings = config.evaluation
    rows = _rows(aws.client("s3", config.region), config, validation)
    picked = [rows[i][1] for i in audit_logic.sample_indices(len(rows), settings.max_prompts, run_id)]
    call = generate.caller("mantle", checkpoint["model_id"], settings.max_tokens, EVAL_TEMPERATURE,
                           mantle_client=_mantle(config))
    answers = generate.answer_all(call, [row["messages"] for row in picked], settings.max_concurrency)
    samples = [grading.bedrock_sample(f"{run_id}-eval-{i}", row["messages"], a.text, row)
               for i, (row, a) in enumerate(zip(picked, answers)) if a.text is not None]
    results, _ = grading.invoke_grader(aws.client("lambda", config.region), config.grader_function_arn, samples)
    scores = [float(r["aggregate_reward_score"]) for r in results if not grading.is_error(r)]
    errors = len(picked) - len(scores)
    if not scores:
        first = next((a.error for a in answers if a.error), None) or "every sample was a grader error"
        return {**base, "errors": errors, "evaluated": False, "reason": f"no sample could be graded: {first}"}
    mean = sum(scores) / len(scores)
    std = (sum((s - mean) ** 2 for s in scores) / len(scores)) ** 0.5
    logger.info("checkpoint evaluated", extra={"model_id": base["model_id"], "reward_mean": round(mean, 4),
                                               "samples": len(scores), "errors": errors})
    return {**base, "evaluated": True, "reward_mean": mean, "reward_std": std, "samples": len(scores),
            "errors": errors, "prompts": len(picked)}


# --------------------------------------------------------------------------- select_best
@_handler
def select_best(event: dict, context: Any) -> dict:
    config = config_of(event)
    return selection.select(event.get("evaluations") or [], event.get("checkpoints") or {},
                            config.selection.metric, config.selection.prefer)


# --------------------------------------------------------------------------- promote
@_handler
def promote(event: dict, context: Any) -> dict:
    config, run_id = config_of(event), run_id_of(event)
    chosen = (event.get("selection") or {}).get("chosen") or {}
    model_id = chosen.get("model_id")
    if not model_id:
        raise NothingToPromote(f"the selection chose no model ({chosen.get('reason', 'no reason given')})")
    version = aws.client("ssm", config.region).put_parameter(
        Name=config.model_parameter, Value=model_id, Type="String", Overwrite=True,
    )["Version"]
    job = event.get("job") or {}
    ds = event.get("dataset") or {}
    promoted_at = now_iso()
    lineage = {
        "datasets": {name: {k: (ds.get(name) or {}).get(k) for k in ("key", "version_id", "sha256", "rows")}
                     if ds.get(name) else None for name in ("train", "validation")},
        "datasets_bucket": config.datasets_bucket,
        "dataset_report_key": ds.get("report_key"),
        "audit": {"summary": (event.get("audit") or {}).get("summary"),
                  "report_key": (event.get("audit") or {}).get("report_key"),
                  "skipped": (event.get("audit") or {}).get("skipped", False)},
        "grader_function_arn": config.grader_function_arn,
        "grader_spec_hash": config.grader_spec_hash,
        "base_model": config.base_model,
        "control_plane": config.control_plane,
        "hyperparameters": config.hyperparameters,
        "job": {k: job.get(k) for k in ("job_id", "plane", "started_at", "fine_tuned_model", "output_model_arn",
                                        "raw_status")},
        "chosen": chosen,
        "scores": (event.get("selection") or {}).get("scores") or [],
        "selection_rule": (event.get("selection") or {}).get("rule"),
        "cost_estimate": event.get("cost"),
        "approval": event.get("approval"),
    }
    _registry(config).update(config.customization, run_id, {
        "team": config.team,
        "status": "succeeded",
        "model_id": model_id,
        "model_parameter": config.model_parameter,
        "parameter_version": version,
        "promoted_at": promoted_at,
        "job_id": job.get("job_id"),
        "plane": config.control_plane,
        "base_model": config.base_model,
        "lineage": lineage,
    })
    logger.info("model promoted", extra={"model_id": model_id, "parameter_version": version})
    return {"model_id": model_id, "parameter": config.model_parameter, "parameter_version": version,
            "promoted_at": promoted_at,
            "registry": {"table": config.registry_table, "customization": config.customization, "run_id": run_id}}


# --------------------------------------------------------------------------- smoke_test
@_handler
def smoke_test(event: dict, context: Any) -> dict:
    import openai

    config = config_of(event)
    model_id = (event.get("promotion") or {}).get("model_id")
    if config.control_plane != "mantle":
        return {"skipped": True, "reason": NOVA_NO_INFERENCE, "model_id": model_id}
    if not model_id:
        raise SmokeTestFailed("no promoted model id in the state")
    client = _mantle(config)
    try:
        chat = mantle.chat_text(client, model_id, [{"role": "user", "content": SMOKE_PROMPT}], SMOKE_MAX_TOKENS)
    except openai.APIError as exc:
        raise SmokeTestFailed(f"Chat Completions on {model_id} failed: {type(exc).__name__}: {str(exc)[:300]}") from None
    if not chat.strip():
        raise SmokeTestFailed(f"Chat Completions on {model_id} returned no text")
    try:
        response = client.responses.create(model=model_id, input=SMOKE_PROMPT, store=False,
                                           max_output_tokens=SMOKE_MAX_TOKENS)
        text = response.output_text or ""
    except openai.APIError as exc:
        raise SmokeTestFailed(f"Responses on {model_id} failed: {type(exc).__name__}: {str(exc)[:300]}") from None
    if not text.strip():
        raise SmokeTestFailed(f"Responses on {model_id} returned no text")
    return {"chat_completions": "ok", "responses": "ok", "model_id": model_id}


# --------------------------------------------------------------------------- record_failure
STEPS = (
    ("dataset", "ValidateDataset"),
    ("audit", "RewardSignalAudit"),
    ("cost", "CostGuard"),
    ("approval", "Approval"),
    ("job", "TrainingJob"),
    ("checkpoints", "ListCheckpoints"),
    ("evaluations", "EvaluateCheckpoints"),
    ("selection", "SelectBest"),
    ("promotion", "Promote"),
    ("smoke", "SmokeTest"),
)


def failed_step(event: dict) -> str:
    """The step that failed: the one after the last step whose result is in the state."""
    if event.get("failed_state"):
        return str(event["failed_state"])
    approval = event.get("approval")
    if isinstance(approval, dict) and approval.get("approved") is False:
        return "Approval"
    if (event.get("cost") or {}).get("decision") == "over_cap" and not event.get("job"):
        return "CostGuard"
    job = event.get("job")
    if isinstance(job, dict) and job.get("job_id") and not event.get("checkpoints"):
        return "TrainingJob"
    last = -1
    for index, (key, _) in enumerate(STEPS):
        if event.get(key) is not None:
            last = index
    return STEPS[min(last + 1, len(STEPS) - 1)][1]


def _cause_text(cause: Any) -> str:
    """Lambda failures put a JSON document in Cause; keep its errorMessage."""
    if isinstance(cause, str):
        try:
            parsed = json.loads(cause)
        except ValueError:
            return cause
        if isinstance(parsed, dict) and parsed.get("errorMessage"):
            return str(parsed["errorMessage"])
        return cause
    return "" if cause is None else json.dumps(cause, default=str)


def _cancel(config: WorkflowConfig, plane: str, job_id: str) -> tuple[bool, str | None]:
    if plane == "mantle":
        import openai

        try:
            _mantle(config).fine_tuning.jobs.cancel(job_id)
            return True, None
        except (openai.BadRequestError, openai.ConflictError, openai.NotFoundError) as exc:
            return False, f"not cancelled: {type(exc).__name__}"  # already finished or gone
    try:
        aws.client("bedrock", config.region).stop_model_customization_job(jobIdentifier=job_id)
        return True, None
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("ConflictException", "ValidationException", "ResourceNotFoundException"):
            return False, f"not stopped: {exc.response['Error']['Code']}"
        raise


@_handler
def record_failure(event: dict, context: Any) -> dict:
    config, run_id = config_of(event), run_id_of(event)
    error = event.get("error") or {}
    error_name = str(error.get("Error") or "Unknown")
    cause = _cause_text(error.get("Cause"))[:2000]
    step = failed_step(event)
    approval = event.get("approval")
    status = "rejected" if isinstance(approval, dict) and approval.get("approved") is False else "failed"
    warnings: list[str] = []
    registry = _registry(config)
    try:
        item = registry.get(config.customization, run_id) or {}
    except Exception as exc:  # noqa: BLE001 - the failure path must finish
        item, _ = {}, warnings.append(f"registry read failed: {type(exc).__name__}")
    job = event.get("job") if isinstance(event.get("job"), dict) else {}
    job_id = job.get("job_id") or item.get("job_id") or (item.get("submit") or {}).get("job_id")
    plane = job.get("plane") or item.get("plane") or config.control_plane
    cancelled = False
    if job_id and job.get("status", "running") == "running":
        try:
            cancelled, note = _cancel(config, plane, job_id)
            if note:
                warnings.append(note)
        except Exception as exc:  # noqa: BLE001
            warnings.append(f"cancel failed: {type(exc).__name__}: {str(exc)[:200]}")
    if status == "rejected":
        reason = (approval or {}).get("reason") or "no reason given"
        summary = (f"{config.customization} run {run_id} was rejected by {(approval or {}).get('by', 'unknown')}: "
                   f"{reason}")
    else:
        summary = f"{config.customization} run {run_id} failed at {step}: {error_name}: {cause[:500]}"
    if cancelled:
        summary += f" (training job {job_id} cancelled)"
    try:
        registry.update(config.customization, run_id, {
            "team": config.team,
            "status": status,
            "error": {"Error": error_name, "Cause": cause},
            "failed_step": step,
            "failed_at": now_iso(),
            "job_cancelled": cancelled,
            **({"job_id": job_id} if job_id else {}),
        }, remove=("task_token",))
    except Exception as exc:  # noqa: BLE001
        warnings.append(f"registry write failed: {type(exc).__name__}")
    logger.warning("run failed", extra={"status": status, "failed_step": step, "error": error_name,
                                        "job_cancelled": cancelled, "warnings": warnings})
    return {"status": status, "run_id": run_id, "failed_step": step, "error": error_name, "cause": cause,
            "job_id": job_id, "job_cancelled": cancelled, "warnings": warnings, "summary": summary}
