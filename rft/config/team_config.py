"""The team config schema: one YAML file per team, loaded into these frozen models.

Every field carries a description: it feeds the JSON Schema (`config/schema.json`, for editors)
and the README's config reference, and tests keep both in sync with this module. Validation that
needs the model catalog (model known, offered in the team's region, hyperparameters in range)
happens here, so a bad config fails `cdk synth` before anything is deployed.
"""

from __future__ import annotations

import difflib
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel as PydanticModel
from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from rft.config.catalog import CATALOG, ControlPlane, base_model

# Bedrock's patterns (botocore bedrock model): jobName `[a-zA-Z0-9](-*[a-zA-Z0-9\+\-\.])*` and
# customModelName `([0-9a-zA-Z][_-]?){1,63}`, both at most 63 characters. A customization name
# becomes part of both, plus a run suffix, so we take the intersection of the two patterns in
# lower case (also safe for S3 prefixes, SSM paths and CloudFormation ids) and keep it short
# enough to leave room for the suffix. 32 also keeps the grader's function name
# `rft-<team>-<customization>-grader` within Lambda's 64 characters.
CUSTOMIZATION_NAME_MAX = 32
RUN_SUFFIX_MAX = 63 - CUSTOMIZATION_NAME_MAX - 1  # "-" + suffix
_CUSTOMIZATION_NAME = re.compile(r"^[a-z0-9](?:-?[a-z0-9])*$")
_TEAM_NAME = re.compile(r"^[a-z][a-z0-9](?:-?[a-z0-9])*$")
_OBJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class _Frozen(PydanticModel):
    """Base for every config model: immutable, and unknown keys (typos) are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class CompliancePack(str, Enum):
    """Extra cdk-nag packs a team can opt into (AwsSolutions and Serverless always run)."""

    NIST_800_53_R5 = "NIST80053R5"
    HIPAA_SECURITY = "HIPAASecurity"


# The retention periods CloudWatch Logs accepts (PutRetentionPolicy).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


class DataSettings(_Frozen):
    """Retention of the team's stored data."""

    noncurrent_version_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days a replaced or deleted dataset/artifact object version is kept before "
        "S3 expires it. The current version is never expired.",
    )
    access_log_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Days S3 server access logs are kept in the log bucket.",
    )
    log_retention_days: int = Field(
        default=90,
        json_schema_extra={"enum": list(LOG_RETENTION_DAYS)},
        description="Days CloudWatch keeps the platform's function and workflow logs; one of "
        + ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        + ".",
    )

    @field_validator("log_retention_days")
    @classmethod
    def _cloudwatch_retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"{days} is not a CloudWatch Logs retention period; use one of "
                + ", ".join(str(d) for d in LOG_RETENTION_DAYS)
            )
        return days


class GraderFunctionSettings(_Frozen):
    """Sizing of a customization's grader Lambda function."""

    timeout_minutes: int = Field(
        default=5,
        ge=1,
        le=15,
        description="Grader function timeout in minutes (Lambda's 3-second default is far too "
        "short for batches; 15 is Lambda's maximum).",
    )
    memory_mb: int = Field(
        default=1024,
        ge=256,
        le=10240,
        description="Grader function memory in MB; CPU grows with it.",
    )
    reserved_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="Cap on concurrent grader invocations (also reserves them); null means 50 "
        "(constructs_lib.grader_function.DEFAULT_GRADER_RESERVED_CONCURRENCY). Bedrock's grader "
        "concurrency is undocumented, so a low cap can throttle training.",
    )


class DatasetFiles(_Frozen):
    """Where a customization's data lives, relative to its prefix in the datasets bucket."""

    train: str = Field(
        default="train.jsonl",
        pattern=_OBJECT_NAME.pattern,
        description="Object name of the training JSONL under "
        "s3://<datasets bucket>/<customization>/ (Bedrock accepts 100 to 20,000 prompts).",
    )
    validation: str | None = Field(
        default="validation.jsonl",
        pattern=_OBJECT_NAME.pattern,
        description="Object name of the held-out JSONL under the same prefix, used for "
        "checkpoint evaluation; null to train without one.",
    )


