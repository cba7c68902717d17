"""math_reasoning against its labelled corpus, and its time on crafted worst cases, as JSON.

    .venv/bin/python benchmarks/math_corpus.py

The corpus (tests/lambda/grader/data/math_corpus.jsonl, labels fixed by construction) is the
template's spec: false-pass = share of cases labelled fail that score 1, false-fail = share
of cases labelled pass that score 0. Targets: false-pass <= 0.5 %, false-fail <= 1 %.
Timing figures are measured, never asserted (the test suite asserts the labels).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lambda" / "grader"))

from rft_graders.batch import grade_batch  # noqa: E402
from rft_graders.build import build_grader  # noqa: E402

CORPUS = REPO / "tests" / "lambda" / "grader" / "data" / "math_corpus.jsonl"
SPEC = {"template": "math_reasoning"}


def event(rows):
    return [
        {
            "id": row["id"],
            "messages": [
                {"role": "user", "content": row.get("prompt", "q")},
                {"role": "assistant", "content": row["response"]},
            ],
            "reference_answer": row["gold"],
        }
        for row in rows
    ]


def score_corpus(rows) -> list[float]:
    report = grade_batch(event(rows), build_grader(SPEC))
    return [r["aggregate_reward_score"] for r in report.results]


def crafted() -> dict[str, str]:
    """Responses built to hit the worst case of each scan (1 MB unless named otherwise)."""
    mb = 1_000_000
    return {
        "newlines_after_answer_phrase": ("the answer is" + "\n" * 5000) * (mb // 5013),
        "unit_words_after_number": "1" + " a" * (mb // 2),
        "unclosed_boxes": "\\boxed{" * (mb // 7),
        "nested_braces": "\\boxed{" + "{" * mb,
        "many_numbers": "1 or " * (mb // 5),
        "many_hash_lines": "#### 1\n" * (mb // 7),
        "think_tags": "<think>" * (mb // 7),
        "harmony_tokens": "<|channel|>analysis<|message|>x" * (mb // 32),
        "digits": "9" * mb,
        "think_block_1mb": "<think>" + "7 or 8 " * (mb // 7) + "</think>\\boxed{1}",
        "harmony_analysis_1mb": "<|channel|>analysis<|message|>"
        + "7 or 8 " * (mb // 7)
        + "<|end|><|start|>assistant<|channel|>final<|message|>\\boxed{1}<|return|>",
        "under_cap_newlines_after_answer_phrase_100k": ("the answer is" + "\n" * 5000) * 19,
        "under_cap_unit_words_100k": "\\boxed{1" + " a" * 49_000 + "}",
        "under_cap_numbers_100k": ("1, " * 33_000),
        "under_cap_or_list_100k": ("1 or 2 " * 14_000),
        "under_cap_modal_claims_100k": ("it could be 1 " * 7_000),
        "under_cap_cues_100k": ("maybe 1, " * 11_000),
        "under_cap_option_lines_100k": ("Option 1: 1\n" * 8_000),
        "under_cap_answer_phrases_100k": ("answer: 1\n" * 9_999),
        "under_cap_braces_100k": ("\\boxed{" + "{}" * 49_990 + "}"),
        "under_cap_table_100k": ("| option | 1 |\n" * 6_600),
    }


def time_crafted() -> dict[str, float]:
    grader = build_grader(SPEC)
    out = {}
    for name, text in crafted().items():
        started = time.perf_counter()
        grade_batch(event([{"id": name, "response": text, "gold": "1"}]), grader)
        out[name] = round((time.perf_counter() - started) * 1000, 1)
    return out


def main() -> None:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    scores = score_corpus(rows)
    elapsed = time.perf_counter() - started
    positives = [r for r in rows if r["pass"]]
    negatives = [r for r in rows if not r["pass"]]
    false_pass = [r for r, s in zip(rows, scores, strict=False) if not r["pass"] and s == 1.0]
    false_fail = [r for r, s in zip(rows, scores, strict=False) if r["pass"] and s != 1.0]
    out = {
        "cases": len(rows),
        "labelled_pass": len(positives),
        "labelled_fail": len(negatives),
        "false_pass_rate": round(len(false_pass) / max(1, len(negatives)), 4),
        "false_fail_rate": round(len(false_fail) / max(1, len(positives)), 4),
        "false_pass_ids": [r["id"] for r in false_pass],
        "false_fail_ids": [r["id"] for r in false_fail],
        "categories": dict(sorted(Counter(r["category"].split("_")[0] for r in rows).items())),
        "corpus_seconds": round(elapsed, 3),
        "crafted_ms": time_crafted(),
        "targets": {"false_pass_rate": 0.005, "false_fail_rate": 0.01, "crafted_1mb_ms": 1000},
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
