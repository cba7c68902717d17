"""The worked example's customization.yaml, pasted under `customizations:` of a team file, loads
through the real config loader and synthesizes with the team (the embedded example team itself
is left as it is)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rft.config.loader import load_team_file

REPO = Path(__file__).resolve().parents[2]
PASTE = (REPO / "examples" / "openai" / "converted" / "customization.yaml").read_text()
EXAMPLE_TEAM = (REPO / "config" / "teams" / "example.yaml").read_text()


def pasted(team_text: str) -> str:
    """The team file with the entry pasted at the end of its `customizations:` list."""
    last = team_text.rstrip().splitlines()[-1]
    assert last.startswith("    ") or last == "customizations:", "customizations must be the last section"
    return team_text.rstrip("\n") + "\n" + PASTE


def test_pasted_entry_loads_with_the_example_team(tmp_path):
    path = tmp_path / "example.yaml"
    path.write_text(pasted(EXAMPLE_TEAM))
    config = load_team_file(path)
    names = [c.name for c in config.customizations]
    assert names[-1] == "support-triage" and len(names) == 7
    imported = config.customization("support-triage")
    assert imported.base_model == "qwen.qwen3-32b" and imported.control_plane.value == "mantle"
    assert imported.hyperparameters == {"n_epochs": 3, "batch_size": 16, "learning_rate_multiplier": 0.5}
    assert imported.grader["graders"]["faithful"]["model"] == "us.amazon.nova-pro-v1:0"
    assert (imported.dataset.train, imported.dataset.validation) == ("train.jsonl", "validation.jsonl")


@pytest.mark.xdist_group("synth")
def test_imported_customization_synthesizes_with_its_team(tmp_path):
    from tests.synth_support import synthesize

    header = EXAMPLE_TEAM.split("customizations:\n")[0]
    path = tmp_path / "imported.yaml"
    path.write_text(pasted(header.replace("team: example", "team: imported") + "customizations:\n"))
    config = load_team_file(path)
    assert [c.name for c in config.customizations] == ["support-triage"]
    synth = synthesize(config, tmp_path / "cdk.out")
    assert not synth.failed, synth.violations
    stack = synth.template("support-triage")
    text = json.dumps(stack)
    assert "us.amazon.nova-pro-v1:0" in text  # the mapped judge is granted to the grader
    functions = synth.resources("support-triage", "AWS::Lambda::Function")
    assert any("grader" in logical.lower() for logical in functions)
