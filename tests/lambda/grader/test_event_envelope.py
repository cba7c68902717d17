"""Grader events built from AWS's own shapes (issue 11, contract tests and item 5).

Each fixture names its source:
- DOC_BATCH: the documented grader event, a JSON array of samples with the reference under
  ``metadata`` (https://docs.aws.amazon.com/bedrock/latest/userguide/reward-functions-open-weight.html
  and .../reward-functions.html; bedrock-rft.md §4).
- SAMPLE_GPTOSS: what AWS's gpt-oss GSM8K sample grader reads: a top-level
  ``reference_answer`` as ``{"text": ...}``, and either a bare array or ``{"trajectories": [...]}``
  (aws-samples/amazon-bedrock-samples, custom-models/bedrock-reinforcement-fine-tuning/
  reward-functions/gsm8k_gptoss_rew_func.py, ``event if isinstance(event, list) else
  event.get("trajectories", [])``).
"""

from __future__ import annotations

import pytest

from rft_graders.batch import grade_batch
from rft_graders.bedrock_event import InvalidEventError
from rft_graders.build import build_grader

EQ = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.reference_answer}}",
    "operation": "eq",
}

DOC_BATCH = [
    {
        "id": "123",
        "messages": [{"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": "Paris"}],
        "metadata": {"reference_answer": "Paris", "my_key": "sample-001"},
    }
]
SAMPLE_GPTOSS = [
    {
        "id": "traj-1",
        "messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "#### 4"}],
        "reference_answer": {"text": "#### 4"},
    },
    {
        "id": "traj-2",
        "messages": [{"role": "user", "content": "3+3?"}, {"role": "assistant", "content": "#### 7"}],
        "reference_answer": {"text": "#### 6"},
    },
]


def _grade(event):
    return grade_batch(event, build_grader(EQ)).results


def test_the_documented_batch_grades():
    [result] = _grade(DOC_BATCH)
    assert result["id"] == "123" and result["aggregate_reward_score"] == 1.0


def test_the_trajectories_envelope_of_aws_sample_grader_is_accepted():
    bare = _grade(SAMPLE_GPTOSS)
    wrapped = _grade({"trajectories": SAMPLE_GPTOSS})
    assert [r["aggregate_reward_score"] for r in wrapped] == [1.0, 0.0]
    assert wrapped == bare and [r["id"] for r in wrapped] == ["traj-1", "traj-2"]


@pytest.mark.parametrize(
    "event",
    [
        {"trajectories": "not a list"},
        {"trajectories": {"id": "x"}},
        {"samples": SAMPLE_GPTOSS},  # any other envelope stays an error: never guess
        {"trajectories": ["not an object"]},
        {},
    ],
)
def test_other_envelopes_are_still_rejected(event):
    with pytest.raises(InvalidEventError):
        _grade(event)
