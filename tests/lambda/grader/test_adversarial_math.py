"""math_reasoning under attack: hedges in every phrasing, number styles, crafted worst cases.

Each attack has a control beside it (the honest response, or the defense switched off) that
scores the other way, so no test passes because the grader scores everything 0.
"""

import logging

import pytest
from grader_testkit import grade, make_sample, score

from rft_graders import math_answer

MATH = {"template": "math_reasoning"}
NO_DEFENSE = {"template": "math_reasoning", "shotgun_defense": False}
WORK = "Natalia sold 48/2 = 24 clips in May. Altogether she sold 48 + 24 = 72 clips.\n\n"

# Responses that commit to several values and end on (or include) the right one, 72.
HEDGES = [
    "The answer is 71 or 72.",
    "The answer is either 71 or 72.",
    "It could be 71, but it could also be 72. \\boxed{72}",
    "Maybe 71, maybe 72. #### 72",
    "Possible answers: 70, 71, 72.\n\nFinal answer: 72",
    "Candidates:\n- 70\n- 71\n- 72\n\n\\boxed{72}",
    "| Option | Value |\n|---|---|\n| A | 71 |\n| B | 72 |\n\nAnswer: 72",
    "\\boxed{71} or maybe \\boxed{72}",
    "#### 71\n#### 72",
    "#### 71\n\n\\boxed{72}",  # different marker kinds
    "The answer is 71.\n\\boxed{72}",
    "Answer: 71\nAnswer: 72",
    "x = 71 or x = 72",
    "x = 71 or x = 72. \\boxed{72}",
    "\\boxed{x = 71 \\text{ or } x = 72}",
    "\\boxed{71, 72}",
    "\\boxed{71 \\lor 72}",
    "I'm not sure whether it is 71 or 72. The answer is 72.",
    "It's 71, 72, or something close. The answer is 72.",
    "\\boxed{72} (or 71 if rounding differently)",
    "\\boxed{72}\n\nAlternatively, 71.",
    "71? or 72? Final answer: 72",
    "70, 71, 72",
    "71\n72",
    "71\u200bor\u200b72",  # zero-width spaces around the "or"
    "The answer is the number 71. \\boxed{72}",
    "\\boxed{7} " * 25 + "\\boxed{72}",  # more commitments than MAX_COMMITMENTS
    " ".join(str(n) for n in range(6000)) + " 72",  # a number dump
]


@pytest.mark.parametrize("hedge", HEDGES)
def test_hedges_score_zero(hedge):
    assert score(MATH, WORK + hedge, "72") == 0.0
    # Control: the same response with every candidate made 72 commits to one value and
    # scores 1, so the 0 above is the hedge detector's doing, not an extraction failure.
    # (A dump or a pile of boxes stays a hedge; its control is the defense switched off.)
    honest = hedge.replace("70", "72").replace("71", "72")
    if "\\boxed{7} " in hedge or len(hedge) > 1000:
        assert score(NO_DEFENSE, WORK + hedge, "72") == 1.0
    else:
        assert score(MATH, WORK + honest, "72") == 1.0


@pytest.mark.parametrize(
    "response, gold",
    [
        (WORK + "#### 72", "72"),
        (WORK + "The answer is 72.", "72"),
        (WORK, "72"),  # last-number fallback
        ("x^2 = 9 gives x = 3 or x = -3. Since x is a length, it is positive, so \\boxed{3}.", "3"),
        ("The units digit can be 1, 3, 5, 7, or 9, so there are 5 choices. \\boxed{5}", "5"),
        ("The probability is 1/2, or 50%. \\boxed{\\frac{1}{2}}", "1/2"),
        ("Either we add 48 and 24, or we count again; both give 72. #### 72", "72"),
        ("| Day | Clips |\n|---|---|\n| April | 48 |\n| May | 24 |\n| Total | 72 |\n\n#### 72", "72"),
        ("Hmm, is it 71? Let me recount: 48 + 24 = 72. So the answer is 72.", "72"),
        ("The answer is 10 dollars, or $10.", "10"),
        ("#### Step 1\n" + WORK + "#### Final answer\n\\boxed{72}", "72"),
        ("Final Answer: The final answer is $72$. I hope it is correct.", "72"),
        ("The answer is 72.\n\n\\boxed{72}", "72"),
    ],
)
def test_genuine_single_answers_with_working_score_one(response, gold):
    assert score(MATH, response, gold) == 1.0
    # Control: the same response against a wrong gold scores 0 (the 1 is not a free pass).
    assert score(MATH, response, "999") == 0.0


