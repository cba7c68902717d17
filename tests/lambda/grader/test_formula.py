"""calculate_output is parsed with ast and never eval-ed."""

import math

import pytest

from rft_graders.formula import Formula, FormulaError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a + b", 1.5),
        ("(a + b) / 2", 0.75),
        ("a * b", 0.5),
        ("a - b", 0.5),
        ("-a + 2", 1.0),
        ("a ^ 2", 1.0),
        ("b ^ 2", 0.25),
        ("b ** 2", 0.25),
        ("min(a, b)", 0.5),
        ("max(a, b, 0.7)", 1.0),
        ("abs(b - a)", 0.5),
        ("floor(b + 0.6)", 1.0),
        ("ceil(b)", 1.0),
        ("exp(0)", 1.0),
        ("sqrt(b * b)", 0.5),
        ("log(exp(b))", 0.5),
        ("0.3 * a + 0.7 * b", 0.65),
    ],
)
def test_allowed_formulas(text, expected):
    assert Formula(text, {"a", "b"}).evaluate({"a": 1.0, "b": 0.5}) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a.__class__",
        "a if b else 0",
        "[a, b]",
        "lambda: 1",
        "open('x')",
        "a and b",
        "a < b",
        "'text'",
        "True + a",
        "min(a, key=b)",
        "sqrt(a, b)",
        "c",
        "",
        "a +",
        "a % 2",
        "a // 2",
        "exp()",
    ],
)
def test_rejected_formulas(text):
    with pytest.raises(FormulaError):
        Formula(text, {"a", "b"})


def test_arithmetic_failures_raise_not_hang():
    with pytest.raises(ZeroDivisionError):
        Formula("a / b", {"a", "b"}).evaluate({"a": 1.0, "b": 0.0})
    with pytest.raises(OverflowError):
        Formula("10 ^ 400", set()).evaluate({})
    with pytest.raises(ValueError):
        Formula("log(a)", {"a"}).evaluate({"a": 0.0})


def test_negative_base_fractional_power_is_an_error_not_complex():
    with pytest.raises(ValueError):
        Formula("a ^ 0.5", {"a"}).evaluate({"a": -1.0})


def test_multi_formula_failure_is_a_sample_error_not_a_crash():
    from grader_testkit import grade, make_sample

    spec = {
        "type": "multi",
        "graders": {"a": {"type": "regex", "pattern": "yes"}},
        "calculate_output": "1 / a",
    }
    results = grade(spec, [make_sample("yes"), make_sample("no", sid="s2")])
    assert results[0]["aggregate_reward_score"] == 1.0
    assert results[1]["aggregate_reward_score"] == 0.0
    assert any(m["name"] == "grader_error" for m in results[1]["metrics_list"])
    assert not math.isnan(results[1]["aggregate_reward_score"])
