"""Held-out evaluation of one candidate model on the validation prompts, through the grader."""

from __future__ import annotations

from rft_contracts.runtime_config import WorkflowConfig

from . import clients, generate, grading, storage
from .audit import sample_indices
from .checkpoints import NOVA_NO_INFERENCE

TEMPERATURE = 0.0


def evaluate_candidate(config: WorkflowConfig, run_id: str, checkpoint: dict, dataset_result: dict) -> dict:
    base = {
        "model_id": checkpoint.get("model_id"),
        "step": checkpoint.get("step"),
        "final": bool(checkpoint.get("final")),
        "grader_spec_hash": config.grader_spec_hash,
        "reward_mean": None,
        "reward_std": None,
        "samples": 0,
        "errors": 0,
    }
    if config.control_plane != "mantle":
        return {**base, "evaluated": False, "reason": NOVA_NO_INFERENCE}
    validation = dataset_result.get("validation")
    if not validation:
        return {**base, "evaluated": False, "reason": "no validation dataset to evaluate on"}
    settings = config.evaluation
    rows = storage.read_rows(clients.client("s3", config.region), config, validation)
    picked = [rows[i][1] for i in sample_indices(len(rows), settings.max_prompts, run_id)]
    call = generate.caller(
        "mantle", checkpoint["model_id"], settings.max_tokens, TEMPERATURE, mantle_client=clients.mantle(config)
    )
    answers = generate.answer_all(call, [row["messages"] for row in picked], settings.max_concurrency)
    samples = [
        grading.bedrock_sample(f"{run_id}-eval-{i}", row["messages"], a.text, row)
        for i, (row, a) in enumerate(zip(picked, answers, strict=False))
        if a.text is not None
    ]
    results, _ = grading.invoke_grader(clients.client("lambda", config.region), config.grader_function_arn, samples)
    scores = [float(r["aggregate_reward_score"]) for r in results if not grading.is_error(r)]
    errors = len(picked) - len(scores)
    if not scores:
        first = next((a.error for a in answers if a.error), None) or "every sample was a grader error"
        return {**base, "errors": errors, "evaluated": False, "reason": f"no sample could be graded: {first}"}
    mean = sum(scores) / len(scores)
    std = (sum((s - mean) ** 2 for s in scores) / len(scores)) ** 0.5
    return {
        **base,
        "evaluated": True,
        "reward_mean": mean,
        "reward_std": std,
        "samples": len(scores),
        "errors": errors,
        "prompts": len(picked),
    }
