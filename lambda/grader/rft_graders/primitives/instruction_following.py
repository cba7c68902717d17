"""IFEval-style instruction following: score = fraction of instructions followed."""

from __future__ import annotations

from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..ifeval import LANGUAGE_INSTRUCTIONS, check_instruction, language_ready, loose_variants, warm_up
from ..templating import Template

# Longer responses follow no instruction (score 0, metric response_too_long). Truncating
# instead would let padding game "less than N words/sentences" checks; every checker is
# linear, and this cap keeps 8 loose variants x several instructions inside the budget.
MAX_CHARS = 100_000


def parse_instructions(reference) -> list[tuple[str, dict]]:
    """(id, kwargs) pairs from ``{"instructions": [{"id": ..., **kwargs}]}``, IFEval's
    ``{"instruction_id_list": [...], "kwargs": [...]}``, or a bare list of the former."""
    if isinstance(reference, dict) and "instruction_id_list" in reference:
        ids = reference["instruction_id_list"]
        kwargs = reference.get("kwargs") or [{} for _ in ids]
        if not isinstance(ids, list) or not isinstance(kwargs, list) or len(ids) != len(kwargs):
            raise SampleGradingError("instruction_id_list and kwargs must be lists of equal length")
        pairs = list(zip(ids, kwargs, strict=False))
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
        response = self.input.render(sample)
        too_long = len(response) > MAX_CHARS
        if too_long:
            response = ""  # follows nothing; the instruction data is still validated below
        candidates = list(dict.fromkeys(loose_variants(response))) if self.loose else [response]
        followed = 0
        for instruction_id, kwargs in pairs:
            if response.strip() and any(self._check(instruction_id, kwargs, c) for c in candidates):
                followed += 1
            else:
                check_instruction(instruction_id, kwargs, "")  # still validate the instruction data
        fraction = followed / len(pairs)
        metrics = {"all_followed": float(followed == len(pairs))}
        if too_long:
            metrics["response_too_long"] = 1.0
        return GradeResult(fraction, metrics=metrics)

    def _check(self, instruction_id: str, kwargs: dict, candidate: str) -> bool:
        self.checkpoint()  # up to 8 variants x N instructions: stop once the budget is spent
        if instruction_id in LANGUAGE_INSTRUCTIONS and not language_ready():
            # langdetect's profiles load once per process (0.2-2 s): not this sample's cost.
            started = self.clock()
            warm_up()
            self.exclude_from_budget(self.clock() - started)
        return check_instruction(instruction_id, kwargs, candidate)
