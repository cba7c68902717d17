"""Code graded by unit tests in the code sandbox (never in this process)."""

from __future__ import annotations

from ..base import GradeResult
from ..errors import ResponseParseError, SampleGradingError, describe_error
from ..sandbox_client import failure_reason, safe_run_batch
from ..templating import Template
from ..text_extract import extract_code

_MAX_CODE_CHARS = 100_000


class CodeGrader:
    def __init__(self, spec, ctx):
        self.spec = spec
        self.name = spec.name
        self.sandbox = ctx.sandbox
        self.input = Template(spec.input)
        self.tests = Template(spec.tests)
        self.entry_point = Template(spec.entry_point) if spec.entry_point else None

    def _run_for(self, sample) -> dict:
        text = self.input.render(sample)
        code = extract_code(text) if self.spec.extract_code else text
        if not code.strip():
            raise ResponseParseError("no code in the response")
        if len(code) > _MAX_CODE_CHARS:
            raise ResponseParseError("code is too long")
        tests = self.tests.render(sample)
        if not tests.strip():
            raise SampleGradingError("code: the tests are empty")
        entry = self.entry_point.render_value(sample, missing_ok=True) if self.entry_point else None
        if entry is not None and not isinstance(entry, str):
            raise SampleGradingError("code: entry_point is not a string")
        return {
            "code": code,
            "tests": tests,
            "entry_point": entry or None,
            "scoring": self.spec.scoring,
            "timeout_s": self.spec.timeout_s,
        }

    def grade_many(self, samples):
        out: list[GradeResult | None] = [None] * len(samples)
        runs, positions = [], []
        for index, sample in enumerate(samples):
            try:
                runs.append(self._run_for(sample))
                positions.append(index)
            except ResponseParseError:
                out[index] = GradeResult(0.0, metrics={"response_parse_error": 1.0})
            except Exception as exc:  # noqa: BLE001
                out[index] = GradeResult.failed(describe_error(exc))
        for index, result in zip(positions, safe_run_batch(self.sandbox, runs), strict=False):
            out[index] = self._score(result)
        return out

    def _score(self, result: dict) -> GradeResult:
        status = result["status"]
        if status == "timeout":
            # The candidate ran too long (an infinite loop is a wrong answer, not a grader fault).
            return GradeResult(0.0, metrics={"timeout": 1.0, "tests_passed_fraction": 0.0})
        if status == "error":
            return GradeResult.failed(f"code: {failure_reason(result)}")
        total = result["total"]
        fraction = result["passed"] / total if total else float(status == "passed")
        score = fraction if self.spec.scoring == "fraction" else float(status == "passed")
        return GradeResult(score, metrics={"tests_passed_fraction": fraction, "timeout": 0.0})
