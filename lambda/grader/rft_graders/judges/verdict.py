"""Strict verdict parsing and refusal detection for Converse responses.

A verdict is accepted only as (a) the input of the one ``submit_verdict`` tool call, or (b)
the whole text reply being one JSON object (one surrounding markdown code fence allowed),
with only the keys ``nonce``, ``reasoning`` and ``score``/``label``. ``nonce`` must equal
the nonce this call's prompt stated (``prompt.JudgeCall.nonce``): the verdict is bound to
the call, so a verdict the judge copied or echoed from the material it was shown (which
never contains the nonce) is rejected. A number must be a JSON number (not a string)
inside the range; a label must be one of the labels (case and surrounding spaces
ignored). Anything else is a parse failure, so a score can never be scraped out of prose,
where an injected "score: 10" would also match. Reasons returned here are safe to log:
they never quote the judge's text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from ..text_extract import strip_code_fence
from .prompt import VERDICT_TOOL, VerdictShape

_REFUSAL_STOPS = {"content_filtered", "guardrail_intervened"}
_REFUSAL_TEXT = re.compile(
    r"^\W*(i'm sorry|i am sorry|sorry, (but )?i|i can(no|')t|i won't|i will not|i'm (not able|unable)|"
    r"i am (not able|unable)|as an ai\b|i must decline|i apologi[sz]e)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Parsed:
    """``status``: ok | parse_error | refusal. ``value``: the 0..1 score or the label."""

    status: str
    value: float | str | None = None
    reason: str = ""


def usage(response: dict) -> tuple[int, int]:
    raw = response.get("usage") or {}
    return int(raw.get("inputTokens") or 0), int(raw.get("outputTokens") or 0)


def parse_response(response: dict, shape: VerdictShape, nonce: str) -> Parsed:
    if not isinstance(response, dict):
        return Parsed("parse_error", reason="response is not an object")
    if response.get("stopReason") in _REFUSAL_STOPS:
        return Parsed("refusal", reason=f"stopReason {response['stopReason']}")
    content = ((response.get("output") or {}).get("message") or {}).get("content") or []
    texts, tools = [], []
    for block in content if isinstance(content, list) else []:
        if not isinstance(block, dict):
            continue
        tool = block.get("toolUse")
        if isinstance(tool, dict) and tool.get("name") == VERDICT_TOOL:
            tools.append(tool.get("input"))
        elif isinstance(block.get("text"), str):
            texts.append(block["text"])  # reasoningContent blocks are skipped on purpose
    if len(tools) > 1:
        return Parsed("parse_error", reason="more than one verdict tool call")
    if tools:
        return check_verdict(tools[0], shape, nonce)
    text = "\n".join(texts).strip()
    if not text:
        return Parsed("parse_error", reason="no verdict in the reply")
    try:
        data = json.loads(strip_code_fence(text))
    except ValueError:
        if _REFUSAL_TEXT.match(text):
            return Parsed("refusal", reason="judge declined")
        return Parsed("parse_error", reason="reply is not a JSON verdict")
    return check_verdict(data, shape, nonce)


def bound_to_call(data: dict, nonce: str) -> bool:
    """The verdict carries this call's nonce, exactly (module function so a canary test
    can switch the check off)."""
    value = data.get("nonce")
    return isinstance(value, str) and value == nonce


def check_verdict(data, shape: VerdictShape, nonce: str) -> Parsed:
    key = shape.key
    if not isinstance(data, dict):
        return Parsed("parse_error", reason="verdict is not a JSON object")
    extra = set(data) - {key, "reasoning", "nonce"}
    if extra:
        return Parsed("parse_error", reason=f"verdict has unexpected keys ({len(extra)})")
    if not bound_to_call(data, nonce):
        return Parsed("parse_error", reason="verdict does not carry this call's nonce")
    if key not in data:
        return Parsed("parse_error", reason=f"verdict has no {key}")
    value = data[key]
    if shape.labels:
        if not isinstance(value, str):
            return Parsed("parse_error", reason="label is not a string")
        wanted = value.strip().lower()
        for label in shape.labels:
            if label.strip().lower() == wanted:
                return Parsed("ok", label)
        return Parsed("parse_error", reason="label is not one of the labels")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return Parsed("parse_error", reason="score is not a number")
    if not shape.low <= value <= shape.high:
        return Parsed("parse_error", reason="score is outside the range")
    return Parsed("ok", (float(value) - shape.low) / (shape.high - shape.low))
