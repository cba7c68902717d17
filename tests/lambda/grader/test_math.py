"""math primitive and math_reasoning template: extraction, normalisation, shotgun defense."""

import pytest
from grader_testkit import score

from rft_graders.math_answer import boxed_contents, final_answers, parse_number

MATH = {"template": "math_reasoning"}


@pytest.mark.parametrize(
    "response, reference",
    [
        ("so the total is \\boxed{72}", "72"),
        ("Work...\n#### 72", "72"),
        ("The answer is 72.", "72"),
        ("48 + 24 = 72", "72"),
        ("\\boxed{1,234}", "1234"),
        ("\\boxed{1234}", "1,234"),
        ("\\boxed{\\frac{3}{4}}", "0.75"),
        ("\\boxed{3/4}", "\\frac{3}{4}"),
        ("\\boxed{\\dfrac{3}{4}}", "3/4"),
        ("\\boxed{75\\%}", "75"),
        ("\\boxed{50\\%}", "0.5"),
        ("\\boxed{\\$18}", "18"),
        ("\\boxed{18 \\text{ dollars}}", "18"),
        ("\\boxed{5 cm}", "5"),
        ("\\boxed{90^\\circ}", "90"),
        ("\\boxed{x = 4}", "4"),
        ("\\boxed{-3}", "−3"),
        ("\\boxed{\\frac{\\sqrt{2}}{2}}", "\\frac{1}{\\sqrt{2}}"),
        ("\\boxed{(x+1)^2}", "x^2 + 2x + 1"),
        ("\\boxed{\\boxed{7}}", "7"),
        ("\\boxed{\\frac{1}{\\frac{1}{2}}}", "2"),
        ("Solution text\n#### 72", "Natalia sold 48/2 = 24 clips in May.\n#### 72"),
        ("we get \\boxed{5}", "The area is $\\boxed{5}$."),
    ],
)
def test_right_answers_score_one(response, reference):
    assert score(MATH, response, reference) == 1.0


@pytest.mark.parametrize(
    "response, reference",
    [
        ("\\boxed{71}", "72"),
        ("#### 7.2", "72"),
        ("The answer is 720.", "72"),
        ("\\boxed{-72}", "72"),
        ("\\boxed{\\frac{4}{3}}", "0.75"),
        ("\\boxed{x^2 + 1}", "(x+1)^2"),
        ("\\boxed{\\pi}", "3"),
        ("", "72"),
        ("I do not know.", "72"),
        ("\\boxed{}", "72"),
        ("72" + " " * 10_000 + "\\boxed{73}", "72"),
    ],
)
def test_wrong_answers_score_zero(response, reference):
    assert score(MATH, response, reference) == 0.0


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{71} or maybe \\boxed{72}",
        "The answer is 70, 71, 72",
        "The answer is 71 or 72.",
        "#### 71\n#### 72",
        "\\boxed{70, 71, 72}",
    ],
)
def test_shotgun_answers_score_zero(response):
    assert score(MATH, response, "72") == 0.0


def test_repeating_the_same_answer_is_not_a_shotgun():
    assert score(MATH, "\\boxed{72} ... so again \\boxed{72.0}", "72") == 1.0


def test_tuple_gold_is_not_mistaken_for_shotgun():
    assert score(MATH, "\\boxed{(1, 2)}", "(1, 2)") == 1.0
    assert score(MATH, "\\boxed{(2, 1)}", "(1, 2)") == 0.0


def test_format_component_needs_exactly_one_box():
    spec = {"template": "math_reasoning", "format_weight": 0.2}
    assert score(spec, "\\boxed{72}", "72") == pytest.approx(1.0)
    assert score(spec, "#### 72", "72") == pytest.approx(0.8)
    assert score(spec, "\\boxed{70}", "72") == pytest.approx(0.2)
    assert score(spec, "\\boxed{70} \\boxed{72}", "72") == 0.0


def test_empty_reference_is_a_grader_error():
    from grader_testkit import grade, make_sample

    result = grade(MATH, [make_sample("\\boxed{1}", "")])[0]
    assert any(m["name"] == "grader_error" for m in result["metrics_list"])


def test_last_number_fallback_can_be_disabled():
    assert score({"template": "math_reasoning", "fallback_last_number": False}, "48 + 24 = 72", "72") == 0.0


def test_unicode_and_huge_inputs():
    assert score(MATH, "答案是 \\boxed{72} ✅", "72") == 1.0
    assert score(MATH, "9" * 5000, "72") == 0.0


def test_helpers():
    assert boxed_contents("a \\boxed{\\frac{1}{2}} b \\fbox{3}") == ["\\frac{1}{2}", "3"]
    assert boxed_contents("\\boxed{unclosed") == []
    assert final_answers("no numbers here") == ([], "none")
    assert parse_number("1,234.5") == parse_number("1234.5")
    assert parse_number("12,34") is None
    assert parse_number("1/0") is None
