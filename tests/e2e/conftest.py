"""Fixtures of the end-to-end tests: the team's world in moto with its synthesized state
machine (``local_platform("example", "ticket-triage", ...)``), and the operator commands
pointed at that world."""

from __future__ import annotations

import pytest

from tests.e2e.local_world import MOTO_ACCOUNT, LocalWorlds


@pytest.fixture
def local_platform(synth, monkeypatch):
    worlds = LocalWorlds(lambda team: synth(team).template("all-but-data"), monkeypatch)
    yield worlds.build
    worlds.close()


@pytest.fixture
def operator(monkeypatch):
    """rft.operator_commands with the team config moved to moto's account, as the world is."""
    from rft import operator_commands
    from rft.aws_errors import load_customization

    def moved(team, customization):
        config, c = load_customization(team, customization)
        return config.model_copy(update={"account": MOTO_ACCOUNT}), c

    monkeypatch.setattr(operator_commands, "load_customization", moved)
    return operator_commands
