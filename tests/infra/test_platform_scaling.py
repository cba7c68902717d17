"""The platform stack does not grow with the number of customizations (CloudFormation's 1 MB
template limit would otherwise cap a team's customizations): each customization's dashboard is
in its own stack, and the workflow steps reach the graders by name pattern and team tag."""

from __future__ import annotations

import json

import pytest

from rft.config.loader import load_team
from rft_contracts.naming import customization_dashboard_name
from tests.synth_support import synthesize

pytestmark = pytest.mark.xdist_group("synth")


def _team(n: int):
    base = load_team("example")
    copies = tuple(base.customizations[0].model_copy(update={"name": f"scaling-{i}"}) for i in range(n))
    return base.model_copy(update={"customizations": copies})


@pytest.fixture(scope="module")
def one_and_three(tmp_path_factory):
    return [synthesize(_team(n), tmp_path_factory.mktemp(f"scaling-{n}")) for n in (1, 3)]


def test_platform_template_is_the_same_for_one_and_three_customizations(one_and_three):
    one, three = (s.templates[s.stack_names["platform"]] for s in one_and_three)
    assert json.dumps(one, sort_keys=True) == json.dumps(three, sort_keys=True)


def test_each_customization_has_its_own_dashboard_in_its_own_stack(one_and_three):
    three = one_and_three[1]
    for name in ("scaling-0", "scaling-1", "scaling-2"):
        [dashboard] = three.resources(name, "AWS::CloudWatch::Dashboard").values()
        assert dashboard["Properties"]["DashboardName"] == customization_dashboard_name("example", name)
        assert f"## {name}" in json.dumps(dashboard["Properties"]["DashboardBody"])
    platform = three.templates[three.stack_names["platform"]]
    [team] = [r for r in platform["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    assert team["Properties"]["DashboardName"] == "rft-example"
    assert "scaling-" not in json.dumps(team["Properties"]["DashboardBody"])


def test_customization_dashboard_names_never_collide_with_a_team_dashboard():
    # Team "a-b" has dashboard rft-a-b; team "a", customization "b" must not take that name.
    assert customization_dashboard_name("a", "b") != "rft-a-b"


def test_workflow_steps_invoke_only_graders_named_and_tagged_for_the_team(one_and_three):
    platform = one_and_three[1].templates[one_and_three[1].stack_names["platform"]]
    statements = [
        s
        for r in platform["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "InvokeTeamGraders"
    ]
    assert len(statements) == 3  # audit, submit, evaluate
    for statement in statements:
        assert statement["Resource"] == "arn:aws:lambda:us-west-2:111111111111:function:rft-example-*-grader"
        assert statement["Condition"] == {"StringEquals": {"aws:ResourceTag/rft:team": "example"}}