# Time budget of an execution: the approval wait, then the job (cancelled at max_job_hours),
# then evaluation and promotion. An execution that times out cannot cancel its job, so the
# parts must fit inside it.
APPROVAL_MIN_HOURS = 1
APPROVAL_MAX_HOURS = 7 * 24
STEPS_AFTER_JOB_HOURS = 2  # validation, audit, evaluation of every checkpoint, promotion


class WorkflowSettings(_Frozen):
    """How the customization's state machine runs a job."""

    poll_seconds: int = Field(
        default=300,
        ge=30,
        le=3600,
        description="Seconds between job status checks (each check is a few state transitions; "
        "`rft run start --poll-seconds` overrides it per run).",
    )
    max_job_hours: float = Field(
        default=24,
        gt=0,
        le=168,
        description="A job still running this long after submission is cancelled and the run fails.",
    )
    execution_timeout_hours: float = Field(
        default=72,
        gt=0,
        le=8760,
        description="Hard limit on the whole execution. It must leave room, after max_job_hours, "
        f"for {STEPS_AFTER_JOB_HOURS:g} hours of evaluation and promotion, the promotion approval's "
        "wait (promotion.approval_timeout_hours), a Nova evaluation deployment's wait when enabled "
        f"(evaluation.nova_deployment.ready_timeout_minutes) and at least {APPROVAL_MIN_HOURS:g} hour "
        "for a cost approval; what is left is how long a cost approval may wait (at most 7 days). "
        "So every wait ends, and the job deadline (which cancels the job) comes, before the "
        "execution timeout (which cannot).",
    )
    mantle_validation_file: bool = Field(
        default=False,
        description="Mantle (open-weight) jobs only: also upload the validation file and pass it "
        "as the job's `validation_file`. Off by default: the OpenAI API defines the field, but no "
        "AWS document or sample passes it for RFT (docs/aws-contracts.md). Checkpoints are "
        "evaluated on the validation file by the workflow either way.",
    )


class AuditSettings(_Frozen):
    """The reward-signal audit: base-model samples graded before any job is paid for."""

    prompts: int = Field(default=16, ge=2, le=500, description="Training prompts sampled for the audit.")
    samples_per_prompt: int = Field(
        default=4, ge=2, le=16, description="Base-model responses per prompt (spread needs at least 2)."
    )
    max_tokens: int = Field(default=1024, ge=16, le=32768, description="Response token limit per sample.")
    max_zero_spread_fraction: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Fail when more than this fraction of prompts gave all their samples the "
        "same score: such prompts teach the job nothing.",
    )
    max_baseline_mean: float = Field(
        default=0.95,
        ge=0,
        le=1,
        description="Fail when the base model already scores above this mean: little left to learn.",
    )
    max_error_rate: float = Field(
        default=0.05, ge=0, le=1, description="Fail when more than this fraction of samples hit grader errors."
    )
    skip_reason: str | None = Field(
        default=None,
        min_length=10,
        max_length=500,
        description="Skip the audit, with the reason recorded in every run (null: never skip).",
    )
    model_id: str | None = Field(
        default=None,
        min_length=3,
        max_length=2048,
        description="Model id (or inference profile id) the audit samples when it differs from "
        "base_model, e.g. the us./global. profile of a Nova base model (null: base_model).",
    )

    @field_validator("model_id")
    @classmethod
    def _bedrock_model(cls, model_id: str | None) -> str | None:
        from rft_graders.judges import is_bedrock_model

        if model_id is not None and not is_bedrock_model(model_id):
            raise ValueError(f"{model_id!r} is not a Bedrock model id, inference profile or ARN")
        return model_id


