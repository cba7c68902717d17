"""OpenAI-style ``{{sample.*}}`` / ``{{item.*}}`` templates, compiled once per spec.

Paths: ``sample.output_text``, ``sample.output_json`` (+ ``.key`` / ``.0`` steps),
``sample.conversation`` (the messages before the response as a transcript; judges need the
prompt), ``sample.reasoning_text`` / ``sample.response_text`` (the response's reasoning / the
whole response; ``output_text`` is the answer with reasoning stripped), ``item.<key>``
(+ steps). See ``sample.py`` for what ``item`` holds. A template that is exactly one placeholder can yield the raw value (``render_value``), so ``{{item.reference_answer}}``
keeps an object an object. Otherwise values are stringified: strings as-is, ``None`` as
empty, objects and lists as JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import SampleGradingError
from .sample import Sample

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_PATH = re.compile(r"^(sample|item)(\.[^.\s]+)*$")
_SAMPLE_FIELDS = {"output_text", "output_json", "conversation", "reasoning_text", "response_text"}
_STRING_FIELDS = ("output_text", "conversation", "reasoning_text", "response_text")
_MISSING = object()


class TemplateSyntaxError(ValueError):
    """A template names something that can never exist (caught when the spec is parsed)."""


def check_template(text: str) -> None:
    """Validate every placeholder of a template string."""
    for path in _PLACEHOLDER.findall(text):
        _split_path(path)


def _split_path(path: str) -> tuple[str, ...]:
    if not _PATH.match(path):
        raise TemplateSyntaxError(
            f"unknown template variable '{{{{{path}}}}}'; use {{{{sample.output_text}}}}, "
            "{{sample.output_json.<key>}} or {{item.<key>}}"
        )
    parts = tuple(path.split("."))
    if parts[0] == "sample" and (len(parts) < 2 or parts[1] not in _SAMPLE_FIELDS):
        raise TemplateSyntaxError(
            f"unknown template variable '{{{{{path}}}}}'; sample offers output_text, output_json, "
            "reasoning_text, response_text and conversation"
        )
    if parts[0] == "sample" and parts[1] in _STRING_FIELDS and len(parts) > 2:
        raise TemplateSyntaxError(f"'{{{{{path}}}}}': {parts[1]} is a string, it has no keys")
    if parts == ("item",):
        raise TemplateSyntaxError("'{{item}}' needs a key, e.g. {{item.reference_answer}}")
    return parts


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Template:
    """A compiled template string."""

    __slots__ = ("text", "_parts", "_single")

    def __init__(self, text: str):
        self.text = text
        parts: list[str | tuple[str, ...]] = []
        pos = 0
        for match in _PLACEHOLDER.finditer(text):
            if match.start() > pos:
                parts.append(text[pos : match.start()])
            parts.append(_split_path(match.group(1)))
            pos = match.end()
        if pos < len(text):
            parts.append(text[pos:])
        self._parts = parts
        self._single = len(parts) == 1 and isinstance(parts[0], tuple)

    @property
    def is_literal(self) -> bool:
        return all(isinstance(p, str) for p in self._parts)

    def render(self, sample: Sample, quote=None) -> str:
        """The rendered text. ``quote(path, text)``, when given, wraps each substituted value
        (judge prompts delimit everything that came from the sample as data)."""
        if quote is None:
            if self._single and self._parts[0] == ("sample", "output_text"):
                return sample.output_text  # the common case, kept cheap
            return "".join(p if isinstance(p, str) else to_text(_lookup(sample, p)) for p in self._parts)
        return "".join(
            p if isinstance(p, str) else quote(".".join(p), to_text(_lookup(sample, p))) for p in self._parts
        )

    def render_value(self, sample: Sample, *, missing_ok: bool = False) -> Any:
        """The raw value for a single-placeholder template, else the rendered string.
        With ``missing_ok`` a missing key gives None instead of an error."""
        if self._single:
            path = self._parts[0]
            assert isinstance(path, tuple)  # _single: the one part is a placeholder path
            value = _lookup(sample, path, missing_ok=missing_ok)
            return None if value is _MISSING else value
        try:
            return self.render(sample)
        except SampleGradingError:
            if missing_ok:
                return None
            raise


def _lookup(sample: Sample, path: tuple[str, ...], *, missing_ok: bool = False) -> Any:
    root, *steps = path
    if root == "sample":
        field = steps.pop(0)
        if field == "conversation":
            return sample.conversation
        if field in ("reasoning_text", "response_text"):
            return getattr(sample, field)
        value: Any = sample.output_text if field == "output_text" else sample.output_json
    else:
        value = sample.item
    walked = root
    for step in steps:
        walked += "." + step
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.lstrip("-").isdigit() and -len(value) <= int(step) < len(value):
            value = value[int(step)]
        elif missing_ok:
            return _MISSING
        elif root == "sample":
            from .errors import ResponseParseError

            raise ResponseParseError(f"response JSON has no '{walked}'")
        else:
            raise SampleGradingError(f"template variable '{{{{{walked}}}}}' not found in the sample")
    return value
