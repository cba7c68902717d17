"""Primitive grader specs (pydantic v2, frozen, extra fields forbidden).

Field names follow OpenAI's RFT grader vocabulary (``string_check``, ``text_similarity``,
``multi``, ``python``) so OpenAI grader JSON validates unchanged; the other types are ours.
The models are data only: ``rft_graders.build`` maps each to its implementation.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .templating import check_template

if TYPE_CHECKING:
    from .spec import AnyGraderSpec  # resolved at run time by MultiSpec.model_rebuild in spec.py

OUTPUT_TEXT = "{{sample.output_text}}"
REFERENCE = "{{item.reference_answer}}"


def _valid_template(value: str) -> str:
    check_template(value)
    return value


TemplateStr = Annotated[str, AfterValidator(_valid_template)]


def check_pattern(value: str, **flags) -> str:
    """A spec pattern must run in RE2 (linear time on model output); say why when it cannot."""
    from .linear import check_user_pattern

    check_user_pattern(value, **flags)
    return value


def check_answer_regex(value: str | None) -> str | None:
    """label_match's answer_regex: runs in RE2 (case-insensitive, dotall), one capture group."""
    if value is not None:
        from .linear import check_user_pattern

        try:
            check_user_pattern(value, ignore_case=True, dotall=True, groups=1)
        except ValueError as exc:
            if "capture group" in str(exc):
                raise ValueError(f"pattern {value!r} needs one capture group for the answer") from None
            raise
    return value


def schema_patterns(schema: Any) -> list[str]:
    """Every regex in a JSON Schema: ``pattern`` values and ``patternProperties`` keys.
    Values under enum/const/default/examples are data, not schemas, and are skipped."""
    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.append(node["pattern"])
            if isinstance(node.get("patternProperties"), dict):
                found.extend(node["patternProperties"])
            stack.extend(v for k, v in node.items() if k not in ("enum", "const", "default", "examples"))
    return found


def _uses(schema: Any, keyword: str) -> bool:
    if isinstance(schema, list):
        return any(_uses(v, keyword) for v in schema)
    if isinstance(schema, dict):
        return keyword in schema or any(
            _uses(v, keyword) for k, v in schema.items() if k not in ("enum", "const", "default", "examples")
        )
    return False


def check_json_schema(value: dict | None) -> dict | None:
    """Reject a schema that jsonschema itself calls invalid (at parse time, not per sample),
    or whose regexes RE2 cannot run (the grader matches them in RE2, see json_schema.py)."""
    if value is not None:
        from jsonschema import Draft202012Validator, SchemaError

        try:
            Draft202012Validator.check_schema(value)
        except SchemaError as exc:
            raise ValueError(f"not a valid JSON Schema: {exc.message}") from None
        for pattern in schema_patterns(value):
            check_pattern(pattern)
        if _uses(value, "patternProperties") and _uses(value, "unevaluatedProperties"):
            # jsonschema evaluates that pair with Python's backtracking re on the
            # response's property names; the grader replaces every other use with RE2.
            raise ValueError("patternProperties together with unevaluatedProperties is not supported")
    return value


def check_labels(value: list[str] | None) -> list[str] | None:
    if value is not None:
        if len(value) < 2:
            raise ValueError("give at least two labels")
        if any(not label.strip() for label in value):
            raise ValueError("labels must not be empty")
    return value


