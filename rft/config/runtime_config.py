"""Build a customization's workflow runtime config (``rft_contracts.runtime_config``) at synth.

The one place where the team config becomes the runtime contract: every field is set here
explicitly, and the contract has no defaults, so a field added to or renamed in either side
fails synth instead of falling back to a Lambda-side default.
"""

from __future__ import annotations

from rft.config.catalog import base_model
from rft.config.team_config import Customization, TeamConfig
from rft_contracts import naming
from rft_contracts.runtime_config import (
    AuditSettings,
    Budget,
    DatasetLimits,
    EvaluationSettings,
    NovaDeploymentSettings,
    Pricing,
    PromotionGateSettings,
    SelectionSettings,
    WorkflowConfig,
    WorkflowSettings,
)
from rft_graders.spec import parse_grader_spec, spec_hash

# Bedrock's RFT dataset bounds (bedrock-rft.md §3): 100 to 20,000 prompts per training file.
MIN_TRAINING_ROWS = 100
MAX_ROWS = 20_000
# Prompt length checked when the customization sets no maxPromptLength (Bedrock publishes no
# default; prompts longer than the job's limit are dropped, so the check warns early).
DEFAULT_MAX_PROMPT_TOKENS = 8192


def build_runtime_config(
    team: TeamConfig,
    c: Customization,
    *,
    account: str,
    region: str,
    partition: str,
    grader_function_arn: str,
    service_role_arn: str | None,
    kms_key_arn: str,
    datasets_bucket: str,
    artifacts_bucket: str,
    registry_table: str,
) -> WorkflowConfig:
    audit, evaluation, selection, gate = c.audit, c.evaluation, c.checkpoint_selection, c.promotion
    price = team.pricing[c.base_model]
    return WorkflowConfig(
        team=team.team,
        customization=c.name,
        base_model=c.base_model,
        control_plane=c.control_plane.value,
        responses_api=base_model(c.base_model).responses_api,
        region=region,
        account=account,
        hyperparameters=dict(c.hyperparameters),
        grader_function_arn=grader_function_arn,
        grader_spec=c.grader,
        grader_spec_hash=spec_hash(parse_grader_spec(c.grader)),
        datasets_bucket=datasets_bucket,
        artifacts_bucket=artifacts_bucket,
        service_role_arn=service_role_arn,
        kms_key_arn=kms_key_arn,
        registry_table=registry_table,
        model_parameter=naming.parameter_path(team.team, c.name, "model"),
        topic_arn=naming.topic_arn(team.team, account, region, partition),
        dataset_limits=DatasetLimits(
            min_rows=MIN_TRAINING_ROWS,
            max_rows=MAX_ROWS,
            max_prompt_tokens=int(c.hyperparameters.get("maxPromptLength", DEFAULT_MAX_PROMPT_TOKENS)),
        ),
        audit=AuditSettings(
            prompts=audit.prompts,
            samples_per_prompt=audit.samples_per_prompt,
            max_tokens=audit.max_tokens,
            max_zero_spread_fraction=audit.max_zero_spread_fraction,
            max_baseline_mean=audit.max_baseline_mean,
            max_error_rate=audit.max_error_rate,
            skip_reason=audit.skip_reason,
            # The id that invokes the base model (the catalog's, e.g. Nova's inference profile),
            # unless the team set one.
            model_id=audit.model_id or base_model(c.base_model).invocation_id,
        ),
        budget=Budget(approval_above_usd=team.budget.approval_above_usd, max_usd=team.budget.max_usd_per_run),
        pricing=Pricing(
            usd_per_million_training_tokens=price.usd_per_million_training_tokens,
            usd_per_million_inference_tokens=price.usd_per_million_inference_tokens,
        ),
        workflow=WorkflowSettings(
            poll_seconds=c.workflow.poll_seconds,
            max_job_hours=c.workflow.max_job_hours,
            mantle_validation_file=c.workflow.mantle_validation_file,
        ),
        evaluation=EvaluationSettings(
            max_prompts=evaluation.max_prompts,
            max_concurrency=evaluation.max_concurrency,
            max_tokens=evaluation.max_tokens,
            batch_size=evaluation.batch_size,
            item_concurrency=evaluation.item_concurrency,
            nova_deployment=NovaDeploymentSettings(
                enabled=evaluation.nova_deployment.enabled,
                keep=evaluation.nova_deployment.keep,
                ready_timeout_minutes=evaluation.nova_deployment.ready_timeout_minutes,
            ),
        ),
        selection=SelectionSettings(metric=selection.metric, prefer=selection.prefer),
        promotion=PromotionGateSettings(
            metric=gate.metric,
            pass_threshold=gate.pass_threshold,
            min_improvement_over_base=gate.min_improvement_over_base,
            min_improvement_over_current=gate.min_improvement_over_current,
            confidence=gate.confidence,
            bootstrap_samples=gate.bootstrap_samples,
            min_paired_prompts=gate.min_paired_prompts,
            require_distinct_approver=gate.require_distinct_approver,
            approval_timeout_hours=gate.approval_timeout_hours,
        ),
    )
