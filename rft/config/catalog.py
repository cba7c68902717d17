"""The base-model catalog: one row per model that Bedrock can reinforcement-fine-tune.

Config validation, the IAM grants and (later) the workflow adapters all read this table, so
adding a model is one row here. Facts come from `shared/reference/bedrock-rft.md` §1, §2, §6.

Bounds marked "guardrail" are ours, not Bedrock's: the mantle (OpenAI-compatible) API publishes
no ranges for its three hyperparameters, and the native API publishes no upper bound for the two
token limits. We keep such bounds wide, so they only catch obvious typos (an extra zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

Number = int | float


class ControlPlane(str, Enum):
    """How a job for this model is created (bedrock-rft.md §0)."""

    MANTLE = "mantle"
    """OpenAI-compatible API on bedrock-mantle: Files API + fine_tuning.jobs (open-weight models)."""
    NATIVE = "native"
    """Native CreateModelCustomizationJob with customizationType REINFORCEMENT_FINE_TUNING (Nova)."""


@dataclass(frozen=True)
class Hyperparameter:
    """One tunable knob: its type and the values it may take."""

    name: str
    kind: type  # int, float or str
    minimum: Number | None = None
    maximum: Number | None = None
    choices: tuple[str, ...] = ()
    note: str = ""

    def allowed(self) -> str:
        """Human wording of the allowed values, used in error messages and the README."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        kind = "an integer" if self.kind is int else "a number"
        if self.minimum is not None and self.maximum is not None:
            return f"{kind} from {self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f"{kind} of at least {self.minimum:g}"
        return kind

    def check(self, value: object) -> str | None:
        """Return why `value` is not allowed, or None when it is."""
        if self.choices:
            if value not in self.choices:
                return f"{value!r} is not allowed; use {self.allowed()}"
            return None
        # bool is an int subclass in Python; `n_epochs: true` is a typo, not 1.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{value!r} is not {self.kind.__name__}; use {self.allowed()}"
        if self.kind is int and not isinstance(value, int):
            return f"{value!r} is not an integer; use {self.allowed()}"
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            return f"{value!r} is out of range; use {self.allowed()}"
        return None


@dataclass(frozen=True)
class BaseModel:
    """A row of the catalog."""

    model_id: str
    display_name: str
    control_plane: ControlPlane
    regions: tuple[str, ...]
    hyperparameters: tuple[Hyperparameter, ...]
    # The id that *invokes* the base model (Converse/InvokeModel), when it is not `model_id`:
    # Nova 2's customization id (`...:256k`) names the training recipe and cannot be invoked;
    # AWS's Nova 2 guide invokes it through the `us.`/`global.` inference profiles
    # (bedrock-rft.md, corrections 7). The audit samples the base model with this id.
    inference_model_id: str | None = None

    @property
    def invocation_id(self) -> str:
        return self.inference_model_id or self.model_id

    # Mantle's page says not every model serves the Responses API; AWS's samples show it for
    # gpt-oss only, and Qwen is reported Chat Completions only [U] (docs/aws-contracts.md).
    # The smoke test calls Responses only where this is true.
    responses_api: bool = False

    def hyperparameter(self, name: str) -> Hyperparameter | None:
        return next((h for h in self.hyperparameters if h.name == name), None)

    @property
    def hyperparameter_names(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.hyperparameters)


# The open-weight (mantle) path documents only these three names (bedrock-rft.md §6).
_MANTLE_HYPERPARAMETERS = (
    Hyperparameter("n_epochs", int, 1, 50, note="guardrail; same cap as the native epochCount"),
    Hyperparameter("batch_size", int, 1, 512, note="guardrail; same cap as the native batchSize"),
    Hyperparameter(
        "learning_rate_multiplier",
        float,
        0.01,
        10.0,
        note="guardrail; AWS suggests values below 1.0 for stability",
    ),
)

# Native rftConfig.hyperParameters (botocore bedrock model, RFTHyperParameters; §2).
_NOVA_HYPERPARAMETERS = (
    Hyperparameter("epochCount", int, 1, 50),
    Hyperparameter("batchSize", int, 16, 512),
    Hyperparameter("learningRate", float, 1e-7, 1e-3),
    Hyperparameter("trainingSamplePerPrompt", int, 2, 16),
    Hyperparameter("evalInterval", int, 1, 100, note="training steps"),
    Hyperparameter("reasoningEffort", str, choices=("low", "medium", "high")),
    Hyperparameter("maxPromptLength", int, 1, 262_144, note="guardrail; prompts longer are dropped"),
    Hyperparameter("inferenceMaxTokens", int, 1, 262_144, note="guardrail"),
)

CATALOG: dict[str, BaseModel] = {
    m.model_id: m
    for m in (
        BaseModel("qwen.qwen3-32b", "Qwen3 32B", ControlPlane.MANTLE, ("us-west-2",), _MANTLE_HYPERPARAMETERS),
        BaseModel(
            "openai.gpt-oss-20b",
            "gpt-oss-20b",
            ControlPlane.MANTLE,
            ("us-west-2",),
            _MANTLE_HYPERPARAMETERS,
            responses_api=True,
        ),
        BaseModel(
            "amazon.nova-2-lite-v1:0:256k",
            "Amazon Nova 2 Lite",
            ControlPlane.NATIVE,
            ("us-east-1",),
            _NOVA_HYPERPARAMETERS,
            inference_model_id="us.amazon.nova-2-lite-v1:0",
        ),
    )
}


def base_model(model_id: str) -> BaseModel:
    """Look a model up, with an error that lists what exists."""
    try:
        return CATALOG[model_id]
    except KeyError:
        raise ValueError(f"unknown base model {model_id!r}; supported: {', '.join(CATALOG)}") from None
