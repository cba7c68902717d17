"""`rft judge calibrate` and `rft grade` with judge specs, against scripted judges."""

import argparse
import json
import re
import sys
from pathlib import Path

import pytest

from rft import grade as grade_cli
from rft import judge as judge_cli

HERE = Path(__file__).resolve().parent


def run(module, *argv):
    parser = argparse.ArgumentParser(prog="rft")
    sub = parser.add_subparsers()
    module.register(sub)
    args = parser.parse_args(list(argv))
    return args.func(args)


def sample(sid, response, reference, human=None, where="top"):
    raw = {
        "id": sid,
        "messages": [{"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": response}],
        "reference_answer": reference,
    }
    if human is not None:
        if where == "top":
            raw["human_score"] = human
        else:
            raw["metadata"] = {"human_score": human}
    return raw


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.delenv("RFT_SCRIPTED_JUDGE", raising=False)
    spec = tmp_path / "judge.yaml"
    spec.write_text("template: conversation_quality\nmodel: qwen.qwen3-32b-v1:0\nreference_guided: true\n")
    rows = [
        sample("a", "Paris.", "Paris", 1.0),
        sample("b", "It is Paris, on the Seine.", "Paris", 0.9, where="meta"),
        sample("c", "Lyon.", "Paris", 0.1),
        sample("d", "Marseille, I believe, is the capital city of France.", "Paris", 0.0),
    ]
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return spec, labelled, tmp_path


def test_calibrate_with_a_fair_judge(files, capsys):
    spec, labelled, _ = files
    assert (
        run(
            judge_cli,
            "judge",
            "calibrate",
            "--grader",
            str(spec),
            "--labelled",
            str(labelled),
            "--repeats",
            "2",
            "--scripted-judge",
            "scripted_judges:fair",
        )
        == 0
    )
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["samples"] == 4 and report["repeats"] == 2
    assert report["agreement"]["accuracy"] == 1.0
    assert report["agreement"]["spearman"] == pytest.approx(0.8944, abs=1e-3)  # judge ties a/b and c/d
    assert report["stability"]["identical_fraction"] == 1.0 and report["stability"]["max_std"] == 0
    assert report["length_bias"]["passed"] is True and report["length_bias"]["mean_delta"] == 0
    assert report["judge"]["JudgeInputTokens"] > 0 and report["judge"]["grader_errors"] == 0
    assert "length bias: PASS" in err and "accuracy@0.5 100.0%" in err


def test_calibrate_catches_a_length_biased_judge(files, capsys, monkeypatch):
    spec, labelled, tmp = files
    monkeypatch.setenv("RFT_SCRIPTED_JUDGE", "scripted_judges:length_lover")
    out = tmp / "report.json"
    assert (
        run(
            judge_cli,
            "judge",
            "calibrate",
            "--grader",
            str(spec),
            "--labelled",
            str(labelled),
            "--repeats",
            "1",
            "--out",
            str(out),
        )
        == 0
    )
    report = json.loads(out.read_text())
    assert report["length_bias"]["passed"] is False
    assert report["length_bias"]["mean_delta"] > 0.5 and report["length_bias"]["higher_fraction"] == 1.0
    assert "length bias: FAIL" in capsys.readouterr().err


def test_calibrate_counts_refusals_and_passes_nothing_without_verdicts(files, capsys):
    spec, labelled, _ = files
    assert (
        run(
            judge_cli,
            "judge",
            "calibrate",
            "--grader",
            str(spec),
            "--labelled",
            str(labelled),
            "--repeats",
            "1",
            "--no-length-probe",
            "--scripted-judge",
            "scripted_judges:refuser",
        )
        == 1
    )
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["judge"]["JudgeRefusals"] == 4 and "length_bias" not in report
    assert report["usable"] == 0 and report["no_data"] is True
    assert report["agreement"]["spearman"] is None and report["agreement"]["accuracy"] is None
    assert "no sample got a usable verdict" in err


def test_a_judge_that_fails_every_verdict_does_not_pass_the_length_probe(files, capsys):
    spec, labelled, _ = files
    code = run(
        judge_cli,
        "judge",
        "calibrate",
        "--grader",
        str(spec),
        "--labelled",
        str(labelled),
        "--repeats",
        "1",
        "--scripted-judge",
        "scripted_judges:refuser",
    )
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert code == 1
    assert report["length_bias"]["passed"] is False and report["length_bias"]["pairs"] == 0
    assert "length bias: PASS" not in err and "length bias: FAIL" in err


