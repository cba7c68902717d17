"""Cost estimate of a run, and the guard decision. Pure.

Training tokens = rows x epochs x samples per prompt x (mean prompt tokens + max response
tokens). Assumptions, all in this module ([U]: Bedrock publishes no RFT price basis):

- epochs: ``n_epochs`` (mantle) / ``epochCount`` (native); unset -> DEFAULT_EPOCHS = 3
  (deliberately high: OpenAI's "auto" often resolves to 3; over-estimating is the safe side).
- samples per prompt (rollouts): ``trainingSamplePerPrompt`` (native only); unset or mantle
  (not exposed) -> DEFAULT_SAMPLES_PER_PROMPT = 4 (the AWS docs' example value).
- max response tokens: ``inferenceMaxTokens`` (native) else the audit's ``max_tokens``.
- mean prompt tokens: from validate_dataset (chars/4 estimate).
- inference: the audit (prompts x samples), the held-out evaluation on min(max_prompts,
  validation rows) prompts of every model it evaluates (``evaluated_models``: mantle,
  ASSUMED_CANDIDATES checkpoints and final model plus the base and the current model; Nova, the
  final model through its evaluation deployment plus the same two baselines, or nothing when
  the customization does not deploy for evaluation), and two smoke calls, each at prompt + max
  tokens. The on-demand deployment itself is priced per token like its inference [U]: no hourly
  charge is assumed (docs/aws-contracts.md).
- AI judges (graders with ``score_model``/``label_model`` parts): one judge call per judge model
  for every graded sample: the pre-flight's reference probe (``grading.JUDGE_PROBE_ROWS``
  rows), the audit's samples, the evaluation's samples and every training rollout. Each call
  reads the prompt, the answer and JUDGE_OVERHEAD_TOKENS of rubric and verdict; it is priced
  at the team's inference rate for the base model (the team config prices no judge model, so
  this is a stand-in the breakdown names).
"""

from __future__ import annotations

from typing import Any

from rft_contracts.runtime_config import WorkflowConfig
from rft_graders.spec_walk import judge_models

from .grading import JUDGE_PROBE_ROWS

DEFAULT_EPOCHS = 3
DEFAULT_SAMPLES_PER_PROMPT = 4
ASSUMED_CANDIDATES = 5  # ~4 checkpoints + the final model
BASELINES = 2  # the base model and the model now promoted


def evaluated_models(config: WorkflowConfig) -> int:
    """How many models the held-out evaluation answers with (rft_workflow.baselines)."""
    if config.control_plane == "mantle":
        return ASSUMED_CANDIDATES + BASELINES
    return 1 + BASELINES if config.evaluation.nova_deployment.enabled else 0


# Hyperparameter names per control plane (rft/config/catalog.py).
EPOCH_KEY = {"mantle": "n_epochs", "native": "epochCount"}
SAMPLES_KEY = {"native": "trainingSamplePerPrompt"}  # mantle exposes no rollout count
RESPONSE_KEY = {"native": "inferenceMaxTokens"}
JUDGE_OVERHEAD_TOKENS = 800  # rubric, instructions, data boundaries and the verdict, per call


def _value(hp: dict, key: str | None, default: Any) -> Any:
    value = hp.get(key) if key else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return value
    return default


def estimate(config: WorkflowConfig, dataset: dict) -> dict:
    hp = config.hyperparameters
    train = dataset["train"]
    validation = dataset.get("validation") or {}
    rows = int(train["rows"])
    prompt_tokens = float(train.get("prompt_tokens_mean") or 0)
    plane = config.control_plane
    epochs = _value(hp, EPOCH_KEY.get(plane), DEFAULT_EPOCHS)
    samples = _value(hp, SAMPLES_KEY.get(plane), DEFAULT_SAMPLES_PER_PROMPT)
    response_tokens = _value(hp, RESPONSE_KEY.get(plane), config.audit.max_tokens)
    training_tokens = rows * epochs * samples * (prompt_tokens + response_tokens)

    audit_tokens = 0.0
    if not config.audit.skip_reason:
        audit_tokens = (
            config.audit.prompts * config.audit.samples_per_prompt * (prompt_tokens + config.audit.max_tokens)
        )
    eval_prompts = min(config.evaluation.max_prompts, int(validation.get("rows") or 0))
    models = evaluated_models(config)
    eval_tokens = (
        models
        * eval_prompts
        * (float(validation.get("prompt_tokens_mean") or prompt_tokens) + config.evaluation.max_tokens)
    )
    smoke_tokens = 2 * (16 + 64) if models else 0
    judges = len(judge_models(config.grader_spec))
    audit_samples = 0 if config.audit.skip_reason else config.audit.prompts * config.audit.samples_per_prompt
    judge_calls = {
        "reference_probe": judges * min(JUDGE_PROBE_ROWS, rows + int(validation.get("rows") or 0)),
        "audit": judges * audit_samples,
        "evaluation": judges * models * eval_prompts,
        "training": judges * int(rows * epochs * samples),
    }
    judge_tokens = sum(judge_calls.values()) * (prompt_tokens + response_tokens + JUDGE_OVERHEAD_TOKENS)
    inference_tokens = audit_tokens + eval_tokens + smoke_tokens + judge_tokens

    training_usd = training_tokens / 1e6 * config.pricing.usd_per_million_training_tokens
    inference_usd = inference_tokens / 1e6 * config.pricing.usd_per_million_inference_tokens
    total = round(training_usd + inference_usd, 2)
    if total > config.budget.max_usd:
        decision = "over_cap"
    elif total > config.budget.approval_above_usd:
        decision = "needs_approval"
    else:
        decision = "proceed"
    return {
        "estimate_usd": total,
        "decision": decision,
        "breakdown": {
            "rows": rows,
            "epochs": epochs,
            "samples_per_prompt": samples,
            "prompt_tokens_mean": round(prompt_tokens, 1),
            "max_response_tokens": response_tokens,
            "training_tokens": int(training_tokens),
            "training_usd": round(training_usd, 2),
            "inference_tokens": int(inference_tokens),
            "evaluated_models": models,
            "judge_calls": judge_calls,
            "judge_tokens": int(judge_tokens),
            "inference_usd": round(inference_usd, 2),
            "approval_above_usd": config.budget.approval_above_usd,
            "max_usd": config.budget.max_usd,
            "assumptions": (
                f"epochs default {DEFAULT_EPOCHS}, samples per prompt default {DEFAULT_SAMPLES_PER_PROMPT}, "
                f"{models} evaluated models, tokens estimated as chars/4"
                + (
                    f", judge calls priced at the base model's inference rate with {JUDGE_OVERHEAD_TOKENS} "
                    "tokens of rubric and verdict each"
                    if judges
                    else ""
                )
            ),
        },
    }
