"""The cost guard's human approval: the request (registry + e-mail) the workflow waits on.

The run waits on a Step Functions task token; `rft run approve|reject` answers it and records
the decision (``rft_contracts.registry.RunRegistry.record_decision``).
"""

from __future__ import annotations

import json

from rft_contracts.operator import approve_command, reject_command
from rft_contracts.runtime_config import WorkflowConfig

from . import clients

SUBJECT_MAX = 100  # SNS limit


def approval_message(config: WorkflowConfig, run_id: str, estimate: dict) -> str:
    b = estimate.get("breakdown", {})
    approve = approve_command(run_id, config.team, config.customization)
    reject = reject_command(run_id, config.team, config.customization)
    return "\n".join(
        [
            f"Reinforcement fine-tuning run {run_id} of {config.customization} (team {config.team}) needs approval.",
            "",
            f"Estimated cost: ${estimate.get('estimate_usd', 0):,.2f} "
            f"(approval required above ${config.budget.approval_above_usd:,.2f}, hard cap ${config.budget.max_usd:,.2f}).",
            f"  training: {b.get('training_tokens', 0):,} tokens, ${b.get('training_usd', 0):,.2f} "
            f"({b.get('rows')} rows x {b.get('epochs')} epochs x {b.get('samples_per_prompt')} samples per prompt "
            f"x ({b.get('prompt_tokens_mean')} prompt + {b.get('max_response_tokens')} response tokens))",
            f"  inference (audit, checkpoint evaluation, smoke test): {b.get('inference_tokens', 0):,} tokens, "
            f"${b.get('inference_usd', 0):,.2f}",
            f"  base model {config.base_model}, hyperparameters {json.dumps(config.hyperparameters, sort_keys=True)}",
            "",
            f"Approve: {approve} [--reason TEXT]",
            f"Reject:  {reject} --reason TEXT",
            "The run waits until one of these is sent (or the workflow times out).",
        ]
    )


def request_approval(config: WorkflowConfig, run_id: str, task_token: str | None, estimate: dict) -> dict:
    """Record the pending approval with its task token, then tell the team."""
    if not task_token:
        raise ValueError("request_approval needs task_token in its payload (.waitForTaskToken)")
    clients.registry(config).request_approval(
        config.team, config.customization, run_id, task_token, estimate.get("estimate_usd")
    )
    clients.client("sns", config.region).publish(
        TopicArn=config.topic_arn,
        Subject=f"RFT approval needed: {config.customization} {run_id}"[:SUBJECT_MAX],
        Message=approval_message(config, run_id, estimate),
    )
    return {"requested": True, "notified": True}
