"""JSON answers: valid JSON, a JSON Schema gate, per-field partial credit against a reference."""

from __future__ import annotations

import json
import math

from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..sample import parse_json
from ..templating import Template
from ..text_extract import extract_json_text


class JsonSchemaGrader(PerSampleGrader):
    def __init__(self, spec):
        self.spec = spec
        self.name = spec.name
        self.input = Template(spec.input)
        self.reference = Template(spec.reference) if spec.reference else None
        self.validator = None
        if spec.json_schema is not None:
            from jsonschema import Draft202012Validator

            self.validator = Draft202012Validator(spec.json_schema)

    def grade_one(self, sample) -> GradeResult:
        reference = self._reference(sample)
        try:
            answer = parse_json(extract_json_text(self.input.render(sample)))  # deep nesting: a 0, not an error
        except ValueError:
            return GradeResult(0.0, metrics={"valid_json": 0.0})
        metrics = {"valid_json": 1.0}
        if self.validator is not None:
            valid = self.validator.is_valid(answer)
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
