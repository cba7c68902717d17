"""checkov over the synthesized templates of both shipped teams: nothing fails, every skip is reasoned.

Fixed rather than skipped: reserved concurrency on the sandbox and the graders, a dead-letter
queue on the asynchronously invoked job-events function, the sandbox inside the team's job
VPC when it gives one. What remains is skipped on its resource (constructs_lib/checkov_skips.py)
with a reason; the figures are printed (run with -s, or `python -m tests.infra.checkov_run`).
"""

from __future__ import annotations

import json
import os

import pytest

from constructs_lib.checkov_skips import MIN_REASON_LENGTH, skips_in
from tests.infra.checkov_run import checkov_binary, run_checkov, summary

TEAMS = ["example", "nova-example"]


@pytest.mark.parametrize("team", TEAMS)
def test_every_checkov_skip_names_a_check_and_gives_a_reason(synth, team):
    s = synth(team)
    found = [(stack, *skip) for stack, template in s.templates.items() for skip in skips_in(template)]
    assert found, "no skips at all: the helper is not reaching the templates"
    for stack, logical_id, check_id, comment in found:
        assert check_id.startswith(("CKV_AWS_", "CKV2_AWS_")), (stack, logical_id, check_id)
        assert len(comment) >= MIN_REASON_LENGTH, (stack, logical_id, check_id, comment)


def test_the_skip_helper_refuses_vague_reasons_and_unknown_ids():
    from aws_cdk import App, Stack
    from aws_cdk import aws_sqs as sqs

    from constructs_lib import checkov_skips

    queue = sqs.Queue(Stack(App(), "S"), "Q")
    with pytest.raises(ValueError, match="reason"):
        checkov_skips.skip(queue, "CKV_AWS_27", "not needed")
    with pytest.raises(ValueError, match="check id"):
        checkov_skips.skip(queue, "AwsSolutions-SQS3", "x" * 60)
    checkov_skips.skip(queue, "CKV_AWS_27", "a reason long enough for a reviewer to check it here")
    assert queue.node.default_child.get_metadata("checkov") == {
        "skip": [{"id": "CKV_AWS_27", "comment": "a reason long enough for a reviewer to check it here"}]
    }


@pytest.fixture(scope="module")
def checkov():
    binary = checkov_binary()
    if binary is None:
        message = "checkov is not installed: `make checkov-env` (requirements-checkov.txt) or set RFT_CHECKOV"
        if os.environ.get("CI"):  # make setup installs it: in CI a missing checkov is a failure
            pytest.fail(message)
        pytest.skip(message)
    return binary


@pytest.mark.parametrize("team", TEAMS)
def test_checkov_passes_the_synthesized_templates(synth, checkov, team):
    result = run_checkov(checkov, synth(team).outdir)
    figures = summary(result)
    print(f"\ncheckov {team}: {json.dumps(figures)}")
    assert figures["failed"] == 0, figures["failed_checks"]
    assert figures["pass_rate_of_evaluated"] >= 0.95
    # Every skip checkov honoured carries our comment (it read the metadata, not a default).
    for skipped in result["results"].get("skipped_checks", []):
        assert len(skipped.get("check_result", {}).get("suppress_comment") or "") >= MIN_REASON_LENGTH, skipped


def test_a_team_job_vpc_puts_the_sandbox_in_it(tmp_path):
    """The sandbox runs in the team's (route-less) job VPC subnets when the team gives one, and
    the team still synthesizes clean with every nag pack."""
    from rft.config.loader import load_team
    from rft.config.team_config import JobVpc
    from tests.synth_support import synthesize

    config = load_team("nova-example").model_copy(
        update={
            "job_vpc": JobVpc(subnet_ids=("subnet-0123456789abcdef0",), security_group_ids=("sg-0123456789abcdef0",))
        }
    )
    s = synthesize(config, tmp_path)
    assert not s.failed, s.violations
    [sandbox] = [
        r["Properties"]
        for r in s.template("all-but-data")["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("FunctionName", "").endswith("code-sandbox")
    ]
    assert sandbox["VpcConfig"] == {
        "SubnetIds": ["subnet-0123456789abcdef0"],
        "SecurityGroupIds": ["sg-0123456789abcdef0"],
    }
    assert sandbox["ReservedConcurrentExecutions"] >= 1
