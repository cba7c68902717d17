"""`rft import-openai`: an OpenAI RFT job becomes a customization, or one clear error per problem."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
import yaml

from rft import import_openai

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "openai"
JUDGE = "us.amazon.nova-pro-v1:0"
PREFIX = "rft import-openai: "


def run(*argv):
    parser = argparse.ArgumentParser(prog="rft")
    sub = parser.add_subparsers()
    import_openai.register(sub)
    args = parser.parse_args(["import-openai", *argv])
    return args.func(args)


def string_check(name="exact", field="answer"):
    return {
        "type": "string_check",
        "name": name,
        "input": "{{sample.output_text}}",
        "reference": "{{item." + field + "}}",
        "operation": "eq",
    }


def create_body(grader=None, hyperparameters=None, **top):
    reinforcement = {"grader": grader or string_check()}
    if hyperparameters is not None:
        reinforcement["hyperparameters"] = hyperparameters
    body = {
        "model": "o4-mini-2025-04-16",
        "training_file": "file-abc",
        "method": {"type": "reinforcement", "reinforcement": reinforcement},
    }
    body.update(top)
    return body


def retrieved(body):
    """The same job as OpenAI returns it from GET /v1/fine_tuning/jobs/{id} (fine_tuning.job)."""
    job = {
        "object": "fine_tuning.job",
        "id": "ftjob-abc123",
        "created_at": 1767225600,
        "finished_at": None,
        "status": "running",
        "fine_tuned_model": None,
        "organization_id": "org-1",
        "result_files": [],
        "seed": 42,
        "trained_tokens": None,
        "error": None,
        "estimated_finish": None,
        "integrations": [],
        "metadata": None,
        "hyperparameters": {"n_epochs": "auto", "batch_size": "auto", "learning_rate_multiplier": "auto"},
        "validation_file": None,
        "user_provided_suffix": None,
    }
    job.update({k: v for k, v in body.items() if k in ("model", "training_file", "validation_file", "method")})
    return job


def rows(n=120, extra=None):
    out = []
    for i in range(n):
        row = {
            "messages": [
                {"role": "developer", "content": "Answer with a number."},
                {"role": "user", "content": f"What is {i} + {i}?"},
            ],
            "answer": str(2 * i),
            "difficulty": "easy" if i % 2 else "hard",
        }
        row.update(extra or {})
        out.append(row)
    return out


def write_jsonl(path, items):
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in items))
    return path


@pytest.fixture
def job_file(tmp_path):
    def make(body, name="job.json"):
        path = tmp_path / name
        path.write_text(json.dumps(body) if not isinstance(body, str) else body)
        return path

    return make


def importing(tmp_path, job_path, *extra, train=None, base="qwen.qwen3-32b", team="example", name="imported"):
    argv = [str(job_path), "--team", team, "--name", name, "--base-model", base, "--out", str(tmp_path / "out")]
    if train is not None:
        argv += ["--training-file", str(train)]
    return run(*argv, *extra)


def entry(tmp_path):
    loaded = yaml.safe_load((tmp_path / "out" / "customization.yaml").read_text())
    assert isinstance(loaded, list) and len(loaded) == 1
    return loaded[0]


def error_lines(capsys):
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith(PREFIX) for line in lines), err
    return [line.removeprefix(PREFIX) for line in lines]


# --------------------------------------------------------------------------- worked example
def test_worked_example_reproduces_the_committed_output(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    out = tmp_path / "converted"
    code = run(
        "examples/openai/job.json",
        "--team",
        "example",
        "--name",
        "support-triage",
        "--base-model",
        "qwen.qwen3-32b",
        "--training-file",
        "examples/openai/train.openai.jsonl",
        "--validation-file",
        "examples/openai/validation.openai.jsonl",
        "--map-model",
        f"o4-mini-2025-04-16={JUDGE}",
        "--out",
        str(out),
    )
    stdout = capsys.readouterr().out
    assert code == 0, stdout
    for name in ("customization.yaml", "train.jsonl", "validation.jsonl", "IMPORT_REPORT.md"):
        assert (out / name).read_text() == (EXAMPLE / "converted" / name).read_text(), name
    for check in ("grader (rft grade --validate)", "team example config", "dataset pre-flight"):
        assert check in stdout
    assert "FAILED" not in stdout


def test_report_lists_every_field_of_the_job(tmp_path, job_file):
    body = json.loads((EXAMPLE / "job.json").read_text())
    code = importing(tmp_path, job_file(body), "--map-model", f"o4-mini-2025-04-16={JUDGE}")
    assert code == 0
    report = (tmp_path / "out" / "IMPORT_REPORT.md").read_text()
    fields = [f"`{key}`" for key in body if key != "method"]
    fields += [
        f"`method.reinforcement.hyperparameters.{k}`" for k in body["method"]["reinforcement"]["hyperparameters"]
    ]
    fields += ["`method.reinforcement.response_format`", "`method.type`"]
    fields += [
        f"`method.reinforcement.grader.graders.{k}`" for k in body["method"]["reinforcement"]["grader"]["graders"]
    ]
    for field in fields:
        assert field in report, field
    assert "## What the team must decide" in report and "## What does not carry over" in report


# ----------------------------------------------------------------------------- grader types
def _judge(kind):
    base = {
        "name": kind,
        "model": "o4-mini-2025-04-16",
        "input": [{"role": "user", "content": "Reference: {{item.answer}}\nAnswer: {{sample.output_text}}"}],
    }
    if kind == "score_model":
        return {"type": "score_model", **base, "range": [0, 10], "sampling_params": {"temperature": 0}}
    return {"type": "label_model", **base, "labels": ["right", "wrong"], "passing_labels": ["right"]}


GRADERS = {
    "string_check": string_check(),
    "text_similarity": {
        "type": "text_similarity",
        "name": "close",
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "evaluation_metric": "bleu",
    },
    "score_model": _judge("score_model"),
    "label_model": _judge("label_model"),
    "python": {
        "type": "python",
        "name": "py",
        "image_tag": "2025-05-08",
        "source": "def grade(sample, item):\n    return float(sample['output_text'].strip() == item['answer'])\n",
    },
    "multi": {
        "type": "multi",
        "name": "both",
        "graders": {"a": string_check("a"), "b": _judge("score_model")},
        "calculate_output": "0.5 * a + 0.5 * b",
    },
    "nested multi": {
        "type": "multi",
        "name": "outer",
        "calculate_output": "inner * j",
        "graders": {
            "inner": {
                "type": "multi",
                "name": "inner",
                "calculate_output": "min(a, b)",
                "graders": {"a": string_check("a"), "b": {**string_check("b", "difficulty"), "operation": "ne"}},
            },
            "j": _judge("label_model"),
        },
    },
}


@pytest.mark.parametrize("kind", list(GRADERS))
def test_every_grader_type_carries_over(kind, tmp_path, job_file):
    grader = GRADERS[kind]
    mapping = ["--map-model", f"o4-mini-2025-04-16={JUDGE}"] if "model" in json.dumps(grader) else []
    code = importing(tmp_path, job_file(create_body(grader)), *mapping, train=write_jsonl(tmp_path / "t.jsonl", rows()))
    assert code == 0
    expected = json.loads(json.dumps(grader).replace("o4-mini-2025-04-16", JUDGE))
    assert entry(tmp_path)["grader"] == expected
    text = (tmp_path / "out" / "customization.yaml").read_text()
    assert ("# was o4-mini-2025-04-16 (OpenAI judge; mapped by --map-model)" in text) == bool(mapping)


def test_both_job_shapes_give_the_same_customization(tmp_path, job_file):
    body = create_body(GRADERS["multi"], {"n_epochs": 2, "batch_size": 8})
    assert importing(tmp_path / "a", job_file(body, "a.json"), "--map-model", f"o4-mini-2025-04-16={JUDGE}") == 0
    assert (
        importing(tmp_path / "b", job_file(retrieved(body), "b.json"), "--map-model", f"o4-mini-2025-04-16={JUDGE}")
        == 0
    )
    a, b = entry(tmp_path / "a"), entry(tmp_path / "b")
    assert a["grader"] == b["grader"] and a["hyperparameters"] == b["hyperparameters"] == {
        "n_epochs": 2,
        "batch_size": 8,
    }
    report = (tmp_path / "b" / "out" / "IMPORT_REPORT.md").read_text()
    assert "retrieved job (`ftjob-abc123`)" in report
    assert '| `status` | `"running"` | not applicable |' in report
    assert "| `hyperparameters` |" in report and "supervised jobs only" in report


def test_rows_keep_every_field_the_grader_reads(tmp_path, job_file):
    grader = {
        "type": "multi",
        "name": "m",
        "calculate_output": "a * p",
        "graders": {
            "a": string_check("a"),
            "p": {
                "type": "python",
                "name": "p",
                "source": "def grade(sample, item):\n    return 1.0 if item['meta']['level'] == 2 else 0.0\n",
            },
        },
    }
    data = rows(100, {"meta": {"level": 2}, "id": "row-1", "metadata": {"source": "x"}})
    data[3]["reference_answer"] = "6"  # a row with its own reference keeps it
    data[3].pop("id"), data[3].pop("metadata")
    assert importing(tmp_path, job_file(create_body(grader)), train=write_jsonl(tmp_path / "t.jsonl", data)) == 0
    converted = [json.loads(x) for x in (tmp_path / "out" / "train.jsonl").read_text().splitlines()]
    assert converted[0] == {
        "messages": [
            {"role": "system", "content": "Answer with a number."},
            {"role": "user", "content": "What is 0 + 0?"},
        ],
        "reference_answer": {
            "answer": "0",
            "difficulty": "hard",
            "meta": {"level": 2},
            "id": "row-1",
            "metadata": {"source": "x"},
        },
    }
    assert (
        converted[3]["reference_answer"] == "6"
        and converted[3]["answer"] == "6"
        and converted[3]["meta"] == {"level": 2}
    )


# --------------------------------------------------------------------------- hyperparameters
MANTLE = {  # OpenAI name, value -> what the mantle plane gets (None: dropped)
    "n_epochs": (3, ("n_epochs", 3)),
    "batch_size": (16, ("batch_size", 16)),
    "learning_rate_multiplier": (0.5, ("learning_rate_multiplier", 0.5)),
    "reasoning_effort": ("high", None),
    "compute_multiplier": (2.0, None),
    "eval_interval": (5, None),
    "eval_samples": (4, None),
}
NOVA = {
    "n_epochs": (3, ("epochCount", 3)),
    "batch_size": (32, ("batchSize", 32)),
    "learning_rate_multiplier": (0.5, None),
    "reasoning_effort": ("medium", ("reasoningEffort", "medium")),
    "compute_multiplier": (2.0, None),
    "eval_interval": (5, ("evalInterval", 5)),
    "eval_samples": (4, None),
}


@pytest.mark.parametrize("plane,name", [("mantle", n) for n in MANTLE] + [("nova", n) for n in NOVA])
def test_each_hyperparameter(plane, name, tmp_path, job_file):
    table, base, team = (
        (MANTLE, "qwen.qwen3-32b", "example")
        if plane == "mantle"
        else (NOVA, "amazon.nova-2-lite-v1:0:256k", "nova-example")
    )
    value, expected = table[name]
    code = importing(tmp_path, job_file(create_body(hyperparameters={name: value})), base=base, team=team)
    assert code == 0
    got = entry(tmp_path)["hyperparameters"]
    assert got == ({} if expected is None else {expected[0]: expected[1]})
    text = (tmp_path / "out" / "customization.yaml").read_text()
    report = (tmp_path / "out" / "IMPORT_REPORT.md").read_text()
    row = next(line for line in report.splitlines() if f"hyperparameters.{name}`" in line)
    if expected is None:
        assert f"# {name}: {json.dumps(value)} -> dropped: " in text and "| dropped |" in row
    else:
        assert "| carried |" in row or "| changed |" in row


def test_auto_values_leave_bedrock_defaults(tmp_path, job_file):
    body = create_body(hyperparameters={"n_epochs": "auto", "batch_size": "auto", "reasoning_effort": "default"})
    assert importing(tmp_path, job_file(body), base="amazon.nova-2-lite-v1:0:256k", team="nova-example") == 0
    assert entry(tmp_path)["hyperparameters"] == {}
    assert (
        '# n_epochs: "auto" -> epochCount left unset (Bedrock\'s default)'
        in (tmp_path / "out" / "customization.yaml").read_text()
    )


def test_nova_learning_rate_is_a_decision(tmp_path, job_file):
    body = create_body(hyperparameters={"learning_rate_multiplier": 2.0})
    assert importing(tmp_path, job_file(body), base="amazon.nova-2-lite-v1:0:256k", team="nova-example") == 0
    assert "choose a learningRate for Nova" in (tmp_path / "out" / "IMPORT_REPORT.md").read_text()


@pytest.mark.parametrize(
    "plane,hp,message",
    [
        (
            "mantle",
            {"n_epochs": 51},
            "hyperparameters.n_epochs: 51 is out of range; use an integer from 1 to 50 for qwen.qwen3-32b",
        ),
        ("mantle", {"learning_rate_multiplier": 0.001}, "learning_rate_multiplier: 0.001 is out of range"),
        (
            "nova",
            {"batch_size": 4},
            "hyperparameters.batch_size: 4 is out of range; use an integer from 16 to 512 for amazon.nova-2-lite-v1:0:256k (batchSize)",
        ),
        ("nova", {"eval_interval": 500}, "eval_interval: 500 is out of range; use an integer from 1 to 100"),
        ("mantle", {"n_epochs": True}, "hyperparameters.n_epochs: True is not int"),
        ("mantle", {"batch_size": "8"}, "hyperparameters.batch_size: '8' is not int"),
        ("mantle", {"n_epochs": 1.5}, "method.reinforcement.hyperparameters.n_epochs"),
        ("mantle", {"reasoning_effort": "extreme"}, "method.reinforcement.hyperparameters.reasoning_effort"),
    ],
)
def test_hyperparameter_range_checks(plane, hp, message, tmp_path, job_file, capsys):
    base, team = (
        ("qwen.qwen3-32b", "example") if plane == "mantle" else ("amazon.nova-2-lite-v1:0:256k", "nova-example")
    )
    assert importing(tmp_path, job_file(create_body(hyperparameters=hp)), base=base, team=team) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and message in lines[0], lines
    assert not (tmp_path / "out").exists()


# -------------------------------------------------------------------------------- bad input
BAD_JOBS = {
    "not rft": (
        lambda: {**create_body(), "method": {"type": "supervised", "supervised": {}}},
        "method.type is 'supervised', not 'reinforcement'",
    ),
    "no method": (lambda: {"model": "o4-mini", "training_file": "file-1"}, "method.type is missing"),
    "no grader": (
        lambda: {**create_body(), "method": {"type": "reinforcement", "reinforcement": {}}},
        "method.reinforcement.grader is missing",
    ),
    "unknown grader type": (
        lambda: create_body({"type": "regex_match", "name": "r"}),
        "grader.type: unknown OpenAI grader type 'regex_match'; OpenAI defines string_check",
    ),
    "unknown nested type": (
        lambda: create_body(
            {"type": "multi", "name": "m", "calculate_output": "a", "graders": {"a": {"type": "lambda", "name": "x"}}}
        ),
        "grader.graders.a.type: unknown OpenAI grader type 'lambda'",
    ),
    "bad operation": (
        lambda: create_body({**string_check(), "operation": "contains"}),
        "grader.operation: Input should be 'eq', 'ne', 'like' or 'ilike'",
    ),
    "not a job": (lambda: [1, 2], "expected a JSON object"),
    "bad create body": (lambda: {**create_body(), "training_file": 7}, "training_file: Input should be a valid string"),
    "cosine": (
        lambda: create_body({**GRADERS["text_similarity"], "evaluation_metric": "cosine"}),
        "evaluation_metric 'cosine' needs an embedding model",
    ),
    "foreign python import": (
        lambda: create_body(
            {
                "type": "python",
                "name": "fz",
                "source": "from rapidfuzz import fuzz\n\ndef grade(sample, item):\n    return 1.0\n",
            }
        ),
        "imports rapidfuzz, which the code sandbox does not provide",
    ),
    "sandbox-denied import": (
        lambda: create_body(
            {"type": "python", "name": "net", "source": "import socket\n\ndef grade(sample, item):\n    return 1.0\n"}
        ),
        "imports socket, which the code sandbox refuses",
    ),
    "python syntax": (
        lambda: create_body({"type": "python", "name": "s", "source": "def grade(:\n"}),
        "not valid Python",
    ),
    "item.messages": (
        lambda: create_body({**string_check(), "reference": "{{item.messages.0.content}}"}),
        "the grader reads item.messages",
    ),
    "output_tools": (
        lambda: create_body({**string_check(), "input": "{{sample.output_tools}}"}),
        "unknown template variable",
    ),
    "our own field": (
        lambda: create_body({**GRADERS["python"], "timeout_s": 120}),
        "grader.timeout_s: not a field of OpenAI's python grader",
    ),
}


@pytest.mark.parametrize("case", list(BAD_JOBS))
def test_bad_jobs_fail_with_one_clear_line(case, tmp_path, job_file, capsys):
    make, message = BAD_JOBS[case]
    assert importing(tmp_path, job_file(make())) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and message in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_not_json(tmp_path, job_file, capsys):
    assert importing(tmp_path, job_file("{not json")) == 2
    assert "not valid JSON" in error_lines(capsys)[0]


def test_missing_map_model_lists_every_judge_and_never_guesses(tmp_path, job_file, capsys):
    grader = {
        "type": "multi",
        "name": "m",
        "calculate_output": "a + b",
        "graders": {"a": _judge("score_model"), "b": {**_judge("label_model"), "model": "gpt-4.1-2025-04-14"}},
    }
    assert importing(tmp_path, job_file(create_body(grader))) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1
    assert "OpenAI judge model(s) gpt-4.1-2025-04-14, o4-mini-2025-04-16; pass --map-model" in lines[0]
    # one mapped, one missing: still fails, naming only the missing one
    assert importing(tmp_path, job_file(create_body(grader)), "--map-model", f"o4-mini-2025-04-16={JUDGE}") == 2
    assert "model(s) gpt-4.1-2025-04-14;" in error_lines(capsys)[0]


@pytest.mark.parametrize(
    "target,message",
    [
        ("gpt-4o", "'gpt-4o' is not a Bedrock model id"),
        ("eu.amazon.nova-pro-v1:0", "a eu. inference profile cannot be called from us-west-2"),
        ("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0", "the ARN is in us-east-1"),
        ("amazon.nova-2-lite-v1:0:256k", "customization base id of Amazon Nova 2 Lite, not an inference id"),
    ],
)
def test_map_model_targets_are_checked(target, message, tmp_path, job_file, capsys):
    assert (
        importing(tmp_path, job_file(create_body(_judge("score_model"))), "--map-model", f"o4-mini-2025-04-16={target}")
        == 2
    )
    lines = error_lines(capsys)
    assert len(lines) == 1 and message in lines[0], lines


def test_unused_map_model_is_an_error(tmp_path, job_file, capsys):
    assert importing(tmp_path, job_file(create_body()), "--map-model", f"o4-mini={JUDGE}") == 2
    assert error_lines(capsys) == ["--map-model o4-mini: the grader uses no such judge model (it has no judge)"]


def test_judge_of_the_base_models_family_is_a_warning(tmp_path, job_file, capsys):
    code = importing(
        tmp_path,
        job_file(create_body(_judge("score_model"))),
        "--map-model",
        "o4-mini-2025-04-16=qwen.qwen3-235b-a22b-2507-v1:0",
    )
    assert code == 0
    assert "same model family (qwen)" in capsys.readouterr().out


def test_row_without_a_field_the_grader_reads(tmp_path, job_file, capsys):
    data = rows()
    del data[6]["answer"]
    train = write_jsonl(tmp_path / "t.jsonl", data[:3] + [""] + data[3:])  # a blank line shifts the numbers
    assert importing(tmp_path, job_file(create_body()), train=train) == 2
    lines = error_lines(capsys)
    assert lines == [
        f"{train} line 8: no field 'answer', which the grader reads at grader.reference ({{{{item.answer}}}})"
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "line,message",
    [
        ('{"messages": [{"role": "user", "content": "x"}], "answer": NaN}', "line 2: not valid JSON (NaN is not JSON)"),
        (
            '{"messages": [{"role": "user", "content": "x"}], "answer": "1", "answer": "2"}',
            "line 2: not valid JSON (duplicate key 'answer')",
        ),
        ("[1, 2]", "line 2: expected a JSON object, got list"),
        ('{"answer": "1"}', "line 2: no 'messages' list"),
        (
            '{"messages": [{"role": "user", "content": "x"}], "answer": "1", "reference_answer": null}',
            "line 2: reference_answer is null",
        ),
        (
            '{"messages": [{"role": "user", "content": "x"}], "answer": "1", "reference_answer": {"answer": "2"}}',
            "line 2: field 'answer' differs from reference_answer.answer",
        ),
    ],
)
def test_rows_that_cannot_be_converted(line, message, tmp_path, job_file, capsys):
    train = write_jsonl(tmp_path / "t.jsonl", [rows(1)[0], line])
    assert importing(tmp_path, job_file(create_body()), train=train) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and message in lines[0], lines


def test_checks_after_writing_report_source_lines(tmp_path, job_file, capsys):
    data = rows(5)
    data[2]["messages"].append({"role": "assistant", "content": "4"})
    train = write_jsonl(tmp_path / "t.jsonl", data)
    assert importing(tmp_path, job_file(create_body()), train=train) == 2
    captured = capsys.readouterr()
    assert "FAILED" in captured.out
    lines = [line.removeprefix(PREFIX) for line in captured.err.splitlines()]
    assert (
        f"train.jsonl line 3 ({train} line 3): the last message is from the assistant; the prompt must end before the answer"
        in lines
    )
    assert "train.jsonl: 5 rows; at least 100 are needed" in lines
    assert (tmp_path / "out" / "train.jsonl").exists()  # written, so the team can look


def test_reference_probe_runs_for_rule_graders(tmp_path, job_file, capsys):
    data = rows()
    data[9]["answer"] = ""  # like needs a non-empty reference
    grader = {**string_check(), "operation": "like"}
    assert importing(tmp_path, job_file(create_body(grader)), train=write_jsonl(tmp_path / "t.jsonl", data)) == 2
    lines = error_lines(capsys)
    assert (
        len(lines) == 1
        and lines[0].startswith("train.jsonl line 10 (")
        and "the grader cannot use this row" in lines[0]
    )


def test_team_and_model_checks(tmp_path, job_file, capsys):
    job = job_file(create_body())
    assert importing(tmp_path, job, base="amazon.nova-2-lite-v1:0:256k") == 2
    assert "is offered for RFT in us-east-1, not in team example's region us-west-2" in error_lines(capsys)[0]
    assert importing(tmp_path, job, base="gpt-4o") == 2
    assert "--base-model 'gpt-4o' is not in the model catalog" in error_lines(capsys)[0]
    assert importing(tmp_path, job, name="ticket-triage") == 2
    assert "already declares a customization named 'ticket-triage'" in error_lines(capsys)[0]
    assert importing(tmp_path, job, name="Bad_Name") == 2
    assert "customization.name: 'Bad_Name' is not a valid customization name" in error_lines(capsys)[0]
    assert importing(tmp_path, job, team="no-such-team") == 2
    assert "no config for team 'no-such-team'" in error_lines(capsys)[0]


def test_response_format_is_reported_with_a_schema_component(tmp_path, job_file):
    body = json.loads((EXAMPLE / "job.json").read_text())
    assert importing(tmp_path, job_file(body), "--map-model", f"o4-mini-2025-04-16={JUDGE}") == 0
    report = (tmp_path / "out" / "IMPORT_REPORT.md").read_text()
    snippet = report.split("```yaml\n")[1].split("```")[0]
    gated = yaml.safe_load(snippet.replace("task: {...}", "task: TASK"))["grader"]
    gated["graders"]["task"] = entry(tmp_path)["grader"]
    from rft_graders.spec import parse_grader_spec

    parse_grader_spec(gated)  # the suggestion, completed as the report says, is a valid grader
    assert (
        gated["graders"]["schema"]["schema"]
        == body["method"]["reinforcement"]["response_format"]["json_schema"]["schema"]
    )


# ------------------------------------------------------------------ adversarial input
@pytest.mark.parametrize(
    "line,message",
    [
        (
            '{"messages": [{"role": "user", "content": "x"}], "answer": 1e400}',
            "line 2: not valid JSON (1e400 is not a finite number)",
        ),
        (
            '{"messages": [{"role": "user", "content": "x"}], "answer": "\\ud800"}',
            "line 2: not valid Unicode (an unpaired surrogate)",
        ),
    ],
)
def test_rows_that_would_write_invalid_json(line, message, tmp_path, job_file, capsys):
    train = write_jsonl(tmp_path / "t.jsonl", [rows(1)[0], line])
    assert importing(tmp_path, job_file(create_body()), train=train) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and message in lines[0], lines


@pytest.mark.parametrize(
    "depth,message", [(40, "grader: multi graders nest more than 16 deep"), (3000, "nests more deeply than")]
)
def test_deeply_nested_grader_is_refused(depth, message, tmp_path, job_file, capsys):
    text = json.dumps(string_check())
    for level in range(depth):  # built as text: json.dumps itself cannot nest this deep
        text = (
            '{"type": "multi", "name": "m' + str(level) + '", "calculate_output": "g", "graders": {"g": ' + text + "}}"
        )
    body = json.dumps(create_body()).replace(json.dumps(string_check()), text)
    assert importing(tmp_path, job_file(body)) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and message in lines[0], lines


def test_output_never_overwrites_an_input(tmp_path, job_file, capsys):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    train = write_jsonl(data_dir / "train.jsonl", rows())
    before = train.read_text()
    code = run(
        str(job_file(create_body())),
        "--team",
        "example",
        "--name",
        "x",
        "--base-model",
        "qwen.qwen3-32b",
        "--training-file",
        str(train),
        "--out",
        str(data_dir),
    )
    assert code == 2
    assert "would overwrite the input" in error_lines(capsys)[0]
    assert train.read_text() == before


def test_summary_prints_problem_text_literally(tmp_path, job_file, capsys):
    data = rows()
    data[4]["messages"][0]["role"] = "[bold]tool"
    assert importing(tmp_path, job_file(create_body()), train=write_jsonl(tmp_path / "t.jsonl", data)) == 2
    out = re.sub(r"[\s│]", "", capsys.readouterr().out)  # the table may wrap the detail
    assert "messages[0].role'[bold]tool'" in out  # rich would have taken [bold] for markup


def test_line_breaks_in_values_stay_inside_comments(tmp_path, job_file):
    body = create_body(_judge("score_model"), training_file="file-1\nname: injected", suffix="a\nb: c")
    body["method"]["reinforcement"]["grader"]["model"] = "o4-mini\n    evil: true"
    train = write_jsonl(tmp_path / "t.jsonl", rows())
    assert importing(tmp_path, job_file(body), "--map-model", f"o4-mini\n    evil: true={JUDGE}", train=train) == 0
    got = entry(tmp_path)
    assert "evil" not in got["grader"] and got["name"] == "imported" and got["grader"]["model"] == JUDGE


def test_json_lists_the_checks(tmp_path, monkeypatch, capsys):
    import json

    monkeypatch.chdir(REPO)
    code = run(
        "examples/openai/job.json",
        "--team",
        "example",
        "--name",
        "support-triage",
        "--base-model",
        "qwen.qwen3-32b",
        "--training-file",
        "examples/openai/train.openai.jsonl",
        "--map-model",
        f"o4-mini-2025-04-16={JUDGE}",
        "--out",
        str(tmp_path / "out"),
        "--json",
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and all(check["ok"] for check in report["checks"])
    assert "dataset pre-flight" in [check["name"] for check in report["checks"]]
