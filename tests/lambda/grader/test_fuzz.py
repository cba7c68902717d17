"""Property-based fuzzing: malformed samples never raise, misalign or produce bad scores."""

import json
import math

from grader_testkit import FakeSandbox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rft_graders.batch import grade_batch
from rft_graders.build import BuildContext, build_grader

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
content = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.fixed_dictionaries({"type": st.sampled_from(["text", "reasoning", "image"]), "text": st.text(max_size=50)}),
        max_size=3,
    ),
    json_values,
)
message = (
    st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "nova_assistant"]), "content": content})
    | json_values
)
sample = st.fixed_dictionaries(
    {},
    optional={
        # ids come from a JSON event, so they are JSON values (no NaN/Infinity); they are echoed.
        "id": st.none() | st.integers() | st.text(max_size=20) | st.floats(allow_nan=False, allow_infinity=False),
        "messages": st.lists(message, max_size=3) | json_values,
        "reference_answer": json_values | st.sampled_from(["72", "\\frac{1}{2}", "urgent"]),
        "metadata": st.dictionaries(st.sampled_from(["reference_answer", "priority", "tests"]), json_values, max_size=3)
        | json_values,
    },
)

SPECS = [
    {"template": "math_reasoning", "format_weight": 0.1},
    {"template": "classification", "labels": ["low", "urgent"]},
    {"template": "extraction"},
    {"template": "instruction_following", "mode": "loose"},
    {"template": "code_generation"},
    {
        "type": "multi",
        "graders": {
            "a": {"type": "regex", "pattern": "\\d"},
            "b": {
                "type": "text_similarity",
                "input": "{{sample.output_text}}",
                "reference": "{{item.reference_answer}}",
                "evaluation_metric": "rouge_l",
            },
        },
        "calculate_output": "a / b",
    },
    {
        "type": "string_check",
        "input": "{{sample.output_json.answer}}",
        "reference": "{{item.reference_answer}}",
        "operation": "ilike",
    },
]
GRADERS = [build_grader(spec, BuildContext(sandbox=FakeSandbox())) for spec in SPECS]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(sample, max_size=6), which=st.integers(0, len(GRADERS) - 1))
def test_grade_batch_never_raises_or_misaligns(batch, which):
    results = grade_batch(batch, GRADERS[which]).results
    assert len(results) == len(batch)
    for raw, result in zip(batch, results, strict=False):
        assert result["id"] == raw.get("id")
        value = result["aggregate_reward_score"]
        assert isinstance(value, float) and math.isfinite(value) and 0.0 <= value <= 1.0
        for metric in result["metrics_list"]:
            assert metric["type"] in ("Reward", "Metric") and math.isfinite(metric["value"])
    json.dumps(results, allow_nan=False)