class NovaDeployment(_Frozen):
    """Opt-in for Nova (native) customizations: evaluate the tuned model through an on-demand
    custom model deployment (CreateCustomModelDeployment), the only way it answers without
    Provisioned Throughput. Without it a Nova model is not evaluated, so the gate never promotes
    it (``rft models promote --force`` still can), and the run's report says so."""

    enabled: bool = Field(
        default=False,
        description="Create an on-demand deployment of the tuned model after training, evaluate "
        "it (and the base model) on the held-out prompts, and smoke-test it before promotion. "
        "Its inference is in the run's cost estimate, which the budget guards before training.",
    )
    keep: Literal["never", "if_promoted"] = Field(
        default="never",
        description="never: delete the deployment when the run ends, whatever the outcome (the "
        "model parameter then names the custom model ARN). if_promoted: keep it when the model "
        "is promoted, and the model parameter names the deployment ARN applications invoke; it is "
        "deleted in every other outcome.",
    )
    ready_timeout_minutes: int = Field(
        default=60,
        ge=5,
        le=720,
        description="How long the deployment may take to become Active; then the model is not "
        "evaluated (the run ends not promoted) and the deployment is deleted.",
    )


class EvaluationSettings(_Frozen):
    """Checkpoint evaluation on the held-out validation prompts."""

    max_prompts: int = Field(default=200, ge=1, le=5000, description="Validation prompts per candidate.")
    max_concurrency: int = Field(
        default=10,
        ge=1,
        le=40,
        description="Evaluation items (one candidate x one prompt batch) run at the same time by "
        "the state machine's Map (40 is the inline Map's practical ceiling).",
    )
    max_tokens: int = Field(default=1024, ge=16, le=32768, description="Response token limit per prompt.")
    batch_size: int = Field(
        default=25,
        ge=1,
        le=200,
        description="Validation prompts per evaluation item; one item is one Lambda invocation, "
        "so batch_size / item_concurrency x the model's latency must fit its 15 minutes.",
    )
    item_concurrency: int = Field(
        default=5, ge=1, le=32, description="Model calls in flight inside one evaluation item."
    )
    nova_deployment: NovaDeployment = Field(
        default_factory=NovaDeployment,
        description="Nova (native) only: evaluate through an on-demand deployment (opt-in).",
    )


class PromotionGate(_Frozen):
    """The promotion gate, declared before training: what "measurably better" means.

    Every candidate, the base model and the model now promoted are evaluated on the same
    held-out prompts with the same grader. The best candidate (by checkpoint_selection) is
    compared with each baseline prompt by prompt (paired bootstrap); the lower end of the
    interval must clear the minimum improvement over the base model and over the current one.
    """

    metric: Literal["reward_mean", "pass_rate"] = Field(
        default="reward_mean",
        description="Per-prompt value compared: the reward, or 1 when the reward is at least pass_threshold (else 0).",
    )
    pass_threshold: float = Field(default=1.0, description="Reward at which a prompt counts as passed (pass_rate).")
    min_improvement_over_base: float = Field(
        default=0.0, ge=0, description="Required gain of the metric over the base model (absolute)."
    )
    min_improvement_over_current: float = Field(
        default=0.0, ge=0, description="Required gain over the model now promoted (absolute)."
    )
    confidence: float = Field(
        default=0.95,
        gt=0.5,
        lt=1,
        description="Confidence of the paired bootstrap interval; the interval "
        "is widened for the number of candidates compared (Bonferroni).",
    )
    bootstrap_samples: int = Field(default=2000, ge=200, le=20000, description="Bootstrap resamples.")
    min_paired_prompts: int = Field(
        default=20,
        ge=1,
        description="Fewer prompts scored for both models than this: no decision without a person (hold for approval).",
    )
    require_distinct_approver: bool = Field(
        default=False,
        description="A held promotion must be approved by someone other than the principal who started the run.",
    )
    approval_timeout_hours: float = Field(
        default=24,
        gt=0,
        le=168,
        description="How long a held promotion waits for a person; then the "
        "run ends not promoted. It counts against workflow.execution_timeout_hours: an execution "
        "that times out first ends with nothing promoted (the safe direction).",
    )


