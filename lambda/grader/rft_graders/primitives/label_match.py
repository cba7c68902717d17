"""Classification: the response names exactly one allowed label, and it is the gold one."""

from __future__ import annotations

import re
import unicodedata

from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..templating import Template

_WRAPPERS = " \t\r\n\"'`*_.,;:!?()[]{}<>"
_PREFIX = re.compile(r"^(final\s+)?(answer|label|class|category|prediction)\s*[:=\-]\s*", re.IGNORECASE)


class LabelMatchGrader(PerSampleGrader):
    def __init__(self, spec):
        self.name = spec.name
        self.input = Template(spec.input)
        self.reference = Template(spec.reference)
        self.case_sensitive = spec.case_sensitive
        self.answer_regex = re.compile(spec.answer_regex, re.IGNORECASE | re.DOTALL) if spec.answer_regex else None
        self.labels = None
        if spec.labels:
            normalized = {self._norm(label): label for label in spec.labels}
            self.labels = normalized
            # Longest labels first, so "non-compliant" is not also read as "compliant".
            alternatives = sorted(normalized, key=len, reverse=True)
            self._label_re = re.compile(
                r"(?<!\w)(" + "|".join(re.escape(a) for a in alternatives) + r")(?!\w)"
            )

    def _norm(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text)
        text = " ".join(text.split())
        return text if self.case_sensitive else text.casefold()

    def _answer_span(self, text: str) -> str:
        if self.answer_regex is not None:
            matches = list(self.answer_regex.finditer(text))
            if not matches:
                return ""
            text = matches[-1].group(1) or ""
        return text

    def grade_one(self, sample) -> GradeResult:
        gold_raw = self.reference.render(sample)
        gold = self._norm(gold_raw).strip(_WRAPPERS)
        if not gold:
            raise SampleGradingError("label_match: the gold label is empty")
        if self.labels is not None and gold not in self.labels:
            raise SampleGradingError("label_match: the gold label is not in the allowed labels")
        answer = self._norm(self._answer_span(self.input.render(sample)))
        if self.labels is None:
            predicted = _PREFIX.sub("", answer.strip(_WRAPPERS)).strip(_WRAPPERS)
            return GradeResult(float(predicted == gold), metrics={"label_in_set": 1.0})
        named = set(self._label_re.findall(answer))
        if len(named) != 1:
            # Zero labels: answer outside the set. Several: a hedge, which must not pay.
            return GradeResult(0.0, metrics={"label_in_set": 0.0, "labels_named": float(len(named))})
        return GradeResult(float(named.pop() == gold), metrics={"label_in_set": 1.0, "labels_named": 1.0})
