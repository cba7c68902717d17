"""Reasoning is never graded as the answer: <think> blocks (Qwen3 / DeepSeek-R1), gpt-oss
harmony channels and reasoning fields are stripped where the sample's answer text is made,
so every template and primitive reads the answer only; graders that want the reasoning read
``{{sample.reasoning_text}}`` / ``{{sample.response_text}}``.

Each test pairs the reasoning-shaped response with a control (the same words without the
reasoning markup, or the raw response) that scores the other way.
"""

import pytest
from grader_testkit import grade, make_sample, score

from rft_graders import bedrock_event

MATH = {"template": "math_reasoning"}
EQ = {
    "type": "string_check",
    "input": "{{sample.output_text}}",
    "reference": "{{item.reference_answer}}",
    "operation": "eq",
}


def split(text):
    from rft_graders.reasoning import split_reasoning

    return split_reasoning(text)


# ---- the split itself ---------------------------------------------------------------------


def test_qwen_think_block():
    result = split("<think>\n48/2 = 24, 48 + 24 = 72\n</think>\n\nThe answer is 72.")
    assert (result.answer, result.reasoning, result.complete) == ("The answer is 72.", "48/2 = 24, 48 + 24 = 72", True)


def test_think_opened_by_the_chat_template():
    # Qwen3 / R1 templates put "<think>" in the prompt: the completion only closes it.
    assert split("48 + 24 = 72\n</think>\n\n\\boxed{72}").answer == "\\boxed{72}"


def test_every_block_is_stripped_and_the_rest_is_the_answer():
    assert split("A <think>x</think> B <THINK>y</THINK> C").answer == "A  B  C"
    assert split("<thinking>x</thinking>42").answer == "42"
    assert split("<think> a <think> b </think> c </think> d").answer == "d"  # nested


def test_unclosed_think_means_no_answer():
    result = split("<think>The answer is \\boxed{72}, I keep thinking")
    assert result.answer == "" and not result.complete
    assert split("\\boxed{72} <think>").answer == ""


def test_text_without_reasoning_is_untouched():
    assert split(" Paris \n").answer == " Paris \n"


def test_harmony_final_channel_is_the_answer():
    text = (
        "<|channel|>analysis<|message|>We need 48 + 24. Maybe 71?<|end|>"
        "<|start|>assistant<|channel|>final<|message|>The answer is 72.<|return|>"
    )
    result = split(text)
    assert result.answer == "The answer is 72."
    assert result.reasoning == "We need 48 + 24. Maybe 71?"


def test_harmony_with_commentary_and_constrain():
    text = (
        "<|start|>assistant<|channel|>analysis<|message|>think<|end|>"
        '<|start|>assistant<|channel|>commentary to=functions.calc<|constrain|>json<|message|>{"x": 1}<|call|>'
        "<|start|>assistant<|channel|>final<|message|>42<|end|>"
    )
    assert split(text).answer == "42"


def test_harmony_without_a_final_message_has_no_answer():
    assert split("<|channel|>analysis<|message|>The answer is 72 but").answer == ""
    assert split("<|channel|>analysis<|message|>done<|end|>").answer == ""


def test_harmony_decoded_without_special_tokens():
    assert split("analysisWe need 48+24 = 72.assistantfinalThe answer is 72.").answer == "The answer is 72."
    assert split("analysis of the problem: 72").answer == "analysis of the problem: 72"  # no marker, untouched


