"""Spec parsing: clear path-naming errors, judge slots, OpenAI JSON imports unchanged, hashing."""

import json

import pytest
from pydantic import BaseModel, ValidationError

from rft_graders.spec import GraderSpec, GraderSpecError, grader_spec_json_schema, parse_grader_spec, spec_hash

OPENAI_STRING_CHECK = json.loads("""
{"type": "string_check", "name": "Example string check grader",
 "input": "{{sample.output_text}}", "reference": "{{item.label}}", "operation": "eq"}""")
OPENAI_TEXT_SIMILARITY = json.loads("""
{"type": "text_similarity", "name": "Example text similarity grader",
 "input": "{{sample.output_text}}", "reference": "{{item.reference_answer}}",
 "evaluation_metric": "fuzzy_match"}""")
OPENAI_MULTI = json.loads("""
{"type": "multi",
 "graders": {
   "name": {"name": "name_grader", "type": "text_similarity", "input": "{{sample.output_json.name}}",
            "reference": "{{item.name}}", "evaluation_metric": "fuzzy_match", "pass_threshold": 0.9},
   "email": {"name": "email_grader", "type": "string_check", "input": "{{sample.output_json.email}}",
             "reference": "{{item.email}}", "operation": "eq"}},
 "calculate_output": "(name + email) / 2"}""")
OPENAI_PYTHON = json.loads("""
{"type": "python", "name": "python_grader", "image_tag": "2025-05-08",
 "source": "def grade(sample, item):\\n    return 1.0 if sample['output_text'] == item['reference_answer'] else 0.0\\n"}""")


@pytest.mark.parametrize("raw", [OPENAI_STRING_CHECK, OPENAI_TEXT_SIMILARITY, OPENAI_MULTI, OPENAI_PYTHON])
def test_openai_grader_json_imports_unchanged(raw):
    spec = parse_grader_spec(raw)
    assert spec.root.type == raw["type"]
    dumped = spec.model_dump(exclude_none=True)
    for key, value in raw.items():
        if key != "graders":
            assert dumped[key] == value


def test_openai_multi_grades_end_to_end():
    from grader_testkit import grade, make_sample

    sample = make_sample(
        '{"name": "Ada Lovelace", "email": "ada@example.com"}', {"name": "Ada Lovelace", "email": "ada@example.org"}
    )
    result = grade(OPENAI_MULTI, [sample])[0]
    assert result["aggregate_reward_score"] == pytest.approx(0.5)
    components = {m["name"]: m["value"] for m in result["metrics_list"] if m["type"] == "Reward"}
    assert components == {"name": 1.0, "email": 0.0}


@pytest.mark.parametrize(
    "raw, message",
    [
        ({**OPENAI_STRING_CHECK, "operation": "equals"}, "grader.operation: must be one of eq, ne, like, ilike"),
        (
            {
                "type": "multi",
                "graders": {"correct": {**OPENAI_STRING_CHECK, "operation": "x"}},
                "calculate_output": "correct",
            },
            "grader.graders.correct.operation: must be one of eq, ne, like, ilike",
        ),
        (
            {"type": "multi", "graders": {"a": OPENAI_STRING_CHECK}, "calculate_output": "a + b"},
            "grader.calculate_output: unknown name 'b'",
        ),
        (
            {"type": "multi", "graders": {"a": OPENAI_STRING_CHECK}, "calculate_output": "__import__('os')"},
            "grader.calculate_output: only these functions",
        ),
        (
            {"type": "score_model", "name": "judge", "input": [], "model": "o4-mini"},
            "grader.input: list should have at least 1 item",
        ),
        ({"type": "label_model"}, "grader.input: is required"),
        (
            {
                "type": "multi",
                "graders": {"j": {"type": "score_model", "input": [{"role": "user", "content": "x"}]}},
                "calculate_output": "j",
            },
            "grader.graders.j: give exactly one of model (one judge) or models (an ensemble)",
        ),
        (
            {"template": "conversation_quality", "model": "qwen.qwen3-32b-v1:0", "rubric": "be nice"},
            "grader.rubric: is not a known field",
        ),
        ({"template": "conversation_quality"}, "grader: give the judge: exactly one of model"),
        ({"type": "nope"}, "grader.type: unknown grader type 'nope'"),
        ({"template": "nope"}, "grader.template: unknown template 'nope'"),
        ({}, "grader: needs a type"),
        ({**OPENAI_STRING_CHECK, "colour": "red"}, "grader.colour: is not a known field"),
        ({"type": "string_check", "input": "x", "operation": "eq"}, "grader.reference: is required"),
        ({**OPENAI_STRING_CHECK, "input": "{{samples.output}}"}, "grader.input: unknown template variable"),
        ({**OPENAI_TEXT_SIMILARITY, "evaluation_metric": "cosine"}, "cosine"),
        ({"type": "regex", "pattern": "("}, "grader.pattern: not a valid regular expression"),
        (
            {"type": "lambda", "function_arn": "arn:aws:lambda:us-west-2:123:function:f"},
            "grader.function_arn: must be a Lambda function ARN",
        ),
        ({"type": "python", "source": "x", "module": "a.b"}, "exactly one of source"),
        ({"type": "python", "module": "not a module"}, "grader.module: must be a dotted module path"),
        ({"type": "json_schema", "schema": {"type": "bogus"}}, "grader.schema: not a valid JSON Schema"),
        ({"template": "math_reasoning", "format_weight": 1.5}, "grader.format_weight"),
        ({"template": "classification", "labels": ["only-one"]}, "grader.labels: give at least two labels"),
        ({"type": "string_check", "template": "math_reasoning"}, "either type or template"),
    ],
)
def test_errors_name_the_path(raw, message):
    with pytest.raises(GraderSpecError) as info:
        parse_grader_spec(raw)
    text = str(info.value)
    assert message in text
    assert "\n" not in text and len(text) < 400


