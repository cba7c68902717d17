"""`rft grade`: the local grading command."""

import argparse
import json
import sys
import types
from pathlib import Path

import pytest

from rft import grade as grade_cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "lambda" / "grader" / "examples"


def run(*argv):
    parser = argparse.ArgumentParser(prog="rft")
    sub = parser.add_subparsers()
    grade_cli.register(sub)
    args = parser.parse_args(["grade", *argv])
    return args.func(args)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def sample(sid, response, reference, prompt="q"):
    return {
        "id": sid,
        "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}],
        "reference_answer": reference,
    }


def test_grades_to_stdout_in_order_with_summary(tmp_path, capsys):
    spec = tmp_path / "spec.yaml"
    spec.write_text("template: math_reasoning\n")
    rows = [
        sample("a", "\\boxed{4}", "4", "p1"),
        sample("b", "\\boxed{5}", "4", "p1"),
        sample("c", "\\boxed{6}", "6", "p2"),
        sample("d", "\\boxed{6}", "6", "p2"),
    ]
    samples = write_jsonl(tmp_path / "s.jsonl", rows)
    assert run("--grader", str(spec), "--samples", str(samples)) == 0
    out, err = capsys.readouterr()
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["a", "b", "c", "d"]
    assert [r["aggregate_reward_score"] for r in results] == [1.0, 0.0, 1.0, 1.0]
    assert "samples: 4" in err and "mean: 0.7500" in err and "std: 0.4330" in err
    assert "histogram" in err and "grader errors: 0" in err
    row = next(line for line in err.splitlines() if "math_reasoning" in line)
    assert "component" in row and "4 of 4" in row and "0.750" in row
    assert "50.0% of prompts with several samples gave them all the same score" in err


def test_out_file_and_example_specs(tmp_path, capsys):
    out = tmp_path / "results.jsonl"
    assert (
        run(
            "--grader",
            str(EXAMPLES / "classification.yaml"),
            "--samples",
            str(EXAMPLES / "samples" / "classification.jsonl"),
            "--out",
            str(out),
        )
        == 0
    )
    stdout, err = capsys.readouterr()
    assert stdout == ""
    lines = out.read_text().splitlines()
    inputs = (EXAMPLES / "samples" / "classification.jsonl").read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == [json.loads(x)["id"] for x in inputs]
    assert "samples: 7" in err


@pytest.mark.parametrize(
    "template", ["math_reasoning", "instruction_following", "classification", "extraction", "openai_multi"]
)
def test_every_example_runs_with_mixed_scores(template, capsys):
    assert (
        run(
            "--grader", str(EXAMPLES / f"{template}.yaml"), "--samples", str(EXAMPLES / "samples" / f"{template}.jsonl")
        )
        == 0
    )
    scores = [json.loads(x)["aggregate_reward_score"] for x in capsys.readouterr().out.splitlines()]
    assert min(scores) == 0.0 and max(scores) == 1.0


def test_code_example_runs_in_the_real_local_sandbox(capsys):
    assert (
        run(
            "--grader",
            str(EXAMPLES / "code_generation.yaml"),
            "--samples",
            str(EXAMPLES / "samples" / "code_generation.jsonl"),
        )
        == 0
    )
    scores = [json.loads(x)["aggregate_reward_score"] for x in capsys.readouterr().out.splitlines()]
    # c1 is right; c2 (a - b) passes only `candidate(0, 0) == 0` of three asserts (fraction scoring).
    assert scores[0] == 1.0 and scores[1] == pytest.approx(1 / 3) and scores[3] == 1.0


def test_validate(tmp_path, capsys):
    assert run("--validate", str(EXAMPLES / "math_reasoning.yaml")) == 0
    assert "ok:" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("type: string_check\ninput: x\nreference: y\noperation: equals\n")
    assert run("--validate", str(bad)) == 2
    err = capsys.readouterr().err
    assert "grader.operation: must be one of eq, ne, like, ilike" in err and "Traceback" not in err


def test_validate_accepts_a_wrapped_grader(tmp_path):
    spec = tmp_path / "wrapped.yaml"
    spec.write_text("grader:\n  template: classification\n  labels: [a, b]\n")
    assert run("--validate", str(spec)) == 0