class SpecModel(BaseModel):
    """Base of every spec: immutable, and unknown fields are an error (typos must not pass)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _name(default: str) -> Any:
    return Field(
        default=default, min_length=1, max_length=128, description="Name of this grader; used as the metric name."
    )


class StringCheckSpec(SpecModel):
    """OpenAI ``string_check``: 1 when the comparison holds, else 0."""

    type: Literal["string_check"] = Field(description="Grader type.")
    name: str = _name("string_check")
    input: TemplateStr = Field(description="Text to check, usually {{sample.output_text}}.")
    reference: TemplateStr = Field(description="Text to compare with, usually {{item.<key>}}.")
    operation: Literal["eq", "ne", "like", "ilike"] = Field(
        description="eq: equal; ne: not equal; like: input contains reference; ilike: like, ignoring case."
    )


SimilarityMetric = Literal[
    "fuzzy_match", "bleu", "gleu", "meteor", "rouge_1", "rouge_2", "rouge_3", "rouge_4", "rouge_5", "rouge_l"
]


class TextSimilaritySpec(SpecModel):
    """OpenAI ``text_similarity``: the similarity score (0..1) is the reward."""

    type: Literal["text_similarity"] = Field(description="Grader type.")
    name: str = _name("text_similarity")
    input: TemplateStr = Field(description="Text to score, usually {{sample.output_text}}.")
    reference: TemplateStr = Field(description="Reference text, usually {{item.<key>}}.")
    evaluation_metric: SimilarityMetric = Field(description="Similarity measure.")
    pass_threshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Optional; reported as a pass/fail metric, the reward stays the raw score.",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_cosine(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("evaluation_metric") == "cosine":
            raise ValueError("evaluation_metric 'cosine' needs an embedding model and is not supported")
        return data


class MultiSpec(SpecModel):
    """OpenAI ``multi``: named sub-graders combined by a formula."""

    type: Literal["multi"] = Field(description="Grader type.")
    name: str = _name("multi")
    graders: dict[str, AnyGraderSpec] = Field(
        min_length=1, description="Sub-graders by name; the names are the formula's variables."
    )
    calculate_output: str = Field(
        description="Formula over sub-grader names: numbers, + - * / ^, min max abs floor ceil exp sqrt log."
    )

    @field_validator("graders")
    @classmethod
    def _identifier_names(cls, graders: dict) -> dict:
        for key in graders:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) or key in _FORMULA_WORDS:
                raise ValueError(f"sub-grader name '{key}' must be an identifier and not a formula function")
        return graders

    @field_validator("calculate_output")
    @classmethod
    def _formula(cls, value: str, info: ValidationInfo) -> str:
        from .formula import Formula

        if "graders" in info.data:  # else the graders error is reported instead
            Formula(value, set(info.data["graders"]))
        return value


_FORMULA_WORDS = {"min", "max", "abs", "floor", "ceil", "exp", "sqrt", "log"}


class PythonSpec(SpecModel):
    """OpenAI ``python``: a ``grade(sample, item) -> float`` function.

    ``module`` (a module in the repo, code-reviewed with it) runs in-process. Inline ``source``
    (typically pasted from OpenAI grader JSON, not part of the reviewed package) runs in the
    code sandbox like model-written code: no credentials, no network, resource limits.
    """

    type: Literal["python"] = Field(description="Grader type.")
    name: str = _name("python")
    source: str | None = Field(
        default=None, description="Python source defining grade(sample, item); runs in the sandbox."
    )
    module: str | None = Field(
        default=None,
        description="Dotted module path (e.g. graders.my_team) defining grade(sample, item); runs in-process.",
    )
    image_tag: str | None = Field(default=None, description="Accepted for OpenAI compatibility; ignored.")
    pass_threshold: float | None = Field(
        default=None, ge=0, le=1, description="Optional; reported as a pass/fail metric."
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Time limit per sample for sandboxed source.")

    @field_validator("module")
    @classmethod
    def _module_path(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", value):
            raise ValueError("must be a dotted module path such as graders.ticket_triage")
        return value

    @model_validator(mode="after")
    def _one_of(self) -> PythonSpec:
        if (self.source is None) == (self.module is None):
            raise ValueError("give exactly one of source (sandboxed) or module (in-process)")
        if self.source is not None and len(self.source.encode()) > 256 * 1024:
            raise ValueError("source is larger than 256 KB")
        if self.source is not None:
            from .primitives.python_grader import check_source_imports  # the sandbox's import limits

            check_source_imports(self.source)
        return self


class RegexSpec(SpecModel):
    """1 when the pattern matches the input (or does not, with ``negate``)."""

    type: Literal["regex"] = Field(description="Grader type.")
    name: str = _name("regex")
    input: TemplateStr = Field(default=OUTPUT_TEXT, description="Text to match.")
    pattern: str = Field(
        min_length=1,
        description="Regular expression in RE2 syntax (linear time on any response): Python's syntax "
        "without backreferences, lookarounds, atomic groups or possessive quantifiers; \\w \\d \\s \\b are "
        "ASCII (use \\p{L}, \\p{N} for Unicode). Inputs over 100,000 characters score 0.",
    )
    mode: Literal["search", "fullmatch"] = Field(
        default="search", description="search: anywhere; fullmatch: whole input."
    )
    ignore_case: bool = Field(default=False, description="Case-insensitive matching.")
    multiline: bool = Field(default=False, description="^ and $ match at line breaks.")
    dotall: bool = Field(default=False, description=". matches newlines.")
    negate: bool = Field(default=False, description="Score 1 when the pattern does NOT match.")

    _pattern = field_validator("pattern")(lambda cls, value: check_pattern(value))

    @model_validator(mode="after")
    def _fits_with_flags(self) -> RegexSpec:
        check_pattern(self.pattern, ignore_case=self.ignore_case, multiline=self.multiline, dotall=self.dotall)
        return self


class NumericSpec(SpecModel):
    """1 when the number in the input is within tolerance of the reference number."""

    type: Literal["numeric"] = Field(description="Grader type.")
    name: str = _name("numeric")
    input: TemplateStr = Field(default=OUTPUT_TEXT, description="Text holding the answer.")
    reference: TemplateStr = Field(default=REFERENCE, description="Reference number (or text holding one).")
    extract: Literal["last_number", "whole"] = Field(
        default="last_number",
        description="last_number: the last number in the input; whole: the input must be a number.",
    )
    abs_tol: float = Field(default=1e-9, ge=0, description="Absolute tolerance.")
    rel_tol: float = Field(default=0.0, ge=0, description="Relative tolerance (fraction of the reference).")


class JsonSchemaSpec(SpecModel):
    """Valid JSON, optionally valid against a JSON Schema, optionally field-matched with partial credit."""

    type: Literal["json_schema"] = Field(description="Grader type.")
    name: str = _name("json_schema")
    input: TemplateStr = Field(default=OUTPUT_TEXT, description="Text holding the JSON (a code fence is allowed).")
    json_schema: dict[str, Any] | None = Field(
        default=None, alias="schema", description="JSON Schema the answer must satisfy (a gate: invalid scores 0)."
    )
    reference: TemplateStr | None = Field(
        default=None,
        description="Expected object, e.g. {{item.reference_answer}}; score = fraction of its fields matched.",
    )
    fields: list[str] | None = Field(default=None, description="Only compare these reference fields.")
    string_match: Literal["exact", "normalized"] = Field(
        default="normalized", description="normalized: ignore case, surrounding and repeated whitespace."
    )
    number_tol: float = Field(default=1e-6, ge=0, description="Relative tolerance for numeric fields.")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True)

    _valid_schema = field_validator("json_schema")(lambda cls, value: check_json_schema(value))


class MathSpec(SpecModel):
    """Final-answer math grading: extraction, numeric normalisation, symbolic equivalence."""

    type: Literal["math"] = Field(description="Grader type.")
    name: str = _name("math")
    input: TemplateStr = Field(default=OUTPUT_TEXT, description="The solution text.")
    reference: TemplateStr = Field(
        default=REFERENCE, description="The gold answer (a '#### x' or \\boxed{x} is extracted)."
    )
    fallback_last_number: bool = Field(
        default=True, description="When no \\boxed{}, '####' or 'the answer is' marker exists, use the last number."
    )
    symbolic: bool = Field(
        default=True, description="Fall back to math-verify symbolic equivalence for non-numeric answers."
    )
    shotgun_defense: bool = Field(
        default=True, description="Score 0 when the response commits to several different answers."
    )
    rel_tol: float = Field(default=1e-6, ge=0, description="Relative tolerance for numeric answers.")
    abs_tol: float = Field(default=1e-9, ge=0, description="Absolute tolerance for numeric answers.")
    timeout_s: int = Field(default=2, ge=1, le=30, description="Time bound for symbolic parsing and comparison.")


class CodeSpec(SpecModel):
    """Runs the response's code against tests in the code sandbox."""

    type: Literal["code"] = Field(description="Grader type.")
    name: str = _name("code")
    input: TemplateStr = Field(default=OUTPUT_TEXT, description="Text holding the code (fenced or plain).")
    tests: TemplateStr = Field(default="{{item.tests}}", description="Python test code: asserts, or check(candidate).")
    entry_point: TemplateStr | None = Field(
        default="{{item.entry_point}}",
        description="Function under test (passed to check()); missing in the item means none.",
    )
    scoring: Literal["all_or_nothing", "fraction"] = Field(
        default="all_or_nothing",
        description="all_or_nothing: 1 only if every test passes; fraction: share of tests passed.",
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Time limit per sample in the sandbox.")
    extract_code: bool = Field(default=True, description="Take the last fenced python block when there is one.")


class InstructionFollowingSpec(SpecModel):
    """IFEval-style verifiable instructions; score = fraction satisfied."""

    type: Literal["instruction_following"] = Field(description="Grader type.")
    name: str = _name("instruction_following")
    input: TemplateStr = Field(default=OUTPUT_TEXT, description="The response text.")
    reference: TemplateStr = Field(
        default=REFERENCE,
        description="The instructions: {instructions: [{id, ...kwargs}]}, IFEval's "
        "{instruction_id_list, kwargs}, or a bare list.",
    )
    mode: Literal["strict", "loose"] = Field(
        default="strict",
        description="loose also accepts the response with markdown asterisks or first/last line removed.",
    )


_LAMBDA_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?"
)