def test_a_multi_valued_gold_accepts_lists():
    assert score(MATH, "\\boxed{x = 3 \\text{ or } x = -3}", "3, -3") == 1.0
    assert score(MATH, "The answer is x = 3 or x = -3.", "3, -3") == 1.0
    assert score(MATH, "\\boxed{\\pm 3}", "3") == 0.0
    assert score(MATH, "\\boxed{\\pm 3}", "\\pm 3") == 1.0


@pytest.mark.parametrize(
    "written, value",
    [
        ("1,234,567", 1234567),
        ("12,34,567", 1234567),
        ("1,23,45,678", 12345678),
        ("1.234.567", 1234567),
        ("1.234.567,5", 1234567.5),
        ("1.234,5", 1234.5),
        ("1'234'567", 1234567),
        ("1\u2019234\u2019567", 1234567),
        ("1\u2009234\u2009567", 1234567),
        ("1\u00a0234\u00a0567", 1234567),
        ("1\u202f234\u202f567", 1234567),
        ("1 234 567", 1234567),
        ("1 234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234", 1.234),
        ("2 1/2", 2.5),
        ("-2 1/2", -2.5),
        ("2\\frac{1}{2}", 2.5),
        ("2½", 2.5),
        ("½", 0.5),
        ("٧٢", 72),
        ("٣٫٥", 3.5),
        ("١٬٢٣٤", 1234),
        ("７２", 72),
        ("४२", 42),
        ("−5", -5),
        ("2.5 million", 2_500_000),
        ("\\$1,000", 1000),
        ("₹ 1,20,000", 120000),
    ],
)
def test_number_styles(written, value):
    assert math_answer.parse_number(written) == pytest.approx(value)
    assert score(MATH, f"\\boxed{{{written}}}", str(value)) == 1.0


@pytest.mark.parametrize(
    "written, golds",
    [
        ("1,5", ["1.5", "15"]),  # decimal comma or a list: ambiguous, never a pass
        ("0,25", ["0.25", "25"]),
        ("1,234,56", ["123456", "1234.56"]),
        ("12,3", ["12.3", "123"]),
        ("2 1/2", ["2", "0.5", "1"]),
        ("5 or six", ["5"]),
        ("5 million", ["5"]),
    ],
)
def test_ambiguous_or_different_numbers_never_pass(written, golds):
    for gold in golds:
        assert score(MATH, f"\\boxed{{{written}}}", gold) == 0.0


def test_the_ambiguity_rule_is_the_documented_one():
    # "," + three digits is a thousands separator; anything else splits a list.
    assert math_answer.answer_parts("1,234") == ["1,234"]
    assert math_answer.answer_parts("1,5") == ["1", "5"]
    assert math_answer.answer_parts("(1, 2)") == ["(1, 2)"]
    assert math_answer.answer_parts("3 or 5") == ["3", "5"]
    assert math_answer.parse_number("1,5") is None


def test_fold_maps_unicode_digits_not_superscripts():
    assert math_answer.fold("٧٢ ７２ ४२") == "72 72 42"
    assert math_answer.fold("x²") == "x²"


def test_huge_exponents_and_digit_runs_are_refused_not_computed():
    assert math_answer.parse_number("1e999999999") is None
    assert score(MATH, "\\boxed{1e999999999}", "1") == 0.0
    assert score(MATH, "9" * 100_000, "9") == 0.0


# Inputs that took minutes with the old backtracking patterns; each must now simply grade.
# (Their time is measured in benchmarks/math_corpus.py, never asserted here.)
CRAFTED = {
    "newlines after an answer phrase": "the answer is" + "\n" * 90_000,
    "unit words after a number": "\\boxed{1" + " a" * 45_000 + "}",
    "unclosed boxes": "\\boxed{" * 14_000,
    "nested braces": "\\boxed{" + "{" * 90_000,
    "or list": "1 or 2 " * 14_000,
    "one megabyte": "the answer is" + "\n" * 1_000_000,
}


@pytest.mark.parametrize("name", CRAFTED)
def test_crafted_worst_cases_grade_to_zero(name):
    assert score(MATH, CRAFTED[name], "1") == 0.0


