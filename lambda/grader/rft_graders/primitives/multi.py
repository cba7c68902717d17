"""OpenAI multi: sub-graders run over the whole batch, then the formula per sample."""

from __future__ import annotations

import math

from ..base import GradeResult, grade_many, is_timed_out, timed_out
from ..formula import Formula


class MultiGrader:
    accepts_deadline = True  # a judge inside must see the batch deadline

    def __init__(self, spec, graders):
        """``graders``: the built sub-graders, by the keys of ``spec.graders``."""
        self.name = spec.name
        self.graders = dict(graders)
        self.formula = Formula(spec.calculate_output, set(self.graders))

    def grade_many(self, samples, deadline=None):
        per_grader = {key: grade_many(grader, samples, deadline) for key, grader in self.graders.items()}
        out = []
        for index in range(len(samples)):
            parts = {key: results[index] for key, results in per_grader.items()}
            failed = [f"{key}: {r.error}" for key, r in parts.items() if r.error]
            if failed:
                out.append(GradeResult.failed("; ".join(failed)))
                continue
            if any(is_timed_out(r) for r in parts.values()):
                # A part that ran out of time has no real score; its 0 in a formula such as
                # "1 - hedge" would pay, so the whole sample times out.
                out.append(timed_out())
                continue
            values = {key: r.score for key, r in parts.items()}
            try:
                score = self.formula.evaluate(values)
            except (ArithmeticError, ValueError) as exc:
                out.append(GradeResult.failed(f"calculate_output: {type(exc).__name__}"))
                continue
            if not math.isfinite(score):
                out.append(GradeResult.failed("calculate_output is not finite"))
                continue
            metrics = {}
            for key, r in parts.items():
                metrics.update({f"{key}.{m}": v for m, v in r.metrics.items()})
                metrics.update({f"{key}.{c}": v for c, v in r.components.items()})
            out.append(GradeResult(score, components=values, metrics=metrics))
        return out
