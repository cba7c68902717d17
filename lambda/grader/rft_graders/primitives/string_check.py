"""OpenAI string_check: eq, ne, like (contains), ilike (contains, ignoring case)."""

from __future__ import annotations

from ..base import PerSampleGrader
from ..errors import SampleGradingError
from ..templating import Template


class StringCheckGrader(PerSampleGrader):
    def __init__(self, spec):
        self.name = spec.name
        self.operation = spec.operation
        self.input = Template(spec.input)
        self.reference = Template(spec.reference)

    def grade_one(self, sample) -> float:
        text = self.input.render(sample)
        reference = self.reference.render(sample)
        op = self.operation
        if op == "eq":
            return float(text == reference)
        if op == "ne":
            return float(text != reference)
        # An empty reference is "contained" in every answer; that would pay for anything.
        if not reference:
            raise SampleGradingError(f"{op}: the reference is empty")
        if op == "like":
            return float(reference in text)
        return float(reference.casefold() in text.casefold())
