"""Judge grader specs: OpenAI's ``score_model`` and ``label_model``, plus our options.

OpenAI's fields (``name``, ``model``, ``input``, ``range``, ``pass_threshold``,
``sampling_params``, ``labels``, ``passing_labels``) keep their names and meaning, so
OpenAI grader JSON validates unchanged. ``model`` is a Bedrock model id, inference profile
id or ARN; an OpenAI name such as ``o4-mini`` parses (the import must not fail) but Bedrock
rejects the call, so replace it before deploying (``is_bedrock_model`` tells). Ours:
``models`` + ``ensemble``, ``max_concurrency``, ``max_attempts``, ``verdict_format``,
``max_response_chars``, ``max_context_chars``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ..spec_primitives import SpecModel, TemplateStr, check_labels

_MODEL_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+@-]{0,2047}$")


def _check_model(value: str) -> str:
    if not _MODEL_REF.match(value):
        raise ValueError(
            "must be a Bedrock model id, inference profile id or ARN, e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0"
        )
    return value


class TextPart(SpecModel):
    """An OpenAI content part; only text parts can be judged here."""

    type: Literal["input_text", "output_text", "text"] = Field(description="Content part type (text only).")
    text: TemplateStr = Field(description="Text, may contain {{sample.*}} / {{item.*}} templates.")


class JudgeMessage(SpecModel):
    """One prompt message, as in OpenAI grader ``input``."""

    type: Literal["message"] | None = Field(default=None, description="Accepted for OpenAI compatibility.")
    role: Literal["system", "developer", "user", "assistant"] = Field(
        description="system/developer messages become the Converse system prompt."
    )
    content: TemplateStr | TextPart | list[TextPart] = Field(description="Text with templates, or text parts.")

    def texts(self) -> list[str]:
        if isinstance(self.content, str):
            return [self.content]
        if isinstance(self.content, TextPart):
            return [self.content.text]
        return [part.text for part in self.content]


class SamplingParams(SpecModel):
    """OpenAI ``sampling_params``, mapped to Converse ``inferenceConfig``."""

    temperature: float | None = Field(default=None, ge=0, le=2, description="Default 0 (a judge should be repeatable).")
    top_p: float | None = Field(default=None, gt=0, le=1, description="Nucleus sampling.")
    seed: int | None = Field(
        default=None, description="Accepted for OpenAI compatibility; Converse has no seed, ignored."
    )
    max_completions_tokens: int | None = Field(
        default=None,
        ge=16,
        description="Verdict token budget; default 1024, capped at 8192 (several Bedrock models reject more).",
    )
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high"] | None = Field(
        default=None, description="Passed to openai.* (gpt-oss) judges as reasoning_effort; ignored for other families."
    )


class JudgeSpecBase(SpecModel):
    """Fields shared by both judge types."""

    model: str | None = Field(default=None, description="Judge model: Bedrock model id, inference profile id or ARN.")
    models: list[str] | None = Field(
        default=None, min_length=1, max_length=5, description="Several judges (instead of model), combined by ensemble."
    )
    ensemble: Literal["mean", "majority"] = Field(
        default="mean",
        description="How several judges combine: mean of their 0..1 scores; majority: median score "
        "(score_model) or most common label, a tie passing only if every tied label passes (label_model).",
    )
    input: list[JudgeMessage] = Field(
        min_length=1, description="Prompt messages with {{sample.*}} / {{item.*}} templates."
    )
    max_concurrency: int = Field(default=8, ge=1, le=64, description="Judge calls in flight at once within a batch.")
    max_attempts: int = Field(
        default=6, ge=1, le=20, description="Attempts per call on throttling and transient errors (jittered backoff)."
    )
    verdict_format: Literal["auto", "tool", "json_schema", "json"] = Field(
        default="auto",
        description="How the verdict is requested: tool (Converse tool use, forced), json_schema (Converse "
        "structured output), json (instructions only); auto: tool for anthropic, amazon.nova and mistral, else json.",
    )
    sampling_params: SamplingParams | None = Field(default=None, description="OpenAI sampling parameters.")
    max_response_chars: int = Field(
        default=16_000,
        ge=1_000,
        le=2_000_000,
        description="The response ({{sample.output_text}} / output_json) is cut to this many characters for the "
        "judge: head and tail kept, a marker line where the middle was left out (metric judge_truncated).",
    )
    max_context_chars: int = Field(
        default=64_000,
        ge=1_000,
        le=2_000_000,
        description="The same limit for every other quoted value ({{sample.conversation}}, {{item.*}}).",
    )

    _model_refs = field_validator("model")(lambda cls, v: v if v is None else _check_model(v))

    @field_validator("models")
    @classmethod
    def _models(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            for item in value:
                _check_model(item)
            if len(set(value)) != len(value):
                raise ValueError("models must not repeat")
        return value

    @model_validator(mode="after")
    def _one_model_source(self):
        if (self.model is None) == (self.models is None):
            raise ValueError("give exactly one of model (one judge) or models (an ensemble)")
        return self

    @property
    def model_list(self) -> list[str]:
        if self.models:
            return list(self.models)
        assert self.model is not None  # _one_model_source: model is set when models is not
        return [self.model]


class ScoreModelSpec(JudgeSpecBase):
    """OpenAI ``score_model``: the judge returns a number in ``range``, mapped to 0..1."""

    type: Literal["score_model"] = Field(description="Grader type.")
    name: str = Field(
        default="score_model", min_length=1, max_length=128, description="Name of this grader; used as the metric name."
    )
    range: list[float] = Field(
        default=[0.0, 1.0], description="[low, high] of the judge's score; mapped linearly to 0..1."
    )
    pass_threshold: float | None = Field(
        default=None, description="Optional; reported as a pass/fail metric (in range units)."
    )

    @field_validator("range")
    @classmethod
    def _range(cls, value: list[float]) -> list[float]:
        if len(value) != 2 or not value[0] < value[1]:
            raise ValueError("must be [low, high] with low < high")
        return value


class LabelModelSpec(JudgeSpecBase):
    """OpenAI ``label_model``: the judge picks one of ``labels``; 1 if it is a passing label."""

    type: Literal["label_model"] = Field(description="Grader type.")
    name: str = Field(
        default="label_model", min_length=1, max_length=128, description="Name of this grader; used as the metric name."
    )
    labels: list[str] = Field(description="The labels the judge chooses from.")
    passing_labels: list[str] = Field(min_length=1, description="Labels that score 1 (a subset of labels).")

    _labels = field_validator("labels")(lambda cls, value: check_labels(value))

    @model_validator(mode="after")
    def _subset(self):
        unknown = [label for label in self.passing_labels if label not in self.labels]
        if unknown:
            raise ValueError(f"passing_labels {unknown} are not in labels")
        if len({label.strip().lower() for label in self.labels}) != len(self.labels):
            raise ValueError("labels must differ ignoring case")
        return self


JUDGE_SPECS: tuple[type[SpecModel], ...] = (ScoreModelSpec, LabelModelSpec)


def sampling(spec: JudgeSpecBase) -> dict[str, Any]:
    """The effective sampling settings (defaults applied)."""
    params = spec.sampling_params or SamplingParams()
    return {
        "temperature": 0.0 if params.temperature is None else params.temperature,
        "top_p": params.top_p,
        "max_tokens": min(params.max_completions_tokens or 1024, 8192),
        "reasoning_effort": params.reasoning_effort,
    }
