"""The issue-12 operator commands parse and reach their functions (behaviour: tests/e2e)."""

from __future__ import annotations

import pytest

from rft import cli, operator_commands


@pytest.mark.parametrize(
    "argv, target, kwargs",
    [
        (
            ["runs", "cancel", "r1", "--team", "t", "--customization", "c"],
            "cancel_run",
            ("t", "c", "r1", "cancelled by an operator"),
        ),
        (
            ["runs", "compare", "r1", "r2", "--team", "t", "--customization", "c"],
            "compare_runs",
            ("t", "c", "r1", "r2"),
        ),
        (
            [
                "models",
                "promote",
                "r1",
                "--team",
                "t",
                "--customization",
                "c",
                "--checkpoint",
                "20",
                "--force",
                "--reason",
                "why",
            ],
            "promote_run",
            ("t", "c", "r1"),
        ),
        (
            ["models", "rollback", "--team", "t", "--customization", "c", "--reason", "bad"],
            "rollback_model",
            ("t", "c", "bad"),
        ),
    ],
)
def test_commands_reach_their_functions(monkeypatch, argv, target, kwargs):
    seen = []
    monkeypatch.setattr(operator_commands, target, lambda *a, **k: seen.append((a, k)) or 0)
    assert cli.main(argv) == 0
    [(args, extra)] = seen
    assert args == kwargs
    if target == "promote_run":
        assert extra == {"checkpoint": "20", "force": True, "reason": "why"}


def test_promote_and_rollback_require_a_reason(capsys):
    with pytest.raises(SystemExit):
        cli.main(["models", "rollback", "--team", "t", "--customization", "c"])
    assert "--reason" in capsys.readouterr().err
