"""Reward distribution of a graded batch: what the handler's EMF and ``rft grade`` report."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from rft_contracts.metrics import JUDGE_COUNTERS


@dataclass
class Summary:
    count: int
    mean: float
    std: float
    minimum: float
    maximum: float
    zero_fraction: float
    error_count: int
    component_means: dict[str, float] = field(default_factory=dict)
    metric_means: dict[str, float] = field(default_factory=dict)
    histogram: list[int] = field(default_factory=list)  # 10 equal bins over [0, 1]
    prompt_groups: int = 0
    flat_group_fraction: float | None = None  # groups of 2+ samples whose scores are all equal

    @property
    def error_rate(self) -> float:
        return self.error_count / self.count if self.count else 0.0


# Judge cost and health counters (JUDGE_COUNTERS), per sample in metrics_list (possibly
# prefixed by a multi sub-grader name, e.g. "quality.judge_timeout"); summed per batch for EMF
# and reports.


def judge_totals(results: list[dict]) -> dict[str, float]:
    """Batch sums of the judge counters, keyed by their EMF names (all present, maybe 0)."""
    totals = {name: 0.0 for name in JUDGE_COUNTERS.values()}
    for r in results:
        for m in r.get("metrics_list") or []:
            key = m["name"].rsplit(".", 1)[-1]
            if key in JUDGE_COUNTERS:
                totals[JUDGE_COUNTERS[key]] += float(m["value"])
    return totals


def summarize(results: list[dict], prompt_keys: list[str] | None = None, bins: int = 10) -> Summary:
    scores = [float(r["aggregate_reward_score"]) for r in results]
    count = len(scores)
    mean = sum(scores) / count if count else 0.0
    std = math.sqrt(sum((s - mean) ** 2 for s in scores) / count) if count else 0.0
    histogram = [0] * bins
    for s in scores:
        histogram[min(bins - 1, int(s * bins))] += 1
    components: dict[str, list[float]] = defaultdict(list)
    metrics: dict[str, list[float]] = defaultdict(list)
    errors = 0
    for r in results:
        for m in r.get("metrics_list") or []:
            if m["name"] == "grader_error":
                errors += 1
                continue
            (components if m["type"] == "Reward" else metrics)[m["name"]].append(float(m["value"]))
    summary = Summary(
        count=count,
        mean=mean,
        std=std,
        minimum=min(scores) if scores else 0.0,
        maximum=max(scores) if scores else 0.0,
        zero_fraction=sum(1 for s in scores if s == 0) / count if count else 0.0,
        error_count=errors,
        component_means={k: sum(v) / len(v) for k, v in components.items()},
        metric_means={k: sum(v) / len(v) for k, v in metrics.items()},
        histogram=histogram,
    )
    if prompt_keys:
        groups: dict[str, list[float]] = defaultdict(list)
        for key, score in zip(prompt_keys, scores, strict=False):
            groups[key].append(score)
        multi = [g for g in groups.values() if len(g) > 1]
        summary.prompt_groups = len(groups)
        if multi:
            summary.flat_group_fraction = sum(1 for g in multi if max(g) - min(g) < 1e-9) / len(multi)
    return summary