def test_a_flood_of_tags_has_no_answer():
    from rft_graders.reasoning import MAX_TAGS

    assert split("<think></think>" * (MAX_TAGS // 2 - 1) + "42").answer == "42"
    assert split("<think></think>" * (MAX_TAGS + 1) + "42").answer == ""


# ---- through the grader: every template / primitive reads the answer only -----------------


QWEN_RIGHT = "<think>\nIs it 71? Let me check: 48 + 24 = 72. The answer is 71... no.\n</think>\n\n\\boxed{72}"
QWEN_ANSWER_IN_REASONING = "<think>\nThe answer is \\boxed{72}.\n</think>\n\nI am not sure."
HARMONY_RIGHT = (
    "<|channel|>analysis<|message|>Candidates: 70, 71, 72. The answer is 71?<|end|>"
    "<|start|>assistant<|channel|>final<|message|>\\boxed{72}<|return|>"
)


def test_a_correct_answer_after_reasoning_scores_one():
    assert score(MATH, QWEN_RIGHT, "72") == 1.0
    assert score(MATH, HARMONY_RIGHT, "72") == 1.0
    # Control: the same words with the markup removed are a hedge (71 and 72) and score 0.
    assert score(MATH, QWEN_RIGHT.replace("<think>", "").replace("</think>", ""), "72") == 0.0


def test_an_answer_inside_the_reasoning_scores_zero():
    assert score(MATH, QWEN_ANSWER_IN_REASONING, "72") == 0.0
    # Control: the same text as a plain answer would score 1.
    assert score(MATH, "The answer is \\boxed{72}.\n\nI am not sure.", "72") == 1.0


def test_an_unclosed_think_scores_zero():
    assert score(MATH, "<think>The answer is \\boxed{72}", "72") == 0.0
    assert score(MATH, "<think>The answer is</think> \\boxed{72}", "72") == 1.0  # control


def test_exact_match_primitives_see_the_answer_only():
    assert score(EQ, "<think>hmm, Lyon?</think>\n\nParis", "Paris") == 1.0
    raw = EQ | {"input": "{{sample.response_text}}"}
    assert score(raw, "<think>hmm, Lyon?</think>\n\nParis", "Paris") == 0.0  # control: the raw text


def test_python_graders_get_the_answer_and_the_reasoning():
    # team_grader_example compares output_text with the reference.
    spec = {"type": "python", "module": "team_grader_example"}
    assert score(spec, "<think>Lyon</think>Paris", "Paris") == 1.0
    assert score(spec, "<think>Paris</think>Lyon", "Paris") == 0.0
    sample = bedrock_event.to_sample(make_sample("<think>Lyon</think>Paris", "Paris"))
    namespace = sample.sample_namespace()
    assert (namespace["output_text"], namespace["reasoning_text"]) == ("Paris", "Lyon")
    assert namespace["response_text"] == "<think>Lyon</think>Paris"


def _event(message):
    return {
        "id": "s1",
        "messages": [{"role": "user", "content": "q"}, {"role": "assistant", **message}],
        "reference_answer": "72",
    }


@pytest.mark.parametrize(
    "message",
    [
        {"content": "\\boxed{72}", "reasoning_content": "The answer is \\boxed{71}"},  # vLLM / DeepSeek
        {"content": "\\boxed{72}", "reasoning": "The answer is \\boxed{71}"},  # gpt-oss via chat completions
        {
            "content": [
                {"type": "reasoning", "text": "The answer is \\boxed{71}"},
                {"type": "text", "text": "\\boxed{72}"},
            ]
        },
        {
            "content": [
                {"type": "thinking", "thinking": "The answer is \\boxed{71}"},
                {"type": "text", "text": "\\boxed{72}"},
            ]
        },
        {
            "content": [
                {"reasoningContent": {"reasoningText": {"text": "The answer is \\boxed{71}"}}},
                {"text": "\\boxed{72}"},
            ]
        },
    ],
    ids=["reasoning_content", "reasoning", "reasoning_part", "thinking_part", "converse_reasoningContent"],
)
def test_reasoning_fields_are_reasoning_not_answer(message):
    raw = _event(message)
    assert grade(MATH, [raw])[0]["aggregate_reward_score"] == 1.0
    sample = bedrock_event.to_sample(raw)
    assert "\\boxed{71}" in sample.reasoning_text and "71" not in sample.output_text
    # Control: the reasoning text, were it in the answer, makes the response a hedge.
    merged = _event({"content": "The answer is \\boxed{71}\n\\boxed{72}"})
    assert grade(MATH, [merged])[0]["aggregate_reward_score"] == 0.0


def test_graders_that_want_the_reasoning_can_read_it():
    # A format reward that checks the model reasoned before answering.
    think_format = {
        "type": "regex",
        "input": "{{sample.response_text}}",
        "pattern": "^<think>.+</think>",
        "dotall": True,
    }
    assert score(think_format, "<think>work</think>\\boxed{72}", "72") == 1.0
    assert score(think_format, "\\boxed{72}", "72") == 0.0
    on_reasoning = {"type": "regex", "input": "{{sample.reasoning_text}}", "pattern": "48 \\+ 24"}
    assert score(on_reasoning, "<think>48 + 24 = 72</think>\\boxed{72}", "72") == 1.0
    assert score(on_reasoning, "<think>no work</think>48 + 24 = 72", "72") == 0.0


def test_reasoning_paths_are_strings_in_templates():
    from rft_graders.spec import GraderSpecError, parse_grader_spec

    parse_grader_spec({"type": "regex", "input": "{{sample.reasoning_text}}", "pattern": "x"})
    with pytest.raises(GraderSpecError, match="is a string"):
        parse_grader_spec({"type": "regex", "input": "{{sample.reasoning_text.x}}", "pattern": "x"})
