"""Pydantic models of the workflow state and of the customization's runtime config.

The state machine passes the whole state ``$`` to every handler; each handler reads only the
parts it needs through these models. ``extra="ignore"`` everywhere: the state grows as steps
add their results, and the config literal may carry keys a handler does not use.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DatasetLimits(_Model):
    min_rows: int = 100
    max_rows: int = 20_000
    max_prompt_tokens: int = 4096


class AuditSettings(_Model):
    prompts: int = 16
    samples_per_prompt: int = 4
    max_tokens: int = 1024
    max_zero_spread_fraction: float = 0.8
    max_baseline_mean: float = 0.95
    max_error_rate: float = 0.05
    skip_reason: str | None = None
    model_id: str | None = None  # model id for the audit's inference when it differs from base_model


class Budget(_Model):
    approval_above_usd: float = 0.0
    max_usd: float = float("inf")


class Pricing(_Model):
    usd_per_million_training_tokens: float = 0.0
    usd_per_million_inference_tokens: float = 0.0


class WorkflowSettings(_Model):
    poll_seconds: int = 300
    max_job_hours: float = 24


class EvaluationSettings(_Model):
    max_prompts: int = 200
    max_concurrency: int = 4
    max_tokens: int = 1024


class SelectionSettings(_Model):
    metric: str = "reward_mean"
    prefer: Literal["latest_on_tie", "earliest_on_tie"] = "latest_on_tie"


class WorkflowConfig(_Model):
    """The customization's runtime config, a literal baked into its state machine."""

    team: str
    customization: str
    base_model: str
    control_plane: Literal["mantle", "native"]
    region: str
    account: str = ""
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    grader_function_arn: str
    grader_spec: dict[str, Any] = Field(default_factory=dict)
    grader_spec_hash: str = ""
    datasets_bucket: str
    artifacts_bucket: str
    service_role_arn: str | None = None
    kms_key_arn: str | None = None
    registry_table: str
    model_parameter: str
    topic_arn: str | None = None
    dataset_limits: DatasetLimits = Field(default_factory=DatasetLimits)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    budget: Budget = Field(default_factory=Budget)
    pricing: Pricing = Field(default_factory=Pricing)
    workflow: WorkflowSettings = Field(default_factory=WorkflowSettings)
    evaluation: EvaluationSettings = Field(default_factory=EvaluationSettings)
    selection: SelectionSettings = Field(default_factory=SelectionSettings)

    def artifact_key(self, run_id: str, name: str) -> str:
        """``<customization>/runs/<run_id>/<name>`` in the artifacts bucket."""
        return f"{self.customization}/runs/{run_id}/{name}"


class ObjectRef(_Model):
    key: str
    version_id: str | None = None


class RunInput(_Model):
    train: ObjectRef
    validation: ObjectRef | None = None
    poll_seconds: int | None = None


class DatasetFile(_Model):
    key: str
    version_id: str | None = None
    sha256: str = ""
    rows: int = 0


class DatasetResult(_Model):
    train: DatasetFile
    validation: DatasetFile | None = None
    report_key: str = ""


def config_of(event: dict) -> WorkflowConfig:
    return WorkflowConfig.model_validate(event["config"])


def run_id_of(event: dict) -> str:
    run_id = event.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        raise ValueError("the state has no run_id")
    return run_id
