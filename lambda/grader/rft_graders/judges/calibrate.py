"""Judge calibration: agreement with human labels, stability, and a length-bias probe.

Input: Bedrock samples (as the grader receives them), each with ``human_score`` in [0, 1]
at the top level or under ``metadata`` (removed before grading so the judge never sees it).

- agreement: Spearman rank correlation between the judge's mean score and the human score
  (average ranks for ties; None when either side is constant), accuracy at ``threshold``
  (both sides on the same side of it) and mean absolute error;
- stability: each sample graded ``repeats`` times; the spread of its scores (population
  standard deviation), averaged and at worst, and the share of samples with one score;
- length bias: each response padded with neutral filler that adds no content, graded once
  more; ``mean_delta`` = mean(padded - original). It passes when ``mean_delta`` <=
  ``tolerance``: a judge that pays for length will teach the policy to pad.

No check passes on no data: a grading that ended in a grader error, an unparseable verdict, a
refusal or a timeout scored 0 without a verdict. Agreement and stability use only the samples
whose every repeat gave a verdict, the length probe only the pairs where both sides did;
``usable`` counts them, and with none the report says ``"no_data": true`` and the length
probe does not pass.
"""

from __future__ import annotations

import copy
import math
import statistics
from collections.abc import Callable
from typing import Any

from ..batch import grade_batch
from ..stats import judge_totals

HUMAN_FIELD = "human_score"

FILLER = (
    "To restate the above in other words: the points made above are the answer to the question. "
    "This response has been written to address the request as stated. The information above is "
    "provided in full, and nothing further needs to be added to it. In summary, the answer is as "
    "given above, and the explanation above stands as written."
)


class CalibrationError(ValueError):
    """A labelled sample is unusable; the message names it."""


def split_labels(samples: list[dict]) -> tuple[list[dict], list[float]]:
    """Samples without their ``human_score``, and the scores."""
    clean, human = [], []
    for index, raw in enumerate(samples):
        raw = copy.deepcopy(raw)
        metadata = raw.get("metadata")
        meta = metadata if isinstance(metadata, dict) else {}
        value = raw.pop(HUMAN_FIELD, meta.pop(HUMAN_FIELD, None))
        meta.pop(HUMAN_FIELD, None)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise CalibrationError(f"sample {index} (id {raw.get('id')!r}): {HUMAN_FIELD} must be a number in [0, 1]")
        clean.append(raw)
        human.append(float(value))
    return clean, human


def pad_response(raw: dict, filler: str = FILLER) -> dict:
    """The same sample with neutral filler appended to the response (the last message)."""
    padded = copy.deepcopy(raw)
    messages = padded.get("messages")
    if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
        return padded
    last = messages[-1]
    content = last.get("content")
    if isinstance(content, list):
        last["content"] = content + [{"type": "text", "text": filler}]
    else:
        last["content"] = f"{content or ''}\n\n{filler}"
    return padded


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(a: list[float], b: list[float]) -> float | None:
    if len(a) != len(b) or len(a) < 2:
        return None
    ra, rb = ranks(a), ranks(b)
    ma, mb = statistics.fmean(ra), statistics.fmean(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=False))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    if va == 0 or vb == 0:
        return None
    return cov / math.sqrt(va * vb)


# Counters (JUDGE_COUNTERS keys) and the error metric that mean "this score is not a verdict".
NO_VERDICT = ("grader_error", "judge_parse_error", "judge_refusal", "judge_timeout")


def has_verdict(result: dict) -> bool:
    return not any(
        m["name"].rsplit(".", 1)[-1] in NO_VERDICT and float(m["value"]) > 0 for m in result.get("metrics_list") or []
    )


def _scores(results: list[dict]) -> list[float]:
    return [float(r["aggregate_reward_score"]) for r in results]


def calibrate(
    samples: list[dict],
    grader,
    *,
    repeats: int = 3,
    threshold: float = 0.5,
    tolerance: float = 0.02,
    length_probe: bool = True,
    deadline_for: Callable[[], float | None] = lambda: None,
    on_graded: Callable[[int], None] = lambda count: None,
) -> dict[str, Any]:
    """The calibration report; ``on_graded(n)`` after each batch of n gradings (for progress)."""
    clean, human = split_labels(samples)
    runs = []
    for _ in range(max(1, repeats)):
        runs.append(grade_batch(clean, grader, deadline=deadline_for()).results)
        on_graded(len(clean))
    usable = [all(has_verdict(run[i]) for run in runs) for i in range(len(clean))]
    per_sample = [
        scores for scores, ok in zip(zip(*[_scores(run) for run in runs], strict=False), usable, strict=False) if ok
    ]
    human_used = [h for h, ok in zip(human, usable, strict=False) if ok]
    means = [statistics.fmean(scores) for scores in per_sample]
    spreads = [statistics.pstdev(scores) for scores in per_sample]
    all_results = [r for run in runs for r in run]
    report: dict[str, Any] = {
        "samples": len(clean),
        "repeats": len(runs),
        "threshold": threshold,
        "usable": sum(usable),
        "no_data": not any(usable),
        "agreement": {
            "spearman": _round(spearman(means, human_used)),
            "accuracy": _mean_or_none(
                float((m >= threshold) == (h >= threshold)) for m, h in zip(means, human_used, strict=False)
            ),
            "mae": _mean_or_none(abs(m - h) for m, h in zip(means, human_used, strict=False)),
            "judge_mean": _mean_or_none(means),
            "human_mean": _mean_or_none(human_used),
        },
        "stability": {
            "mean_std": _mean_or_none(spreads),
            "max_std": _round(max(spreads)) if spreads else None,
            "identical_fraction": _mean_or_none(float(s == 0) for s in spreads),
        },
    }
    if length_probe:
        padded_results = grade_batch([pad_response(raw) for raw in clean], grader, deadline=deadline_for()).results
        on_graded(len(clean))
        all_results += padded_results
        original_means = iter(means)
        deltas = []
        for ok, padded in zip(usable, padded_results, strict=False):
            mean = next(original_means) if ok else None
            if ok and mean is not None and has_verdict(padded):  # mean is None only when not ok
                deltas.append(float(padded["aggregate_reward_score"]) - mean)
        mean_delta = statistics.fmean(deltas) if deltas else None
        report["length_bias"] = {
            "pairs": len(deltas),
            "mean_delta": _round(mean_delta),
            "higher_fraction": _mean_or_none(float(d > 1e-9) for d in deltas),
            "tolerance": tolerance,
            "passed": mean_delta is not None and mean_delta <= tolerance,
        }
    grader_errors = sum(1 for r in all_results for m in r.get("metrics_list") or [] if m["name"] == "grader_error")
    report["judge"] = {"grader_errors": grader_errors, **{k: int(v) for k, v in judge_totals(all_results).items()}}
    return report


def _mean_or_none(values) -> float | None:
    values = list(values)
    return _round(statistics.fmean(values)) if values else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
