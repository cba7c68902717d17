"""The reference of the synth benchmarks: a bare CDK app of the same shape as ours.

    python benchmarks/bare_app.py CLOUD_ASSEMBLY_DIR     # as a CDK app (`cdk synth --app ...`)

It rebuilds every stack of a synthesized cloud assembly (ours) with the same name, environment
and resources: each resource one `CfnResource` with the same logical id, type and properties,
so the templates are the same size and CloudFormation validation sees the same content. What it
leaves out is what we add on top of CDK: no cdk-nag packs, no L2 constructs, no assets, no
acknowledgments. Same feature flags (cdk.json), so CDK's own synthesis work (its built-in
CloudFormation validation included) is the same: the difference is ours.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def stack_shapes(assembly: Path) -> list[dict]:
    """(name, account, region, resources) of every stack in a cloud assembly directory."""
    manifest = json.loads((assembly / "manifest.json").read_text())
    shapes = []
    for name, artifact in manifest["artifacts"].items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        environment = artifact["environment"].removeprefix("aws://")
        account, region = environment.split("/")
        template = json.loads((assembly / artifact["properties"]["templateFile"]).read_text())
        resources = {
            lid: {k: v for k, v in r.items() if k in ("Type", "Properties")}
            for lid, r in template["Resources"].items()
            if r["Type"] != "AWS::CDK::Metadata"
        }
        shapes.append(
            {
                "name": name,
                "account": account,
                "region": region,
                "resources": resources,
                "dependencies": [d for d in artifact.get("dependencies", []) if not d.endswith(".assets")],
            }
        )
    return shapes


def build_bare_app(app, shapes: list[dict]) -> None:
    from aws_cdk import CfnResource, Environment, Stack

    stacks = {}
    for shape in shapes:
        stack = Stack(app, shape["name"], env=Environment(account=shape["account"], region=shape["region"]))
        for logical_id, resource in shape["resources"].items():
            CfnResource(stack, logical_id, type=resource["Type"], properties=resource.get("Properties"))
        stacks[shape["name"]] = stack
    for shape in shapes:
        for dependency in shape["dependencies"]:
            if dependency in stacks:
                stacks[shape["name"]].add_stack_dependency(stacks[dependency])


def main() -> None:
    from aws_cdk import App

    sys.path.insert(0, str(REPO))  # benchmark only: the repo's stacks package for cdk.json's flags
    from stacks.team_app import cdk_json_context

    app = App(context=cdk_json_context())
    build_bare_app(app, stack_shapes(Path(sys.argv[1])))
    app.synth()


if __name__ == "__main__":
    main()
