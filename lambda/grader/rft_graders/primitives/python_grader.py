"""OpenAI python graders: ``grade(sample, item) -> float``.

- ``module``: team code that lives and is reviewed in the repo; imported once and called
  in-process (fast, full Python).
- ``source``: inline code, typically pasted from OpenAI grader JSON. It is not part of the
  reviewed package and may do anything, so it runs where model-written code runs: in the
  code sandbox (no credentials, no network, limits), matching OpenAI's own sandboxed python
  grader. The score travels back through the sandbox's pass/fail contract: the generated
  tests are 100 ascending threshold asserts (``score >= 0.01`` ... ``score >= 1.0``), run
  with ``fraction`` scoring, so ``passed/total`` is the score rounded down to 1%. Ascending
  order makes the count right whether the sandbox counts every assert or stops at the
  first failure.
"""

from __future__ import annotations

import importlib
import json
import math

from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..sandbox_client import failure_reason, run_status_ok, safe_run_batch

_STEPS = 100


def build_python_grader(spec, ctx):
    if spec.module is not None:
        return ModulePythonGrader(spec)
    return SandboxPythonGrader(spec, ctx)


def _score_metrics(spec, score: float) -> dict:
    return {} if spec.pass_threshold is None else {f"{spec.name}_pass": float(score >= spec.pass_threshold)}


class ModulePythonGrader(PerSampleGrader):
    def __init__(self, spec):
        self.spec = spec
        self.name = spec.name
        module = importlib.import_module(spec.module)
        grade = getattr(module, "grade", None)
        if not callable(grade):
            raise ValueError(f"python grader module {spec.module} has no grade(sample, item) function")
        self._grade = grade

    def grade_one(self, sample) -> GradeResult:
        value = self._grade(sample.sample_namespace(), dict(sample.item))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SampleGradingError(f"python grader returned {type(value).__name__}, not a number")
        return GradeResult(float(value), metrics=_score_metrics(self.spec, float(value)))


def harness(sample_ns: dict, item: dict) -> str:
    """Test code that scores the sample and turns the score into a count of passed asserts."""
    lines = [
        "import json as _json",
        f"_score = float(grade(_json.loads({json.dumps(json.dumps(sample_ns, default=str))}),"
        f" _json.loads({json.dumps(json.dumps(item, default=str))})))",
    ]
    lines += [f"assert _score >= {k / _STEPS!r}" for k in range(1, _STEPS + 1)]
    return "\n".join(lines) + "\n"


class SandboxPythonGrader:
    def __init__(self, spec, ctx):
        self.spec = spec
        self.name = spec.name
        self.sandbox = ctx.sandbox

    def grade_many(self, samples):
        runs = [
            {
                "code": self.spec.source,
                "tests": harness(s.sample_namespace(), s.item),
                "entry_point": None,
                "scoring": "fraction",
                "timeout_s": self.spec.timeout_s,
            }
            for s in samples
        ]
        if not runs:
            return []
        results = safe_run_batch(self.sandbox, runs)
        out = []
        for result in results:
            if not run_status_ok(result) or not result.get("total"):
                out.append(GradeResult.failed(f"python source: {failure_reason(result)}"))
                continue
            score = result["passed"] / result["total"]
            if not math.isfinite(score):
                out.append(GradeResult.failed("python source: bad sandbox counts"))
                continue
            out.append(GradeResult(score, metrics=_score_metrics(self.spec, score)))
        return out