class LambdaSpec(SpecModel):
    """Forwards the batch (unchanged Bedrock samples) to another grader Lambda."""

    type: Literal["lambda"] = Field(description="Grader type.")
    name: str = _name("lambda")
    function_arn: str = Field(description="ARN of a Lambda that speaks the Bedrock grader contract.")
    max_batch_size: int = Field(
        default=100, ge=1, le=1000, description="Samples per invoke (Lambda payloads cap at 6 MB)."
    )

    @field_validator("function_arn")
    @classmethod
    def _arn(cls, value: str) -> str:
        if not _LAMBDA_ARN.fullmatch(value):
            raise ValueError(
                "must be a Lambda function ARN: arn:aws:lambda:<region>:<12-digit account>:function:<name>[:alias]"
            )
        return value


class LabelMatchSpec(SpecModel):
    """Normalised label match against an allowed label set (used by the classification template)."""

    type: Literal["label_match"] = Field(description="Grader type.")
    name: str = _name("label_match")
    input: TemplateStr = Field(default=OUTPUT_TEXT, description="The response text.")
    reference: TemplateStr = Field(default=REFERENCE, description="The gold label.")
    labels: list[str] | None = Field(
        default=None,
        description="Allowed labels. With a set, the response must name exactly one of them; "
        "without, the whole (normalised) answer must equal the gold label.",
    )
    case_sensitive: bool = Field(default=False, description="Compare labels case-sensitively.")
    answer_regex: str | None = Field(
        default=None,
        description="Optional regex (RE2 syntax, case-insensitive, . matches newlines); its first group "
        "(last match) is the answer span, e.g. 'Label:\\s*(.+)'.",
    )

    _labels = field_validator("labels")(lambda cls, value: check_labels(value))

    _answer_regex = field_validator("answer_regex")(lambda cls, value: check_answer_regex(value))


PRIMITIVE_SPECS: tuple[type[SpecModel], ...] = (
    StringCheckSpec,
    TextSimilaritySpec,
    MultiSpec,
    PythonSpec,
    RegexSpec,
    NumericSpec,
    JsonSchemaSpec,
    MathSpec,
    CodeSpec,
    InstructionFollowingSpec,
    LambdaSpec,
    LabelMatchSpec,
)
