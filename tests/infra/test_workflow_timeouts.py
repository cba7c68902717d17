"""The time budget of an execution: approval wait, job deadline, execution timeout."""

from __future__ import annotations

from rft.config.loader import load_team
from tests.e2e.sfn_local import state_machines


def test_approval_wait_leaves_room_for_the_job_inside_the_execution(synth):
    """An execution that times out cannot cancel its job: the approval task must time out first,
    and the job deadline must come before the execution's end."""
    config = load_team("example")
    customization = config.customization("ticket-triage")
    settings = customization.workflow
    promotion_wait = definition_promotion_wait = customization.promotion.approval_timeout_hours * 3600
    template = synth("example").template("all-but-data")
    definition = state_machines(template, account=config.account, region=config.region)["rft-example-ticket-triage"]
    approval = definition["States"]["RequestApproval"]["TimeoutSeconds"]
    assert definition["TimeoutSeconds"] == settings.execution_timeout_hours * 3600
    # The promotion approval waits too, after the job: both waits, the job and the steps after it fit.
    assert definition["States"]["RequestPromotionApproval"]["TimeoutSeconds"] == definition_promotion_wait
    assert approval + settings.max_job_hours * 3600 + 2 * 3600 + promotion_wait <= definition["TimeoutSeconds"]
    assert approval == (settings.execution_timeout_hours - settings.max_job_hours - 2) * 3600 - promotion_wait
