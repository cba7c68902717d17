"""Bedrock model references: the model an id names, and which model family it belongs to.

A leaf module (imports nothing of the grader runtime), used at synth time (IAM scoping,
self-preference warning), by calibration and by the OpenAI import. Which judge models a spec
calls is ``rft_graders.spec_walk.judge_models``. Accepted forms of a Bedrock model reference:

- model id: ``anthropic.claude-3-5-haiku-20241022-v1:0``, ``qwen.qwen3-32b-v1:0``
- cross-region inference profile id: ``us.anthropic.claude-...``, ``global.amazon.nova-...``
- ARN: ``arn:aws:bedrock:<region>:<account|>:foundation-model/<id>`` or
  ``.../inference-profile/<profile id>``; an ``application-inference-profile/<random>`` ARN
  names no model, so its family is unknown.
"""

from __future__ import annotations

import re

# Geography prefixes of system-defined cross-region inference profiles.
_GEO_PREFIXES = ("us-gov", "us", "eu", "apac", "jp", "au", "ca", "global")
_ARN = re.compile(r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:(?P<kind>[a-z-]+)/(?P<rest>.+)$")
_OPENAI_BARE = re.compile(r"^(gpt-|o\d|chatgpt-)", re.IGNORECASE)


def bare_model_id(model: str) -> str | None:
    """The foundation-model id inside a model reference, without geography prefix or ARN;
    None when the reference does not name a model (an application inference profile)."""
    text = model.strip()
    match = _ARN.match(text)
    if match:
        if match["kind"] not in ("foundation-model", "inference-profile"):
            return None
        text = match["rest"]
    head, _, tail = text.partition(".")
    if head.lower() in _GEO_PREFIXES and "." in tail:
        text = tail
    return text


def model_family(model: str) -> str | None:
    """``anthropic``, ``amazon.nova``, ``qwen``, ``openai``, ``meta``, ``mistral``... or None.

    The family is the provider prefix of the model id, except for Amazon, whose model
    lines (Nova, Titan) are separate families. Bare OpenAI API names (``gpt-4o``,
    ``o4-mini``, as in imported OpenAI grader JSON) are family ``openai``.
    """
    bare = bare_model_id(model)
    if not bare:
        return None
    if _OPENAI_BARE.match(bare):
        return "openai"
    provider, dot, name = bare.partition(".")
    if not dot or not provider:
        return None
    provider = provider.lower()
    if provider == "amazon":
        line = re.match(r"[a-z]+", name.lower())
        return f"amazon.{line.group(0)}" if line else "amazon"
    return provider


def same_family(judge_model: str, base_model: str) -> bool:
    """True when the judge and the policy's base model come from the same model family
    (self-preference risk). Unknown families (application profiles) compare as different:
    the caller cannot tell, and a warning it cannot justify would only be noise."""
    judge, base = model_family(judge_model), model_family(base_model)
    return judge is not None and judge == base


def is_bedrock_model(model: str) -> bool:
    """Whether the reference can name a Bedrock model (an id with a provider prefix, an
    inference profile id or ARN). False for OpenAI API names such as ``o4-mini``: imported
    OpenAI JSON parses with them, but Bedrock will reject the call."""
    if _ARN.match(model.strip()):
        return True
    bare = bare_model_id(model)
    return bare is not None and bool(bare) and "." in bare and not _OPENAI_BARE.match(bare)
