"""The synth benchmarks' reference is the same shape as ours: same stacks, same resources.

A reference with fewer stacks or resources would flatter every ratio the benchmarks print.
"""

from __future__ import annotations

import json

from benchmarks.bare_app import build_bare_app, stack_shapes


def test_bare_app_rebuilds_every_stack_and_resource_of_ours(synth, tmp_path):
    from aws_cdk import App

    from stacks.team_app import cdk_json_context

    shapes = stack_shapes(synth("example").outdir)
    # compare with what the shapes were read from (the session's assembly on disk)
    ours_templates = {shape["name"]: {"Resources": shape["resources"]} for shape in shapes}
    app = App(context=cdk_json_context(), outdir=str(tmp_path / "bare"))
    build_bare_app(app, shapes)
    app.synth()
    manifest = json.loads((tmp_path / "bare" / "manifest.json").read_text())
    bare = {
        name: json.loads((tmp_path / "bare" / artifact["properties"]["templateFile"]).read_text())
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }
    assert set(bare) == set(ours_templates) and len(bare) >= 3
    for name, template in ours_templates.items():
        kinds = {lid: r["Type"] for lid, r in template["Resources"].items() if r["Type"] != "AWS::CDK::Metadata"}
        assert {
            lid: r["Type"] for lid, r in bare[name]["Resources"].items() if r["Type"] != "AWS::CDK::Metadata"
        } == kinds, name
        for lid, resource in template["Resources"].items():
            if lid in kinds:
                assert bare[name]["Resources"][lid].get("Properties") == resource.get("Properties"), (name, lid)
    # No nag in the reference: that is part of what the benchmarks measure.
    assert (
        not (tmp_path / "bare" / "validation-report.json").exists()
        or "cdk-nag" not in (tmp_path / "bare" / "validation-report.json").read_text()
    )
