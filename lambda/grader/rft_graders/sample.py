"""The normalised view of one sample that graders work on, and its template namespaces.

``item`` (what ``{{item.*}}`` reads; also the ``item`` argument of python graders) is built
from, lowest precedence first:

1. the dataset's extra fields (``metadata``, minus ``reference_answer``);
2. if the reference answer is an object, each of its keys (``item.solution``...);
3. ``item.reference_answer``: the reference itself (a ``{"text": s}`` wrapper unwrapped to s).

``sample`` (``{{sample.*}}``) offers ``output_text`` (the last message's answer text: its
reasoning, ``<think>`` blocks and gpt-oss analysis channels, stripped, see ``reasoning.py``),
``output_json`` (that text parsed as JSON, a surrounding markdown code fence allowed),
``reasoning_text`` (the stripped reasoning), ``response_text`` (the whole response as
written, reasoning included) and ``conversation`` (the messages before the response, as a
``### <role>`` transcript).

A response that is not JSON, or is JSON nested deeper than ``MAX_JSON_DEPTH`` (which would
make later code recurse too deep), is a parse failure (score 0), never a grader error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import ResponseParseError
from .message_content import content_text
from .text_extract import strip_code_fence

_UNSET = object()
MAX_JSON_DEPTH = 64


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")  # NaN / Infinity: Python accepts them, JSON does not


def parse_json(text: str) -> Any:
    """``json.loads`` with every failure a ValueError: bad syntax, NaN/Infinity, nesting
    deeper than MAX_JSON_DEPTH (json's own recursion limit raises RecursionError)."""
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise ValueError("JSON nested too deeply")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


@dataclass(slots=True)
class Sample:
    id: Any
    output_text: str  # the answer: reasoning stripped
    messages: list
    reference: Any
    reference_fields: dict
    metadata: dict
    raw: dict
    response_text: str = ""  # the whole response as written
    reasoning_text: str = ""
    _item: dict | None = field(default=None, repr=False)
    _output_json: Any = field(default=_UNSET, repr=False)

    @property
    def item(self) -> dict:
        if self._item is None:
            item = dict(self.metadata)
            item.update(self.reference_fields)
            item["reference_answer"] = self.reference
            self._item = item
        return self._item

    @property
    def output_json(self) -> Any:
        if self._output_json is _UNSET:
            try:
                self._output_json = parse_json(strip_code_fence(self.output_text))
            except ValueError:
                self._output_json = ResponseParseError("response is not valid JSON")
        if isinstance(self._output_json, ResponseParseError):
            raise self._output_json
        return self._output_json

    @property
    def conversation(self) -> str:
        """The prompt side of the sample as text: what a judge needs to know the task."""
        parts = []
        for message in self.messages[:-1]:
            if isinstance(message, dict):
                try:
                    text = content_text(message.get("content"))
                except Exception:  # noqa: BLE001 - an odd content shape is left out, not fatal
                    text = ""
                parts.append(f"### {message.get('role', 'unknown')}\n{text}")
        return "\n\n".join(parts)

    def sample_namespace(self) -> dict:
        """The ``sample`` argument handed to python graders (OpenAI's shape, plus messages)."""
        try:
            output_json = self.output_json
        except ResponseParseError:
            output_json = None
        return {
            "output_text": self.output_text,
            "output_json": output_json,
            "reasoning_text": self.reasoning_text,
            "response_text": self.response_text,
            "output_tools": [],
            "messages": self.messages,
        }
