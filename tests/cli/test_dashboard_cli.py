"""`rft dashboard`: the team dashboard's console URL, from the config alone (no AWS call)."""

from __future__ import annotations

import pytest

from tests.cli.test_runs_cli import cli, no_credentials, one_line


@pytest.mark.parametrize("team,region", [("example", "us-west-2"), ("nova-example", "us-east-1")])
def test_dashboard_url(monkeypatch, tmp_path, capsys, team, region):
    no_credentials(monkeypatch, tmp_path)  # needs none: nothing is called
    assert cli("dashboard", "--team", team) == 0
    assert capsys.readouterr().out == (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards/dashboard/rft-{team}\n"
    )


def test_unknown_team(capsys):
    assert cli("dashboard", "--team", "nobody") == 2
    assert one_line(capsys).startswith("rft dashboard: no config for team 'nobody'")


def test_dashboard_json(capsys):
    import json

    assert cli("dashboard", "--team", "example", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dashboard"] == "rft-example" and data["url"].endswith("#dashboards/dashboard/rft-example")
