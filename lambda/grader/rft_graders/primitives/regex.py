"""Regular-expression match (search or fullmatch, optionally negated), in RE2.

The pattern was checked when the spec was loaded (``linear.check_user_pattern``); it runs
in linear time on any response. Inputs over ``linear.MAX_INPUT_CHARS`` score 0 (metric
``response_too_long``), whichever way ``negate`` points: a long response must not pay.
"""

from __future__ import annotations

from .. import linear
from ..base import GradeResult, PerSampleGrader
from ..templating import Template


class RegexGrader(PerSampleGrader):
    def __init__(self, spec):
        self.name = spec.name
        pattern = linear.compile(
            spec.pattern, ignore_case=spec.ignore_case, multiline=spec.multiline, dotall=spec.dotall, capture=False
        )
        self.pattern = pattern
        self._match = pattern.fullmatch if spec.mode == "fullmatch" else pattern.search
        self.negate = spec.negate
        self.input = Template(spec.input)

    def grade_one(self, sample) -> float | GradeResult:
        text = self.input.render(sample)
        if len(text) > linear.MAX_INPUT_CHARS:
            return GradeResult(0.0, metrics={"response_too_long": 1.0})
        matched = self._match(text) is not None
        return float(matched != self.negate)
