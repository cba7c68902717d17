"""Rubric judge templates: each expands to a ``score_model`` on a 0..10 scale (-> 0..1).

Every template takes the judge (``model``, or ``models`` + ``ensemble``), optional extra
``criteria``, and ``reference_guided``: when true the reference answer
(``{{item.reference_answer}}`` unless ``reference`` says otherwise) is shown to the judge
with instructions on how to use it. The prompt texts live here, reviewed and versioned with
the code. Note that ``spec_hash`` covers a template's options, not its rubric text: a rubric
edit is a code change and must be treated as a new grader version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from ..spec_primitives import REFERENCE, SpecModel, TemplateStr
from ..templates import TemplateSpec
from .spec import JudgeMessage, ScoreModelSpec, _check_model

SCALE = """Score on a 0 to 10 scale. Judge substance, not length: padding, repetition or \
filler never earns points, and a longer answer is not better for being longer. Think briefly \
about the criteria before giving the score."""


class JudgeTemplate(TemplateSpec):
    """Options shared by the rubric templates."""

    if TYPE_CHECKING:
        name: str  # declared (with its default) by every concrete template; not a field here

    model: str | None = Field(default=None, description="Judge model: Bedrock model id, inference profile id or ARN.")
    models: list[str] | None = Field(default=None, description="Several judges instead of model (an ensemble).")
    ensemble: Literal["mean", "majority"] = Field(
        default="mean", description="How several judges combine (mean or median)."
    )
    reference_guided: bool = Field(default=False, description="Show the reference answer to the judge.")
    reference: TemplateStr = Field(
        default=REFERENCE, description="Where the reference answer is (with reference_guided)."
    )
    criteria: list[str] = Field(default_factory=list, description="Extra criteria appended to the rubric.")
    max_concurrency: int = Field(default=8, ge=1, le=64, description="Judge calls in flight at once within a batch.")
    max_attempts: int = Field(
        default=6, ge=1, le=20, description="Attempts per call on throttling and transient errors."
    )
    verdict_format: Literal["auto", "tool", "json_schema", "json"] = Field(
        default="auto", description="How the verdict is requested."
    )
    pass_threshold: float | None = Field(
        default=None, ge=0, le=10, description="Optional pass/fail metric on the 0..10 score."
    )
    max_response_chars: int = Field(
        default=16_000, ge=1_000, le=2_000_000, description="Response size limit for the judge (see score_model)."
    )
    max_context_chars: int = Field(
        default=64_000, ge=1_000, le=2_000_000, description="Size limit of other quoted values (see score_model)."
    )

    RUBRIC: ClassVar[str] = ""
    WITH_REFERENCE: ClassVar[str] = ""

    _model_ref = field_validator("model")(lambda cls, v: v if v is None else _check_model(v))
    _model_refs = field_validator("models")(lambda cls, v: v if v is None else [_check_model(m) for m in v])

    @model_validator(mode="after")
    def _one_model_source(self):
        if (self.model is None) == (self.models is None):
            raise ValueError("give the judge: exactly one of model (one judge) or models (an ensemble)")
        return self

    def _material(self) -> list[str]:
        """Labelled template lines for the user message (before the response)."""
        return ["The conversation so far:\n{{sample.conversation}}"]

    def expand(self) -> SpecModel:
        rubric = self.RUBRIC
        if self.reference_guided:
            rubric += "\n\n" + self.WITH_REFERENCE
        if self.criteria:
            rubric += "\n\nAlso apply these criteria:\n" + "\n".join(f"- {c}" for c in self.criteria)
        rubric += "\n\n" + SCALE
        lines = self._material()
        if self.reference_guided:
            lines.append("The reference answer:\n" + self.reference)
        lines.append("The response to evaluate:\n{{sample.output_text}}")
        return ScoreModelSpec(
            type="score_model",
            name=self.name,
            model=self.model,
            models=self.models,
            ensemble=self.ensemble,
            input=[
                JudgeMessage(role="system", content=rubric),
                JudgeMessage(role="user", content="\n\n".join(lines)),
            ],
            range=[0.0, 10.0],
            pass_threshold=self.pass_threshold,
            max_concurrency=self.max_concurrency,
            max_attempts=self.max_attempts,
            verdict_format=self.verdict_format,
            max_response_chars=self.max_response_chars,
            max_context_chars=self.max_context_chars,
        )


class ConversationQualityTemplate(JudgeTemplate):
    """Overall quality of the assistant's next turn in a conversation (helpful, correct,
    coherent, clear, appropriate in tone and safe)."""

    template: Literal["conversation_quality"] = Field(description="Template name.")
    name: str = Field(
        default="conversation_quality", min_length=1, description="Name of this grader; used as the metric name."
    )

    RUBRIC: ClassVar[str] = """Rate the quality of the response as the assistant's next turn in the conversation.
