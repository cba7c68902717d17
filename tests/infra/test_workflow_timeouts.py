"""The time budget of an execution: approval wait, job deadline, execution timeout."""

from __future__ import annotations

from rft.config.loader import load_team
from tests.e2e.sfn_local import state_machines


def test_approval_wait_leaves_room_for_the_job_inside_the_execution(synth):
    """An execution that times out cannot cancel its job: the approval task must time out first,
    and the job deadline must come before the execution's end."""
    config = load_team("example")
    settings = config.customization("ticket-triage").workflow
    template = synth("example").template("all-but-data")
    definition = state_machines(template, account=config.account, region=config.region)["rft-example-ticket-triage"]
    approval = definition["States"]["RequestApproval"]["TimeoutSeconds"]
    assert definition["TimeoutSeconds"] == settings.execution_timeout_hours * 3600
    assert approval + settings.max_job_hours * 3600 + 2 * 3600 <= definition["TimeoutSeconds"]
    assert approval == (settings.execution_timeout_hours - settings.max_job_hours - 2) * 3600
