"""The text of a chat message's content, in every shape a grader event carries it.

A leaf module: both the event parser (``bedrock_event``) and the sample (``sample``) read
message text through it, so neither imports the other.
"""

from __future__ import annotations

from typing import Any

from .errors import SampleGradingError

_TEXT_PART_TYPES = {None, "text", "output_text"}


def content_text(content: Any) -> str:
    """Text of a message's content (bedrock_event.py, assumption 5)."""
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