class CheckpointSelection(_Frozen):
    """The rule, declared before training, that picks the model to promote."""

    metric: Literal["reward_mean", "reward_mean_minus_std"] = Field(
        default="reward_mean",
        description="Held-out score to maximize: mean reward, or mean minus one standard "
        "deviation (prefers checkpoints that are good consistently).",
    )
    prefer: Literal["latest_on_tie", "earliest_on_tie"] = Field(
        default="latest_on_tie", description="Which checkpoint wins a tie on the metric."
    )


# Strict members: pydantic must hand values to the catalog check unchanged (True must not
# become 1, "3" must not become 3); the catalog then says what is allowed.
HyperparameterValue = StrictBool | StrictInt | StrictFloat | StrictStr


class Customization(_Frozen):
    """One reinforcement fine-tuning customization: a base model, data, a grader, knobs."""

    name: str = Field(
        min_length=1,
        max_length=CUSTOMIZATION_NAME_MAX,
        json_schema_extra={"pattern": _CUSTOMIZATION_NAME.pattern},
        description="Lower-case letters and digits, single hyphens between them, at most "
        f"{CUSTOMIZATION_NAME_MAX} characters. It names the data prefixes, SSM parameters and "
        "Bedrock job/model names (Bedrock allows 63 characters; the rest is the run suffix).",
    )
    description: str = Field(default="", max_length=500, description="What this customization is for.")
    base_model: str = Field(
        description="Base model id from the catalog: " + ", ".join(CATALOG) + ".",
    )
    dataset: DatasetFiles = Field(
        default_factory=DatasetFiles,
        description="Training and validation object names under the customization's prefix.",
    )
    grader: dict[str, Any] = Field(
        description="The reward function: a grader spec (`type: ...`) or a template "
        "(`template: ...`). Validated when the config is loaded.",
    )
    grader_function: GraderFunctionSettings = Field(
        default_factory=GraderFunctionSettings,
        description="Timeout, memory and concurrency of the grader Lambda function.",
    )
    workflow: WorkflowSettings = Field(
        default_factory=WorkflowSettings, description="Polling, job deadline and execution timeout."
    )
    audit: AuditSettings = Field(
        default_factory=AuditSettings,
        description="Reward-signal audit thresholds; the run fails closed when one is crossed.",
    )
    evaluation: EvaluationSettings = Field(
        default_factory=EvaluationSettings, description="Checkpoint evaluation on held-out prompts."
    )
    checkpoint_selection: CheckpointSelection = Field(
        default_factory=CheckpointSelection, description="How the promoted model is chosen."
    )
    promotion: PromotionGate = Field(
        default_factory=PromotionGate,
        description="The gate a candidate must pass to be promoted (measurably better than the "
        "base model and the current model).",
    )
    hyperparameters: dict[str, HyperparameterValue] = Field(
        default_factory=dict,
        description="Training knobs; the names and ranges depend on the base model (see the "
        "model catalog). Unset knobs take Bedrock's defaults.",
    )

    @field_validator("name")
    @classmethod
    def _bedrock_name(cls, name: str) -> str:
        if not _CUSTOMIZATION_NAME.match(name):
            raise ValueError(
                f"{name!r} is not a valid customization name; use lower-case letters and "
                "digits with single hyphens between them (Bedrock job and custom-model names "
                "allow no underscores next to hyphens, no '--', no dots), e.g. 'ticket-triage'"
            )
        return name

    @field_validator("grader")
    @classmethod
    def _grader_parses(cls, raw: dict[str, Any]) -> dict[str, Any]:
        # The very parser the grader Lambda runs: a spec that passes here loads there.
        from rft_graders.judges import is_bedrock_model
        from rft_graders.spec import GraderSpecError, parse_grader_spec
        from rft_graders.spec_walk import judge_models

        try:
            spec = parse_grader_spec(raw)
        except GraderSpecError as error:
            # Its paths start at "grader"; ours already point at this field.
            message = str(error)
            for own_prefix in ("grader.", "grader: "):
                message = message.removeprefix(own_prefix)
            raise ValueError(message) from None
        from rft.config.references import module_problems

        unresolved = module_problems(raw)
        if unresolved:
            # A spec path from `grader`; ours already points at this field.
            raise ValueError(unresolved[0].removeprefix("grader."))
        foreign = sorted(m for m in judge_models(spec) if not is_bedrock_model(m))
        if foreign:
            # Imported OpenAI grader JSON parses with OpenAI model names; Bedrock cannot call them.
            raise ValueError(
                f"judge model {foreign[0]!r} is not a Bedrock model id, inference profile or ARN; "
                "replace it with one, e.g. us.amazon.nova-pro-v1:0"
            )
        return raw

    @field_validator("base_model")
    @classmethod
    def _known_model(cls, model_id: str) -> str:
        base_model(model_id)  # raises with the list of supported models
        return model_id

    @model_validator(mode="after")
    def _nova_deployment_on_native_only(self) -> Customization:
        if self.evaluation.nova_deployment.enabled and self.control_plane is not ControlPlane.NATIVE:
            raise ValueError(
                f"evaluation.nova_deployment: {self.base_model} is served by mantle directly after "
                "training; a deployment is for Nova (native) customizations only"
            )
        return self

    @model_validator(mode="after")
    def _waits_fit_the_execution(self) -> Customization:
        # Every wait of a run must end before the execution timeout, which cannot cancel a job
        # or delete a deployment: an execution that times out is only cleaned up afterwards.
        needed = self._hours_after_cost_approval() + APPROVAL_MIN_HOURS
        if self.workflow.execution_timeout_hours < needed:
            raise ValueError(
                f"workflow.execution_timeout_hours: must be at least {needed:g} (max_job_hours "
                f"{self.workflow.max_job_hours:g} + {STEPS_AFTER_JOB_HOURS:g} for evaluation and "
                f"promotion + promotion.approval_timeout_hours {self.promotion.approval_timeout_hours:g}"
                + (
                    f" + the deployment's {self.evaluation.nova_deployment.ready_timeout_minutes / 60:g}"
                    if self.evaluation.nova_deployment.enabled
                    else ""
                )
                + f" + {APPROVAL_MIN_HOURS:g} for a cost approval), or the execution could time out "
                "while a job runs"
            )
        return self

    def _hours_after_cost_approval(self) -> float:
        deployment = self.evaluation.nova_deployment
        return (
            self.workflow.max_job_hours
            + STEPS_AFTER_JOB_HOURS
            + self.promotion.approval_timeout_hours
            + (deployment.ready_timeout_minutes / 60 if deployment.enabled else 0)
        )

    @property
    def cost_approval_timeout_hours(self) -> float:
        """How long a run may wait for a cost approval, so that everything after it still fits
        in the execution."""
        return min(APPROVAL_MAX_HOURS, self.workflow.execution_timeout_hours - self._hours_after_cost_approval())

    @model_validator(mode="after")
    def _hyperparameters_fit_model(self) -> Customization:
        model = CATALOG[self.base_model]
        for key, value in self.hyperparameters.items():
            spec = model.hyperparameter(key)
            if spec is None:
                raise ValueError(
                    f"hyperparameters.{key}: unknown for {self.base_model}; allowed: "
                    + ", ".join(model.hyperparameter_names)
                )
            problem = spec.check(value)
            if problem:
                raise ValueError(f"hyperparameters.{key}: {problem}")
        return self

    @property
    def control_plane(self) -> ControlPlane:
        return CATALOG[self.base_model].control_plane


