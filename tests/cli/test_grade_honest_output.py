"""`rft grade` tells the truth: exit codes, means over all samples, JSON for pipes (issue 14)."""

from __future__ import annotations

import json

from tests.cli.test_grade_cli import run, sample, write_jsonl


def _spec(tmp_path, text="template: math_reasoning\n"):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return path


def test_every_sample_a_grader_error_exits_1(tmp_path, capsys):
    # Samples without messages cannot be graded: each scores 0 with grader_error.
    rows = [{"id": str(i), "reference_answer": "4"} for i in range(3)]
    code = run("--grader", str(_spec(tmp_path)), "--samples", str(write_jsonl(tmp_path / "s.jsonl", rows)))
    err = capsys.readouterr().err
    assert code == 1
    assert "3 of 3 samples (100.0%) hit grader errors, above --max-error-rate 0.05" in err


def test_errors_within_the_threshold_exit_0(tmp_path, capsys):
    rows = [sample("a", "\\boxed{4}", "4"), {"id": "b", "reference_answer": "4"}]
    samples = write_jsonl(tmp_path / "s.jsonl", rows)
    assert run("--grader", str(_spec(tmp_path)), "--samples", str(samples), "--max-error-rate", "0.5") == 0
    assert run("--grader", str(_spec(tmp_path)), "--samples", str(samples), "--max-error-rate", "0.4") == 1


def test_bad_input_exits_2(tmp_path, capsys):
    assert run("--grader", str(_spec(tmp_path)), "--samples", str(tmp_path / "missing.jsonl")) == 2
    assert run("--grader", str(_spec(tmp_path)), "--samples", str(tmp_path / "s.jsonl"), "--max-error-rate", "2") == 2


def test_metric_means_count_every_sample_not_only_those_that_carry_the_metric(tmp_path, capsys):
    # One unparseable answer among six: its parse-error metric is 1 for one sample, absent for five.
    spec = _spec(
        tmp_path, "template: extraction\nschema: {type: object, required: [a], properties: {a: {type: string}}}\n"
    )
    rows = [sample(str(i), '{"a": "x"}', {"a": "x"}) for i in range(5)] + [sample("5", "not json", {"a": "x"})]
    code = run("--grader", str(spec), "--samples", str(write_jsonl(tmp_path / "s.jsonl", rows)), "--json")
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    carried = [m for m in out["metrics"] if m["samples"] < m["of"]]
    assert carried, out["metrics"]
    for metric in carried:
        assert metric["of"] == 6
        assert abs(metric["mean_over_all"] - metric["mean_where_present"] * metric["samples"] / 6) < 1e-9


def test_json_summary_is_the_only_stdout(tmp_path, capsys):
    out_file = tmp_path / "results.jsonl"
    rows = [sample("a", "\\boxed{4}", "4"), sample("b", "\\boxed{5}", "4")]
    assert (
        run(
            "--grader",
            str(_spec(tmp_path)),
            "--samples",
            str(write_jsonl(tmp_path / "s.jsonl", rows)),
            "--json",
            "--out",
            str(out_file),
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["samples"] == 2 and summary["mean"] == 0.5 and summary["failed"] is False
    assert len(out_file.read_text().splitlines()) == 2


def test_validate_fails_for_a_python_module_that_does_not_exist(tmp_path, capsys):
    spec = _spec(tmp_path, "type: python\nname: cov\nmodule: team_graders.no_such_module\n")
    assert run("--validate", str(spec)) == 2
    assert "no module 'team_graders.no_such_module' in the grader bundle" in capsys.readouterr().err


def test_validate_json(tmp_path, capsys):
    assert run("--validate", str(_spec(tmp_path)), "--json") == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "template math_reasoning"
