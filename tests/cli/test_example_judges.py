"""The offline judge shipped in examples/judges/ runs as its docstring says."""

from __future__ import annotations

import json
import subprocess
import sys

from rft.config.loader import REPO_ROOT

EXAMPLES = REPO_ROOT / "lambda" / "grader" / "examples"


def _rft(*argv):
    # This checkout's grader runtime, whatever an editable install elsewhere put on the path.
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT / "lambda" / "grader")}
    return subprocess.run(
        [sys.executable, "-m", "rft.cli", *argv], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, env=env
    )


def test_example_judge_grades_and_calibrates_from_the_repository_root():
    spec, samples = EXAMPLES / "conversation_quality.yaml", EXAMPLES / "samples" / "conversation_quality.jsonl"
    judge = "examples.judges.keyword_overlap:judge"
    graded = _rft("grade", "--grader", str(spec), "--samples", str(samples), "--scripted-judge", judge)
    assert graded.returncode == 0, graded.stderr
    scores = [json.loads(line)["aggregate_reward_score"] for line in graded.stdout.splitlines()]
    assert len(scores) == 6 and max(scores) > 0.5 > min(scores)
    calibrated = _rft(
        "judge",
        "calibrate",
        "--grader",
        str(spec),
        "--labelled",
        str(samples),
        "--repeats",
        "1",
        "--scripted-judge",
        judge,
    )
    assert calibrated.returncode == 0, calibrated.stderr
    report = json.loads(calibrated.stdout)
    assert report["usable"] == 6 and report["agreement"]["spearman"] > 0.5
    assert report["length_bias"]["mean_delta"] > 0  # word overlap pays for filler: the probe notices