class Notifications(_Frozen):
    """Who hears about runs: approvals, failures, promotions."""

    emails: tuple[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")], ...] = Field(
        default=(),
        description="Email addresses subscribed to the team's notification topic (each must confirm the subscription).",
    )


class Budget(_Frozen):
    """Spend guard applied before every job."""

    approval_above_usd: float = Field(
        default=200,
        ge=0,
        description="Estimated job cost above which a human must approve the run (task token).",
    )
    max_usd_per_run: float = Field(
        default=1000, gt=0, description="Estimated job cost above which the run fails without asking."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Budget:
        if self.approval_above_usd > self.max_usd_per_run:
            raise ValueError("approval_above_usd: must not exceed max_usd_per_run")
        return self


class AlarmSettings(_Frozen):
    """Thresholds of each customization's alarms (all notify the team topic)."""

    grader_error_rate: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Alarm when more than this fraction of graded samples hit grader errors in a period.",
    )
    grader_duration_fraction: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Alarm when the grader's p95 duration exceeds this fraction of its timeout.",
    )
    reward_collapse_fraction: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description="Alarm when the hourly mean reward falls by more than this fraction from "
        "the hour before (a sign of reward hacking being corrected, or of a broken grader).",
    )
    judge_parse_errors: int = Field(
        default=10, ge=1, description="Alarm when judges return this many unparseable verdicts in a period."
    )
    period_minutes: Literal[1, 5, 15, 60] = Field(default=5, description="Evaluation period of the alarms.")


