"""`rft runs list|show` against moto, on registry items written by the workflow's own code.

Items are produced by the real handlers (``request_approval``, ``selection.select``, ``promote``,
``record_failure``) and ``RunRegistry`` as ``submit`` calls it, with the registry clock
pinned so that start times and durations are known.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import boto3
import pytest

from rft import run_history as runs_cli
from rft_contracts import naming
from tests.fakes.registry_table import create_registry_table

TEAM, ACCOUNT, REGION = "example", "111111111111", "us-west-2"
TABLE = naming.registry_table_name(TEAM)
LONG_JOB = "ftjob-7f3c2a9e1b4d4e0f8a6c5b2d1e9f0a3c"
SUCCEEDED, FAILED, REJECTED, RUNNING = (
    "r20260101000000-aaaaaa",
    "r20260102000000-bbbbbb",
    "r20260102120000-dddddd",
    "r20260103000000-cccccc",
)
NOW = dt.datetime(2026, 1, 3, 1, 5, 0, tzinfo=dt.UTC)


def cli(*argv: str) -> int:
    """Through `rft.cli.main` once the lead registers the command there, else our own parser."""
    import argparse

    from rft import cli as rft_cli

    top = rft_cli.build_parser()
    registered = {name for action in top._subparsers._group_actions for name in action.choices}
    if argv[0] in registered:
        return rft_cli.main(list(argv))
    from rft import dashboard, model_commands, run_history

    parser = argparse.ArgumentParser(prog="rft")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (run_history, model_commands, dashboard):
        module.register(commands)
    args = parser.parse_args(list(argv))
    return args.func(args)


# --------------------------------------------------------------------------- workflow-side helpers
def workflow_config(customization: str) -> dict:
    """The state machine's config literal for a customization of the example team, made by the
    same builder synth uses."""
    from rft.config.loader import load_team
    from rft.config.runtime_config import build_runtime_config

    team = load_team(TEAM)
    [c] = [c for c in team.customizations if c.name == customization]
    return build_runtime_config(
        team,
        c,
        account=ACCOUNT,
        region=REGION,
        partition="aws",
        grader_function_arn=naming.lambda_arn(naming.grader_function_name(TEAM, customization), ACCOUNT, REGION),
        service_role_arn=None,
        kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
        datasets_bucket=naming.bucket_name(TEAM, "datasets", ACCOUNT, REGION),
        artifacts_bucket=naming.bucket_name(TEAM, "artifacts", ACCOUNT, REGION),
        registry_table=TABLE,
    ).model_dump(mode="json")


class Clock:
    """The registry's and the handlers' `now_iso`, pinned."""

    def __init__(self):
        self.at = "2026-01-01T00:00:00+00:00"

    def __call__(self) -> str:
        return self.at


def pinned_workflow(monkeypatch):
    """(handlers module, Lambda context, clock): the workflow code with its clock pinned."""
    for key, value in {
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "rft-workflow",
        "POWERTOOLS_METRICS_NAMESPACE": "RFT/example/Workflow",
    }.items():
        monkeypatch.setenv(key, value)
    import handlers

    import rft_contracts.registry as registry_module
    from tests.fakes.inprocess_lambda import fake_context

    clock = Clock()
    monkeypatch.setattr(registry_module, "now_iso", clock)
    return handlers, fake_context("workflow"), clock


@pytest.fixture
def workflow(monkeypatch):
    return pinned_workflow(monkeypatch)


def registry():
    from rft_contracts.registry import RunRegistry

    return RunRegistry(boto3.resource("dynamodb", region_name=REGION).Table(TABLE))


def running(customization: str, run_id: str, job_id: str) -> None:
    """What submit.submit writes once the job is created."""
    registry().update(
        customization,
        run_id,
        {
            "team": TEAM,
            "job_id": job_id,
            "plane": "mantle",
            "status": "running",
            "base_model": "qwen.qwen3-32b",
            "submit": {
                "state": "submitted",
                "started_at": "2026-01-01T00:00:00+00:00",
                "train_file_id": "file-1",
                "validation_file_id": "file-2",
                "job_id": job_id,
                "adopted": False,
            },
        },
    )


def evaluation(
    model_id: str, step: int | None, mean: float, std: float, samples: int = 200, errors: int = 0, final: bool = False
) -> dict:
    """A candidate's evaluation, as the gate passes it to ``selection.select``."""
    return {
        "model_id": model_id,
        "step": step,
        "final": final,
        "grader_spec_hash": "x",
        "evaluated": True,
        "reward_mean": mean,
        "reward_std": std,
        "samples": samples,
        "errors": errors,
        "prompts": samples + errors,
    }


