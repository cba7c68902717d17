"""`rft dashboard`: print the CloudWatch console URL of a team's dashboard.

    rft dashboard --team T

The dashboard name comes from the team config (rft.naming.dashboard_name), the region is the
team's; no AWS call is made. An unknown team prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from rft.aws_errors import guarded, load_team


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "dashboard", help="print the CloudWatch dashboard URL of a team", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--team", required=True, help="team whose dashboard to show")
    parser.add_argument("--json", action="store_true", help="print team, region, dashboard name and URL as JSON")
    parser.set_defaults(func=run)
    return parser


def url(team: str, region: str) -> str:
    from rft_contracts import naming

    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#dashboards/dashboard/{naming.dashboard_name(team)}"
    )


def run(args: argparse.Namespace) -> int:
    def body() -> int:
        team = load_team(args.team)
        if getattr(args, "json", False):
            from rft_contracts import naming

            print(
                json.dumps(
                    {
                        "team": team.team,
                        "region": team.region,
                        "dashboard": naming.dashboard_name(team.team),
                        "url": url(team.team, team.region),
                    }
                )
            )
        else:
            print(url(team.team, team.region))
        return 0

    return guarded("rft dashboard", body)
