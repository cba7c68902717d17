"""One item of the held-out evaluation: one candidate on one batch of validation prompts.

Resumable: an item whose result object already exists returns it without calling a model
(a retried or re-driven execution pays only for what is missing). Throttling left over after
the openai SDK's own retries raises ``EvaluationThrottled`` (the state machine retries the
item with backoff); an item where no prompt could be answered and graded raises
``EvaluationItemFailed`` (retried once, then counted as missing by the gate). Anything less
is a partial result: the prompts that failed are recorded with their reason and no reward.

Answers are stored (truncated) in the artifacts bucket, the team's KMS-encrypted store, for
the run report's sample table; they never go to logs.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rft_contracts.runtime_config import WorkflowConfig

from . import clients, generate, grading
from .baselines import item_key
from .errors import EvaluationItemFailed, EvaluationThrottled

TEMPERATURE = 0.0
ANSWER_CHARS = 2000
THROTTLED = ("RateLimitError", "ThrottlingException", "TooManyRequests")


def is_throttled(error: str | None) -> bool:
    """An answer's error is throttling: the openai SDK's RateLimitError, or a botocore
    ClientError whose code says so ("ClientError: An error occurred (ThrottlingException) ...")."""
    if not error:
        return False
    return any(name in error[:120] for name in THROTTLED)


def model_caller(config: WorkflowConfig, model_id: str):
    """Answers from a candidate: mantle Chat Completions, or Converse on Nova (a deployment ARN
    or the base model's inference profile)."""
    if config.control_plane == "mantle":
        return generate.caller(
            "mantle", model_id, config.evaluation.max_tokens, TEMPERATURE, mantle_client=clients.mantle(config)
        )
    return generate.caller(
        "native",
        model_id,
        config.evaluation.max_tokens,
        TEMPERATURE,
        runtime_client=clients.client("bedrock-runtime", config.region),
    )


def _existing(s3: Any, bucket: str, key: str) -> dict | None:
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def _prompts(s3: Any, config: WorkflowConfig, key: str, start: int, end: int) -> list[dict]:
    lines = s3.get_object(Bucket=config.artifacts_bucket, Key=key)["Body"].read().decode().splitlines()
    return [json.loads(line) for line in lines[start:end]]


def evaluate_item(config: WorkflowConfig, run_id: str, item: dict, prompts_key: str) -> dict:
    candidate, batch = item["candidate"], int(item["batch"])
    start, end = int(item["start"]), int(item["end"])
    key = item_key(config, run_id, candidate["key"], batch)
    s3 = clients.client("s3", config.region)
    done = _existing(s3, config.artifacts_bucket, key)
    if done is not None and done.get("grader_spec_hash") == config.grader_spec_hash:
        return {"key": key, "reused": True, "scored": sum(s["reward"] is not None for s in done["scores"])}
    rows = _prompts(s3, config, prompts_key, start, end)
    answers = generate.answer_all(
        model_caller(config, candidate["model_id"]), [r["messages"] for r in rows], config.evaluation.item_concurrency
    )
    throttled = [a.error for a in answers if a.error and is_throttled(a.error)]
    if throttled:
        raise EvaluationThrottled(
            f"{len(throttled)} of {len(rows)} calls to {candidate['model_id']} throttled: {throttled[0][:200]}"
        )
    answered = [
        (start + i, row, a.text) for i, (row, a) in enumerate(zip(rows, answers, strict=False)) if a.text is not None
    ]
    samples = [
        grading.bedrock_sample(f"{run_id}-eval-{candidate['key']}-{index}", row["messages"], text, row)
        for index, row, text in answered
    ]
    results, _ = (
        grading.invoke_grader(clients.client("lambda", config.region), config.grader_function_arn, samples)
        if samples
        else ([], [])
    )
    by_index = {index: result for (index, _, _), result in zip(answered, results, strict=False)}
    scores: list[dict[str, Any]] = []
    for i, answer in enumerate(answers):
        index = start + i
        result = by_index.get(index)
        # error_kind: "model" (the model gave no answer), "grader" (the grader could not grade this
        # answer), "grader_call" (the grader invocation itself failed: infrastructure, not the model).
        if answer.text is None:
            scores.append(
                {"index": index, "reward": None, "error": answer.error, "error_kind": "model", "answer": None}
            )
        elif (
            result is None
            or grading.is_error(result)
            or not math.isfinite(float(result.get("aggregate_reward_score", 0.0)))
        ):
            kind = "grader_call" if result is None or "error" in result else "grader"
            scores.append(
                {
                    "index": index,
                    "reward": None,
                    "answer": answer.text[:ANSWER_CHARS],
                    "error": (result or {}).get("error") or "grader error",
                    "error_kind": kind,
                }
            )
        else:
            scores.append(
                {
                    "index": index,
                    "reward": float(result["aggregate_reward_score"]),
                    "error": None,
                    "answer": answer.text[:ANSWER_CHARS],
                }
            )
    scored = sum(s["reward"] is not None for s in scores)
    if not scored:
        first = next((s["error"] for s in scores if s["error"]), "no prompt in the batch")
        raise EvaluationItemFailed(f"{candidate['key']} batch {batch}: nothing could be graded: {str(first)[:300]}")
    s3.put_object(
        Bucket=config.artifacts_bucket,
        Key=key,
        ContentType="application/json",
        Body=json.dumps(
            {
                "candidate": candidate["key"],
                "model_id": candidate["model_id"],
                "batch": batch,
                "start": start,
                "end": end,
                "grader_spec_hash": config.grader_spec_hash,
                "scores": scores,
            }
        ).encode(),
    )
    return {"key": key, "reused": False, "scored": scored}
