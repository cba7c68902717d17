"""The offline reference probe: for each template, a usable reference passes and a broken one
is reported as a grader error; nothing is executed and lambda graders are skipped."""

from __future__ import annotations

import pytest

from rft_workflow import grading

PROMPT = [{"role": "user", "content": "question"}]

CASES = {
    "math_reasoning": ({"template": "math_reasoning"}, "72", ""),
    "classification": ({"template": "classification", "labels": ["a", "b"]}, "a", "c"),
    "extraction": ({"template": "extraction"}, {"vendor": "Acme", "total": 3}, "not json"),
    "instruction_following": (
        {"template": "instruction_following"},
        {"instructions": [{"id": "length_constraints:number_words", "relation": "at least", "num_words": 5}]},
        {"instructions": [{"id": "no_such:instruction"}]},
    ),
    "code_generation": (
        {"template": "code_generation"},
        {"tests": "assert f(1) == 2", "entry_point": "f"},
        {"tests": "", "entry_point": "f"},
    ),
    "string_check_like": (
        {
            "type": "string_check",
            "input": "{{sample.output_text}}",
            "reference": "{{item.reference_answer}}",
            "operation": "like",
        },
        "yes",
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_good_reference_passes_and_bad_is_reported(name):
    spec, good, bad = CASES[name]
    rows = [{"messages": PROMPT, "reference_answer": good}, {"messages": PROMPT, "reference_answer": bad}]
    problems = grading.reference_problems(spec, rows)
    assert [index for index, _ in problems] == [1], problems


def test_missing_item_field_is_reported():
    spec = {"template": "classification", "label_field": "priority"}
    rows = [
        {"messages": PROMPT, "reference_answer": "x", "priority": "high"},
        {"messages": PROMPT, "reference_answer": "x"},
    ]
    problems = grading.reference_problems(spec, rows)
    assert len(problems) == 1 and problems[0][0] == 1 and "priority" in problems[0][1]


def test_code_is_never_executed():
    sandbox = grading._VerdictOnlySandbox()
    rows = [{"messages": PROMPT, "reference_answer": {"tests": "import os; os._exit(1)", "entry_point": "f"}}]
    from rft_graders.batch import grade_batch
    from rft_graders.build import BuildContext, build_grader

    grader = build_grader({"template": "code_generation"}, BuildContext(sandbox=sandbox))
    report = grade_batch([grading.probe_sample(rows[0], 0)], grader)
    # the probe's verdict is made up ("passed"): it only proves the grader read the row
    assert sandbox.runs == 1 and report.results[0]["aggregate_reward_score"] == 1.0 and not report.errors


def test_lambda_graders_skip_the_probe():
    spec = {
        "type": "multi",
        "graders": {
            "a": {"type": "lambda", "function_arn": "arn:aws:lambda:us-west-2:123456789012:function:x"},
            "b": {"type": "regex", "pattern": "x"},
        },
        "calculate_output": "a + b",
    }
    assert "forwards to another Lambda" in grading.probe_skip_reason(spec)
    assert grading.probe_skip_reason({"template": "math_reasoning"}) is None
