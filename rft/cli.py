"""`rft`: the operator command line of the RFT platform.

    rft grade ...            grade samples locally with a grader spec
    rft judge calibrate ...  check an AI judge against human labels
    rft run start|watch|approve|reject ...   run a customization's workflow
    rft runs list|show ...   the run registry: states, lineage, checkpoint scores
    rft models chat ...      talk to a promoted model on the OpenAI-compatible endpoint
    rft dashboard --team T   the console URL of the team's dashboard
    rft doctor --team T      check the AWS behaviour the platform assumes (sandbox account)

Each subcommand lives in its own module and registers itself here.
"""

from __future__ import annotations

import argparse
import sys

from rft import dashboard, doctor, grade, judge, models, run, runs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rft", description="RFT platform for Amazon Bedrock")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (grade, judge, run, runs, models, dashboard, doctor):
        command.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
