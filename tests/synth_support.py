"""Synthesize a team app in-process and collect what tests read from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ALL_BUT_DATA = "all-but-data"


@dataclass(frozen=True)
class Synth:
    team: str
    outdir: Path
    stack_names: dict[str, str]  # "data" / "platform" / a customization's name -> stack name
    # template("all-but-data"): the platform stack merged with every customization stack
    templates: dict[str, dict]  # stack name -> template
    violations: list[tuple[str, str]]  # (rule name incl. finding, construct path)
    acknowledgments: list  # constructs_lib.nag.AcknowledgedFinding
    failed: bool

    def template(self, part: str) -> dict:
        """`data`, `platform`, a customization's own stack by its name, or `all-but-data`: the
        platform stack merged with every customization stack (logical ids are unique team-wide),
        which is what most assertions about "the team's resources" want."""
        if part != ALL_BUT_DATA:
            return self.templates[self.stack_names[part]]
        merged: dict = {"Resources": {}}
        for name, stack in self.stack_names.items():
            if name == "data":
                continue
            resources = self.templates[stack]["Resources"]
            assert not set(resources) & set(merged["Resources"]), "logical id reused across stacks"
            merged["Resources"].update(resources)
        return merged

    def resources(self, part: str, cfn_type: str) -> dict[str, dict]:
        return {k: v for k, v in self.template(part)["Resources"].items() if v["Type"] == cfn_type}


def synthesize(config, outdir: Path, *, apply_acknowledgments: bool = True) -> Synth:
    from aws_cdk import App

    from constructs_lib import nag
    from stacks.team_app import build_team_app, cdk_json_context

    context = cdk_json_context() | {"aws:cdk:bundling-stacks": []}
    app = App(context=context, outdir=str(outdir))
    stacks = build_team_app(app, config, apply_acknowledgments=apply_acknowledgments)
    try:
        app.synth()
        failed = False
    except RuntimeError as error:
        assert "ValidationFailed" in str(error), error
        failed = True
    report = outdir / "validation-report.json"
    violations = []
    if report.exists():
        for plugin in json.loads(report.read_text())["pluginReports"]:
            for violation in plugin["violations"]:
                violations += [(violation["ruleName"], c["constructPath"]) for c in violation["violatingConstructs"]]
    names = {
        "data": stacks.data.stack_name,
        "platform": stacks.platform.stack_name,
        **{name: stack.stack_name for name, stack in stacks.customizations.items()},
    }
    templates = {s.stack_name: json.loads((outdir / s.template_file).read_text()) for s in stacks.all}
    return Synth(config.team, outdir, names, templates, violations, nag.recorded_acknowledgments(app), failed)