class JobVpc(_Frozen):
    """Where native-plane (Nova) jobs reach your data from: Bedrock puts network interfaces in
    these subnets (ignored by the mantle plane, which has no VPC option)."""

    subnet_ids: tuple[Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8,17}$")], ...] = Field(
        min_length=1,
        max_length=16,
        description="1 to 16 subnet ids; AWS recommends at least one per Availability Zone.",
    )
    security_group_ids: tuple[Annotated[str, Field(pattern=r"^sg-[0-9a-f]{8,17}$")], ...] = Field(
        min_length=1, max_length=5, description="1 to 5 security group ids for those interfaces."
    )


class Price(_Frozen):
    """What a model's tokens cost this team (enter your negotiated or list price)."""

    usd_per_million_training_tokens: float = Field(
        ge=0, description="Training price per million tokens processed (prompt + response)."
    )
    usd_per_million_inference_tokens: float = Field(
        default=0, ge=0, description="Inference price per million tokens (audit and evaluation calls)."
    )


class DeploySettings(_Frozen):
    """How `make deploy` (and the CI template, which runs it) applies changes."""

    require_approval: Literal["broadening", "never"] = Field(
        default="broadening",
        description="cdk deploy's --require-approval: `broadening` stops for a human on any IAM "
        "or security-group change that widens access (in CI, where nobody can answer, the "
        "deploy fails and someone runs `make deploy` by hand); `never` applies such changes "
        "without asking, for teams that review them in the pull request's `cdk diff`.",
    )


AccountId = Annotated[str, Field(pattern=r"^\d{12}$", description="The team's 12-digit AWS account id, quoted.")]


