"""Pick the model to promote from the checkpoint evaluations. Pure.

Rule: the highest ``selection.metric`` among evaluated candidates; scores within 1e-9 tie,
and ``prefer`` breaks ties by training step (the final model counts as the latest). With no
usable evaluation the job's final model is chosen, and the reason says why.
"""

from __future__ import annotations

from typing import Any

TIE_EPS = 1e-9
METRIC_ALIASES = {"validation_reward_mean": "reward_mean", "reward": "reward_mean"}


def _order(candidate: dict) -> float:
    if candidate.get("final"):
        return float("inf")
    step = candidate.get("step")
    return float(step) if isinstance(step, (int, float)) else -1.0


def _with_derived_metrics(evaluation: dict) -> dict:
    """Metrics the config may name that evaluations do not store: computed from what they do."""
    derived = dict(evaluation)
    mean, std = evaluation.get("reward_mean"), evaluation.get("reward_std")
    if isinstance(mean, (int, float)) and isinstance(std, (int, float)):
        derived["reward_mean_minus_std"] = mean - std
    return derived


def select(evaluations: list[dict], checkpoints: dict, metric: str, prefer: str) -> dict:
    field = METRIC_ALIASES.get(metric, metric)
    later_wins = prefer != "earliest_on_tie"
    evaluations = [_with_derived_metrics(e) for e in evaluations or []]
    scored = [e for e in evaluations or [] if isinstance(e.get(field), (int, float)) and e.get("evaluated", True)]
    rule = (
        f"highest {field} on held-out validation prompts (same grader); ties within {TIE_EPS} go to the "
        f"{'latest' if later_wins else 'earliest'} step"
    )
    scores = [
        {k: e.get(k) for k in ("model_id", "step", "final", field, "reward_std", "samples", "errors")}
        for e in evaluations or []
    ]
    if not scored:
        final = (checkpoints or {}).get("final_model")
        reasons = [e.get("reason") for e in evaluations or [] if e.get("reason")]
        reason = "no candidate was evaluated" + (f" ({reasons[0]})" if reasons else "")
        return {
            "chosen": {
                "model_id": final,
                "step": None,
                "final": True,
                field: None,
                "reason": f"{reason}; promoting the job's final model",
            },
            "scores": scores,
            "rule": rule,
        }
    best = max(e[field] for e in scored)
    tied = [e for e in scored if best - e[field] <= TIE_EPS]
    pick = max(tied, key=_order) if later_wins else min(tied, key=_order)
    chosen: dict[str, Any] = {k: pick.get(k) for k in ("model_id", "step", "final", field, "reward_std", "samples")}
    chosen["reason"] = f"best {field} {pick[field]:.4f}" + (
        f"; tied with {len(tied) - 1} other(s), {prefer}" if len(tied) > 1 else ""
    )
    return {"chosen": chosen, "scores": scores, "rule": rule}
