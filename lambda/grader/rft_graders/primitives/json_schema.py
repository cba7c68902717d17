"""JSON answers: valid JSON, a JSON Schema gate, per-field partial credit against a reference.

jsonschema matches ``pattern``, ``patternProperties`` (and, through them,
``additionalProperties``) with Python's backtracking ``re`` on strings and property names
the model wrote, and checks ``uniqueItems`` in quadratic time on unsortable items; the
validator here swaps those keywords for RE2 and a hashing check (same results). Answers over
``MAX_CHARS`` score 0 (``response_too_long``): validation costs microseconds per JSON node.
"""

from __future__ import annotations

import functools
import json
import math

from .. import linear
from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..sample import parse_json
from ..templating import Template
from ..text_extract import extract_json_text

MAX_CHARS = 100_000


@functools.lru_cache(maxsize=256)
def _pattern(source: str) -> linear.Pattern:
    return linear.compile(source, capture=False)  # checked when the spec was loaded


def _key(value):
    """A hashable form with jsonschema's equality: 1 == 1.0, True != 1, key order ignored."""
    if value is True or value is False:
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        return ("array", tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("object", frozenset((k, _key(v)) for k, v in value.items()))
    return ("other", value)


@functools.lru_cache(maxsize=1)
def validator_class():
    """Draft 2020-12 with the regex keywords in RE2 and a linear uniqueItems."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator, patrn, instance, schema):
        if validator.is_type(instance, "string") and not _pattern(patrn).search(instance):
            yield ValidationError(f"does not match {patrn!r}")

    def pattern_properties(validator, patterns, instance, schema):
        if not validator.is_type(instance, "object"):
            return
        for patrn, subschema in patterns.items():
            compiled = _pattern(patrn)
            for key, value in instance.items():
                if compiled.search(key):
                    yield from validator.descend(value, subschema, path=key, schema_path=patrn)

    def additional_properties(validator, additional, instance, schema):
        if not validator.is_type(instance, "object"):
            return
        properties = schema.get("properties", {})
        patterns = [_pattern(p) for p in schema.get("patternProperties", {})]
        extras = [key for key in instance if key not in properties and not any(p.search(key) for p in patterns)]
        if validator.is_type(additional, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], additional, path=extra)
        elif not additional and extras:
            yield ValidationError(f"{len(extras)} additional properties are not allowed")

    def unique_items(validator, unique, instance, schema):
        if unique and validator.is_type(instance, "array"):
            keys = [_key(item) for item in instance]
            if len(set(keys)) != len(keys):
                yield ValidationError("has non-unique elements")

    return validators.extend(
        Draft202012Validator,
        {
            "pattern": pattern,
            "patternProperties": pattern_properties,
            "additionalProperties": additional_properties,
            "uniqueItems": unique_items,
        },
    )


class JsonSchemaGrader(PerSampleGrader):
    def __init__(self, spec):
        self.spec = spec
        self.name = spec.name
        self.input = Template(spec.input)
        self.reference = Template(spec.reference) if spec.reference else None
        self.validator = None
        if spec.json_schema is not None:
            self.validator = validator_class()(spec.json_schema)

    def grade_one(self, sample) -> GradeResult:
        reference = self._reference(sample)
        text = self.input.render(sample)
        if len(text) > MAX_CHARS:
            return GradeResult(0.0, metrics={"valid_json": 0.0, "response_too_long": 1.0})
        try:
            answer = parse_json(extract_json_text(text))  # deep nesting: a 0, not an error
        except ValueError:
            return GradeResult(0.0, metrics={"valid_json": 0.0})
        metrics = {"valid_json": 1.0}
        if self.validator is not None:
            try:
                valid = self.validator.is_valid(answer)
            except RecursionError:
                valid = False
            metrics["schema_valid"] = float(valid)
            if not valid:
                return GradeResult(0.0, metrics=metrics)
        if reference is None:
            return GradeResult(1.0, metrics=metrics)
        if not isinstance(answer, dict):
            metrics["field_accuracy"] = 0.0
            return GradeResult(0.0, metrics=metrics)
        fields = self.spec.fields or list(reference)
        matched = sum(1 for f in fields if f in answer and self._same(answer[f], reference.get(f)))
        accuracy = matched / len(fields)
        metrics["field_accuracy"] = accuracy
        return GradeResult(accuracy, metrics=metrics)

    def _reference(self, sample) -> dict | None:
        if self.reference is None:
            return None
        value = self.reference.render_value(sample)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise SampleGradingError("json_schema: the reference is not a JSON object") from None
        if not isinstance(value, dict) or not value:
            raise SampleGradingError("json_schema: the reference is not a non-empty JSON object")
        missing = [f for f in (self.spec.fields or []) if f not in value]
        if missing:
            raise SampleGradingError(f"json_schema: the reference lacks fields {missing}")
        return value

    def _same(self, got, want) -> bool:
        if isinstance(want, str) and isinstance(got, str):
            if self.spec.string_match == "exact":
                return got == want
            return " ".join(got.split()).casefold() == " ".join(want.split()).casefold()
        if isinstance(want, bool) or isinstance(got, bool):
            return got is want
        if isinstance(want, (int, float)) and isinstance(got, (int, float)):
            return math.isclose(got, want, rel_tol=self.spec.number_tol, abs_tol=1e-12)
        return got == want
