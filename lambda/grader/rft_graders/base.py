"""What a runnable grader is, and what it returns per sample."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Protocol, Sequence

from .errors import ResponseParseError, describe_error
from .sample import Sample


@dataclass(frozen=True, slots=True)
class GradeResult:
    """One sample's grade.

    ``components`` are reward parts (reported with type ``Reward``), ``metrics`` are
    diagnostics (type ``Metric``). ``error`` set means the grader could not grade.
    """

    score: float
    components: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def failed(cls, reason: str) -> "GradeResult":
        return cls(0.0, error=reason)


class Grader(Protocol):
    """A compiled spec. Batch-shaped because code and lambda graders fan out per batch.

    A grader that waits on slow outside calls (judges, and ``multi`` holding one) sets
    ``accepts_deadline = True`` and takes ``grade_many(samples, deadline=...)``: a value of
    its clock (``time.monotonic`` unless injected) after which it starts no new call and
    scores what is still pending 0. Call graders through ``grade_many`` below.
    """

    name: str

    def grade_many(self, samples: Sequence[Sample]) -> list[GradeResult]: ...


def grade_many(grader, samples: Sequence[Sample], deadline: float | None = None) -> list[GradeResult]:
    """``grader.grade_many``, passing the deadline only to graders that honour one (the
    rule graders are fast and keep their one-argument signature)."""
    if deadline is not None and getattr(grader, "accepts_deadline", False):
        return grader.grade_many(samples, deadline=deadline)
    return grader.grade_many(samples)


def response_unusable(reason: str) -> GradeResult:
    """Score 0 because the response cannot be read as the spec asks (not a grader error)."""
    return GradeResult(0.0, metrics={"response_parse_error": 1.0})


class PerSampleGrader:
    """Base for graders that look at one sample at a time.

    Subclasses implement ``grade_one`` returning a float or a GradeResult; any exception
    becomes that sample's failure and never reaches its neighbours.
    """

    name: str = "grader"

    def grade_one(self, sample: Sample) -> float | GradeResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def grade_many(self, samples: Sequence[Sample]) -> list[GradeResult]:
        out = []
        for sample in samples:
            try:
                value = self.grade_one(sample)
            except ResponseParseError as exc:
                out.append(response_unusable(str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - a bad sample must not sink the batch
                out.append(GradeResult.failed(describe_error(exc)))
                continue
            out.append(value if isinstance(value, GradeResult) else GradeResult(float(value)))
        return out
