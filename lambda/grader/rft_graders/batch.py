"""Grade one Bedrock batch: the single code path of the Lambda handler and ``rft grade``."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from . import bedrock_event
from .base import GradeResult, grade_many, is_timed_out
from .errors import describe_error

GRADER_ERROR = "grader_error"


@dataclass
class SampleError:
    index: int
    id: Any
    reason: str


@dataclass
class BatchReport:
    """Bedrock results (same order as the event) plus what the operator needs to know."""

    results: list[dict]
    errors: list[SampleError] = field(default_factory=list)
    prompt_keys: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    timeouts: int = 0  # samples scored 0 with grader_timeout (over budget or past the deadline)


def grade_batch(event: Any, grader, deadline: float | None = None) -> BatchReport:
    """Grade every sample of ``event``; raises InvalidEventError only for a malformed event.

    Per-sample trouble never escapes: that sample scores 0 with a ``grader_error`` metric.
    ``deadline`` (a ``time.monotonic()`` value, or the injected judge clock's) bounds the
    batch: judges stop waiting (pending calls score 0, ``judge_timeout``), rule graders skip
    the samples they have not started (0, ``grader_timeout``), and a rule-graded sample over
    its own budget scores 0 too (``grader_timeout``). Results always match the event's ids,
    in order.
    """
    started = time.perf_counter()
    raws = bedrock_event.parse_event(event)
    grades: list[GradeResult | None] = [None] * len(raws)
    samples, positions = [], []
    for index, raw in enumerate(raws):
        try:
            samples.append(bedrock_event.to_sample(raw))
            positions.append(index)
        except Exception as exc:  # noqa: BLE001
            grades[index] = GradeResult.failed(describe_error(exc))
    if samples:
        try:
            graded = grade_many(grader, samples, deadline)
            if len(graded) != len(samples):
                raise RuntimeError("grader returned the wrong number of results")
        except Exception as exc:  # noqa: BLE001 - a grader bug fails these samples, visibly
            graded = [GradeResult.failed(f"grader failed: {describe_error(exc)}")] * len(samples)
        for index, grade in zip(positions, graded, strict=False):
            grades[index] = grade

    report = BatchReport(results=[], prompt_keys=[bedrock_event.prompt_key(raw) for raw in raws])
    for index, (raw, raw_grade) in enumerate(zip(raws, grades, strict=False)):
        grade = _checked(raw_grade)
        report.timeouts += is_timed_out(grade)
        if grade.error is not None:
            report.errors.append(SampleError(index, bedrock_event.sample_id(raw), grade.error))
        report.results.append(bedrock_event.result(bedrock_event.sample_id(raw), *_entry(grader.name, grade)))
    report.duration_s = time.perf_counter() - started
    return report


def _checked(grade: Any) -> GradeResult:
    """Enforce the contract: a finite score in [0, 1], or a failure."""
    if not isinstance(grade, GradeResult):
        return GradeResult.failed("grader returned something that is not a GradeResult")
    if grade.error is not None:
        return grade
    score = grade.score
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
        return GradeResult.failed("score is not a finite number")
    return grade


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _entry(name: str, grade: GradeResult) -> tuple[float, list[dict]]:
    if grade.error is not None:
        return 0.0, [{"name": GRADER_ERROR, "value": 1.0, "type": "Metric"}]
    score = min(1.0, max(0.0, float(grade.score)))
    components = grade.components or {name: score}
    metrics = [
        {"name": key, "value": v, "type": "Reward"}
        for key, value in components.items()
        if (v := _finite(value)) is not None
    ]
    metrics += [
        {"name": key, "value": v, "type": "Metric"}
        for key, value in grade.metrics.items()
        if (v := _finite(value)) is not None
    ]
    return score, metrics
