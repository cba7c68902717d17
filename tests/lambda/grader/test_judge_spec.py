"""Judge specs: OpenAI JSON imported unchanged, templates, judge_models, same_family."""

import json

import pytest
from grader_testkit import make_sample
from judge_testkit import FakeBedrock, env, text_reply, verdict

from rft_graders.batch import grade_batch
from rft_graders.build import BuildContext, build_grader
from rft_graders.judges import is_bedrock_model, model_family, same_family
from rft_graders.spec import GraderSpecError, grader_spec_json_schema, parse_grader_spec, spec_hash
from rft_graders.spec_walk import judge_models

# As in OpenAI's RFT guide and cookbook: a score_model with a system rubric, a 0-10 range
# and o-series sampling params; message items carry "type": "message".
OPENAI_SCORE_MODEL = json.loads("""
{
  "type": "score_model",
  "name": "gpt41_score_model_1",
  "input": [
    {"type": "message", "role": "system", "content": "You are an expert grader. Compare the model's answer with the reference answer and score it from 0 to 10: 10 if it matches in meaning, 0 if it is wrong or missing."},
    {"type": "message", "role": "user", "content": "Reference Answer: {{item.reference_answer}}. Model's Answer: {{sample.output_text}}"}
  ],
  "pass_threshold": 5,
  "range": [0, 10],
  "model": "o4-mini-2025-04-16",
  "sampling_params": {"seed": 42, "temperature": 1, "max_completions_tokens": 32768, "top_p": 1, "reasoning_effort": "medium"}
}
""")

OPENAI_LABEL_MODEL = json.loads("""
{
  "type": "label_model",
  "name": "tone_check",
  "model": "gpt-4o-2024-08-06",
  "input": [
    {"role": "developer", "content": "Classify the tone of the support reply as polite, neutral or rude."},
    {"role": "user", "content": [{"type": "input_text", "text": "Customer message: {{item.customer_message}}\\nReply: {{sample.output_text}}"}]}
  ],
  "labels": ["polite", "neutral", "rude"],
  "passing_labels": ["polite", "neutral"]
}
""")

OPENAI_MULTI_WITH_JUDGE = {
    "type": "multi",
    "graders": {
        "tone": OPENAI_LABEL_MODEL,
        "mentions_ticket": {
            "type": "string_check",
            "name": "ticket",
            "input": "{{sample.output_text}}",
            "reference": "{{item.ticket_id}}",
            "operation": "like",
        },
    },
    "calculate_output": "tone * mentions_ticket",
}


@pytest.mark.parametrize("raw", [OPENAI_SCORE_MODEL, OPENAI_LABEL_MODEL, OPENAI_MULTI_WITH_JUDGE])
def test_openai_judge_json_parses_unchanged(raw):
    spec = parse_grader_spec(raw)
    dumped = spec.model_dump(mode="json", exclude_none=True)
    assert dumped["type"] == raw["type"]
    assert len(spec_hash(raw)) == 64


def test_openai_score_model_grades_with_a_scripted_judge():
    fake = FakeBedrock(lambda request, n: text_reply(verdict(score=7)))
    grader = build_grader(OPENAI_SCORE_MODEL, BuildContext(judge_client_factory=lambda: fake, judge_env=env()))
    result = grade_batch([make_sample("Paris", "Paris")], grader).results[0]
    assert result["aggregate_reward_score"] == pytest.approx(0.7)
    metrics = {m["name"]: m["value"] for m in result["metrics_list"]}
    assert metrics["gpt41_score_model_1_pass"] == 1.0
    request = fake.requests[0]
    assert request["inferenceConfig"]["temperature"] == 1  # the imported value is honoured
    assert "You are an expert grader." in request["system"][0]["text"]
    assert "additionalModelRequestFields" in request  # o4-mini is family openai: effort passed


def test_openai_multi_mixing_label_model_and_string_check():
    fake = FakeBedrock(lambda request, n: text_reply(verdict(label="polite")))
    grader = build_grader(OPENAI_MULTI_WITH_JUDGE, BuildContext(judge_client_factory=lambda: fake, judge_env=env()))
    samples = [
        make_sample(
            "Sorry about TCK-9, fixed now.", metadata={"ticket_id": "TCK-9", "customer_message": "broken"}, sid="a"
        ),
        make_sample("Fixed now.", metadata={"ticket_id": "TCK-9", "customer_message": "broken"}, sid="b"),
    ]
    results = grade_batch(samples, grader).results
    assert [r["aggregate_reward_score"] for r in results] == [1.0, 0.0]
    user_text = fake.requests[0]["messages"][0]["content"][0]["text"]
    assert "customer_message>>>\nbroken\n" in user_text  # item values are quoted blocks too


@pytest.mark.parametrize(
    "raw, message",
    [
        ({**OPENAI_SCORE_MODEL, "range": [10, 0]}, "grader.range: must be [low, high]"),
        ({**OPENAI_SCORE_MODEL, "models": ["a.b"]}, "exactly one of model"),
        ({**OPENAI_SCORE_MODEL, "model": "bad model id"}, "grader.model: must be a Bedrock model id"),
        ({**OPENAI_LABEL_MODEL, "passing_labels": ["great"]}, "passing_labels ['great'] are not in labels"),
        ({**OPENAI_SCORE_MODEL, "max_concurrency": 0}, "grader.max_concurrency"),
        ({**OPENAI_SCORE_MODEL, "input": [{"role": "tool", "content": "x"}]}, "grader.input.0.role"),
        (
            {**OPENAI_SCORE_MODEL, "input": [{"role": "user", "content": "{{sample.reasoning}}"}]},
            "unknown template variable",
        ),
        (
            {"template": "rag_faithfulness", "model": "qwen.qwen3-32b-v1:0", "context": "{{nope}}"},
            "grader.context: unknown template variable",
        ),
        (
            {"template": "summarization", "models": ["qwen.qwen3-32b-v1:0"], "model": "qwen.qwen3-32b-v1:0"},
            "exactly one of model",
        ),
    ],
)
def test_judge_spec_errors_name_the_path(raw, message):
    with pytest.raises(GraderSpecError) as info:
        parse_grader_spec(raw)
    assert message in str(info.value)


