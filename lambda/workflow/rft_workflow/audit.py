"""Reward-signal audit: does the grader separate good from bad base-model answers?

GRPO-style RFT learns from the spread of rewards among the samples of one prompt. If every
sample of most prompts scores the same (all right: too easy; all wrong: too hard or a broken
grader), or the base model already scores near the top, or the grader errors, a paid job
learns little. We sample ``prompts`` training prompts (deterministically from the run id),
``samples_per_prompt`` answers each at temperature 1, grade them through the deployed
grader, and fail closed when a threshold is crossed.

Errored samples (generation failures or grader errors) are excluded from the reward
statistics and counted in their own rates. Prompts with fewer than 2 graded samples do not
count towards the spread fractions.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from typing import Any

from rft_contracts import registry as run_registry
from rft_contracts.runtime_config import AuditSettings, WorkflowConfig

from . import clients, generate, grading, storage
from .dataset import percentile
from .errors import RewardSignalInsufficient
from .state import DatasetResult

TEMPERATURE = 1.0
_EPS = 1e-9


def sample_indices(n_rows: int, n: int, seed: str) -> list[int]:
    """``n`` distinct row indices, the same for the same seed (run id)."""
    rng = random.Random(int(hashlib.sha256(seed.encode()).hexdigest(), 16))
    return sorted(rng.sample(range(n_rows), min(n, n_rows)))


def summarize(
    prompt_rows: list[int],
    sample_prompt: list[int],
    scores: list[float | None],
    generation_errors: int,
    grader_errors: int,
    latencies_ms: list[float],
) -> dict:
    """Statistics over graded samples; ``scores[i]`` None = sample i errored."""
    graded = [s for s in scores if s is not None]
    total = len(scores)
    groups: dict[int, list[float]] = defaultdict(list)
    for prompt, score in zip(sample_prompt, scores, strict=False):
        if score is not None:
            groups[prompt].append(score)
    multi = [g for g in groups.values() if len(g) >= 2]
    mean: float | None = None
    std: float | None = None
    if graded:
        mean = sum(graded) / len(graded)
        std = math.sqrt(sum((s - mean) ** 2 for s in graded) / len(graded))
    flat = [g for g in multi if max(g) - min(g) < _EPS]
    return {
        "prompts": len(prompt_rows),
        "samples": total,
        "graded_samples": len(graded),
        "reward_mean": mean,
        "reward_std": std,
        "mean_within_prompt_std": (
            sum(math.sqrt(sum((x - sum(g) / len(g)) ** 2 for x in g) / len(g)) for g in multi) / len(multi)
            if multi
            else None
        ),
        "prompts_with_spread_data": len(multi),
        "zero_spread_fraction": len(flat) / len(multi) if multi else None,
        "all_correct_fraction": sum(1 for g in multi if min(g) >= 1 - _EPS) / len(multi) if multi else None,
        "all_wrong_fraction": sum(1 for g in multi if max(g) <= _EPS) / len(multi) if multi else None,
        "generation_errors": generation_errors,
        "grader_errors": grader_errors,
        "grader_error_rate": grader_errors / (total - generation_errors) if total - generation_errors else None,
        "generation_error_rate": generation_errors / total if total else None,
        "grader_invocations": len(latencies_ms),
        "grader_latency_p95_ms": round(percentile(latencies_ms, 0.95), 1) if latencies_ms else None,
    }


def failures(summary: dict, settings: AuditSettings) -> list[str]:
    """Threshold breaches, each a readable sentence; empty = the signal is good enough."""
    out = []
    if not summary["graded_samples"]:
        return ["no sample could be generated and graded"]
    if summary["generation_error_rate"] is not None and summary["generation_error_rate"] > settings.max_error_rate:
        out.append(f"generation error rate {summary['generation_error_rate']:.1%} > {settings.max_error_rate:.1%}")
    if summary["grader_error_rate"] is not None and summary["grader_error_rate"] > settings.max_error_rate:
        out.append(f"grader error rate {summary['grader_error_rate']:.1%} > {settings.max_error_rate:.1%}")
    if summary["zero_spread_fraction"] is None:
        out.append("no prompt has 2 or more graded samples, so the reward spread is unknown")
    elif summary["zero_spread_fraction"] > settings.max_zero_spread_fraction:
        out.append(
            f"{summary['zero_spread_fraction']:.0%} of prompts gave all their samples the same reward "
            f"(max {settings.max_zero_spread_fraction:.0%}; all correct {summary['all_correct_fraction']:.0%}, "
            f"all wrong {summary['all_wrong_fraction']:.0%})"
        )
    if summary["reward_mean"] > settings.max_baseline_mean:
        out.append(
            f"base model already scores {summary['reward_mean']:.3f} on average "
            f"(max {settings.max_baseline_mean:.3f}); little left to learn"
        )
    return out


def short(summary: dict) -> str:
    def fmt(value: Any, spec: str) -> str:
        return "n/a" if value is None else format(value, spec)

    return (
        f"mean {fmt(summary['reward_mean'], '.3f')}, std {fmt(summary['reward_std'], '.3f')}, "
        f"zero-spread {fmt(summary['zero_spread_fraction'], '.0%')}, "
        f"grader errors {fmt(summary['grader_error_rate'], '.1%')}, "
        f"p95 grader latency {fmt(summary['grader_latency_p95_ms'], '.0f')} ms, "
        f"{summary['graded_samples']}/{summary['samples']} samples graded over {summary['prompts']} prompts"
    )


def run_audit(config: WorkflowConfig, run_id: str, dataset_result: DatasetResult) -> dict:
    """Sample the base model on training prompts, grade through the deployed grader, write the
    report; returns the audit part of the state or raises ``RewardSignalInsufficient``."""
    settings = config.audit
    s3 = clients.client("s3", config.region)
    rows = storage.read_rows(s3, config, dataset_result.train.model_dump())
    picked = [rows[i] for i in sample_indices(len(rows), settings.prompts, run_id)]
    expanded = [(p, line, row) for p, (line, row) in enumerate(picked) for _ in range(settings.samples_per_prompt)]

    model_id = settings.model_id or config.base_model
    call = generate.caller(
        config.control_plane,
        model_id,
        settings.max_tokens,
        TEMPERATURE,
        mantle_client=clients.mantle(config) if config.control_plane == "mantle" else None,
        runtime_client=clients.client("bedrock-runtime", config.region) if config.control_plane == "native" else None,
    )
    answers = generate.answer_all(call, [row["messages"] for _, _, row in expanded], config.evaluation.max_concurrency)
    samples, positions = [], []
    for index, ((p, _line, row), answer) in enumerate(zip(expanded, answers, strict=False)):
        if answer.text is not None:
            samples.append(grading.bedrock_sample(f"{run_id}-p{p}-s{index}", row["messages"], answer.text, row))
            positions.append(index)
    results, latencies = grading.invoke_grader(
        clients.client("lambda", config.region), config.grader_function_arn, samples
    )
    scores: list[float | None] = [None] * len(expanded)
    grader_errors = 0
    for index, result in zip(positions, results, strict=False):
        if grading.is_error(result):
            grader_errors += 1
        else:
            scores[index] = float(result["aggregate_reward_score"])
    generation_errors = sum(1 for a in answers if a.text is None)
    summary = summarize(
        [line for line, _ in picked], [p for p, _, _ in expanded], scores, generation_errors, grader_errors, latencies
    )
    failed = failures(summary, settings)
    report_key = config.artifact_key(run_id, "audit-report.json")
    storage.put_json(
        s3,
        config.artifacts_bucket,
        report_key,
        {
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
            "audited_at": run_registry.now_iso(),
        },
    )
    if failed:
        raise RewardSignalInsufficient(
            "; ".join(failed) + f" ({short(summary)}; report: s3://{config.artifacts_bucket}/{report_key})"
        )
    return {"passed": True, "summary": summary, "report_key": report_key}