DATASET = {
    "train": {
        "key": "ticket-triage/train.jsonl",
        "version_id": "3HL4kqtJlcpXroDTDmJ",
        "rows": 1200,
        "sha256": "9b74c9897bac770ffc029102a200c5de9b74c9897bac770ffc029102a200c5de",
        "prompt_tokens_mean": 120.5,
        "prompt_tokens_p95": 200,
        "prompt_tokens_max": 310,
    },
    "validation": {
        "key": "ticket-triage/validation.jsonl",
        "version_id": "Yo9cYvbWq2mPa0Lq",
        "rows": 200,
        "sha256": "1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8",
        "prompt_tokens_mean": 118.0,
        "prompt_tokens_p95": 190,
        "prompt_tokens_max": 280,
    },
    "report_key": "ticket-triage/runs/r/dataset-report.json",
}


def promoted(
    workflow,
    customization: str,
    run_id: str,
    start: str,
    end: str,
    evaluations: list[dict],
    final_model: str,
    job_id: str,
    cost: dict | None = None,
) -> dict:
    """A run that trained (registry item from submit), then selection + promote at ``end``."""
    handlers, ctx, clock = workflow
    clock.at = start
    running(customization, run_id, job_id)
    clock.at = end
    job = {
        "job_id": job_id,
        "plane": "mantle",
        "status": "succeeded",
        "started_at": start,
        "fine_tuned_model": final_model,
        "raw_status": "succeeded",
    }
    state = {
        "run_id": run_id,
        "config": workflow_config(customization),
        "dataset": DATASET,
        "job": job,
        "audit": {"passed": True, "summary": {"reward_mean": 0.41}, "report_key": "a.json"},
        "cost": cost or {"estimate_usd": 12.5, "decision": "proceed", "breakdown": {}},
        "checkpoints": {"items": [], "final_model": final_model},
        "evaluations": evaluations,
    }
    from rft_workflow import selection

    state["selection"] = selection.select(
        evaluations,
        state["checkpoints"],
        state["config"]["selection"]["metric"],
        state["config"]["selection"]["prefer"],
    )
    handlers.promote(state, ctx)
    return state


