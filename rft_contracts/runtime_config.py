"""The workflow's runtime config: one typed model, built at synth, read by every workflow step.

The CDK app builds a ``WorkflowConfig`` from the team config (``stacks.customization_stack``)
and bakes it into the customization's state machine as a literal; each workflow Lambda parses
it from the state with ``WorkflowConfig.model_validate``. No field has a default value here,
and unknown fields are rejected: a setting that synth forgets, renames or adds is an error at
synth (and in the tests that synthesize), never a silent default in a Lambda.

The one exception is "absent means null" for the nullable fields: CDK drops null members when
it renders the state machine definition, so a null set at synth arrives as a missing key.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .naming import artifact_key

# The first state of every customization's state machine: its Parameters hold the literal
# ``config`` (a WorkflowConfig). The abandoned-run cleanup reads it from the deployed definition.
CONFIG_STATE = "LoadConfig"


def config_of_definition(definition: dict) -> dict:
    """The runtime config baked into a state machine definition (ASL as a dict)."""
    return definition["States"][CONFIG_STATE]["Parameters"]["config"]


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetLimits(_Contract):
    min_rows: int
    max_rows: int
    max_prompt_tokens: int


class AuditSettings(_Contract):
    prompts: int
    samples_per_prompt: int
    max_tokens: int
    max_zero_spread_fraction: float
    max_baseline_mean: float
    max_error_rate: float
    skip_reason: str | None = None
    model_id: str | None = None  # id used to sample the base model when it differs from base_model


class Budget(_Contract):
    approval_above_usd: float
    max_usd: float


class Pricing(_Contract):
    usd_per_million_training_tokens: float
    usd_per_million_inference_tokens: float


class WorkflowSettings(_Contract):
    poll_seconds: int
    max_job_hours: float
    mantle_validation_file: bool  # pass validation_file to mantle jobs (opt-in, [U])


class NovaDeploymentSettings(_Contract):
    """An on-demand deployment of a Nova model for its evaluation (rft_workflow.deployment)."""

    enabled: bool
    keep: Literal["never", "if_promoted"]
    ready_timeout_minutes: int


class EvaluationSettings(_Contract):
    max_prompts: int
    max_concurrency: int  # Map items (candidate x prompt batch) in flight at once
    max_tokens: int
    batch_size: int  # prompts per Map item
    item_concurrency: int  # model calls in flight inside one item
    nova_deployment: NovaDeploymentSettings


class PromotionGateSettings(_Contract):
    """The declared promotion gate (rft_workflow.gate)."""

    metric: Literal["reward_mean", "pass_rate"]
    pass_threshold: float  # pass_rate: a prompt passes when its reward is at least this
    min_improvement_over_base: float
    min_improvement_over_current: float
    confidence: float
    bootstrap_samples: int
    min_paired_prompts: int
    require_distinct_approver: bool
    approval_timeout_hours: float


class SelectionSettings(_Contract):
    metric: Literal["reward_mean", "reward_mean_minus_std"]
    prefer: Literal["latest_on_tie", "earliest_on_tie"]


class WorkflowConfig(_Contract):
    """A customization's runtime config, a literal baked into its state machine."""

    team: str
    customization: str
    base_model: str
    control_plane: Literal["mantle", "native"]
    responses_api: bool  # the catalog says the base model (and so its tuned models) serves Responses
    region: str
    account: str
    hyperparameters: dict[str, Any]
    grader_function_arn: str
    grader_spec: dict[str, Any]
    grader_spec_hash: str
    datasets_bucket: str
    artifacts_bucket: str
    service_role_arn: str | None = None  # native plane only
    kms_key_arn: str
    registry_table: str
    model_parameter: str
    topic_arn: str
    dataset_limits: DatasetLimits
    audit: AuditSettings
    budget: Budget
    pricing: Pricing
    workflow: WorkflowSettings
    evaluation: EvaluationSettings
    selection: SelectionSettings
    promotion: PromotionGateSettings

    def artifact_key(self, run_id: str, name: str) -> str:
        return artifact_key(self.customization, run_id, name)