def test_only_samples_with_verdicts_are_compared(files, capsys):
    spec, labelled, _ = files
    assert (
        run(
            judge_cli,
            "judge",
            "calibrate",
            "--grader",
            str(spec),
            "--labelled",
            str(labelled),
            "--repeats",
            "1",
            "--scripted-judge",
            "scripted_judges:refuses_lyon",
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    # c ("Lyon.", human 0.1) got no verdict; a, b, d did: the judge's 0 for c is not compared.
    assert report["usable"] == 3 and report["length_bias"]["pairs"] == 3
    assert report["agreement"]["human_mean"] == pytest.approx((1.0 + 0.9 + 0.0) / 3, abs=1e-4)


def _no_credentials(monkeypatch, tmp):
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            lambda s, labelled: ("judge", "calibrate", "--grader", str(s), "--labelled", str(labelled)),
            "no AWS credentials were found",
        ),
        (
            lambda s, labelled: (
                "judge",
                "calibrate",
                "--grader",
                str(s),
                "--labelled",
                str(labelled),
                "--scripted-judge",
                "nope",
            ),
            "expected MODULE:FUNC",
        ),
        (
            lambda s, labelled: (
                "judge",
                "calibrate",
                "--grader",
                str(s),
                "--labelled",
                str(labelled),
                "--scripted-judge",
                "scripted_judges:missing",
            ),
            "has no function missing",
        ),
        (
            lambda s, labelled: ("judge", "calibrate", "--grader", str(s), "--labelled", str(labelled) + ".nope"),
            "no such file",
        ),
        (
            lambda s, labelled: (
                "judge",
                "calibrate",
                "--grader",
                str(s),
                "--labelled",
                str(labelled),
                "--repeats",
                "0",
            ),
            "--repeats must be",
        ),
    ],
)
def test_calibrate_bad_inputs_are_one_line_exit_2(files, capsys, monkeypatch, argv, message):
    spec, labelled, tmp = files
    _no_credentials(monkeypatch, tmp)
    assert run(judge_cli, *argv(spec, labelled)) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and err.startswith("rft judge calibrate: ")


def test_calibrate_rejects_bad_human_scores_and_rule_only_graders(files, capsys):
    spec, labelled, tmp = files
    bad = tmp / "bad.jsonl"
    bad.write_text(json.dumps(sample("x", "Paris", "Paris", 7)) + "\n")
    assert (
        run(
            judge_cli,
            "judge",
            "calibrate",
            "--grader",
            str(spec),
            "--labelled",
            str(bad),
            "--scripted-judge",
            "scripted_judges:fair",
        )
        == 2
    )
    assert "human_score must be a number in [0, 1]" in capsys.readouterr().err
    rules = tmp / "rules.yaml"
    rules.write_text("template: math_reasoning\n")
    assert run(judge_cli, "judge", "calibrate", "--grader", str(rules), "--labelled", str(labelled)) == 2
    assert "has no judge" in capsys.readouterr().err


def test_rft_grade_runs_a_judge_spec_against_a_scripted_judge(files, capsys):
    spec, labelled, _ = files
    assert (
        run(
            grade_cli,
            "grade",
            "--grader",
            str(spec),
            "--samples",
            str(labelled),
            "--scripted-judge",
            "scripted_judges:fair",
        )
        == 0
    )
    out, err = capsys.readouterr()
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["a", "b", "c", "d"]
    assert [r["aggregate_reward_score"] for r in results] == [0.9, 0.9, 0.2, 0.2]
    assert "judge_input_tokens" in err


def test_rft_grade_judge_spec_without_credentials_is_one_line(files, capsys, monkeypatch):
    spec, labelled, tmp = files
    _no_credentials(monkeypatch, tmp)
    assert run(grade_cli, "grade", "--grader", str(spec), "--samples", str(labelled)) == 2
    err = capsys.readouterr().err
    assert "no AWS credentials were found" in err and len(err.strip().splitlines()) == 1


def keyword_judge(request):
    """Scores by overlap of the response with the reference (a stand-in for a real judge)."""
    from scripted_judges import _block

    from rft_graders.judges.scripted import verdict

    reference = set(re.findall(r"\w+", _block(request, "reference_answer").lower()))
    response = set(re.findall(r"\w+", _block(request, "response").lower()))
    return verdict(request, score=round(10 * len(reference & response) / max(1, len(reference)), 1))


def test_the_judge_example_grades_and_calibrates(monkeypatch, capsys):
    examples = HERE.parents[1] / "lambda" / "grader" / "examples"
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv("RFT_SCRIPTED_JUDGE", "test_judge_cli_hook:keyword_judge")
    sys.modules["test_judge_cli_hook"] = sys.modules[__name__]
    spec, samples = examples / "conversation_quality.yaml", examples / "samples" / "conversation_quality.jsonl"
    assert run(grade_cli, "grade", "--grader", str(spec), "--samples", str(samples)) == 0
    scores = [json.loads(x)["aggregate_reward_score"] for x in capsys.readouterr().out.splitlines()]
    assert len(scores) == 6 and max(scores) > 0.5 > min(scores)
    assert (
        run(judge_cli, "judge", "calibrate", "--grader", str(spec), "--labelled", str(samples), "--repeats", "1") == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["agreement"]["spearman"] > 0.5
    assert report["length_bias"]["mean_delta"] > 0  # word overlap pays for filler words: the probe notices


def test_calibrate_json_only(files, capsys):
    spec, labelled, _ = files
    assert (
        run(
            judge_cli,
            "judge",
            "calibrate",
            "--grader",
            str(spec),
            "--labelled",
            str(labelled),
            "--repeats",
            "1",
            "--scripted-judge",
            "scripted_judges:fair",
            "--json",
        )
        == 0
    )
    out, err = capsys.readouterr()
    assert json.loads(out)["usable"] == 4 and err == ""
