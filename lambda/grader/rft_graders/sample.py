"""The normalised view of one sample that graders work on, and its template namespaces.

``item`` (what ``{{item.*}}`` reads; also the ``item`` argument of python graders) is built
from, lowest precedence first:

1. the dataset's extra fields (``metadata``, minus ``reference_answer``);
2. if the reference answer is an object, each of its keys (``item.solution``...);
3. ``item.reference_answer``: the reference itself (a ``{"text": s}`` wrapper unwrapped to s).

``sample`` (``{{sample.*}}``) offers ``output_text`` (the last message's text),
``output_json`` (that text parsed as JSON, a surrounding markdown code fence allowed) and
``conversation`` (the messages before the response, as a ``### <role>`` transcript).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import ResponseParseError
from .text_extract import strip_code_fence

_UNSET = object()


@dataclass(slots=True)
class Sample:
    id: Any
    output_text: str
    messages: list
    reference: Any
    reference_fields: dict
    metadata: dict
    raw: dict
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
                self._output_json = json.loads(strip_code_fence(self.output_text))
            except ValueError:
                self._output_json = ResponseParseError("response is not valid JSON")
        if isinstance(self._output_json, ResponseParseError):
            raise self._output_json
        return self._output_json

    @property
    def conversation(self) -> str:
        """The prompt side of the sample as text: what a judge needs to know the task."""
        from .bedrock_event import content_text

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
            "output_tools": [],
            "messages": self.messages,
        }