@pytest.fixture(autouse=True)
def env(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "MOTO_ACCOUNT_ID": ACCOUNT,
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "MANTLE_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(runs_cli, "_now", lambda: NOW)


def create_table() -> None:
    create_registry_table(TABLE, REGION)


@pytest.fixture
def aws():
    from moto import mock_aws

    with mock_aws():
        create_table()
        boto3.client("sns", region_name=REGION).create_topic(Name=naming.notification_topic_name(TEAM))
        yield


CKPT = f"ft:qwen.qwen3-32b:{LONG_JOB}:ckpt-step-"
FINAL = f"ft:qwen.qwen3-32b:{LONG_JOB}"


@pytest.fixture
def history(aws, workflow):
    """Four runs across three customizations, plus one in a customization the config no longer declares."""
    handlers, ctx, clock = workflow
    promoted(
        workflow,
        "ticket-triage",
        SUCCEEDED,
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T03:12:30+00:00",
        [
            evaluation(CKPT + "10", 10, 0.7012, 0.21),
            evaluation(CKPT + "20", 20, 0.8137, 0.1504),
            evaluation(FINAL, 20, 0.7991, 0.16, errors=3, final=True),
        ],
        FINAL,
        LONG_JOB,
    )
    # failed while training: submit wrote the item, record_failure closed it
    clock.at = "2026-01-02T00:00:00+00:00"
    running("ticket-triage", FAILED, "ftjob-000042")
    clock.at = "2026-01-02T00:45:10+00:00"
    handlers.record_failure(
        {
            "run_id": FAILED,
            "config": workflow_config("ticket-triage"),
            "dataset": DATASET,
            "cost": {"estimate_usd": 12.5, "decision": "proceed"},
            "job": {"job_id": "ftjob-000042", "plane": "mantle", "status": "failed"},
            "failed_state": "TrainingJob",
            "error": {
                "Error": "JobFailed",
                "Cause": json.dumps(
                    {"errorMessage": "mantle job ftjob-000042 failed: training diverged", "errorType": "JobFailed"}
                ),
            },
        },
        ctx,
    )
    # asked for approval, then rejected
    clock.at = "2026-01-02T12:00:00+00:00"
    cost = {"estimate_usd": 412.0, "decision": "needs_approval", "breakdown": {}}
    handlers.request_approval(
        {"run_id": REJECTED, "config": workflow_config("python-functions"), "task_token": "token-1", "cost": cost}, ctx
    )
    clock.at = "2026-01-02T12:30:00+00:00"
    handlers.record_failure(
        {
            "run_id": REJECTED,
            "config": workflow_config("python-functions"),
            "dataset": DATASET,
            "cost": cost,
            "approval": {
                "approved": False,
                "by": "arn:aws:sts::111111111111:assumed-role/ops/ana",
                "reason": "too costly",
            },
            "error": {"Error": "Rejected", "Cause": "rejected"},
            "failed_state": "Approval",
        },
        ctx,
    )
    # still training
    clock.at = "2026-01-03T00:00:00+00:00"
    running("grade-school-math", RUNNING, "ftjob-000077")
    # an old customization, since removed from the team config: not listed
    clock.at = "2026-01-04T00:00:00+00:00"
    running("retired-thing", "r20260104000000-eeeeee", "ftjob-000099")


@pytest.fixture
def calls(monkeypatch):
    """DynamoDB operations the CLI makes; a Scan fails the test."""
    seen: list[tuple[str, dict]] = []
    original = runs_cli._table

    def no_scan(params, **kwargs):
        raise AssertionError("rft runs must not Scan the registry")

    def record(model, params, **kwargs):
        seen.append((model.name, json.loads(params["body"])))  # the request as sent

    def table(team):
        result = original(team)
        events = result.meta.client.meta.events
        events.register("before-call.dynamodb.Scan", no_scan)
        events.register("before-call.dynamodb.*", record)
        return result

    monkeypatch.setattr(runs_cli, "_table", table)
    return seen


def rows_of(out: str) -> tuple[list[str], list[list[str]]]:
    lines = out.rstrip("\n").splitlines()
    split = [re.split(r"\s{2,}", line.strip()) for line in lines]
    return split[0], split[1:]


# --------------------------------------------------------------------------- list
def test_list_all_customizations_newest_first_with_every_column(history, calls, capsys):
    assert cli("runs", "list", "--team", TEAM) == 0
    out = capsys.readouterr().out
    header, rows = rows_of(out)
    assert header == ["CUSTOMIZATION", "RUN", "STATE", "STARTED (UTC)", "DURATION", "CHOSEN MODEL", "BEST SCORE"]
    short = runs_cli.short_model(CKPT + "20")
    assert rows == [
        ["grade-school-math", RUNNING, "running", "2026-01-03 00:00", "1h05m", "-", "-"],
        ["python-functions", REJECTED, "rejected", "2026-01-02 12:00", "30m00s", "-", "-"],
        ["ticket-triage", FAILED, "failed", "2026-01-02 00:00", "45m10s", "-", "-"],
        ["ticket-triage", SUCCEEDED, "succeeded", "2026-01-01 00:00", "3h12m", short, "0.814"],
    ]
    # a very long model id is shortened (head and tail kept), not printed whole
    assert len(short) <= runs_cli.MODEL_WIDTH and "…" in short and short.endswith("ckpt-step-20")
    assert short.startswith("ft:qwen.qwen3-32b:") and CKPT + "20" not in out
    # aligned: every left-aligned column starts at the same offset on every line
    lines = out.rstrip("\n").splitlines()
    for title in ("RUN", "STATE", "STARTED (UTC)", "CHOSEN MODEL"):
        offset = lines[0].index(title)
        assert all(line[offset - 2 : offset] == "  " and line[offset] != " " for line in lines[1:])
    assert len({len(line) for line in lines}) == 1  # the right-aligned score column ends every line
    # one Query per declared customization, each on its partition key; no Scan
    declared = [
        "ticket-triage",
        "grade-school-math",
        "python-functions",
        "follow-instructions",
        "invoice-fields",
        "support-replies",
    ]
    assert [name for name, _ in calls] == ["Query"] * len(declared)
    assert [params["ExpressionAttributeValues"][":v0"]["S"] for _, params in calls] == declared
    assert all(params["ScanIndexForward"] is False for _, params in calls)
    assert "retired-thing" not in out


def test_list_filters_by_customization_and_limits(history, calls, capsys):
    assert cli("runs", "list", "--team", TEAM, "--customization", "ticket-triage") == 0
    _, rows = rows_of(capsys.readouterr().out)
    assert [(r[0], r[1]) for r in rows] == [("ticket-triage", FAILED), ("ticket-triage", SUCCEEDED)]
    assert [params["ExpressionAttributeValues"][":v0"]["S"] for _, params in calls] == ["ticket-triage"]

    assert cli("runs", "list", "--team", TEAM, "--limit", "2") == 0
    _, rows = rows_of(capsys.readouterr().out)
    assert [r[1] for r in rows] == [RUNNING, REJECTED]


def test_list_pages_through_a_partition(aws, workflow, capsys):
    handlers, ctx, clock = workflow
    for day in range(1, 8):
        clock.at = f"2026-02-0{day}T00:00:00+00:00"
        running("ticket-triage", f"r202602{day:02d}000000-abcdef", f"ftjob-{day}")
    assert cli("runs", "list", "--team", TEAM, "--customization", "ticket-triage", "--limit", "5") == 0
    _, rows = rows_of(capsys.readouterr().out)
    assert [r[1] for r in rows] == [f"r202602{d:02d}000000-abcdef" for d in (7, 6, 5, 4, 3)]


def test_list_with_no_runs(aws, capsys):
    assert cli("runs", "list", "--team", TEAM, "--customization", "invoice-fields") == 0
    assert capsys.readouterr().out == "no runs recorded for invoice-fields (team example)\n"


def test_duration_and_model_formats():
    assert [runs_cli.human_duration(s) for s in (0, 45, 65, 3600 + 12 * 60 + 59, 2 * 86400 + 3 * 3600)] == [
        "0s",
        "45s",
        "1m05s",
        "1h12m",
        "2d03h",
    ]
    assert runs_cli.short_model("qwen.qwen3-32b") == "qwen.qwen3-32b"
    arn = "arn:aws:bedrock:us-east-1:222222222222:custom-model/amazon.nova-2-lite-v1:0:256k/ab12cd34ef56"
    assert (
        runs_cli.short_model(arn)
        == "custom-model/amazon.nova-2-lite-v1:0:256k/ab12cd34ef56"[:21]
        + "…"
        + "custom-model/amazon.nova-2-lite-v1:0:256k/ab12cd34ef56"[-22:]
    )
    assert runs_cli.short_model(None) == "-"


# --------------------------------------------------------------------------- show
def test_show_a_promoted_run_with_lineage_and_scores(history, capsys):
    assert cli("runs", "show", SUCCEEDED, "--team", TEAM, "--customization", "ticket-triage") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"run {SUCCEEDED} of ticket-triage (team {TEAM})"
    assert re.search(r"^  state +succeeded$", out, re.M)
    assert re.search(r"^  duration +3h12m$", out, re.M)
    assert re.search(rf"^  job +{LONG_JOB} \(mantle\)$", out, re.M)
    assert re.search(
        rf"^  model +{re.escape(CKPT)}20 \(promoted 2026-01-01T03:12:30\+00:00 to "
        r"/rft/example/ticket-triage/model v1\)$",
        out,
        re.M,
    )
    assert re.search(r"^  base model +qwen\.qwen3-32b \(mantle\)$", out, re.M)
    spec_hash = workflow_config("ticket-triage")["grader_spec_hash"]
    assert re.search(rf"^  grader spec hash +{spec_hash[:12]}", out, re.M)
    assert re.search(r"^  hyperparameters +batch_size=64 learning_rate_multiplier=0\.5 n_epochs=3$", out, re.M)
    assert re.search(rf"^  job id +{LONG_JOB}$", out, re.M)
    assert re.search(r"^  cost estimate +\$12\.50 \(proceed\)$", out, re.M)
    assert re.search(r"^  approval +not required", out, re.M)
    assert re.search(r"^  selection rule +highest reward_mean on held-out validation prompts", out, re.M)
    for name in ("train", "validation"):
        ref = DATASET[name]
        at = lines.index(f"    {name}: {ref['key']}")
        assert lines[at + 1] == f"      version {ref['version_id']}  sha256 {ref['sha256']}  rows {ref['rows']}"
    scores = lines[lines.index("checkpoint scores") + 1 :]
    header, *table = [re.split(r"\s{2,}", line.strip()) for line in scores[:4]]
    assert header == ["MODEL", "STEP", "REWARD MEAN", "STD", "SAMPLES", "ERRORS"]
    assert table == [
        [CKPT + "10", "10", "0.701", "0.210", "200", "0"],
        ["*", CKPT + "20", "20", "0.814", "0.150", "200", "0"],
        [FINAL, "20 (final)", "0.799", "0.160", "200", "3"],
    ]
    assert scores[4] == f"  * chosen: {CKPT}20 (best reward_mean 0.8137)"
    assert "error" not in out


def test_show_a_failed_run_prints_error_and_step(history, capsys):
    assert cli("runs", "show", FAILED, "--team", TEAM, "--customization", "ticket-triage") == 0
    out = capsys.readouterr().out
    assert "error (failed at TrainingJob, 2026-01-02T00:45:10+00:00)" in out
    assert "  JobFailed: mantle job ftjob-000042 failed: training diverged" in out.splitlines()
    assert re.search(r"^  state +failed$", out, re.M) and re.search(r"^  duration +45m10s$", out, re.M)
    assert "(no lineage: the run was not promoted)" in out
    assert re.search(r"^  base model +qwen\.qwen3-32b$", out, re.M)


def test_show_names_the_report_page_and_the_evaluation_deployment(history, capsys):
    """What WriteRunReport and the Nova deployment steps record (RunRegistry.record_report,
    record_deployment) is shown, so an operator finds the page and any deployment left."""
    from rft_contracts.naming import run_report_key

    key = run_report_key("ticket-triage", FAILED)
    assert registry().record_report("ticket-triage", FAILED, key)
    deployment = {
        "name": "rft-d",
        "arn": "arn:aws:bedrock:us-west-2:1:custom-model-deployment/abc",
        "action": "deleted",
    }
    registry().record_deployment(TEAM, "ticket-triage", FAILED, deployment)
    assert cli("runs", "show", FAILED, "--team", TEAM, "--customization", "ticket-triage") == 0
    out = capsys.readouterr().out
    assert re.search(rf"^  report +{re.escape(key)} \(artifacts bucket", out, re.M)
    assert re.search(
        r"^  evaluation deployment +arn:aws:bedrock:us-west-2:1:custom-model-deployment/abc \(deleted\)$", out, re.M
    )


def test_show_a_rejected_run(history, capsys):
    assert cli("runs", "show", REJECTED, "--team", TEAM, "--customization", "python-functions") == 0
    out = capsys.readouterr().out
    assert "error (failed at Approval" in out and "Rejected: rejected" in out
    assert re.search(r"^  cost estimate +\$412\.00$", out, re.M)


def test_show_json_is_the_raw_item(history, capsys):
    assert cli("runs", "show", SUCCEEDED, "--team", TEAM, "--customization", "ticket-triage", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == registry().get("ticket-triage", SUCCEEDED)
    assert shown["lineage"]["chosen"]["reward_mean"] == 0.8137 and shown["parameter_version"] == 1


def test_show_running_run_duration_counts_to_now(history, capsys):
    assert cli("runs", "show", RUNNING, "--team", TEAM, "--customization", "grade-school-math") == 0
    assert re.search(r"^  duration +1h05m \(still going\)$", capsys.readouterr().out, re.M)


# --------------------------------------------------------------------------- errors
def one_line(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "Traceback" not in captured.err
    return captured.err


def test_unknown_run(history, capsys):
    assert cli("runs", "show", "r20990101000000-ffffff", "--team", TEAM, "--customization", "ticket-triage") == 2
    assert one_line(capsys) == f"rft runs: no run r20990101000000-ffffff of ticket-triage in the registry {TABLE}\n"


def test_unknown_team_and_customization(aws, capsys):
    assert cli("runs", "list", "--team", "nobody") == 2
    assert one_line(capsys).startswith("rft runs: no config for team 'nobody'")
    assert cli("runs", "list", "--team", TEAM, "--customization", "nope") == 2
    assert "declares no customization 'nope'" in one_line(capsys)
    assert cli("runs", "show", SUCCEEDED, "--team", TEAM, "--customization", "nope") == 2
    assert "declares no customization 'nope'" in one_line(capsys)
    assert cli("runs", "list", "--team", TEAM, "--limit", "0") == 2
    assert one_line(capsys) == "rft runs: --limit must be at least 1\n"


def test_missing_registry_table(capsys):
    from moto import mock_aws

    with mock_aws():
        assert cli("runs", "list", "--team", TEAM) == 2
        assert one_line(capsys) == (
            f"rft runs: the run registry {TABLE} does not exist in {REGION}; "
            f"deploy the team's data stack Rft-{TEAM}-Data first\n"
        )
        assert cli("runs", "show", SUCCEEDED, "--team", TEAM, "--customization", "ticket-triage") == 2
        assert "does not exist" in one_line(capsys)


def no_credentials(monkeypatch, tmp_path) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)


@pytest.mark.parametrize(
    "argv",
    [
        ("runs", "list", "--team", TEAM),
        ("runs", "show", SUCCEEDED, "--team", TEAM, "--customization", "ticket-triage"),
    ],
)
def test_no_credentials_is_one_clear_line(monkeypatch, tmp_path, capsys, argv):
    no_credentials(monkeypatch, tmp_path)
    assert cli(*argv) == 2
    assert one_line(capsys).startswith("rft runs: no AWS credentials found; configure credentials")


def test_a_run_failing_before_any_record_still_shows_when_it_started(aws, workflow, capsys):
    """validate_dataset writes nothing; record_failure's write (5 minutes in) is the first. The
    run name carries the real start, so the duration is not 0s."""
    handlers, ctx, clock = workflow
    clock.at = "2026-02-01T10:05:00+00:00"
    state = {
        "run_id": "r20260201100000-eeeeee",
        "config": workflow_config("ticket-triage"),
        "error": {"Error": "DatasetInvalid", "Cause": "train line 7: messages must be a list"},
    }
    handlers.record_failure(state, ctx)
    assert cli("runs", "list", "--team", TEAM, "--customization", "ticket-triage") == 0
    _, rows = rows_of(capsys.readouterr().out)
    [row] = rows
    assert row[1:5] == ["r20260201100000-eeeeee", "failed", "2026-02-01 10:00", "5m00s"]


def test_list_json_is_the_registry_items_newest_first(history, calls, capsys):
    assert cli("runs", "list", "--team", TEAM, "--customization", "ticket-triage", "--json") == 0
    items = json.loads(capsys.readouterr().out)
    assert [(i["customization"], i["run_id"]) for i in items] == [
        ("ticket-triage", FAILED),
        ("ticket-triage", SUCCEEDED),
    ]
