"""The phases of a run, as the state machine records where a run failed.

Every failure path of the state machine first sets ``$.failed_state`` to one of these (a Pass
state per phase), the failure step copies it into the registry's ``failed_step``, and
``rft runs`` shows it. One list, so the three agree.
"""

from __future__ import annotations

from typing import Literal

Phase = Literal[
    "ValidateDataset",
    "RewardSignalAudit",
    "CostGuard",
    "Approval",
    "TrainingJob",
    "ListCheckpoints",
    "EvaluateCheckpoints",
    "SelectBest",
    "PromotionGate",
    "Promote",
    "SmokeTest",
    "Notify",
]
PHASES: tuple[Phase, ...] = (
    "ValidateDataset",
    "RewardSignalAudit",
    "CostGuard",
    "Approval",
    "TrainingJob",
    "ListCheckpoints",
    "EvaluateCheckpoints",
    "SelectBest",
    "PromotionGate",
    "Promote",
    "SmokeTest",
    "Notify",
)
FAILED_STATE_PATH = "$.failed_state"
UNKNOWN_PHASE = "unknown"  # a failure path that did not say (never expected from our state machines)
