"""Regular-expression match (search or fullmatch, optionally negated)."""

from __future__ import annotations

import re

from ..base import PerSampleGrader
from ..templating import Template


class RegexGrader(PerSampleGrader):
    def __init__(self, spec):
        self.name = spec.name
        flags = (re.IGNORECASE if spec.ignore_case else 0) | (re.MULTILINE if spec.multiline else 0)
        flags |= re.DOTALL if spec.dotall else 0
        pattern = re.compile(spec.pattern, flags)
        self._match = pattern.fullmatch if spec.mode == "fullmatch" else pattern.search
        self.negate = spec.negate
        self.input = Template(spec.input)

    def grade_one(self, sample) -> float:
        matched = self._match(self.input.render(sample)) is not None
        return float(matched != self.negate)
