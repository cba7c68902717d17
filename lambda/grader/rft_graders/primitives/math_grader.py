"""Final-answer math grading with a shotgun defense."""

from __future__ import annotations

import re

from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..math_answer import (
    clean_latex,
    distinct_numbers,
    final_answers,
    numbers_equal,
    parse_number,
    reference_answer,
    symbolic_equal,
)
from ..templating import Template

_LIST_SEPARATOR = re.compile(r"(?<!\d),|,(?!\d{3})|;|\bor\b|\band\b", re.IGNORECASE)
_MAX_ANSWER_CHARS = 500  # a "final answer" longer than this is prose, not an answer


class MathGrader(PerSampleGrader):
    def __init__(self, spec):
        self.spec = spec
        self.name = spec.name
        self.input = Template(spec.input)
        self.reference = Template(spec.reference)

    def grade_one(self, sample) -> GradeResult:
        spec = self.spec
        gold = reference_answer(self.reference.render(sample))
        if not gold:
            raise SampleGradingError("math: the reference answer is empty")
        answers, source = final_answers(self.input.render(sample), fallback_last_number=spec.fallback_last_number)
        if not answers:
            return GradeResult(0.0, metrics={"answer_found": 0.0})
        answer = answers[-1]
        if spec.shotgun_defense and self._is_shotgun(answers, answer, gold):
            return GradeResult(0.0, metrics={"answer_found": 1.0, "shotgun": 1.0})
        correct = self._equal(answer, gold)
        return GradeResult(float(correct), metrics={"answer_found": 1.0, "shotgun": 0.0})

    def _is_shotgun(self, answers: list[str], answer: str, gold: str) -> bool:
        # Several committed answers that are not all the same value.
        if len(answers) > 1 and len({self._canonical(a) for a in answers}) > 1:
            return True
        # One committed answer listing several numbers ("40, 41, 42" / "40 or 41") when the
        # gold is a single number. Tuples and intervals have multi-number golds and pass.
        # Only list-like answers count: "\frac{1}{2}" holds two numbers but is one value.
        if parse_number(gold) is not None and parse_number(answer) is None and _LIST_SEPARATOR.search(answer):
            return distinct_numbers(answer) > 1
        return False

    @staticmethod
    def _canonical(answer: str) -> str:
        value = parse_number(answer)
        return str(value) if value is not None else " ".join(clean_latex(answer).split())

    def _equal(self, answer: str, gold: str) -> bool:
        if len(answer) > _MAX_ANSWER_CHARS:
            return False
        numeric = numbers_equal(answer, gold, self.spec.rel_tol, self.spec.abs_tol)
        if numeric is not None:
            return numeric
        if " ".join(clean_latex(answer).split()) == " ".join(clean_latex(gold).split()):
            return True
        if not self.spec.symbolic:
            return False
        try:
            return symbolic_equal(answer, gold, self.spec.timeout_s)
        except Exception:  # noqa: BLE001 - math-verify timeouts and parser failures mean "not shown equal"
            return False
