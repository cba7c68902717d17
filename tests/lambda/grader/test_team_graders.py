"""Team graders under lambda/grader/team_graders run through a `python` spec with `module:`."""

from __future__ import annotations

from rft_graders.batch import grade_batch
from rft_graders.build import BuildContext, build_grader
from rft_graders.spec import parse_grader_spec


def _grade(answer: str, keywords: list[str]) -> float:
    spec = parse_grader_spec({"type": "python", "name": "keyword_coverage", "module": "team_graders.keyword_coverage"})
    grader = build_grader(spec, BuildContext(sandbox=None))
    event = [
        {
            "id": "1",
            "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": answer}],
            "reference_answer": {"keywords": keywords},
        }
    ]
    [result] = grade_batch(event, grader).results
    return result["aggregate_reward_score"]


def test_keyword_coverage_counts_whole_phrases_case_insensitively():
    assert _grade("Your REFUND is on its way; order number 42.", ["refund", "order number"]) == 1.0
    assert _grade("Refunds take a week.", ["refund", "order number"]) == 0.0  # not a whole word
    assert _grade("refund issued", ["refund", "order number"]) == 0.5
