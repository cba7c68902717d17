"""What the held-out evaluation evaluates: every candidate and the two baselines, in items.

A candidate is each checkpoint and the job's final model; the baselines are the base model
and the model now promoted for this customization (the SSM parameter applications read),
when there is one and it is not the base model. Each is evaluated on the same validation
prompts (picked deterministically from the run id) with the same grader, in items of
``evaluation.batch_size`` prompts: the state machine's Map runs one Lambda invocation per
(candidate, prompt batch) item, so no single invocation holds a slow model's whole share.

The picked prompts are written once to the run's artifacts (``evaluation/prompts.jsonl``);
items read their slice from there, and write their results next to it
(``evaluation/items/<candidate>/<batch>.json``), which is what makes the evaluation
resumable. The plan itself is deterministic, so planning again plans the same items.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rft_contracts.naming import EVALUATION_ITEMS_DIR, EVALUATION_PROMPTS, evaluation_key
from rft_contracts.runtime_config import WorkflowConfig

from . import clients, storage
from .audit import sample_indices
from .checkpoints import NOVA_NO_INFERENCE

# A Nova custom model's ARN: it answers only through a deployment (or Provisioned Throughput).
CUSTOM_MODEL_MARKER = ":custom-model/"

# Items stay in the execution's state (an inline Map reads them from there; 256 KiB per state):
# past this many, batches grow instead. 6 candidates x 500 prompts / 25 = 120 items.
MAX_ITEMS = 400


def item_key(config: WorkflowConfig, run_id: str, candidate: str, batch: int) -> str:
    return evaluation_key(config.customization, run_id, f"{EVALUATION_ITEMS_DIR}{candidate}/{batch:04d}.json")


def candidate_key(checkpoint: dict) -> str:
    if checkpoint.get("final"):
        return "final"
    return f"step-{checkpoint.get('step')}"


def current_model(config: WorkflowConfig) -> str | None:
    """The model applications read now (the customization's model parameter), if any."""
    ssm = clients.client("ssm", config.region)
    try:
        return ssm.get_parameter(Name=config.model_parameter)["Parameter"]["Value"] or None
    except ssm.exceptions.ParameterNotFound:
        return None


def candidates_of(config: WorkflowConfig, checkpoints: dict, current: str | None) -> list[dict]:
    base_id = config.audit.model_id or config.base_model
    out: list[dict] = []
    seen: set[str] = set()
    for c in checkpoints.get("items") or []:
        if not c.get("model_id") or c["model_id"] in seen:
            continue
        seen.add(c["model_id"])
        entry = {
            "key": candidate_key(c),
            "role": "candidate",
            "model_id": c["model_id"],
            "step": c.get("step"),
            "final": bool(c.get("final")),
        }
        if c.get("custom_model_arn"):
            entry["custom_model_arn"] = c["custom_model_arn"]  # evaluated through a deployment
        if c.get("invocable") is False:
            entry.update(invocable=False, note=c.get("note"))
        out.append(entry)
    out.append({"key": "base", "role": "base", "model_id": base_id, "step": None, "final": False})
    if current and current not in seen and current not in (base_id, config.base_model):
        entry = {"key": "current", "role": "current", "model_id": current, "step": None, "final": False}
        if CUSTOM_MODEL_MARKER in current:
            # Promoted without a kept deployment: nothing can invoke it, so it is not evaluated
            # and the gate holds the comparison with it for a person (never passes it).
            entry.update(
                invocable=False,
                note="the current model is a Nova custom model without a deployment; it cannot be invoked",
            )
        out.append(entry)
    return out


def nova_candidates(config: WorkflowConfig, checkpoints: dict, deployment: dict | None) -> tuple[dict, str]:
    """A Nova job's candidate: its final model, through the run's deployment when that serves;
    else the custom model itself, not invocable, with why (Nova models answer only through a
    deployment, which is opt-in). It is listed either way, so the gate records it and
    ``rft models promote RUN --force`` can promote it."""
    deployment = deployment or {}
    if not config.evaluation.nova_deployment.enabled:
        note = NOVA_NO_INFERENCE
    elif not deployment.get("ready"):
        note = (
            f"the evaluation deployment {deployment.get('name') or '(none)'} is not usable "
            f"({deployment.get('status') or 'not created'}: {deployment.get('failure_message') or 'no reason given'}); "
            "the Nova model was not evaluated"
        )
    else:
        note = ""
    final = checkpoints.get("final_model")
    if note:
        unserved = {"model_id": final, "step": None, "final": True, "invocable": False, "note": note}
        return {"items": [unserved] if final else []}, note
    return {
        "items": [
            {
                "model_id": deployment["arn"],
                "custom_model_arn": deployment.get("model_arn") or checkpoints.get("final_model"),
                "step": None,
                "final": True,
            }
        ]
    }, ""


def plan(
    config: WorkflowConfig, run_id: str, checkpoints: dict, dataset_result: dict, deployment: dict | None = None
) -> dict:
    """The Map's items (state-sized), with the candidates and why something is not evaluated."""
    current = current_model(config)
    note = ""
    if config.control_plane != "mantle":
        checkpoints, note = nova_candidates(config, checkpoints or {}, deployment)
    candidates = candidates_of(config, checkpoints or {}, current)
    empty = {
        "candidates": candidates,
        "items": [],
        "prompts": 0,
        "batch_size": 0,
        "batches": 0,
        "prompts_key": None,
        "current_model": current,
    }
    if note:
        return {**empty, "evaluated": False, "note": note}
    validation = (dataset_result or {}).get("validation")
    if not validation:
        return {**empty, "evaluated": False, "note": "no validation dataset to evaluate on"}
    if not any(c["role"] == "candidate" for c in candidates):
        return {**empty, "evaluated": False, "note": "the job produced no model to evaluate"}
    s3 = clients.client("s3", config.region)
    rows = storage.read_rows(s3, config, validation)
    picked = [rows[i][1] for i in sample_indices(len(rows), config.evaluation.max_prompts, run_id)]
    prompts_key = evaluation_key(config.customization, run_id, EVALUATION_PROMPTS)
    s3.put_object(
        Bucket=config.artifacts_bucket,
        Key=prompts_key,
        ContentType="application/x-ndjson",
        Body="".join(json.dumps(r, sort_keys=True) + "\n" for r in picked).encode(),
    )
    evaluated = [c for c in candidates if c.get("invocable", True)]
    batch_size = config.evaluation.batch_size
    if len(evaluated) * math.ceil(len(picked) / batch_size) > MAX_ITEMS:
        batch_size = math.ceil(len(picked) / (MAX_ITEMS // len(evaluated)))
    batches = math.ceil(len(picked) / batch_size)
    items: list[dict[str, Any]] = [
        {
            "candidate": {k: c[k] for k in ("key", "model_id")},
            "batch": b,
            "start": b * batch_size,
            "end": min(len(picked), (b + 1) * batch_size),
        }
        for c in evaluated
        for b in range(batches)
    ]
    return {
        **empty,
        "items": items,
        "prompts": len(picked),
        "batch_size": batch_size,
        "batches": batches,
        "prompts_key": prompts_key,
        "evaluated": True,
        "note": "",
    }
