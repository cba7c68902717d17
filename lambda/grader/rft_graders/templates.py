"""Grader templates: named, tested compositions of primitive graders.

A template spec is written ``{template: <name>, ...options}``. ``expand()`` turns it into the
primitive spec that actually runs; ``build`` is just ``expand().build``. The expected
reference format of each template is in its docstring and in ``lambda/grader/TEMPLATES.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from .spec_primitives import (
    REFERENCE,
    CodeSpec,
    InstructionFollowingSpec,
    JsonSchemaSpec,
    LabelMatchSpec,
    MathSpec,
    MultiSpec,
    RegexSpec,
    SpecModel,
    TemplateStr,
    check_answer_regex,
    check_json_schema,
    check_labels,
)

# RE2 (which runs every pattern on model output) has no lookahead, so "exactly one \boxed,
# followed by {...}" is spelled as text without \boxed, \boxed{, text without \boxed, },
# text without \boxed. Text without \boxed: non-backslashes, then backslash-led pieces that
# do not continue as "boxed" (they stop at a proper prefix of it or diverge from it).
_NO_BOXED_PIECE = r"\\(?:(?:[^\\b]|b[^\\o]|bo[^\\x]|box[^\\e]|boxe[^\\d])[^\\]*|b|bo|box|boxe)?"
_NO_BOXED = r"[^\\]*(?:" + _NO_BOXED_PIECE + ")*"
_NO_BOXED_NONEMPTY = r"(?:[^\\]+(?:" + _NO_BOXED_PIECE + ")*|(?:" + _NO_BOXED_PIECE + ")+)"
ONE_BOXED = _NO_BOXED + r"\\boxed\{" + _NO_BOXED_NONEMPTY + r"\}" + _NO_BOXED


class TemplateSpec(SpecModel):
    def expand(self) -> SpecModel:  # pragma: no cover - abstract
        raise NotImplementedError


class MathReasoningTemplate(TemplateSpec):
    """Math word problems / competition math with a single final answer.

    Reference: the final answer (``"72"``, ``"\\frac{3}{4}"``, ``"50%"``), or a worked solution
    ending in ``#### 72`` or containing ``\\boxed{72}``. Response: free reasoning (``<think>``
    blocks and reasoning channels are stripped before grading); the final answer is the last
    ``\\boxed{}``, else the text after the last ``####``, else after "the answer is", else
    (option) the last number. A response that commits to several different values (several
    disagreeing answers, a list, candidate values offered in prose or a table) scores 0; the
    labelled corpus ``tests/lambda/grader/data/math_corpus.jsonl`` is the spec. With
    ``format_weight`` w > 0 the reward is ``(1-w)*correct + w*format`` where format checks for
    a ``\\boxed{}`` answer.
    """

    template: Literal["math_reasoning"] = Field(description="Template name.")
    name: str = Field(
        default="math_reasoning", min_length=1, description="Name of this grader; used as the metric name."
    )
    reference: TemplateStr = Field(default=REFERENCE, description="Where the gold answer is.")
    format_weight: float = Field(
        default=0.0, ge=0, lt=1, description="Weight of the \\boxed{} format component (0 = off)."
    )
    fallback_last_number: bool = Field(default=True, description="Use the last number when no answer marker exists.")
    symbolic: bool = Field(default=True, description="Use math-verify for non-numeric answers.")
    shotgun_defense: bool = Field(
        default=True, description="A response committing to several different values scores 0."
    )
    rel_tol: float = Field(default=1e-6, ge=0, description="Relative tolerance for numeric answers.")
    timeout_s: int = Field(default=2, ge=1, le=30, description="Time bound for symbolic comparison.")

    def expand(self) -> SpecModel:
        correct = MathSpec(
            type="math",
            name="correct",
            reference=self.reference,
            fallback_last_number=self.fallback_last_number,
            symbolic=self.symbolic,
            shotgun_defense=self.shotgun_defense,
            rel_tol=self.rel_tol,
            timeout_s=self.timeout_s,
        )
        if self.format_weight == 0:
            return correct.model_copy(update={"name": self.name})
        # Exactly one \boxed{} answer: a second box is a hedge and earns no format credit.
        boxed = RegexSpec(type="regex", name="format", pattern=ONE_BOXED, mode="fullmatch")
        weight = round(self.format_weight, 6)
        return MultiSpec(
            type="multi",
            name=self.name,
            graders={"correct": correct, "format": boxed},
            calculate_output=f"{round(1 - weight, 6)} * correct + {weight} * format",
        )


class CodeGenerationTemplate(TemplateSpec):
    """Python function synthesis checked by unit tests (HumanEval / MBPP style).

    Reference: ``{"tests": "<python>", "entry_point": "<function name>"}``. ``tests`` is either
    plain asserts (MBPP) or a ``check(candidate)`` function (HumanEval), which the sandbox
    calls with the function named by ``entry_point``. The response's code is the last fenced
    python block, else the whole text. Runs in the code sandbox, never in the grader.
    """

    template: Literal["code_generation"] = Field(description="Template name.")
    name: str = Field(
        default="code_generation", min_length=1, description="Name of this grader; used as the metric name."
    )
    tests: TemplateStr = Field(default="{{item.tests}}", description="Where the tests are.")
    entry_point: TemplateStr | None = Field(default="{{item.entry_point}}", description="Where the entry point is.")
    scoring: Literal["all_or_nothing", "fraction"] = Field(
        default="all_or_nothing", description="How tests become a score."
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Sandbox time limit per sample.")

    def expand(self) -> SpecModel:
        return CodeSpec(
            type="code",
            name=self.name,
            tests=self.tests,
            entry_point=self.entry_point,
            scoring=self.scoring,
            timeout_s=self.timeout_s,
        )


class InstructionFollowingTemplate(TemplateSpec):
    """IFEval-style verifiable instructions (all 25 IFEval instruction types).

    Reference: ``{"instructions": [{"id": "length_constraints:number_words", "relation":
    "at least", "num_words": 100}, ...]}`` (kwarg names as in Google's IFEval), or IFEval's own
    ``{"instruction_id_list": [...], "kwargs": [...]}``. Score = fraction of instructions met.
    """

    template: Literal["instruction_following"] = Field(description="Template name.")
    name: str = Field(
        default="instruction_following", min_length=1, description="Name of this grader; used as the metric name."
    )
    reference: TemplateStr = Field(default=REFERENCE, description="Where the instructions are.")
    mode: Literal["strict", "loose"] = Field(default="strict", description="IFEval strict or loose checking.")

    def expand(self) -> SpecModel:
        return InstructionFollowingSpec(
            type="instruction_following", name=self.name, reference=self.reference, mode=self.mode
        )


class ClassificationTemplate(TemplateSpec):
    """Single-label classification.

    Reference: the gold label as a string, in ``reference_answer`` or in the dataset field
    named by ``label_field``. With ``labels`` the response must name exactly one allowed
    label (an answer outside the set, or naming several, scores 0); without, the normalised
    answer must equal the gold label.
    """

    template: Literal["classification"] = Field(description="Template name.")
    name: str = Field(
        default="classification", min_length=1, description="Name of this grader; used as the metric name."
    )
    label_field: str = Field(
        default="reference_answer", pattern=r"^[A-Za-z_][\w.]*$", description="Item key holding the gold label."
    )
    labels: list[str] | None = Field(default=None, description="The allowed label set (recommended).")
    case_sensitive: bool = Field(default=False, description="Compare labels case-sensitively.")
    answer_regex: str | None = Field(default=None, description="Regex whose first group is the answer span.")

    _labels = field_validator("labels")(lambda cls, value: check_labels(value))
    _answer_regex = field_validator("answer_regex")(lambda cls, value: check_answer_regex(value))

    def expand(self) -> SpecModel:
        return LabelMatchSpec(
            type="label_match",
            name=self.name,
            reference="{{item." + self.label_field + "}}",
            labels=self.labels,
            case_sensitive=self.case_sensitive,
            answer_regex=self.answer_regex,
        )


class ExtractionTemplate(TemplateSpec):
    """Structured extraction into JSON, with partial credit per field.

    Reference: the expected JSON object (``{"name": "Ada", "year": 1843}``). The response is
    JSON (a code fence is fine). Score = fraction of reference fields (or of ``fields``)
    matched; strings compare case- and whitespace-insensitively, numbers with a tolerance,
    nested values exactly. An optional ``schema`` gates the score (invalid = 0).
    """

    template: Literal["extraction"] = Field(description="Template name.")
    name: str = Field(default="extraction", min_length=1, description="Name of this grader; used as the metric name.")
    reference: TemplateStr = Field(default=REFERENCE, description="Where the expected object is.")
    fields: list[str] | None = Field(default=None, description="Only compare these fields.")
    json_schema: dict[str, Any] | None = Field(default=None, alias="schema", description="Optional JSON Schema gate.")
    string_match: Literal["exact", "normalized"] = Field(default="normalized", description="String comparison.")

    model_config = {"frozen": True, "extra": "forbid", "populate_by_name": True, "serialize_by_alias": True}

    def expand(self) -> SpecModel:
        return JsonSchemaSpec(
            type="json_schema",
            name=self.name,
            reference=self.reference,
            fields=self.fields,
            schema=self.json_schema,
            string_match=self.string_match,
        )

    _valid_schema = field_validator("json_schema")(lambda cls, value: check_json_schema(value))


TEMPLATE_SPECS: tuple[type[TemplateSpec], ...] = (
    MathReasoningTemplate,
    CodeGenerationTemplate,
    InstructionFollowingTemplate,
    ClassificationTemplate,
    ExtractionTemplate,
)

# Names that parse but are rejected, with the reason (none today; the mechanism stays for
# templates that are announced before they ship). The judge templates live in
# ``judges/templates.py`` and are registered in ``spec.py``.
UNSUPPORTED_TEMPLATES: dict[str, str] = {}
