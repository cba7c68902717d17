"""Every bad config named in the foundation issue fails with the file, the field and what is allowed."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest
import yaml
from pydantic import ValidationError

from rft.config.loader import REPO_ROOT, ConfigError, load_team, load_team_file

# This checkout's grader runtime and contracts for app.py subprocesses, whatever an editable
# install elsewhere put on the path.
CHECKOUT_PATH = os.pathsep.join(str(REPO_ROOT / p) for p in ("lambda/grader", "."))

VALID = {
    "team": "search-quality",
    "account": "123456789012",
    "region": "us-west-2",
    "pricing": {"qwen.qwen3-32b": {"usd_per_million_training_tokens": 5.0}},
    "customizations": [
        {
            "name": "ticket-triage",
            "base_model": "qwen.qwen3-32b",
            "grader": {"template": "classification", "labels": ["p1", "p2"]},
            "hyperparameters": {"n_epochs": 3, "batch_size": 64, "learning_rate_multiplier": 0.5},
        }
    ],
}


def _write(tmp_path, config, name="team.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config) if not isinstance(config, str) else config)
    return path


def _error(tmp_path, config) -> str:
    with pytest.raises(ConfigError) as caught:
        load_team_file(_write(tmp_path, config))
    return str(caught.value)


def _changed(**changes):
    config = copy.deepcopy(VALID)
    for dotted, value in changes.items():
        target = config
        *parents, last = dotted.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
    return config


_DELETE = object()


def test_valid_config_loads_into_frozen_models(tmp_path):
    config = load_team_file(_write(tmp_path, VALID))
    assert config.customizations[0].hyperparameters["n_epochs"] == 3
    assert config.customizations[0].dataset.train == "train.jsonl"
    with pytest.raises(ValidationError):
        config.team = "other"  # frozen


@pytest.mark.parametrize("team", ["example", "nova-example"])
def test_shipped_team_configs_load(team):
    assert load_team(team).customizations


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            {"customizations__0__base_model": "meta.llama3-70b"},
            [
                "customizations[0].base_model",
                "unknown base model 'meta.llama3-70b'",
                "qwen.qwen3-32b",
                "amazon.nova-2-lite-v1:0:256k",
            ],
        ),
        ({"region": "eu-west-1"}, ["customizations[0].base_model", "not offered", "eu-west-1", "us-west-2"]),
        (
            {"customizations__0__hyperparameters": {"epochCount": 3}},
            [
                "customizations[0].hyperparameters.epochCount",
                "unknown for qwen.qwen3-32b",
                "n_epochs, batch_size, learning_rate_multiplier",
            ],
        ),
        (
            {"customizations__0__hyperparameters": {"n_epochs": 0}},
            ["customizations[0].hyperparameters.n_epochs", "out of range", "from 1 to 50"],
        ),
        ({"customizations__0__hyperparameters": {"n_epochs": 2.5}}, ["hyperparameters.n_epochs", "not an integer"]),
        ({"customizations__0__hyperparameters": {"n_epochs": True}}, ["hyperparameters.n_epochs", "True"]),
        ({"customizations__0__name": "a" * 33}, ["customizations[0].name", "at most 32 characters"]),
        ({"customizations__0__name": "ticket--triage"}, ["customizations[0].name", "not a valid customization name"]),
        ({"customizations__0__name": "ticket_triage"}, ["customizations[0].name", "not a valid customization name"]),
        ({"customizations__0__name": "Ticket.Triage"}, ["customizations[0].name", "not a valid customization name"]),
        ({"account": "12345"}, ["account", "'12345' does not match the pattern"]),
        ({"account": 123456789012}, ["account", "string"]),
        (
            {"customizations__0__hyperparams": {"n_epochs": 1}},
            ["customizations[0].hyperparams", "unknown key", "did you mean 'hyperparameters'?"],
        ),
        ({"regoin": "us-west-2"}, ["regoin", "unknown key", "did you mean 'region'?"]),
        ({"customizations__0__grader": _DELETE}, ["customizations[0].grader", "required"]),
        ({"compliance_packs": ["PCI"]}, ["compliance_packs[0]", "NIST80053R5", "HIPAASecurity"]),
        ({"pricing": {}}, ["pricing: no price for qwen.qwen3-32b", "'ticket-triage'"]),
        (
            {"budget": {"approval_above_usd": 900, "max_usd_per_run": 500}},
            ["budget.approval_above_usd: must not exceed max_usd_per_run"],
        ),
        (
            {"customizations__0__workflow": {"max_job_hours": 48, "execution_timeout_hours": 50}},
            ["customizations[0]", "workflow.execution_timeout_hours: must be at least 75 (max_job_hours 48"],
        ),
        (
            {
                "customizations__0__workflow": {"max_job_hours": 24, "execution_timeout_hours": 60},
                "customizations__0__promotion": {"approval_timeout_hours": 48},
            },
            ["workflow.execution_timeout_hours: must be at least 75", "promotion.approval_timeout_hours 48"],
        ),
        (
            {"customizations__0__checkpoint_selection": {"metric": "accuracy"}},
            ["customizations[0].checkpoint_selection.metric", "reward_mean"],
        ),
        ({"notifications": {"emails": ["not-an-email"]}}, ["notifications.emails[0]"]),
        (
            {"data": {"log_retention_days": 10}},
            ["data.log_retention_days", "not a CloudWatch Logs retention period", "14"],
        ),
        (
            {"job_vpc": {"subnet_ids": ["subnet-xyz"], "security_group_ids": ["sg-0123456789abcdef0"]}},
            ["job_vpc.subnet_ids[0]", "'subnet-xyz' does not match"],
        ),
        ({"job_vpc": {"subnet_ids": [], "security_group_ids": ["sg-0123456789abcdef0"]}}, ["job_vpc.subnet_ids"]),
    ],
    ids=[
        "unknown-model",
        "model-not-in-region",
        "hyperparameter-of-other-model",
        "hyperparameter-out-of-range",
        "hyperparameter-not-integer",
        "hyperparameter-bool",
        "name-too-long",
        "name-double-hyphen",
        "name-underscore",
        "name-upper-dot",
        "account-malformed",
        "account-not-quoted",
        "typo-nested",
        "typo-top-level",
        "missing-grader",
        "unknown-pack",
        "no-price",
        "budget-order",
        "timeout-order",
        "promotion-wait-in-budget",
        "selection-metric",
        "bad-email",
        "log-retention",
        "vpc-subnet-id",
        "vpc-no-subnets",
    ],
)
def test_bad_config_is_rejected_with_file_field_and_allowed_values(tmp_path, changes, expected):
    message = _error(tmp_path, _changed(**changes))
    assert message.startswith("team.yaml: ") or "team.yaml: " in message
    for fragment in expected:
        assert fragment in message, message


def test_nova_hyperparameters_are_checked_against_their_own_ranges(tmp_path):
    config = _changed(region="us-east-1")
    config["customizations"][0].update(
        base_model="amazon.nova-2-lite-v1:0:256k",
        hyperparameters={"batchSize": 8},
    )
    assert "batchSize: 8 is out of range; use an integer from 16 to 512" in _error(tmp_path, config)
    config["customizations"][0]["hyperparameters"] = {"reasoningEffort": "extreme"}
    assert "one of low, medium, high" in _error(tmp_path, config)
    config["customizations"][0]["hyperparameters"] = {"learningRate": 0.01}
    assert "from 1e-07 to 0.001" in _error(tmp_path, config)


def test_duplicate_customization_names_are_rejected(tmp_path):
    config = copy.deepcopy(VALID)
    config["customizations"].append(copy.deepcopy(config["customizations"][0]))
    message = _error(tmp_path, config)
    assert "customizations[1].name: 'ticket-triage' is declared twice" in message


def test_duplicate_yaml_keys_are_rejected_not_silently_overwritten(tmp_path):
    text = yaml.safe_dump(VALID) + "region: us-east-1\n"
    message = _error(tmp_path, text)
    assert "duplicate key 'region'" in message and "line" in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    message = _error(tmp_path, "team: x\naccount: [unclosed\n")
    assert message.startswith("team.yaml: line") or "team.yaml: line" in message
    assert "not valid YAML" in message


def test_unknown_team_lists_the_teams_that_exist(tmp_path):
    _write(tmp_path, VALID, "alpha.yaml")
    with pytest.raises(ConfigError, match=r"no config for team 'beta'.*teams with a config: alpha"):
        load_team("beta", tmp_path)


def _run_app(tmp_path, team):
    env = os.environ | {
        "PYTHONPATH": CHECKOUT_PATH,
        "CDK_CONTEXT_JSON": json.dumps({"team": team, "teams_dir": str(tmp_path)}),
        "CDK_OUTDIR": str(tmp_path / "out"),
    }
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "app.py")], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_app_exits_non_zero_with_one_message_and_no_traceback_on_bad_config(tmp_path):
    _write(tmp_path, _changed(customizations__0__hyperparameters={"n_epochs": 99}), "search-quality.yaml")
    result = _run_app(tmp_path, "search-quality")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        f"error: {tmp_path / 'search-quality.yaml'}: customizations[0].hyperparameters.n_epochs: "
        "99 is out of range; use an integer from 1 to 50"
    ]


@pytest.mark.parametrize(
    "grader, expected",
    [
        ({"template": "classificaton"}, "customizations[0].grader.template: unknown template"),
        (
            {"template": "classification", "labels": ["only-one"]},
            "customizations[0].grader.labels: give at least two labels",
        ),
        (
            {
                "type": "string_check",
                "name": "x",
                "input": "{{sample.output_text}}",
                "reference": "a",
                "operation": "eqq",
            },
            "customizations[0].grader.operation: must be one of eq, ne, like, ilike",
        ),
        (
            {
                "type": "score_model",
                "name": "q",
                "model": "o4-mini",
                "range": [0, 1],
                "input": [{"role": "user", "content": "Rate {{sample.output_text}}"}],
            },
            "customizations[0].grader: judge model 'o4-mini' is not a Bedrock model id",
        ),
    ],
)
def test_grader_spec_that_does_not_parse_is_rejected_at_load(tmp_path, grader, expected):
    assert expected in _error(tmp_path, _changed(customizations__0__grader=grader))


JUDGE_TEMPLATES = {"conversation_quality", "instruction_following_judge", "summarization", "rag_faithfulness"}


def test_example_team_uses_every_rule_template_and_a_judge_template():
    from rft_graders.spec import TEMPLATES

    used = {c.grader.get("template") for c in load_team("example").customizations}
    assert JUDGE_TEMPLATES <= set(TEMPLATES)
    assert set(TEMPLATES) - JUDGE_TEMPLATES <= used
    assert used & JUDGE_TEMPLATES
