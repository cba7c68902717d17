"""The labelled corpus is the math_reasoning template's spec: every case scores as labelled.

The corpus (data/math_corpus.jsonl, written by data/make_math_corpus.py with labels fixed by
construction) holds genuine solutions, wrong answers, number styles, hedges in many
phrasings and reasoning-wrapped responses. benchmarks/math_corpus.py reports its error rates.
"""

import json
from pathlib import Path

import pytest

from rft_graders.batch import grade_batch
from rft_graders.build import build_grader

CORPUS = Path(__file__).parent / "data" / "math_corpus.jsonl"
ROWS = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def scores():
    event = [
        {
            "id": row["id"],
            "messages": [
                {"role": "user", "content": row.get("prompt", "q")},
                {"role": "assistant", "content": row["response"]},
            ],
            "reference_answer": row["gold"],
        }
        for row in ROWS
    ]
    report = grade_batch(event, build_grader({"template": "math_reasoning"}))
    assert not report.errors, report.errors[:3]
    return {r["id"]: r["aggregate_reward_score"] for r in report.results}


def test_corpus_is_big_and_balanced():
    assert len(ROWS) >= 1000
    assert sum(r["pass"] for r in ROWS) >= 200 and sum(not r["pass"] for r in ROWS) >= 200
    assert len({r["id"] for r in ROWS}) == len(ROWS)


def _param(row):
    marks = [pytest.mark.xfail(strict=True, reason=row["known_gap"])] if "known_gap" in row else []
    return pytest.param(row, id=f"{row['id']}-{row['category']}", marks=marks)


@pytest.mark.parametrize("row", [_param(r) for r in ROWS])
def test_case_scores_as_labelled(row, scores):
    assert scores[row["id"]] == (1.0 if row["pass"] else 0.0), (row["response"][:300], row["gold"])