TEMPLATES = ["conversation_quality", "instruction_following_judge", "summarization", "rag_faithfulness"]


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("guided", [False, True])
def test_templates_expand_to_score_models_with_reference_only_when_guided(name, guided):
    spec = parse_grader_spec(
        {"template": name, "model": "qwen.qwen3-32b-v1:0", "reference_guided": guided, "criteria": ["Cites sources."]}
    )
    expanded = spec.root.expand()
    assert expanded.type == "score_model" and expanded.range == [0.0, 10.0] and expanded.name == name
    text = json.dumps(expanded.model_dump(mode="json"))
    assert ("{{item.reference_answer}}" in text) == guided
    assert "{{sample.output_text}}" in text and "{{sample.conversation}}" in text and "Cites sources." in text
    assert "not better for being longer" in text  # every rubric carries the anti-verbosity rule


def test_rag_and_summarization_templates_quote_their_sources():
    seen = []
    fake = FakeBedrock(lambda request, n: seen.append(request) or text_reply(verdict(score=10)))
    ctx = BuildContext(judge_client_factory=lambda: fake, judge_env=env())
    sample = make_sample(
        "Paris.", "Paris", metadata={"context": "Paris is the capital of France.", "document": "Long doc"}
    )
    grade_batch([sample], build_grader({"template": "rag_faithfulness", "model": "qwen.qwen3-32b-v1:0"}, ctx))
    grade_batch(
        [sample],
        build_grader({"template": "summarization", "model": "qwen.qwen3-32b-v1:0", "source": "{{item.document}}"}, ctx),
    )
    rag, summary = (r["messages"][0]["content"][0]["text"] for r in seen)
    assert " context>>>\nParis is the capital of France.\n" in rag
    assert " document>>>\nLong doc\n" in summary
    assert " conversation>>>\n### user\nq\n" in rag


def test_every_judge_field_has_a_description():
    from rft_graders.judges.spec import JUDGE_SPECS, JudgeMessage, SamplingParams, TextPart
    from rft_graders.judges.templates import JUDGE_TEMPLATE_SPECS

    for model in JUDGE_SPECS + JUDGE_TEMPLATE_SPECS + (JudgeMessage, SamplingParams, TextPart):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"
    schema = json.dumps(grader_spec_json_schema())
    assert "score_model" in schema and "rag_faithfulness" in schema


def test_judge_models_walks_templates_and_nested_multi():
    spec = {
        "type": "multi",
        "graders": {
            "a": {
                "template": "rag_faithfulness",
                "models": ["us.anthropic.claude-3-5-haiku-20241022-v1:0", "amazon.nova-pro-v1:0"],
            },
            "b": {
                "type": "multi",
                "graders": {"c": OPENAI_LABEL_MODEL, "d": {"type": "regex", "pattern": "x"}},
                "calculate_output": "c * d",
            },
            "e": {"template": "math_reasoning"},
        },
        "calculate_output": "a * b * e",
    }
    expected = {"us.anthropic.claude-3-5-haiku-20241022-v1:0", "amazon.nova-pro-v1:0", "gpt-4o-2024-08-06"}
    assert judge_models(spec) == expected
    assert judge_models(parse_grader_spec(spec)) == expected
    assert judge_models({"template": "math_reasoning"}) == set()


@pytest.mark.parametrize(
    "judge, base, same",
    [
        ("qwen.qwen3-235b-a22b-2507-v1:0", "qwen.qwen3-32b-v1:0", True),
        ("us.anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", True),
        ("arn:aws:bedrock:us-west-2::foundation-model/openai.gpt-oss-120b-1:0", "openai.gpt-oss-20b-1:0", True),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0",
            "amazon.nova-2-lite-v1:0",
            True,
        ),
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "qwen.qwen3-32b-v1:0", False),
        ("amazon.titan-text-premier-v1:0", "amazon.nova-lite-v1:0", False),
        ("o4-mini", "openai.gpt-oss-20b-1:0", True),
        ("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3", "qwen.qwen3-32b-v1:0", False),
        ("meta.llama3-70b-instruct-v1:0", "mistral.mistral-large-2402-v1:0", False),
    ],
)
def test_same_family(judge, base, same):
    assert same_family(judge, base) is same


def test_model_family_and_bedrock_ids():
    assert model_family("eu.meta.llama3-2-3b-instruct-v1:0") == "meta"
    assert model_family("us-gov.anthropic.claude-3-haiku-20240307-v1:0") == "anthropic"
    assert model_family("amazon.nova-pro-v1:0") == "amazon.nova"
    assert is_bedrock_model("qwen.qwen3-32b-v1:0") and is_bedrock_model("us.anthropic.claude-3-5-haiku-20241022-v1:0")
    assert not is_bedrock_model("o4-mini-2025-04-16") and not is_bedrock_model("gpt-4.1-2025-04-14")
