"""The traps a new platform engineer fell into (issue 14), each closed at config load."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest
import yaml

from rft.config.loader import REPO_ROOT, TEAMS_DIR, TEAMS_DIR_ENV, ConfigError, load_team, load_team_file

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
        }
    ],
}


# --- trap 1: a copied example deploys as "example" -----------------------------------------------


def test_copied_example_under_a_new_name_is_an_error_naming_both(tmp_path):
    (tmp_path / "myteam.yaml").write_text((TEAMS_DIR / "example.yaml").read_text())
    with pytest.raises(ConfigError) as caught:
        load_team("myteam", tmp_path)
    message = str(caught.value)
    assert "named 'myteam'" in message and "team: 'example'" in message


def test_cdk_app_refuses_a_file_whose_name_and_team_disagree(tmp_path):
    (tmp_path / "myteam.yaml").write_text((TEAMS_DIR / "example.yaml").read_text())
    env = os.environ | {
        "PYTHONPATH": CHECKOUT_PATH,
        "CDK_CONTEXT_JSON": json.dumps({"team": "myteam", "teams_dir": str(tmp_path)}),
        "CDK_OUTDIR": str(tmp_path / "out"),
    }
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "app.py")], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and "named 'myteam'" in result.stderr
    assert not (tmp_path / "out" / "manifest.json").exists()


# --- trap 3: YAML 1.1 surprises -------------------------------------------------------------------

NOVA = """\
team: search-quality
account: "123456789012"
region: us-east-1
description: no
pricing:
  amazon.nova-2-lite-v1:0:256k: {usd_per_million_training_tokens: 5.0}
customizations:
  - name: ticket-triage
    description: off
    base_model: amazon.nova-2-lite-v1:0:256k
    grader: {template: classification, labels: [p1, p2]}
    hyperparameters: {learningRate: 1e-5, epochCount: 2}
"""


def test_config_is_read_as_yaml_1_2(tmp_path):
    path = tmp_path / "search-quality.yaml"
    path.write_text(NOVA)
    config = load_team_file(path)
    # PyYAML (YAML 1.1) reads 1e-5 as the string "1e-5" and no/off as booleans.
    assert config.customizations[0].hyperparameters["learningRate"] == 1e-5
    assert config.description == "no" and config.customizations[0].description == "off"


def test_duplicate_keys_are_rejected_in_nested_mappings_too(tmp_path):
    path = tmp_path / "search-quality.yaml"
    path.write_text(NOVA.replace("epochCount: 2}", "epochCount: 2, epochCount: 3}"))
    with pytest.raises(ConfigError, match="duplicate key 'epochCount'"):
        load_team_file(path)


# --- trap 2: every reference resolved at load ------------------------------------------------------


def _with(tmp_path, **changes):
    config = copy.deepcopy(VALID) | changes
    path = tmp_path / "search-quality.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_python_grader_module_that_does_not_exist_fails_load(tmp_path):
    customization = VALID["customizations"][0] | {
        "grader": {"type": "python", "name": "cov", "module": "team_graders.no_such_module"}
    }
    with pytest.raises(ConfigError, match="no module 'team_graders.no_such_module' in the grader bundle"):
        load_team_file(_with(tmp_path, customizations=[customization]))


def test_python_grader_module_nested_in_multi_is_resolved(tmp_path):
    grader = {
        "type": "multi",
        "calculate_output": "a",
        "graders": {"a": {"type": "python", "name": "a", "module": "team_graders.missing"}},
    }
    customization = VALID["customizations"][0] | {"grader": grader}
    with pytest.raises(ConfigError, match=r"graders\.a\.module: no module 'team_graders.missing'"):
        load_team_file(_with(tmp_path, customizations=[customization]))


def test_existing_python_grader_module_loads(tmp_path):
    customization = VALID["customizations"][0] | {
        "grader": {"type": "python", "name": "cov", "module": "team_graders.keyword_coverage"}
    }
    assert load_team_file(_with(tmp_path, customizations=[customization]))


def test_pricing_for_a_misspelled_model_fails_load(tmp_path):
    pricing = VALID["pricing"] | {"qwen.qwen3-23b": {"usd_per_million_training_tokens": 1.0}}
    with pytest.raises(ConfigError, match="pricing.qwen.qwen3-23b: not a base model.*did you mean 'qwen.qwen3-32b'"):
        load_team_file(_with(tmp_path, pricing=pricing))


# --- trap 4: one setting for a team kept outside the repository ------------------------------------


def test_environment_variable_finds_a_team_outside_the_repository(tmp_path, monkeypatch):
    (tmp_path / "search-quality.yaml").write_text(yaml.safe_dump(VALID))
    monkeypatch.setenv(TEAMS_DIR_ENV, str(tmp_path))
    assert load_team("search-quality").team == "search-quality"


def test_explicit_directory_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(TEAMS_DIR_ENV, str(tmp_path / "elsewhere"))
    assert load_team("example", TEAMS_DIR).team == "example"


def test_cdk_app_honours_the_environment_variable(tmp_path):
    (tmp_path / "search-quality.yaml").write_text(
        yaml.safe_dump(VALID | {"customizations": [VALID["customizations"][0] | {"hyperparameters": {"n_epochs": 99}}]})
    )
    env = os.environ | {
        "PYTHONPATH": CHECKOUT_PATH,
        TEAMS_DIR_ENV: str(tmp_path),
        "CDK_OUTDIR": str(tmp_path / "out"),
        "CDK_CONTEXT_JSON": json.dumps({"team": "search-quality"}),
    }
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "app.py")], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    # The team was found outside the repository (and then rejected for its own error).
    assert result.returncode == 2 and "n_epochs: 99 is out of range" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "source, ok",
    [
        ("def grade(sample, item):\n    return 1.0\n", True),
        ("from team_graders.keyword_coverage import grade\n", True),
        ("from typing import Callable\ndef _g(s, i):\n    return 1.0\ngrade: Callable = _g\n", True),
        ("def grader(sample, item):\n    return 1.0\n", False),
        ("class X:\n    def grade(self, sample, item):\n        return 1.0\n", False),
        ("def grade(:\n", False),
    ],
)
def test_module_reference_needs_a_top_level_grade(tmp_path, source, ok):
    from rft.config.references import module_problems

    (tmp_path / "team_graders").mkdir()
    (tmp_path / "team_graders" / "mine.py").write_text(source)
    problems = module_problems({"type": "python", "name": "m", "module": "team_graders.mine"}, root=tmp_path)
    assert (not problems) == ok, problems


def test_module_reference_outside_the_bundle_is_refused(tmp_path):
    from rft.config.references import module_problems

    # `os` imports anywhere, but it is not a grader in the bundle and has no grade().
    assert "no module 'os' in the grader bundle" in module_problems({"type": "python", "name": "m", "module": "os"})[0]
