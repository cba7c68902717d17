"""Final-answer math grading with a shotgun (hedge) defense.

The response must commit to one value: several different committed answers (boxes, ``####``
lines, "the answer is" statements, across kinds), an answer that lists several values, or
prose that offers candidate values ("71 or 72", "possible answers: 70, 71, 72", a table of
options) all score 0 when the gold is a single value. Working is free: intermediate numbers,
"48 + 24 = 72", restated question numbers, and "x = 3 or x = -3, but x > 0" are not hedges.
"""

from __future__ import annotations

from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..math_answer import (
    _MAX_ANSWER_CHARS,
    analyse,
    answer_parts,
    clean_latex,
    find_hedges,
    fold,
    is_single_valued,
    numbers_equal,
    parse_number,
    reduce_answer,
    reference_answer,
    symbolic_equal,
)
from ..templating import Template

_MAX_PARTS = 5  # "10 dollars, or $10": at most this many restatements of one value


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
        text = fold(self.input.render(sample))
        analysis = analyse(text, fallback_last_number=spec.fallback_last_number)
        if analysis.too_long:
            return GradeResult(0.0, metrics={"answer_found": 0.0, "too_long": 1.0})
        if analysis.final is None:
            return GradeResult(0.0, metrics={"answer_found": 0.0})
        answer = analysis.final.text
        # "48 + 24 = 72" is 72; an equation that does not end in a number goes to math-verify
        # whole (it reads equations itself), so a sample costs at most two math-verify calls.
        reduced = reduce_answer(answer)
        single = parse_number(reduced) is not None and len(answer_parts(answer)) == 1  # not "x = 3 or x = -3"
        candidate = reduced if single else answer
        # A plainly wrong number scores 0 whatever else the response says: the hedge scan
        # (the costly part) runs only for answers that could earn the reward, and before
        # math-verify, which is costlier still. So "shotgun" counts hedges that were
        # denied a reward.
        numeric = numbers_equal(candidate, gold, spec.rel_tol, spec.abs_tol) if single else None
        if numeric is False:
            return GradeResult(0.0, metrics={"answer_found": 1.0, "shotgun": 0.0})
        if spec.shotgun_defense and self._is_shotgun(text, analysis, gold, lambda: sample.conversation):
            return GradeResult(0.0, metrics={"answer_found": 1.0, "shotgun": 1.0})
        correct = numeric if numeric is not None else self._equal(candidate, gold)
        return GradeResult(float(correct), metrics={"answer_found": 1.0, "shotgun": 0.0})

    def _is_shotgun(self, text: str, analysis, gold: str, prompt_of) -> bool:
        if analysis.too_many:
            return True
        single = is_single_valued(gold)
        # Several committed answers (any kinds) that are not all the same value.
        values = [reduce_answer(c.text) for c in analysis.commitments]
        if len(values) > 1 and not self._all_same(values):
            return True
        if not single:
            return False  # tuples, root sets, intervals: lists are the answer's shape
        # One committed answer listing several values ("70, 71, 72", "3 or 5", "\pm 3").
        for value in values:
            parts = answer_parts(value)
            if len(parts) > 1 and not self._all_same(parts):
                return True
        # Prose that offers candidates ("it could be 71 or 72", a table of options...); a list
        # quoted from the question is not one.
        return bool(find_hedges(text, analysis.final, fold(prompt_of())))

    def _all_same(self, answers: list[str]) -> bool:
        canon = {self._canonical(a) for a in answers}
        if len(canon) <= 1:
            return True
        if len(canon) > 2 or not self.spec.symbolic:
            return False
        # Two spellings of one value ("\frac{\sqrt2}{2}" and "\frac{1}{\sqrt2}"): one
        # symbolic check at most, so a sample costs a bounded number of math-verify calls.
        first, other = sorted(canon)
        return self._equal(other, first)

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
        parts = answer_parts(answer)
        if len(parts) > 1 and is_single_valued(gold):
            # "10 dollars, or $10" is right; "1,5" (a list, however math-verify reads it) is
            # not. Numbers only: a symbolic check per part would multiply the time bound.
            return len(parts) <= _MAX_PARTS and all(
                numbers_equal(part, gold, self.spec.rel_tol, self.spec.abs_tol) for part in parts
            )
        if not self.spec.symbolic:
            return False
        try:
            return symbolic_equal(answer, gold, self.spec.timeout_s)
        except Exception:  # noqa: BLE001 - math-verify timeouts and parser failures mean "not shown equal"
            return False