class TeamConfig(_Frozen):
    """A team's RFT platform: its account, region, compliance needs and customizations."""

    team: str = Field(
        min_length=2,
        max_length=20,
        json_schema_extra={"pattern": _TEAM_NAME.pattern},
        description="Team slug: lower-case letters, digits and single hyphens, starting with a "
        "letter. Names the stacks, the KMS alias alias/rft/<team> and SSM paths /rft/<team>/; "
        "the file must be named <team>.yaml.",
    )
    account: AccountId
    region: str = Field(
        pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$",
        description="AWS region of the team's stacks. Every customization's base model must be "
        "offered there (open-weight models: us-west-2; Nova: us-east-1).",
    )
    description: str = Field(default="", max_length=500, description="Free text about the team.")
    compliance_packs: tuple[CompliancePack, ...] = Field(
        default=(),
        description="Extra cdk-nag packs to enforce: NIST80053R5, HIPAASecurity. AwsSolutions "
        "and Serverless always run.",
    )
    permissions_boundary_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:iam::\d{12}:policy/[\w+=,.@/-]+$",
        description="ARN of a managed policy applied as the permissions boundary of every IAM "
        "role the app creates; null for none.",
    )
    data: DataSettings = Field(default_factory=DataSettings, description="Retention of stored data and logs.")
    notifications: Notifications = Field(
        default_factory=Notifications, description="Email subscribers of the team's topic."
    )
    budget: Budget = Field(default_factory=Budget, description="Cost guard of every run.")
    alarms: AlarmSettings = Field(default_factory=AlarmSettings, description="Alarm thresholds of every customization.")
    deploy: DeploySettings = Field(default_factory=DeploySettings, description="Approval of IAM changes at deploy.")
    job_vpc: JobVpc | None = Field(
        default=None,
        description="Run native-plane (Nova) customization jobs inside these subnets; null for Bedrock's own network.",
    )
    pricing: dict[str, Price] = Field(
        default_factory=dict,
        description="Price per base model id; every model a customization uses needs one (AWS "
        "publishes no RFT price in an API, so the team states what it pays).",
    )
    customizations: tuple[Customization, ...] = Field(
        default=(), description="The team's reinforcement fine-tuning customizations."
    )

    @field_validator("team")
    @classmethod
    def _team_slug(cls, team: str) -> str:
        if not _TEAM_NAME.match(team):
            raise ValueError(
                f"{team!r} is not a valid team slug; use lower-case letters, digits and single "
                "hyphens, starting with a letter, e.g. 'search-quality'"
            )
        return team

    @model_validator(mode="after")
    def _consistent(self) -> TeamConfig:
        for model_id in self.pricing:
            # A misspelled id would sit next to the right one unused, or hide a missing price.
            if model_id not in CATALOG:
                hint = difflib.get_close_matches(model_id, list(CATALOG), n=1)
                suggestion = f"did you mean {hint[0]!r}? " if hint else ""
                raise ValueError(
                    f"pricing.{model_id}: not a base model of the catalog; {suggestion}supported: {', '.join(CATALOG)}"
                )
        seen: set[str] = set()
        for index, customization in enumerate(self.customizations):
            if customization.name in seen:
                raise ValueError(
                    f"customizations[{index}].name: {customization.name!r} is declared twice; "
                    "customization names must be unique"
                )
            seen.add(customization.name)
            model = CATALOG[customization.base_model]
            if customization.base_model not in self.pricing:
                raise ValueError(
                    f"pricing: no price for {customization.base_model} (used by customization "
                    f"{customization.name!r}); add pricing.{customization.base_model}."
                    "usd_per_million_training_tokens so the cost guard can estimate runs"
                )
            if self.region not in model.regions:
                raise ValueError(
                    f"customizations[{index}].base_model: {model.model_id} is not offered for "
                    f"reinforcement fine-tuning in {self.region}; it is offered in " + ", ".join(model.regions)
                )
        if self.permissions_boundary_arn and f":iam::{self.account}:" not in self.permissions_boundary_arn:
            raise ValueError(
                f"permissions_boundary_arn: the policy is in another account than {self.account}; "
                "IAM accepts only a boundary policy of the role's own account"
            )
        if len({p for p in self.compliance_packs}) != len(self.compliance_packs):
            raise ValueError("compliance_packs: a pack is listed twice")
        return self

    def customization(self, name: str) -> Customization:
        for customization in self.customizations:
            if customization.name == name:
                return customization
        raise KeyError(
            f"team {self.team!r} declares no customization {name!r}; declared: "
            + (", ".join(c.name for c in self.customizations) or "none")
        )
