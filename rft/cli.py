"""`rft`: the operator command line of the RFT platform.

    rft grade ...            grade samples locally with a grader spec
    rft judge calibrate ...  check an AI judge against human labels
    rft run start|watch|approve|reject ...   run a customization's workflow
    rft runs list|show ...   the run registry: states, lineage, checkpoint scores
    rft models chat ...      talk to a promoted model on the OpenAI-compatible endpoint
    rft dashboard --team T   the console URL of the team's dashboard
    rft data check ...       the workflow's dataset pre-flight on local files, before upload
    rft import-openai JOB_JSON --team T --name N --base-model M --out DIR
                             move an OpenAI RFT job (grader, hyperparameters, data) here
    rft doctor --team T      check the AWS behaviour the platform assumes (sandbox account)

Each subcommand lives in its own module and registers itself here.

    rft --teams-dir DIR ...  team files from DIR instead of config/teams (same as RFT_TEAMS_DIR)
    rft --version
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import metadata

from rft import dashboard, data, doctor, grade, import_openai, judge, model_commands, run_control, run_history
from rft.config.loader import TEAMS_DIR_ENV


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rft", description="RFT platform for Amazon Bedrock")
    parser.add_argument("--version", action="version", version=f"rft {_version()}")
    parser.add_argument(
        "--teams-dir", metavar="DIR", help=f"directory of team files (default: ${TEAMS_DIR_ENV}, else config/teams)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (grade, judge, run_control, run_history, model_commands, dashboard, import_openai, data, doctor):
        command.register(subparsers)
    return parser


def _version() -> str:
    try:
        return metadata.version("rft-platform")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.teams_dir:
        # Through the environment, so every command's team lookup (rft.config.loader) and any
        # process it starts see the same directory as `cdk -c teams_dir` would.
        os.environ[TEAMS_DIR_ENV] = os.path.abspath(args.teams_dir)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