@pytest.mark.parametrize(
    "setup, message",
    [
        (
            lambda d: ("--grader", str(d / "missing.yaml"), "--samples", str(d / "s.jsonl")),
            "missing.yaml: no such file",
        ),
        (
            lambda d: ("--grader", str(EXAMPLES / "math_reasoning.yaml"), "--samples", str(d / "none.jsonl")),
            "none.jsonl: no such file",
        ),
        (
            lambda d: ("--grader", str(EXAMPLES / "math_reasoning.yaml"), "--samples", str(d / "bad.jsonl")),
            "bad.jsonl: line 2: bad JSON",
        ),
        (
            lambda d: ("--grader", str(EXAMPLES / "math_reasoning.yaml"), "--samples", str(d / "array.jsonl")),
            "line 1: expected a JSON object",
        ),
        (lambda d: ("--grader", str(d / "broken.yaml"), "--samples", str(d / "s.jsonl")), "not valid YAML/JSON"),
        (
            lambda d: ("--grader", str(d / "judge.yaml"), "--samples", str(d / "s.jsonl")),
            "grader: give the judge: exactly one of model",
        ),
        (lambda d: ("--grader", str(EXAMPLES / "math_reasoning.yaml")), "--samples is required"),
    ],
)
def test_bad_inputs_give_one_clear_line(tmp_path, capsys, setup, message):
    write_jsonl(tmp_path / "s.jsonl", [sample("a", "1", "1")])
    (tmp_path / "bad.jsonl").write_text(json.dumps(sample("a", "1", "1")) + "\n{not json\n")
    (tmp_path / "array.jsonl").write_text("[1, 2]\n")
    (tmp_path / "broken.yaml").write_text("type: [unclosed\n")
    (tmp_path / "judge.yaml").write_text("template: conversation_quality\n")
    assert run(*setup(tmp_path)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def _fake_loader(monkeypatch, customizations, error=None):
    config_pkg = types.ModuleType("rft.config.loader")

    class ConfigError(Exception):
        pass

    def load_team(team):
        if error:
            raise ConfigError(error)
        return types.SimpleNamespace(customizations=tuple(customizations))

    config_pkg.ConfigError = ConfigError
    config_pkg.load_team = load_team
    monkeypatch.setitem(sys.modules, "rft.config.loader", config_pkg)


def test_team_customization_grader(monkeypatch, tmp_path, capsys):
    from rft_graders.spec import parse_grader_spec

    _fake_loader(
        monkeypatch,
        [
            types.SimpleNamespace(name="triage", grader={"template": "classification", "label_field": "priority"}),
            types.SimpleNamespace(name="math", grader=parse_grader_spec({"template": "math_reasoning"})),
        ],
    )
    rows = [{"id": "1", "messages": [{"role": "assistant", "content": "high"}], "metadata": {"priority": "high"}}]
    samples = write_jsonl(tmp_path / "s.jsonl", rows)
    assert run("--team", "search", "--customization", "triage", "--samples", str(samples)) == 0
    assert json.loads(capsys.readouterr().out)["aggregate_reward_score"] == 1.0
    math_rows = write_jsonl(tmp_path / "m.jsonl", [sample("1", "\\boxed{2}", "2")])
    assert run("--team", "search", "--customization", "math", "--samples", str(math_rows)) == 0
    assert run("--team", "search", "--customization", "nope", "--samples", str(samples)) == 2
    assert "has no customization 'nope' (has: triage, math)" in capsys.readouterr().err


def test_team_config_error_is_one_line(monkeypatch, tmp_path, capsys):
    _fake_loader(monkeypatch, [], error="config/teams/x.yaml: team: unknown team 'x'")
    samples = write_jsonl(tmp_path / "s.jsonl", [sample("a", "1", "1")])
    assert run("--team", "x", "--customization", "c", "--samples", str(samples)) == 2
    assert capsys.readouterr().err.strip() == "rft grade: config/teams/x.yaml: team: unknown team 'x'"