def test_specs_are_frozen():
    spec = parse_grader_spec(OPENAI_STRING_CHECK)
    with pytest.raises(ValidationError):
        spec.root.operation = "ne"


def test_spec_hash_is_stable_and_sensitive():
    reordered = dict(reversed(list(OPENAI_STRING_CHECK.items())))
    assert spec_hash(OPENAI_STRING_CHECK) == spec_hash(reordered) == spec_hash(parse_grader_spec(reordered))
    assert len(spec_hash(OPENAI_STRING_CHECK)) == 64
    assert spec_hash(OPENAI_STRING_CHECK) != spec_hash({**OPENAI_STRING_CHECK, "operation": "ne"})
    # Defaults are part of the hash input, so an explicit default hashes like an omitted one.
    assert spec_hash({"type": "regex", "pattern": "x"}) == spec_hash(
        {"type": "regex", "pattern": "x", "mode": "search"}
    )


def test_grader_spec_is_a_pydantic_field_type_with_a_schema():
    class Customization(BaseModel):
        grader: GraderSpec

    parsed = Customization.model_validate({"grader": {"template": "classification", "label_field": "priority"}})
    assert parsed.grader.root.template == "classification"
    schema = grader_spec_json_schema()
    text = json.dumps(schema)
    assert "string_check" in text and "math_reasoning" in text
    assert "description" in text
    assert Customization.model_json_schema()


def test_every_field_has_a_description():
    from rft_graders.spec_primitives import PRIMITIVE_SPECS
    from rft_graders.templates import TEMPLATE_SPECS

    for model in PRIMITIVE_SPECS + TEMPLATE_SPECS:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


def test_templates_expand_to_primitives():
    spec = parse_grader_spec({"template": "math_reasoning", "format_weight": 0.25})
    expanded = spec.root.expand()
    assert expanded.type == "multi" and set(expanded.graders) == {"correct", "format"}
    assert expanded.calculate_output == "0.75 * correct + 0.25 * format"
    assert parse_grader_spec({"template": "math_reasoning"}).root.expand().type == "math"
    assert (
        parse_grader_spec({"template": "classification", "label_field": "priority"}).root.expand().reference
        == "{{item.priority}}"
    )


def test_templates_nest_inside_multi():
    raw = {
        "type": "multi",
        "graders": {"m": {"template": "math_reasoning"}, "f": {"type": "regex", "pattern": "boxed"}},
        "calculate_output": "0.9*m + 0.1*f",
    }
    assert parse_grader_spec(raw).root.graders["m"].template == "math_reasoning"


def test_yaml_examples_all_parse():
    from pathlib import Path

    import yaml

    examples = sorted((Path(__file__).resolve().parents[3] / "lambda" / "grader" / "examples").glob("*.yaml"))
    assert len(examples) >= 5
    for path in examples:
        parse_grader_spec(yaml.safe_load(path.read_text()))
