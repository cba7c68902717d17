#!/usr/bin/env python3
"""CDK entry point: the only place that reads context or environment.

cdk synth -c team=NAME                  # config/teams/NAME.yaml; default: example (cdk.json)
cdk synth -c team=NAME -c teams_dir=DIR # a team config kept outside this repository
RFT_TEAMS_DIR=DIR cdk synth -c team=NAME  # the same, as the rft CLI and `make synth` read it
"""

import sys

from aws_cdk import App

from rft.config.loader import DEFAULT_TEAM, ConfigError, load_team
from stacks.team_app import build_team_app, cdk_json_context


def main() -> int:
    # cdk.json's feature flags as defaults, so `python app.py` matches `cdk synth` (the CLI's
    # own context, passed through the environment, still wins).
    app = App(context=cdk_json_context())
    team = app.node.try_get_context("team") or DEFAULT_TEAM
    # -c teams_dir wins; else RFT_TEAMS_DIR; else config/teams (rft.config.loader.resolve_teams_dir).
    teams_dir = app.node.try_get_context("teams_dir")
    try:
        config = load_team(team, teams_dir)
    except ConfigError as error:
        # One readable message and a non-zero exit: `cdk synth` shows it as is.
        print(f"error: {error}", file=sys.stderr)
        return 2
    build_team_app(app, config)
    try:
        app.synth()
    except RuntimeError as error:
        if "ValidationFailed" not in str(error):
            raise
        # The nag packs have printed each finding above; no Python traceback after them.
        print(
            "error: cdk-nag found unacknowledged findings (listed above); fix them or "
            "acknowledge each through constructs_lib/nag.py with a reason",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
