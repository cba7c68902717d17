"""Operator commands that messages written by Lambdas tell a person to run.

The approval e-mail is written by a workflow Lambda, which cannot import the CLI; the CLI's
parser is tested against these strings (tests/cli), so the e-mail never names a command that
does not parse.
"""

from __future__ import annotations

import shlex


def approve_command(run_id: str, team: str, customization: str) -> str:
    return shlex.join(["rft", "run", "approve", run_id, "--team", team, "--customization", customization])


def reject_command(run_id: str, team: str, customization: str) -> str:
    return shlex.join(["rft", "run", "reject", run_id, "--team", team, "--customization", customization])
