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
6. [U] Extra dataset fields ride in ``metadata``; unknown top-level keys (as in a raw dataset
   line used locally) are treated as metadata too, with ``metadata`` winning on conflict.
7. [U] ``id`` may be missing; the result then carries ``id: null`` in the same position.
"""

from __future__ import annotations

from typing import Any

from .errors import SampleGradingError
from .sample import Sample

_KNOWN_TOP_LEVEL = {"id", "messages", "metadata", "reference_answer"}
_TEXT_PART_TYPES = {None, "text", "output_text"}


class InvalidEventError(ValueError):
    """The event as a whole is not a Bedrock grader batch (not an array of objects)."""


def parse_event(event: Any) -> list[dict]:
    """Check the batch shape; per-sample problems are left for ``to_sample``."""
    if isinstance(event, dict) and isinstance(event.get("trajectories"), list):
        event = event["trajectories"]  # the envelope AWS's own open-weight sample grader accepts
    if not isinstance(event, list):
        raise InvalidEventError(
            f"grader event must be a JSON array of samples, got {type(event).__name__}"
        )
    for index, item in enumerate(event):
        if not isinstance(item, dict):
            raise InvalidEventError(
                f"grader event item {index} must be a JSON object, got {type(item).__name__}"
            )
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
    return Sample(
        id=sample_id(raw),
        output_text=content_text(last.get("content")),
        messages=messages,
        reference=unwrap_reference(reference_raw),
        reference_fields=reference_raw if isinstance(reference_raw, dict) else {},
        metadata=metadata,
        raw=raw,
    )


def content_text(content: Any) -> str:
    """Text of a message's content (assumption 5)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                if part.get("type") in _TEXT_PART_TYPES:
                    texts.append(part["text"])
        return "\n".join(texts)
    raise SampleGradingError(f"message content has unsupported type {type(content).__name__}")


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
