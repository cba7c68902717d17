"""Check, before `cdk diff` or `cdk deploy` touches anything, that the credentials are the team's.

    python -m rft.deploy_check --team T            # `make diff` and `make deploy` run it first
    python -m rft.deploy_check --team T --approval # also print cdk's --require-approval flag

Fails (exit 2, one line) when the team's account is a placeholder from the shipped examples,
when there are no credentials, when they belong to another account (`aws sts
get-caller-identity`), or when the team's region has no CDK bootstrap stack in that account.
The stacks pin the account and region from the config, so a wrong login would fail anyway,
but only after the assets were built and uploaded; this fails in a second, before that.
"""

from __future__ import annotations

import argparse
import sys

from rft.aws_errors import CliError, guarded, load_team

# The account ids of the shipped examples and AWS's documentation: a config that still carries
# one was copied and not finished, and must never reach `cdk deploy`.
PLACEHOLDER_ACCOUNTS = frozenset(
    {"111111111111", "123456789012", "000000000000", "999999999999", "012345678901", "210987654321"}
)
BOOTSTRAP_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
PROG = "deploy check"


def placeholder_problem(team) -> str | None:
    if team.account in PLACEHOLDER_ACCOUNTS or len(set(team.account)) == 1:
        return (
            f"team {team.team}: account {team.account} is a placeholder from the examples; set "
            "`account:` in its config to the team's 12-digit AWS account id before deploying"
        )
    return None


def check(team_name: str, session=None) -> str:
    """A one-line description of what was checked; raises CliError on any mismatch."""
    import boto3
    from botocore.exceptions import ClientError

    team = load_team(team_name)
    problem = placeholder_problem(team)
    if problem:
        raise CliError(problem)
    session = session or boto3.Session()
    identity = session.client("sts", region_name=team.region).get_caller_identity()
    if identity["Account"] != team.account:
        raise CliError(
            f"team {team.team} deploys to account {team.account}, but the current credentials "
            f"({identity['Arn']}) are for account {identity['Account']}; log in to the team's account"
        )
    try:
        session.client("ssm", region_name=team.region).get_parameter(Name=BOOTSTRAP_PARAMETER)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "ParameterNotFound":
            raise CliError(
                f"account {team.account} is not CDK-bootstrapped in {team.region}; run "
                f"`cdk bootstrap aws://{team.account}/{team.region}` once"
            ) from None
        if code not in ("AccessDeniedException", "AccessDenied"):
            raise
        # A deploy role may be denied SSM reads; cdk reports a missing bootstrap itself then.
    return f"team {team.team}: credentials are for account {team.account} ({identity['Arn']}); region {team.region} is bootstrapped"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rft.deploy_check", description=__doc__.splitlines()[0])
    parser.add_argument("--team", required=True)
    parser.add_argument(
        "--approval",
        action="store_true",
        help="print the --require-approval flag the team's `deploy.require_approval` asks for",
    )
    args = parser.parse_args(argv)

    def body() -> int:
        print(check(args.team), file=sys.stderr)
        if args.approval:
            print(f"--require-approval {load_team(args.team).deploy.require_approval}")
        return 0

    return guarded(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
