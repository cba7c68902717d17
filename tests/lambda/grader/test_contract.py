"""The Bedrock grader contract: input variants, alignment, per-sample isolation."""

import json
import math

import pytest
from grader_testkit import grade, make_sample

from rft_graders.batch import grade_batch
from rft_graders.bedrock_event import InvalidEventError, content_text
from rft_graders.build import build_grader

EQ = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.reference_answer}}",
    "operation": "eq",
}


@pytest.mark.parametrize(
    "reference, where",
    [("Paris", "top"), ("Paris", "metadata"), ({"text": "Paris"}, "top"), ({"text": "Paris"}, "metadata")],
)
def test_reference_answer_variants_all_grade_the_same(reference, where):
    right = make_sample("Paris", reference, where=where)
    wrong = make_sample("Lyon", reference, where=where, sid="s2")
    results = grade(EQ, [right, wrong])
    assert [r["aggregate_reward_score"] for r in results] == [1.0, 0.0]


def test_top_level_reference_wins_over_metadata():
    raw = make_sample("A", "A")
    raw["metadata"] = {"reference_answer": "B"}
    assert grade(EQ, [raw])[0]["aggregate_reward_score"] == 1.0


def test_object_reference_keys_and_metadata_are_item_fields():
    spec = {
        "type": "string_check",
        "input": "{{sample.output_text}}",
        "reference": "{{item.solution}}-{{item.domain}}",
        "operation": "eq",
    }
    raw = make_sample("4-algebra", {"solution": "4"}, metadata={"domain": "algebra"})
    assert grade(spec, [raw])[0]["aggregate_reward_score"] == 1.0


def test_content_as_list_of_parts_ignores_reasoning_parts():
    parts = [{"type": "reasoning", "text": "I think Lyon"}, {"type": "text", "text": "Paris"}]
    assert content_text(parts) == "Paris"
    assert grade(EQ, [make_sample(parts, "Paris")])[0]["aggregate_reward_score"] == 1.0
    assert content_text([{"text": "a"}, {"type": "output_text", "text": "b"}]) == "a\nb"


def test_nova_assistant_role_is_the_response():
    raw = {
        "id": "n",
        "messages": [{"role": "user", "content": "q"}, {"role": "nova_assistant", "content": "Paris"}],
        "reference_answer": "Paris",
    }
    assert grade(EQ, [raw])[0]["aggregate_reward_score"] == 1.0


def test_results_keep_ids_and_order_and_output_shape():
    samples = [make_sample("x" if i % 2 else "y", "y", sid=f"id-{i}") for i in range(50)]
    results = grade(EQ, samples)
    assert [r["id"] for r in results] == [f"id-{i}" for i in range(50)]
    assert [r["aggregate_reward_score"] for r in results] == [0.0 if i % 2 else 1.0 for i in range(50)]
    for r in results:
        assert set(r) == {"id", "aggregate_reward_score", "metrics_list"}
        assert all(set(m) == {"name", "value", "type"} and m["type"] in ("Reward", "Metric") for m in r["metrics_list"])
    json.dumps(results)  # serialisable as the Lambda response


def test_bad_sample_scores_zero_with_grader_error_and_does_not_sink_batch():
    samples = [
        make_sample("Paris", metadata={"answer": "Paris"}, sid="good"),
        {"id": "no-messages"},
        {"id": "bad-content", "messages": [{"role": "assistant", "content": 42}]},
        {"id": "no-ref", "messages": [{"role": "assistant", "content": "Paris"}]},
        make_sample("Paris", metadata={"answer": "Paris"}, sid="good2"),
    ]
    grader = build_grader({**EQ, "reference": "{{item.answer}}"})
    report = grade_batch(samples, grader)
    scores = {r["id"]: r for r in report.results}
    assert scores["good"]["aggregate_reward_score"] == scores["good2"]["aggregate_reward_score"] == 1.0
    assert [r["id"] for r in report.results] == ["good", "no-messages", "bad-content", "no-ref", "good2"]
    for sid in ("no-messages", "bad-content", "no-ref"):
        assert scores[sid]["aggregate_reward_score"] == 0.0
        assert {"name": "grader_error", "value": 1.0, "type": "Metric"} in scores[sid]["metrics_list"]
    assert {e.id for e in report.errors} == {"no-messages", "bad-content", "no-ref"}
    assert "template variable '{{item.answer}}' not found" in [e.reason for e in report.errors if e.id == "no-ref"][0]


def test_error_reasons_never_quote_the_response():
    secret = "SECRET-RESPONSE-TEXT"
    spec = {
        "type": "string_check",
        "input": "{{sample.output_json.x}}",
        "reference": "{{item.missing}}",
        "operation": "eq",
    }
    report = grade_batch([make_sample(secret, "r")], build_grader(spec))
    assert all(secret not in e.reason for e in report.errors)


def test_missing_id_gives_null_id_in_place():
    raw = make_sample("Paris", "Paris")
    del raw["id"]
    results = grade(EQ, [raw, make_sample("Paris", "Paris", sid="b")])
    assert [r["id"] for r in results] == [None, "b"]


@pytest.mark.parametrize("event", [{"id": "x"}, "[]", None, 3, [1, 2], [{"id": "a"}, "b"], [[{}]]])
def test_event_that_is_not_an_array_of_objects_raises(event):
    with pytest.raises(InvalidEventError):
        grade_batch(event, build_grader(EQ))


def test_empty_batch_gives_empty_results():
    assert grade(EQ, []) == []


def test_grader_that_crashes_fails_only_its_samples_visibly():
    class Broken:
        name = "broken"

        def grade_many(self, samples):
            raise RuntimeError("bug")

    report = grade_batch([make_sample("a", "a"), make_sample("b", "b", sid="2")], Broken())
    assert [r["aggregate_reward_score"] for r in report.results] == [0.0, 0.0]
    assert len(report.errors) == 2 and "RuntimeError" in report.errors[0].reason


def test_non_finite_or_out_of_range_scores_are_contained():
    from rft_graders.base import GradeResult

    class Wild:
        name = "wild"

        def grade_many(self, samples):
            return [GradeResult(float("nan")), GradeResult(7.0), GradeResult(-2.0), GradeResult(float("inf"))]

    results = grade_batch([make_sample("a", "a", sid=str(i)) for i in range(4)], Wild()).results
    scores = [r["aggregate_reward_score"] for r in results]
    assert scores == [0.0, 1.0, 0.0, 0.0]
    assert all(math.isfinite(s) for s in scores)
    assert any(m["name"] == "grader_error" for m in results[0]["metrics_list"])
    assert any(m["name"] == "grader_error" for m in results[3]["metrics_list"])