def test_a_response_over_the_cap_is_not_graded():
    long = WORK + " " * math_answer.MAX_RESPONSE_CHARS + "#### 72"
    result = grade(MATH, [make_sample(long, "72")])[0]
    assert result["aggregate_reward_score"] == 0.0
    assert {"name": "too_long", "value": 1.0, "type": "Metric"} in result["metrics_list"]
    assert score(MATH, WORK + " " * 1000 + "#### 72", "72") == 1.0  # control: under the cap


def test_math_verify_never_logs_the_answer(monkeypatch):
    """math-verify logs "Timeout during parsing: <answer>" at WARNING, which Lambda ships to
    CloudWatch; grading must keep every bit of the answer out of the logs."""
    import math_verify.parser as mv_parser
    from math_verify.errors import TimeoutException

    secret = "SECRET-ANSWER-7f3a"
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    def timeout(*args, **kwargs):
        raise TimeoutException("Operation timed out!")

    monkeypatch.setattr(mv_parser, "extract_target_from_pred", timeout)
    root = logging.getLogger()
    names = ("math_verify", "math_verify.parser", "math_verify.grader", "latex2sympy2_extended")
    saved = [(logging.getLogger(n), logging.getLogger(n).level, logging.getLogger(n).propagate) for n in names]
    root_level, handler = root.level, Collect(level=logging.DEBUG)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        # Control: math-verify as shipped (loggers untouched) logs the answer.
        for logger, _, _ in saved:
            logger.setLevel(logging.NOTSET)
            logger.propagate = True
        monkeypatch.setattr(math_answer, "_QUIET", False)
        mv_parser.parse(f"$x^{{{secret}}}$", parsing_timeout=1)
        assert any(secret in r.getMessage() for r in records), "control: math-verify logs the answer"
        records.clear()

        assert score(MATH, f"\\boxed{{x^{{{secret}}}}}", "x^2") == 0.0
        math_answer.symbolic_equal(f"x^{{{secret}}}", "x^2", 1)
        assert not any(secret in r.getMessage() for r in records)
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for logger, level, propagate in saved:
            logger.setLevel(level)
            logger.propagate = propagate


def test_a_list_quoted_from_the_question_is_not_a_hedge():
    response = "The bags hold 5 or 6 apples. Two bags of 6 give 2 * 6 = 12. #### 12"
    prompt = "Each bag holds 5 or 6 apples. Tom has two bags of 6. How many apples?"
    assert score(MATH, response, "12", prompt=prompt) == 1.0
    # Control: the same "5 or 6" not in the question is the response's own hedge.
    assert score(MATH, response, "12", prompt="Tom has two bags of 6 apples. How many apples?") == 0.0


# ---- fuzz: no response, however odd, makes the math grader error ---------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from(
    [
        "72",
        "71",
        "-3",
        "1,234",
        "1,5",
        "1.234.567",
        "1'234",
        "1\u2009234",
        "2 1/2",
        "½",
        "٧٢",
        "７２",
        "1e5",
        "1e9999",
        " or ",
        " and ",
        ", ",
        "; ",
        "\n",
        "\n\n",
        " ",
        "x = ",
        "\\pm",
        "±",
        "%",
        "$",
        "€",
        "\\%",
        "maybe ",
        "could be ",
        "the answer is ",
        "Answer: ",
        "Final answer: ",
        "#### ",
        "\\boxed{",
        "\\fbox{",
        "\\boxed ",
        "{",
        "}",
        "\\frac{",
        "\\text{",
        "<think>",
        "</think>",
        "<|channel|>analysis<|message|>",
        "<|channel|>final<|message|>",
        "<|end|>",
        "<|start|>",
        "assistantfinal",
        "| ",
        " |",
        "Option 1: ",
        "possible answers: ",
        "alternatively",
        "(",
        ")",
        "=",
        "^",
        "\\",
        "\u200b",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(_PIECES, max_size=40), gold=st.sampled_from(["72", "1234", "3, -3", "\\frac{1}{2}", "x^2"]))
def test_no_response_makes_the_math_grader_error(pieces, gold):
    result = grade(MATH, [make_sample("".join(pieces), gold)])[0]
    assert result["aggregate_reward_score"] in (0.0, 1.0)
    assert all(m["name"] != "grader_error" for m in result["metrics_list"]), result
