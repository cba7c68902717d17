"""A number within absolute/relative tolerance of the reference."""

from __future__ import annotations

import math

from ..base import PerSampleGrader
from ..errors import SampleGradingError
from ..math_answer import find_numbers, parse_number
from ..templating import Template


class NumericGrader(PerSampleGrader):
    def __init__(self, spec):
        self.name = spec.name
        self.input = Template(spec.input)
        self.reference = Template(spec.reference)
        self.extract = spec.extract
        self.abs_tol = spec.abs_tol
        self.rel_tol = spec.rel_tol

    def grade_one(self, sample) -> float:
        reference = parse_number(self.reference.render(sample))
        if reference is None:
            raise SampleGradingError("numeric: the reference is not a number")
        text = self.input.render(sample)
        if self.extract == "whole":
            value = parse_number(text)
        else:
            numbers = find_numbers(text)
            value = numbers[-1] if numbers else None
        if value is None:
            return 0.0
        return float(math.isclose(float(value), float(reference), rel_tol=self.rel_tol, abs_tol=self.abs_tol))
