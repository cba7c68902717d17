"""A response's JSON is parsed safely: any unreadable JSON is the policy's 0, never a grader error.

A grader error counts toward the error-rate alarm, so a policy that learns to emit deeply
nested JSON must not be able to raise it.
"""

import pytest
from grader_testkit import grade, make_sample

MAX_JSON_DEPTH = 64  # rft_graders.sample.MAX_JSON_DEPTH, checked below

FIELD = {
    "type": "string_check",
    "input": "{{sample.output_json.a}}",
    "reference": "{{item.reference_answer}}",
    "operation": "eq",
}
EXTRACTION = {"template": "extraction"}


def _metrics(result):
    return {m["name"]: m["value"] for m in result["metrics_list"]}


@pytest.mark.parametrize(
    "response",
    [
        "[" * 100_000 + "]" * 100_000,  # json's own recursion limit: RecursionError
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),  # parses, but later code would recurse
        '{"a": NaN}',
        '{"a": Infinity}',
    ],
)
@pytest.mark.parametrize("spec", [FIELD, EXTRACTION], ids=["output_json", "extraction"])
def test_unreadable_json_scores_zero_without_a_grader_error(spec, response):
    result = grade(spec, [make_sample(response, {"a": "x"} if spec is EXTRACTION else "x")])[0]
    assert result["aggregate_reward_score"] == 0.0
    assert "grader_error" not in _metrics(result)


@pytest.mark.parametrize("spec", [FIELD, EXTRACTION], ids=["output_json", "extraction"])
def test_control_readable_json_still_scores(spec):
    assert (
        grade(spec, [make_sample('{"a": "x"}', {"a": "x"} if spec is EXTRACTION else "x")])[0]["aggregate_reward_score"]
        == 1.0
    )


def test_depth_limit_is_exact():
    from rft_graders.sample import MAX_JSON_DEPTH as limit
    from rft_graders.sample import parse_json

    assert limit == MAX_JSON_DEPTH
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(at_limit) is not None
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_json("[" + at_limit + "]")
    with pytest.raises(ValueError):
        parse_json("[NaN]")
