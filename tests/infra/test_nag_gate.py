"""The cdk-nag gate: zero unacknowledged findings, no stale acknowledgments, a real failure."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from rft.config.loader import REPO_ROOT

TEAMS = ["example", "nova-example"]


@pytest.mark.parametrize("team", TEAMS)
def test_team_synthesizes_with_zero_unacknowledged_findings(synth, team):
    result = synth(team)
    listing = "\n".join(f"  {rule} at {path}" for rule, path in result.violations)
    assert not result.violations, f"unacknowledged cdk-nag findings:\n{listing}"
    assert not result.failed


def test_example_team_runs_all_four_packs(synth):
    from rft.config.loader import load_team

    assert {p.value for p in load_team("example").compliance_packs} == {"NIST80053R5", "HIPAASecurity"}
    rules = {rule for rule, _ in synth("example", raw=True).violations}
    # Raw findings from each optional pack prove those packs really ran.
    assert any(r.startswith("NIST.800.53.R5-") for r in rules)
    assert any(r.startswith("HIPAA.Security-") for r in rules)


@pytest.mark.parametrize("team", TEAMS)
def test_every_acknowledgment_still_matches_a_finding(synth, team):
    raw = synth(team, raw=True)
    assert raw.acknowledgments, "expected the team to carry acknowledgments"
    stale = [ack for ack in raw.acknowledgments if not any(ack.covers(path, rule) for rule, path in raw.violations)]
    assert not stale, "acknowledgments that match no finding (remove them): " + ", ".join(
        f"{a.finding_id} at {a.path}" for a in stale
    )


@pytest.mark.parametrize("team", TEAMS)
def test_every_raw_finding_is_acknowledged_by_a_recorded_acknowledgment(synth, team):
    raw = synth(team, raw=True)
    unanswered = [
        (rule, path) for rule, path in raw.violations if not any(a.covers(path, rule) for a in raw.acknowledgments)
    ]
    assert not unanswered


def test_acknowledgments_need_a_checkable_reason():
    from aws_cdk import App, Stack

    from constructs_lib import nag

    stack = Stack(App(), "S")
    with pytest.raises(ValueError, match="needs a reason"):
        nag.acknowledge(stack, "AwsSolutions-S1", "false positive")


def test_cdk_synth_exits_non_zero_when_a_construct_has_a_finding(tmp_path):
    """The real CDK CLI, on a test app that adds an unencrypted, unlogged bucket."""
    app_file = tmp_path / "bad_app.py"
    app_file.write_text(
        textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from aws_cdk import App, Stack, aws_s3 as s3
        from constructs_lib import nag
        app = App()
        nag.add_nag_packs(app)
        s3.Bucket(Stack(app, "Insecure"), "PlainBucket")
        app.synth()
    """)
    )
    cdk = REPO_ROOT / "node_modules" / ".bin" / "cdk"
    env = os.environ | {"CDK_DISABLE_VERSION_CHECK": "1"}
    result = subprocess.run(
        [
            str(cdk),
            "synth",
            "--no-lookups",
            "--quiet",
            "--no-notices",
            "--app",
            f"{sys.executable} {app_file}",
            "--output",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "AwsSolutions-S1" in result.stdout + result.stderr