Criteria:
- Helpfulness: it does what the user actually asked.
- Correctness: its facts and reasoning are right.
- Coherence: it fits the conversation so far and does not contradict it.
- Clarity: well organised, no needless repetition.
- Tone and safety: appropriate to the user; nothing harmful.
Anchors: 0 = off-topic, unusable or harmful; 3 = major problems; 5 = acceptable with notable \
flaws; 8 = good with minor flaws; 10 = excellent, nothing to improve."""
    WITH_REFERENCE: ClassVar[str] = """A reference answer shows what a good response contains. \
Missing or contradicting its key points costs more than differences of wording or style; a \
response may also be better than the reference."""


class InstructionFollowingJudgeTemplate(JudgeTemplate):
    """How fully the response follows the user's instructions (format, length, language,
    content constraints and the task itself), judged by a model: for instructions no rule
    can check. Use the rule-based ``instruction_following`` template where IFEval ids fit."""

    template: Literal["instruction_following_judge"] = Field(description="Template name.")
    name: str = Field(
        default="instruction_following_judge", min_length=1, description="Name of this grader; used as the metric name."
    )

    RUBRIC: ClassVar[str] = """Judge how well the response follows every instruction the user gave \
in the conversation: the task itself and each explicit constraint (format, length, language, \
style, things to include or to avoid). Check the instructions one by one.
Anchors: 10 = every instruction followed; deduct in proportion to the number and importance \
of the instructions broken; 0 = the instructions are ignored. Do not reward qualities that \
were not asked for."""
    WITH_REFERENCE: ClassVar[str] = """The reference answer follows all the instructions; use it \
to settle what an instruction requires. A response may differ from it and still comply."""


class SummarizationTemplate(JudgeTemplate):
    """Quality of a summary: faithful to the source, covers its main points, concise.
    The source is the conversation (document in the prompt) unless ``source`` names it."""

    template: Literal["summarization"] = Field(description="Template name.")
    name: str = Field(
        default="summarization", min_length=1, description="Name of this grader; used as the metric name."
    )
    source: TemplateStr | None = Field(
        default=None,
        description="Where the source document is, e.g. {{item.document}}; default: it is in the conversation.",
    )

    RUBRIC: ClassVar[str] = """Judge the response as a summary of the source document.
Criteria:
- Faithfulness: every statement is supported by the source; an invented or contradicted fact \
is a serious defect.
- Coverage: the main points of the source are present.
- Concision: no unnecessary detail; at equal coverage, shorter is better.
- Any length, format or focus the user asked for.
Anchors: 0 = unrelated or mostly unfaithful; 5 = faithful but misses main points or is padded; \
10 = faithful, covers the main points, concise."""
    WITH_REFERENCE: ClassVar[str] = """The reference answer is a good summary: use it to identify \
the main points the summary must cover, not as wording to match."""

    def _material(self) -> list[str]:
        lines = super()._material()
        if self.source:
            lines.append("The source document:\n" + self.source)
        return lines


class RagFaithfulnessTemplate(JudgeTemplate):
    """Whether an answer is grounded in the retrieved context (``{{item.context}}`` unless
    ``context`` says otherwise): unsupported claims cost, contradictions cost most."""

    template: Literal["rag_faithfulness"] = Field(description="Template name.")
    name: str = Field(
        default="rag_faithfulness", min_length=1, description="Name of this grader; used as the metric name."
    )
    context: TemplateStr = Field(default="{{item.context}}", description="Where the retrieved context is.")

    RUBRIC: ClassVar[str] = """Judge whether the response answers the user's question faithfully \
to the retrieved context. Every factual claim must be supported by the context; a claim not \
in the context is unsupported even if it is true; a claim contradicting the context is worst. \
Saying that the context does not contain the answer, when it does not, is faithful.
Anchors: 10 = every claim supported and the question answered from the context; 5 = mostly \
supported, some unsupported claims; 0 = mostly unsupported or contradicting the context."""
    WITH_REFERENCE: ClassVar[str] = """The reference answer is a correct answer built from the \
context: a faithful response that leaves out its key points loses some points for \
completeness, but faithfulness comes first."""

    def _material(self) -> list[str]:
        return super()._material() + ["The retrieved context:\n" + self.context]


JUDGE_TEMPLATE_SPECS: tuple[type[TemplateSpec], ...] = (
    ConversationQualityTemplate,
    InstructionFollowingJudgeTemplate,
    SummarizationTemplate,
    RagFaithfulnessTemplate,
)
