"""The promotion gate: promote only a model that is measurably better.

Inputs: the evaluation items the Map wrote (``rft_workflow.eval_items``), per candidate and
per prompt. For each model the per-prompt value is the reward (metric ``reward_mean``) or 1/0
for reward >= ``pass_threshold`` (``pass_rate``). A candidate's own failures on a prompt (no
answer, an ungradable answer) count as 0; prompts with no value otherwise (a baseline's
failure, a failed grader call, a missing item) are left out of that model's statistics and of
every comparison involving it, and counted.

Rule, declared in the customization's ``promotion`` settings:

1. The best candidate is chosen by ``checkpoint_selection`` on the metric's means.
2. It is compared with the base model and (when there is one) the model now promoted,
   prompt by prompt: a paired bootstrap over the prompts both have values for gives an
   interval for the mean difference. The confidence is widened for the number of candidates
   the best was chosen from (Bonferroni: alpha / k), because picking the best of k and then
   testing it alone would overstate the evidence.
3. Each comparison passes when the interval's lower end is above the required improvement,
   fails when even the point estimate is not, and is uncertain otherwise (or when fewer than
   ``min_paired_prompts`` prompts are paired, or the baseline could not be evaluated).
4. Any failure: reject (the run ends ``not_promoted``, the current model stays). All passed:
   promote. Otherwise: hold for a person's approval (task token, like the cost guard).
5. No candidate with any value: reject, "nothing could be evaluated": never promote blindly.
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

from rft_contracts.naming import EVALUATION_GATE, evaluation_key
from rft_contracts.runtime_config import PromotionGateSettings, WorkflowConfig

from . import clients, selection, storage
from .baselines import item_key

Decision = str  # "promote" | "hold" | "reject"


# --------------------------------------------------------------------------- statistics (pure)
# A candidate's own failures on a prompt (no answer, an answer the grader cannot grade) count as
# the lowest value: dropping them would let a model raise its score by failing on exactly the
# prompts it would lose. A baseline's failures and failed grader calls (infrastructure) leave the
# prompt out instead, which can only make a candidate's case weaker.
OWN_FAILURES = ("model", "grader")


def per_prompt_values(
    results: list[dict], settings: PromotionGateSettings, *, failures_count: bool = False
) -> dict[int, float]:
    values: dict[int, float] = {}
    for result in results:
        for s in result.get("scores") or []:
            if s.get("reward") is None:
                if failures_count and s.get("error_kind", "model") in OWN_FAILURES:
                    values[int(s["index"])] = 0.0
                continue
            reward = float(s["reward"])
            values[int(s["index"])] = (
                (1.0 if reward >= settings.pass_threshold else 0.0) if settings.metric == "pass_rate" else reward
            )
    return values


def _rng(seed: str) -> random.Random:
    return random.Random(int(hashlib.sha256(seed.encode()).hexdigest(), 16))


def bootstrap_interval(values: list[float], confidence: float, samples: int, seed: str) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (deterministic per seed)."""
    if not values:
        raise ValueError("no values")
    n = len(values)
    rng = _rng(seed)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(samples))
    alpha = 1 - confidence
    low = means[max(0, int(alpha / 2 * samples))]
    high = means[min(samples - 1, int((1 - alpha / 2) * samples) - 1)]
    return low, high


def summarize(
    key: str, values: dict[int, float], prompts: int, missing_items: int, settings: PromotionGateSettings, seed: str
) -> dict:
    scores = list(values.values())
    out: dict[str, Any] = {
        "n": len(scores),
        "prompts": prompts,
        "missing_prompts": prompts - len(scores),
        "missing_items": missing_items,
        "mean": None,
        "std": None,
        "ci": None,
    }
    if scores:
        mean = sum(scores) / len(scores)
        out["mean"] = mean
        out["std"] = (sum((v - mean) ** 2 for v in scores) / len(scores)) ** 0.5
        out["ci"] = list(bootstrap_interval(scores, settings.confidence, settings.bootstrap_samples, f"{seed}/{key}"))
    return out


def compare(
    candidate: dict[int, float],
    baseline: dict[int, float],
    *,
    required: float,
    confidence: float,
    settings: PromotionGateSettings,
    seed: str,
) -> dict:
    """Paired comparison on the prompts both have values for; verdict pass|fail|uncertain."""
    common = sorted(set(candidate) & set(baseline))
    out: dict[str, Any] = {
        "paired_prompts": len(common),
        "required_improvement": required,
        "confidence": confidence,
        "mean_difference": None,
        "ci": None,
    }
    if len(common) < settings.min_paired_prompts:
        return {
            **out,
            "verdict": "uncertain",
            "why": f"{len(common)} paired prompts, fewer than min_paired_prompts ({settings.min_paired_prompts})",
        }
    diffs = [candidate[i] - baseline[i] for i in common]
    mean = sum(diffs) / len(diffs)
    low, high = bootstrap_interval(diffs, confidence, settings.bootstrap_samples, seed)
    out.update(mean_difference=mean, ci=[low, high])
    if low > required:
        return {**out, "verdict": "pass", "why": f"interval lower end {low:+.4f} > {required:+.4f}"}
    if mean <= required:
        return {**out, "verdict": "fail", "why": f"mean difference {mean:+.4f} <= {required:+.4f}"}
    return {
        **out,
        "verdict": "uncertain",
        "why": f"mean difference {mean:+.4f} > {required:+.4f} but the interval reaches {low:+.4f}",
    }


