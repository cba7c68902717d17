"""asl-validator (npm, pinned in package.json) on every state machine definition synthesized."""

from __future__ import annotations

import json
import subprocess

import pytest

from rft.config.loader import REPO_ROOT, load_team
from tests.e2e.sfn_local import state_machines

VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "asl-validator"


@pytest.mark.parametrize("team", ["example", "nova-example"])
def test_every_definition_passes_asl_validator(synth, team, tmp_path):
    config = load_team(team)
    definitions = state_machines(synth(team).template("all-but-data"), account=config.account, region=config.region)
    assert len(definitions) == len(config.customizations)
    for name, definition in definitions.items():
        path = tmp_path / f"{name}.asl.json"
        path.write_text(json.dumps(definition))
        result = subprocess.run([str(VALIDATOR), "--json-path", str(path)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{name}:\n{result.stdout}{result.stderr}"


def test_the_validator_rejects_a_broken_definition(tmp_path):
    """The gate can fail: a Next that names no state is reported."""
    path = tmp_path / "broken.asl.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}))
    result = subprocess.run([str(VALIDATOR), "--json-path", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0


def test_definitions_use_jsonpath_only(synth):
    """moto's engine cannot run JSONata or variables; the local tests depend on that."""
    config = load_team("example")
    for definition in state_machines(
        synth("example").template("all-but-data"), account=config.account, region=config.region
    ).values():
        text = json.dumps(definition)
        assert "JSONata" not in text and '"Assign"' not in text
