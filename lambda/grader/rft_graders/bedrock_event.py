"""Every assumption about the shape of Bedrock's grader event lives here.

The contract (reference/bedrock-rft.md §4) is documented for Nova and open-weight RFT, but
several details are UNCONFIRMED [U] and vary between AWS docs and AWS samples. This module
accepts every documented variant; change it here, and only here, once a real job settles them:

1. [C] The event is a JSON array of objects; we return one result per object, same order.
2. [U] ``reference_answer`` sits at the top level (AWS sample graders) OR under ``metadata``
   (AWS docs). Top level wins when both exist.
3. [U] A string reference may arrive wrapped as ``{"text": "..."}`` (the gpt-oss sample reads
   ``reference_answer.text``). A dict whose only key is ``text`` is unwrapped to the string;
   its ``text`` key stays reachable as ``item.text``.
4. [C] The last message is the model's response, whatever its role (``assistant``, Nova's
   ``nova_assistant``...).
5. [U] Message ``content`` is a string or a list of parts; parts with a string ``text`` and a
   type of ``text``/``output_text`` (or no type, Converse style) are joined with newlines.
   Other parts (e.g. ``reasoning``) are not part of the graded answer.
5b. [U] Reasoning: Bedrock's event format says nothing about it. Accepted wherever the
   common APIs put it: in the text (``<think>`` blocks, gpt-oss harmony channels; split off by
   ``reasoning.py``), as a message field (``reasoning_content`` as vLLM/DeepSeek,
   ``reasoning``, ``thinking``), or as content parts (``reasoning``/``reasoning_text``/
   ``thinking`` parts with ``text``/``thinking``, Converse ``reasoningContent.reasoningText``).
   All of it goes to ``sample.reasoning_text``, none to ``sample.output_text``.
6. [U] Extra dataset fields ride in ``metadata``; unknown top-level keys (as in a raw dataset
   line used locally) are treated as metadata too, with ``metadata`` winning on conflict.
7. [U] ``id`` may be missing; the result then carries ``id: null`` in the same position.
"""

from __future__ import annotations

from typing import Any

from .errors import SampleGradingError
from .message_content import content_text
from .reasoning import split_reasoning
from .sample import Sample

_KNOWN_TOP_LEVEL = {"id", "messages", "metadata", "reference_answer"}
_REASONING_FIELDS = ("reasoning_content", "reasoning", "thinking")
_REASONING_PART_TYPES = {"reasoning", "reasoning_text", "reasoning_content", "thinking"}


class InvalidEventError(ValueError):
    """The event as a whole is not a Bedrock grader batch (not an array of objects)."""


def parse_event(event: Any) -> list[dict]:
    """Check the batch shape; per-sample problems are left for ``to_sample``."""
    if isinstance(event, dict) and isinstance(event.get("trajectories"), list):
        event = event["trajectories"]  # the envelope AWS's own open-weight sample grader accepts
    if not isinstance(event, list):
        raise InvalidEventError(f"grader event must be a JSON array of samples, got {type(event).__name__}")
    for index, item in enumerate(event):
        if not isinstance(item, dict):
            raise InvalidEventError(f"grader event item {index} must be a JSON object, got {type(item).__name__}")
    return event


def sample_id(raw: dict) -> Any:
    """The id echoed back in the result (assumption 7)."""
    return raw.get("id")


def to_sample(raw: dict) -> Sample:
    """Normalise one event item; raises SampleGradingError when it cannot be graded."""
    messages = raw.get("messages")
    if not isinstance(messages, list) or not messages:
        raise SampleGradingError("sample has no messages")
    last = messages[-1]
    if not isinstance(last, dict):
        raise SampleGradingError("last message is not an object")
    metadata_raw = raw.get("metadata")
    if metadata_raw is not None and not isinstance(metadata_raw, dict):
        raise SampleGradingError("metadata is not an object")
    metadata = {k: v for k, v in raw.items() if k not in _KNOWN_TOP_LEVEL}
    metadata.update(metadata_raw or {})
    reference_raw = raw.get("reference_answer", metadata.pop("reference_answer", None))
    metadata.pop("reference_answer", None)
    response = content_text(last.get("content"))
    split = split_reasoning(response)
    reasoning = [*message_reasoning(last), split.reasoning]
    return Sample(
        id=sample_id(raw),
        output_text=split.answer,
        response_text=response,
        reasoning_text="\n\n".join(r for r in reasoning if r),
        messages=messages,
        reference=unwrap_reference(reference_raw),
        reference_fields=reference_raw if isinstance(reference_raw, dict) else {},
        metadata=metadata,
        raw=raw,
    )


def message_reasoning(message: dict) -> list[str]:
    """Reasoning delivered beside the content (assumption 5b), in order."""
    out = [message[key] for key in _REASONING_FIELDS if isinstance(message.get(key), str)]
    content = message.get("content")
    if isinstance(content, list):
        for part in content:
            if not isinstance(part, dict):
                continue
            if part.get("type") in _REASONING_PART_TYPES:
                text = part.get("text", part.get("thinking"))
                if isinstance(text, str):
                    out.append(text)
            block = part.get("reasoningContent")
            if isinstance(block, dict) and isinstance(block.get("reasoningText"), dict):
                text = block["reasoningText"].get("text")
                if isinstance(text, str):
                    out.append(text)
    return out


def unwrap_reference(reference: Any) -> Any:
    """Assumption 3: ``{"text": s}`` is a wrapped string."""
    if isinstance(reference, dict) and set(reference) == {"text"} and isinstance(reference["text"], str):
        return reference["text"]
    return reference


def prompt_key(raw: dict) -> str:
    """Identity of the prompt a sample answers: the messages before the last one."""
    import json

    messages = raw.get("messages")
    prompt = messages[:-1] if isinstance(messages, list) else None
    return json.dumps(prompt, sort_keys=True, default=str)


def result(sample_id_value: Any, score: float, metrics: list[dict]) -> dict:
    """One Bedrock result entry."""
    return {"id": sample_id_value, "aggregate_reward_score": score, "metrics_list": metrics}
