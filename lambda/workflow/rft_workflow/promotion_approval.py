"""A held promotion: the gate could not decide alone, so a person does (task-token flow).

The request records the task token in the registry (status ``awaiting_promotion_approval``)
and tells the team, with the gate's numbers; ``rft run approve|reject`` answers it exactly as
for the cost guard. The check then applies the team's rule: with
``promotion.require_distinct_approver`` an approval by the principal who started the run (or
when who started it is unknown) does not count, and the run ends not promoted.

Both identities are what the CLI reports from STS (``started_by`` in the run input, ``by`` in
the answer): they keep honest people honest; a principal allowed to call
``states:SendTaskSuccess`` directly can claim any name, so restrict that permission too.
"""

from __future__ import annotations

from rft_contracts.operator import approve_command, reject_command
from rft_contracts.runtime_config import WorkflowConfig

from . import clients
from .approval import SUBJECT_MAX


def _fmt(value: object) -> str:
    return f"{value:+.4f}" if isinstance(value, (int, float)) else "n/a"


def message(config: WorkflowConfig, run_id: str, gate: dict) -> str:
    chosen = gate.get("chosen") or {}
    lines = [
        f"The promotion gate of run {run_id} of {config.customization} (team {config.team}) "
        "could not decide alone and holds the promotion for a person.",
        "",
        f"Candidate: {chosen.get('key')} ({chosen.get('model_id')}), {config.promotion.metric} "
        f"{_fmt(chosen.get('mean'))} over {chosen.get('n')} prompts.",
        f"Gate: {gate.get('reason')}",
    ]
    for c in gate.get("comparisons") or []:
        ci = c.get("ci") or [None, None]
        lines.append(
            f"  vs {c['baseline']}: difference {_fmt(c.get('mean_difference'))}, interval "
            f"[{_fmt(ci[0])}, {_fmt(ci[1])}] at {c.get('confidence', 0):.3f}, "
            f"{c.get('paired_prompts')} paired prompts: {c.get('verdict')}"
        )
    if config.promotion.require_distinct_approver:
        lines.append("The approver must not be the principal who started the run.")
    lines += [
        "",
        f"Promote: {approve_command(run_id, config.team, config.customization)} [--reason TEXT]",
        f"Keep the current model: {reject_command(run_id, config.team, config.customization)} --reason TEXT",
    ]
    return "\n".join(lines)


def request(config: WorkflowConfig, run_id: str, task_token: str | None, gate: dict) -> dict:
    if not task_token:
        raise ValueError("request needs task_token in its payload (.waitForTaskToken)")
    clients.registry(config).request_promotion_approval(config.team, config.customization, run_id, task_token)
    clients.client("sns", config.region).publish(
        TopicArn=config.topic_arn,
        Subject=f"RFT promotion needs approval: {config.customization} {run_id}"[:SUBJECT_MAX],
        Message=message(config, run_id, gate),
    )
    return {"requested": True}


def check(config: WorkflowConfig, run_id: str, decision: dict, started_by: str | None) -> dict:
    """Whether the answer lets the promotion go ahead; records it either way."""
    approved = decision.get("approved") is True
    by = decision.get("by")
    if not approved:
        accepted, reason = False, f"promotion rejected by {by}: {decision.get('reason')}"
    elif config.promotion.require_distinct_approver and (not started_by or not by or by == started_by):
        accepted = False
        reason = (
            f"approval by {by} refused: the team requires an approver other than the run's "
            f"starter ({started_by or 'unknown'})"
        )
    else:
        accepted, reason = True, f"promotion approved by {by}: {decision.get('reason')}"
    clients.registry(config).record_promotion_decision(
        config.customization, run_id, decision, accepted=accepted, reason=reason
    )
    return {"accepted": accepted, "reason": reason, "by": by}