def decide(
    plan: dict,
    values: dict[str, dict[int, float]],
    missing: dict[str, int],
    settings: PromotionGateSettings,
    prefer: str,
    selection_metric: str,
    seed: str,
) -> dict:
    """The gate's decision from per-candidate per-prompt values. Pure."""
    candidates = plan.get("candidates") or []
    prompts = int(plan.get("prompts") or 0)
    stats = [
        {**c, **summarize(c["key"], values.get(c["key"], {}), prompts, missing.get(c["key"], 0), settings, seed)}
        for c in candidates
    ]
    common = {
        "metric": settings.metric,
        "confidence": settings.confidence,
        "candidates": stats,
        "comparisons": [],
        "prompts": prompts,
        "chosen": None,
        "missing_items": sum(missing.values()),
    }
    evaluable = [s for s in stats if s["role"] == "candidate" and s["n"] > 0]
    if not evaluable:
        why = plan.get("note") or "no candidate had a single graded prompt"
        return {
            **common,
            "decision": "reject",
            "reason": f"no candidate could be evaluated ({why}); nothing is promoted",
        }
    picked = selection.select(
        [
            {
                "model_id": s["model_id"],
                "step": s["step"],
                "final": s["final"],
                "reward_mean": s["mean"],
                "reward_std": s["std"],
                "samples": s["n"],
                "evaluated": True,
            }
            for s in evaluable
        ],
        {},
        selection_metric,
        prefer,
    )
    chosen_id = picked["chosen"]["model_id"]
    chosen = next(s for s in evaluable if s["model_id"] == chosen_id)
    adjusted = 1 - (1 - settings.confidence) / len(evaluable)
    comparisons = []
    for role, required in (
        ("base", settings.min_improvement_over_base),
        ("current", settings.min_improvement_over_current),
    ):
        baseline = next((s for s in stats if s["role"] == role), None)
        if baseline is None:
            continue
        result = compare(
            values.get(chosen["key"], {}),
            values.get(baseline["key"], {}),
            required=required,
            confidence=adjusted,
            settings=settings,
            seed=f"{seed}/{chosen['key']}-{role}",
        )
        if baseline["n"] == 0:
            why = baseline.get("note") or f"the {role} model could not be evaluated"
            result = {**result, "verdict": "uncertain", "why": why}
        comparisons.append({"baseline": role, "model_id": baseline["model_id"], **result})
    verdicts = [c["verdict"] for c in comparisons]
    if "fail" in verdicts:
        decision = "reject"
    elif "uncertain" in verdicts or not comparisons:
        decision = "hold"
    else:
        decision = "promote"
    reason = "; ".join(f"vs {c['baseline']}: {c['verdict']} ({c['why']})" for c in comparisons)
    return {
        **common,
        "decision": decision,
        "reason": f"{chosen['key']} {settings.metric} {chosen['mean']:.4f} over {chosen['n']} prompts; {reason}",
        "comparisons": comparisons,
        "chosen": {k: chosen[k] for k in ("key", "model_id", "step", "final", "mean", "ci", "n")},
        "adjusted_confidence": adjusted,
        "selection": picked,
    }


# --------------------------------------------------------------------------- the step
def load_results(config: WorkflowConfig, run_id: str, plan: dict) -> tuple[dict[str, list[dict]], dict[str, int]]:
    s3 = clients.client("s3", config.region)
    results: dict[str, list[dict]] = {}
    missing: dict[str, int] = {}
    for item in plan.get("items") or []:
        key = item["candidate"]["key"]
        try:
            body = s3.get_object(Bucket=config.artifacts_bucket, Key=item_key(config, run_id, key, int(item["batch"])))[
                "Body"
            ].read()
            document = json.loads(body)
        except s3.exceptions.NoSuchKey:
            document = None
        if document is None or document.get("grader_spec_hash") != config.grader_spec_hash:
            missing[key] = missing.get(key, 0) + 1
            continue
        results.setdefault(key, []).append(document)
    return results, missing


def run_gate(config: WorkflowConfig, run_id: str, plan: dict, started_by: str | None = None) -> dict:
    """Decide, write the evaluation report and the registry; the result feeds the state machine
    (``selection`` in the shape the Promote step reads)."""
    results, missing = load_results(config, run_id, plan)
    candidates = {c["key"] for c in plan.get("candidates") or [] if c["role"] == "candidate"}
    values = {
        key: per_prompt_values(docs, config.promotion, failures_count=key in candidates)
        for key, docs in results.items()
    }
    gate = decide(
        plan, values, missing, config.promotion, config.selection.prefer, config.selection.metric, seed=run_id
    )
    report_key = storage.put_json(
        clients.client("s3", config.region),
        config.artifacts_bucket,
        evaluation_key(config.customization, run_id, EVALUATION_GATE),
        {**gate, "plan_note": plan.get("note"), "batch_size": plan.get("batch_size")},
    )
    gate["report_key"] = report_key
    record = {k: v for k, v in gate.items() if k != "selection"}
    clients.registry(config).record_gate(config.team, config.customization, run_id, record, started_by=started_by)
    selected = gate.get("selection") or {"chosen": {}, "scores": [], "rule": None}
    if gate["chosen"]:
        extra: dict[str, Any] = {"gate": gate["decision"]}
        planned: dict[str, Any] = next(
            (c for c in plan.get("candidates") or [] if c["key"] == gate["chosen"]["key"]), {}
        )
        if planned.get("custom_model_arn"):  # evaluated through a Nova deployment (its ARN is model_id)
            extra["custom_model_arn"] = planned["custom_model_arn"]
        selected = {**selected, "chosen": {**selected["chosen"], **extra}}
    return {
        "decision": gate["decision"],
        "reason": gate["reason"],
        "report_key": report_key,
        "chosen": gate["chosen"],
        "comparisons": gate["comparisons"],
        "missing_items": gate["missing_items"],
        "candidates": [
            {k: c[k] for k in ("key", "role", "model_id", "n", "mean", "ci", "missing_items")}
            for c in gate["candidates"]
        ],
        "selection": selected,
    }
