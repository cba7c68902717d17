"""IFEval-style instruction following: score = fraction of instructions followed."""

from __future__ import annotations

from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..ifeval import check_instruction, loose_variants
from ..templating import Template

_MAX_CHARS = 200_000


def parse_instructions(reference) -> list[tuple[str, dict]]:
    """(id, kwargs) pairs from ``{"instructions": [{"id": ..., **kwargs}]}``, IFEval's
    ``{"instruction_id_list": [...], "kwargs": [...]}``, or a bare list of the former."""
    if isinstance(reference, dict) and "instruction_id_list" in reference:
        ids = reference["instruction_id_list"]
        kwargs = reference.get("kwargs") or [{} for _ in ids]
        if not isinstance(ids, list) or not isinstance(kwargs, list) or len(ids) != len(kwargs):
            raise SampleGradingError("instruction_id_list and kwargs must be lists of equal length")
        pairs = list(zip(ids, kwargs))
    else:
        items = reference.get("instructions") if isinstance(reference, dict) else reference
        if not isinstance(items, list):
            raise SampleGradingError("reference has no instructions list")
        pairs = []
        for entry in items:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                raise SampleGradingError("each instruction needs an id")
            pairs.append((entry["id"], {k: v for k, v in entry.items() if k != "id"}))
    if not pairs:
        raise SampleGradingError("the instructions list is empty")
    for instruction_id, kwargs in pairs:
        if not isinstance(instruction_id, str) or not isinstance(kwargs, dict):
            raise SampleGradingError("each instruction needs a string id and an object of arguments")
    return pairs


class InstructionFollowingGrader(PerSampleGrader):
    def __init__(self, spec):
        self.name = spec.name
        self.loose = spec.mode == "loose"
        self.input = Template(spec.input)
        self.reference = Template(spec.reference)

    def grade_one(self, sample) -> GradeResult:
        pairs = parse_instructions(self.reference.render_value(sample))
        response = self.input.render(sample)[:_MAX_CHARS]
        candidates = loose_variants(response) if self.loose else [response]
        followed = 0
        for instruction_id, kwargs in pairs:
            if response.strip() and any(check_instruction(instruction_id, kwargs, c) for c in candidates):
                followed += 1
            else:
                check_instruction(instruction_id, kwargs, "")  # still validate the instruction data
        fraction = followed / len(pairs)
        return GradeResult(fraction, metrics={"all_followed": float(followed == len(pairs))})
