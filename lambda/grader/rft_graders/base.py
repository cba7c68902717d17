"""What a runnable grader is, and what it returns per sample."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .errors import BudgetExceeded, ResponseParseError, describe_error
from .sample import Sample

TIMEOUT_METRIC = "grader_timeout"
# Time one sample may take in a rule grader. Linear matching and input caps keep honest
# work far below it (a 1 MB crafted response stays under it: benchmarks/rule_graders_dos.py).
SAMPLE_BUDGET_S = 1.0


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
    def failed(cls, reason: str) -> GradeResult:
        return cls(0.0, error=reason)


def timed_out() -> GradeResult:
    """Score 0: the sample ran past its budget, or the batch deadline came before it."""
    return GradeResult(0.0, metrics={TIMEOUT_METRIC: 1.0})


def is_timed_out(result: GradeResult) -> bool:
    return bool(result.metrics.get(TIMEOUT_METRIC))


class Grader(Protocol):
    """A compiled spec. Batch-shaped because code and lambda graders fan out per batch.

    A grader that honours the batch deadline sets ``accepts_deadline = True`` and takes
    ``grade_many(samples, deadline=...)``: a value of its clock (``time.monotonic`` unless
    injected) after which it starts no new work and scores what is left 0. Judges stop
    waiting on calls then; rule graders (``PerSampleGrader``) stop between samples. Call
    graders through ``grade_many`` below.
    """

    name: str

    def grade_many(self, samples: Sequence[Sample]) -> list[GradeResult]: ...


def grade_many(grader, samples: Sequence[Sample], deadline: float | None = None) -> list[GradeResult]:
    """``grader.grade_many``, passing the deadline only to graders that honour one."""
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

    Time: pure-Python work cannot be interrupted safely, so the bound is built in. Graders
    are linear in their (capped) input, the clock is read between samples, and a sample
    scores 0 with ``grader_timeout`` when it took longer than ``budget_s`` or when the batch
    deadline has passed before it starts (those left are skipped, results stay aligned).
    Graders that loop over many steps call ``checkpoint()`` between them to stop early.
    ``clock`` may be replaced per instance (tests inject a fake one).
    """

    name: str = "grader"
    accepts_deadline = True
    default_budget_s: float = SAMPLE_BUDGET_S
    clock: Callable[[], float] = staticmethod(time.monotonic)
    _own_limit: float | None = None  # this sample's start + budget
    _deadline: float | None = None  # the batch's

    @property
    def budget_s(self) -> float:
        """The per-sample budget. A grader with its own time bound per call (``timeout_s``
        of math's symbolic check or a python grader) gets room for three such calls."""
        own = getattr(getattr(self, "spec", None), "timeout_s", None)
        if isinstance(own, (int, float)) and not isinstance(own, bool):
            return max(self.default_budget_s, 3 * own + 1)
        return self.default_budget_s

    def prepare(self) -> None:
        """One-time work before a batch (e.g. loading data), outside every sample's budget."""

    def checkpoint(self) -> None:
        """Raise BudgetExceeded once this sample's budget or the batch deadline has passed."""
        now = self.clock()
        if (self._own_limit is not None and now > self._own_limit) or (
            self._deadline is not None and now > self._deadline
        ):
            raise BudgetExceeded()

    def exclude_from_budget(self, seconds: float) -> None:
        """Give the current sample back time spent on one-time work (a lazy load) that any
        sample could have triggered; the batch deadline is not moved."""
        if self._own_limit is not None:
            self._own_limit += seconds

    def grade_one(self, sample: Sample) -> float | GradeResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def grade_many(self, samples: Sequence[Sample], deadline: float | None = None) -> list[GradeResult]:
        out: list[GradeResult] = []
        if not samples:
            return out
        self.prepare()
        budget = self.budget_s
        self._deadline = deadline
        try:
            for sample in samples:
                started = self.clock()
                if deadline is not None and started >= deadline:
                    break  # the rest are skipped, below
                self._own_limit = started + budget
                out.append(self._grade_guarded(sample))
                if self.clock() > self._own_limit:
                    out[-1] = timed_out()  # finished, but too slow to trust as a reward
        finally:
            self._own_limit = self._deadline = None
        out.extend(timed_out() for _ in range(len(samples) - len(out)))
        return out

    def _grade_guarded(self, sample: Sample) -> GradeResult:
        try:
            value = self.grade_one(sample)
        except BudgetExceeded:
            return timed_out()
        except ResponseParseError as exc:
            return response_unusable(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bad sample must not sink the batch
            return GradeResult.failed(describe_error(exc))
        return value if isinstance(value, GradeResult) else GradeResult(float(value))
