"""The commands a workflow Lambda quotes in its approval e-mail parse with the real CLI."""

from __future__ import annotations

import shlex

import pytest

from rft import cli
from rft_contracts.operator import approve_command, reject_command


@pytest.mark.parametrize("command, action", [(approve_command, "approve"), (reject_command, "reject")])
def test_the_e_mail_commands_parse_with_the_cli(command, action):
    argv = shlex.split(command("r20260101000000-abcdef", "example", "ticket-triage"))
    assert argv[0] == "rft"
    args = cli.build_parser().parse_args(argv[1:])
    assert (args.run_command, args.name, args.team, args.customization) == (
        action,
        "r20260101000000-abcdef",
        "example",
        "ticket-triage",
    )


def test_a_wrong_syntax_would_not_parse():
    """Control: the parser rejects a command the CLI does not have."""
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["run", "aprove", "r1", "--team", "t", "--customization", "c"])
