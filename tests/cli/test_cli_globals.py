"""`rft --version` and `rft --teams-dir` (one setting for teams kept outside the repository)."""

from __future__ import annotations

import json
from importlib import metadata

import pytest
import yaml

from rft import cli, synth_summary
from rft.config.loader import TEAMS_DIR, TEAMS_DIR_ENV

TEAM = {"team": "outside", "account": "123456789012", "region": "us-west-2"}


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"rft {metadata.version('rft-platform')}"


@pytest.fixture
def outside(tmp_path, monkeypatch):
    # Set (empty: the default directory) so that monkeypatch restores it after `--teams-dir`
    # writes it, and no other test inherits the directory.
    monkeypatch.setenv(TEAMS_DIR_ENV, "")
    (tmp_path / "outside.yaml").write_text(yaml.safe_dump(TEAM))
    return tmp_path


def test_teams_dir_flag_reaches_every_command(outside, capsys, monkeypatch):
    assert cli.main(["dashboard", "--team", "outside"]) == 2  # not in config/teams
    capsys.readouterr()
    assert cli.main(["--teams-dir", str(outside), "dashboard", "--team", "outside", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["team"] == "outside"


def test_environment_variable_reaches_the_cli(outside, capsys, monkeypatch):
    monkeypatch.setenv(TEAMS_DIR_ENV, str(outside))
    assert cli.main(["dashboard", "--team", "outside"]) == 0


def _assembly(tmp_path):
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"artifacts": {}}))
    return out


def test_synth_summary_finds_a_team_outside_the_repository(outside, tmp_path, capsys, monkeypatch):
    out = _assembly(tmp_path)
    assert synth_summary.main([str(out), "--team", "outside"]) == 2
    capsys.readouterr()
    assert synth_summary.main([str(out), "--team", "outside", "--teams-dir", str(outside)]) == 0
    assert capsys.readouterr().out.startswith("team outside (123456789012, us-west-2)")
    monkeypatch.setenv(TEAMS_DIR_ENV, str(outside))
    assert synth_summary.main([str(out), "--team", "outside"]) == 0


def test_shipped_teams_still_load_by_default(outside, tmp_path, capsys):
    assert synth_summary.main([str(_assembly(tmp_path)), "--team", "example"]) == 0
    assert (TEAMS_DIR / "example.yaml").is_file()
