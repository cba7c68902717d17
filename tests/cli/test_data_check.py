"""`rft data check`: the workflow's dataset pre-flight on local files, before any upload."""

from __future__ import annotations

import argparse
import json

import pytest

from rft import data as data_cli


def run(*argv):
    parser = argparse.ArgumentParser(prog="rft")
    data_cli.register(parser.add_subparsers())
    args = parser.parse_args(["data", "check", *argv])
    return args.func(args)


def row(i, reference=None, prompt=None):
    return {
        "messages": [{"role": "user", "content": prompt or f"What is {i} + {i}?"}],
        "reference_answer": str(2 * i) if reference is None else reference,
    }


def write(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return str(path)


MATH = ("--team", "example", "--customization", "grade-school-math")


@pytest.fixture
def good(tmp_path):
    return write(tmp_path / "train.jsonl", [row(i) for i in range(120)]), write(
        tmp_path / "validation.jsonl", [row(i) for i in range(1000, 1010)]
    )


def test_good_files_pass(good, capsys):
    train, validation = good
    assert run(train, "--validation", validation, *MATH) == 0
    out = capsys.readouterr().out
    assert "ok: the workflow's pre-flight would accept these files" in out
    assert "grader reference probe: ran, 130 rows, 0 unusable" in out


def test_problems_the_workflow_would_reject_exit_1_with_line_numbers(tmp_path, capsys):
    rows = [row(i) for i in range(120)]
    rows[4] = row(3)  # duplicate of line 4
    rows[9] = "{not json"
    rows[20] = row(20, reference="")  # math: the reference renders to no answer
    train = write(tmp_path / "train.jsonl", rows)
    validation = write(tmp_path / "validation.jsonl", [row(7), row(5000)])  # line 1 is a train prompt
    assert run(train, "--validation", validation, *MATH, "--json") == 1
    report = json.loads(capsys.readouterr().out)
    found = {(p["file"], p["line"], p["check"]) for p in report["problems"]}
    assert {
        ("train", 5, "duplicate"),
        ("train", 10, "json"),
        ("train", 21, "grader"),
        ("validation", 1, "overlap"),
    } <= found
    assert report["valid"] is False and report["limits"]["max_prompt_tokens"] == 8192


def test_too_few_rows_and_overlong_prompts(tmp_path, capsys):
    train = write(tmp_path / "train.jsonl", [row(i) for i in range(10)] + [row(99, prompt="word " * 40_000)])
    assert run(train, *MATH, "--json") == 1
    checks = {p["check"] for p in json.loads(capsys.readouterr().out)["problems"]}
    assert {"rows", "prompt_length"} <= checks


def test_near_duplicates_between_train_and_validation_warn(good, tmp_path, capsys):
    train, _ = good
    validation = write(tmp_path / "v.jsonl", [row(0, prompt="what IS 3 + 3"), row(1, prompt="A new question?")])
    assert run(train, "--validation", validation, *MATH, "--json") == 0  # the workflow would accept it
    report = json.loads(capsys.readouterr().out)
    assert [(w["line"], w["check"]) for w in report["warnings"]] == [(1, "near_duplicate")]
    assert "train line 4" in report["warnings"][0]["reason"]


def test_judge_graders_are_not_probed_locally(good, capsys):
    train, _ = good
    assert run(train, "--team", "example", "--customization", "support-replies", "--json") == 0
    probe = json.loads(capsys.readouterr().out)["grader_reference_check"]
    assert probe["status"] == "skipped" and "judge" in probe["reason"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (("--team", "nope", "--customization", "x"), "no config for team 'nope'"),
        (("--team", "example", "--customization", "nope"), "declares no customization 'nope'"),
    ],
)
def test_bad_team_or_customization_exits_2(good, capsys, argv, message):
    assert run(good[0], *argv) == 2
    assert message in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path, capsys):
    assert run(str(tmp_path / "missing.jsonl"), *MATH) == 2
    assert "cannot read" in capsys.readouterr().err


def test_inline_python_graders_are_not_probed_and_do_not_fail_every_row(good, tmp_path, capsys, monkeypatch):
    # The probe runs no code, so an inline `source:` grader could only look broken on every row.
    from rft.config.loader import TEAMS_DIR_ENV

    team = {
        "team": "search-quality",
        "account": "246813579024",
        "region": "us-west-2",
        "pricing": {"qwen.qwen3-32b": {"usd_per_million_training_tokens": 1.0}},
        "customizations": [
            {
                "name": "inline",
                "base_model": "qwen.qwen3-32b",
                "grader": {"type": "python", "name": "p", "source": "def grade(sample, item):\n    return 1.0\n"},
            }
        ],
    }
    import yaml

    (tmp_path / "search-quality.yaml").write_text(yaml.safe_dump(team))
    monkeypatch.setenv(TEAMS_DIR_ENV, str(tmp_path))
    assert run(good[0], "--team", "search-quality", "--customization", "inline", "--json") == 0
    probe = json.loads(capsys.readouterr().out)["grader_reference_check"]
    assert probe["status"] == "skipped" and "inline python" in probe["reason"]
