"""The runnable judge grader: prompt -> Converse -> verdict, per sample and judge model.

Per sample, each judge yields one outcome:

- ok: a verdict (a 0..1 score, or a label);
- parse_error: no valid verdict after one retry -> counts ``judge_parse_error``;
- refusal: the judge declined or was filtered -> counts ``judge_refusal`` (not retried:
  at temperature 0 it would decline again);
- timeout: the deadline came first -> counts ``judge_timeout``;
- error: the call cannot succeed (access denied, bad model id, retries exhausted, missing
  template value) -> the sample is a ``grader_error``, so misconfiguration is loud.

``judge_truncated`` is 1 when some quoted value was cut to its size limit for the judge.

The sample's score combines the judges that gave a verdict; with none it is 0. Token use is
reported per sample (``judge_input_tokens``, ``judge_output_tokens``) for the cost metrics.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import cast

from ..base import GradeResult
from ..errors import ResponseParseError, SampleGradingError
from .client import JudgeCaller, JudgeCallError, JudgeTimeout
from .prompt import PromptBuilder, VerdictShape
from .runner import TIMED_OUT, run_bounded
from .spec import LabelModelSpec, sampling
from .verdict import parse_response, usage

PARSE_ATTEMPTS = 2  # the first call plus one retry on an unparseable verdict


@dataclass(frozen=True)
class Outcome:
    status: str  # ok | parse_error | refusal | timeout | error | response_parse_error
    value: float | str | None = None
    reason: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    truncated: bool = False


class JudgeGrader:
    accepts_deadline = True

    def __init__(self, spec, ctx):
        self.spec = spec
        self.name = spec.name
        self.models = spec.model_list
        self.labels = tuple(spec.labels) if isinstance(spec, LabelModelSpec) else None
        self.passing = {label.strip().lower() for label in spec.passing_labels} if self.labels else set()
        self.shape = VerdictShape(labels=self.labels) if self.labels else VerdictShape(spec.range[0], spec.range[1])
        self.prompt = PromptBuilder(
            spec.input, self.shape, sampling(spec), spec.verdict_format, spec.max_response_chars, spec.max_context_chars
        )
        self.env = ctx.judge_environment()
        self.caller = JudgeCaller(self.env)

    def grade_many(self, samples, deadline: float | None = None) -> list[GradeResult]:
        tasks = [partial(self._judge, sample, model, deadline) for sample in samples for model in self.models]
        raw = run_bounded(tasks, self.spec.max_concurrency, deadline, self.env.clock, self.env.poll_s)
        outcomes = [_as_outcome(item) for item in raw]
        width = len(self.models)
        return [self._combine(outcomes[i * width : (i + 1) * width]) for i in range(len(samples))]

    def _judge(self, sample, model: str, deadline: float | None) -> Outcome:
        tokens_in = tokens_out = 0
        reason = ""
        truncated = False
        for _ in range(PARSE_ATTEMPTS):
            try:
                call = self.prompt.build(sample, model)  # a fresh boundary and nonce every call
            except ResponseParseError:
                return Outcome("response_parse_error")
            except SampleGradingError as exc:
                return Outcome("error", reason=str(exc))
            truncated = call.truncated
            try:
                response = self.caller.converse(call.request, deadline, self.spec.max_attempts)
            except JudgeTimeout:
                return Outcome("timeout", input_tokens=tokens_in, output_tokens=tokens_out, truncated=truncated)
            except JudgeCallError as exc:
                return Outcome("error", reason=str(exc))
            used_in, used_out = usage(response)
            tokens_in, tokens_out = tokens_in + used_in, tokens_out + used_out
            parsed = parse_response(response, self.shape, call.nonce)  # only this call's nonce counts
            if parsed.status != "parse_error":
                return Outcome(parsed.status, parsed.value, parsed.reason, tokens_in, tokens_out, truncated)
            reason = parsed.reason
        return Outcome(
            "parse_error", reason=reason, input_tokens=tokens_in, output_tokens=tokens_out, truncated=truncated
        )

    def _combine(self, outcomes: list[Outcome]) -> GradeResult:
        errors = sorted({o.reason for o in outcomes if o.status == "error"})
        if errors:
            return GradeResult.failed(f"{self.name}: " + "; ".join(errors))
        if any(o.status == "response_parse_error" for o in outcomes):
            return GradeResult(0.0, metrics={"response_parse_error": 1.0})
        count = Counter(o.status for o in outcomes)
        metrics = {
            "judge_input_tokens": float(sum(o.input_tokens for o in outcomes)),
            "judge_output_tokens": float(sum(o.output_tokens for o in outcomes)),
            "judge_parse_error": float(count["parse_error"]),
            "judge_refusal": float(count["refusal"]),
            "judge_timeout": float(count["timeout"]),
            "judge_truncated": float(any(o.truncated for o in outcomes)),
        }
        verdicts = [o.value for o in outcomes if o.status == "ok"]
        if len(self.models) > 1:
            metrics["judge_votes"] = float(len(verdicts))
        if not verdicts:
            return GradeResult(0.0, metrics=metrics)
        # an ok outcome carries a label for a label judge, a number otherwise
        if self.labels:
            score = self._label_score(cast(list[str], verdicts))
        else:
            score = self._number_score(cast(list[float], verdicts))
        if not self.labels and self.spec.pass_threshold is not None:
            low, high = self.spec.range
            metrics[f"{self.name}_pass"] = float(low + score * (high - low) >= self.spec.pass_threshold)
        return GradeResult(score, metrics=metrics)

    def _number_score(self, scores: list[float]) -> float:
        return statistics.median(scores) if self.spec.ensemble == "majority" else statistics.fmean(scores)

    def _label_score(self, labels: list[str]) -> float:
        passes = [label.strip().lower() in self.passing for label in labels]
        if self.spec.ensemble == "mean":
            return sum(passes) / len(passes)
        tally = Counter(label.strip().lower() for label in labels)
        top = max(tally.values())
        winners = [label for label, n in tally.items() if n == top]
        # Fail closed: a tie passes only when every tied label passes.
        return float(all(label in self.passing for label in winners))


def _as_outcome(item) -> Outcome:
    if isinstance(item, Outcome):
        return item
    if item is TIMED_OUT:
        return Outcome("timeout")
    return Outcome("error", reason=f"judge failed: unexpected {type(item).__name__}")
