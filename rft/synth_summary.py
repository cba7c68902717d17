"""Print a short summary of a synthesized team: stacks, resources, customizations, findings.

    python -m rft.synth_summary [cdk.out] [--team NAME] [--teams-dir DIR]

`make synth` runs it after `cdk synth`, which has already failed on any unacknowledged
cdk-nag finding; this reads the cloud assembly to show what passed the gate.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

from rft.config.loader import DEFAULT_TEAM, TEAMS_DIR_ENV, ConfigError, load_team


def summarize(outdir: Path, team: str, teams_dir: Path | None = None) -> str:
    config = load_team(team, teams_dir)
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = {name: a for name, a in manifest["artifacts"].items() if a["type"] == "aws:cloudformation:stack"}
    lines = [f"team {config.team} ({config.account}, {config.region})"]
    acknowledged = 0
    for name, artifact in sorted(stacks.items()):
        template = json.loads((outdir / artifact["properties"]["templateFile"]).read_text())
        resources = template.get("Resources", {})
        kinds = collections.Counter(r["Type"].split("::", 1)[1] for r in resources.values())
        top = ", ".join(f"{n} {k}" for k, n in kinds.most_common(4))
        lines.append(f"  stack {name}: {len(resources)} resources ({top})")
        acknowledged += sum(
            len(r.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])) for r in resources.values()
        )
    lines.append(f"  customizations ({len(config.customizations)}):")
    for c in config.customizations:
        grader = c.grader.get("template") or c.grader.get("type", "?")
        lines.append(f"    {c.name}: {c.base_model} ({c.control_plane.value} plane), grader {grader}")
    report = outdir / "validation-report.json"
    unacknowledged = 0
    if report.exists():
        unacknowledged = sum(
            len(v["violatingConstructs"])
            for p in json.loads(report.read_text())["pluginReports"]
            for v in p["violations"]
        )
    packs = ["AwsSolutions", "Serverless", *(p.value for p in config.compliance_packs)]
    lines.append(
        f"  cdk-nag ({', '.join(packs)}): {unacknowledged} unacknowledged findings, "
        f"{acknowledged} acknowledged with reasons (see each resource's cdk_nag metadata)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", default="cdk.out", type=Path)
    parser.add_argument("--team", default=DEFAULT_TEAM)
    parser.add_argument(
        "--teams-dir", type=Path, help=f"directory of team files (default: ${TEAMS_DIR_ENV}, else config/teams)"
    )
    args = parser.parse_args(argv)
    if not (args.outdir / "manifest.json").exists():
        print(f"error: {args.outdir} holds no cloud assembly; run `make synth` first", file=sys.stderr)
        return 2
    try:
        print(summarize(args.outdir, args.team, args.teams_dir))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
