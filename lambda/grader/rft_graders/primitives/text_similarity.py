"""OpenAI text_similarity: the similarity itself is the reward."""

from __future__ import annotations

from ..base import GradeResult, PerSampleGrader
from ..templating import Template
from ..text_metrics import similarity

_MAX_CHARS = 100_000  # keeps a runaway response from costing seconds of CPU


class TextSimilarityGrader(PerSampleGrader):
    def __init__(self, spec):
        self.name = spec.name
        self.metric = spec.evaluation_metric
        self.pass_threshold = spec.pass_threshold
        self.input = Template(spec.input)
        self.reference = Template(spec.reference)

    def grade_one(self, sample) -> GradeResult:
        score = similarity(
            self.metric, self.input.render(sample)[:_MAX_CHARS], self.reference.render(sample)[:_MAX_CHARS]
        )
        score = min(1.0, max(0.0, score))
        metrics = {} if self.pass_threshold is None else {f"{self.name}_pass": float(score >= self.pass_threshold)}
        return GradeResult(score, metrics=metrics)
