"""Classification: the response names exactly one allowed label, and it is the gold one.

Labels are found with ``str`` scanning (no regex engine), the optional ``answer_regex`` runs
in RE2; both are linear in the response. Responses over ``linear.MAX_INPUT_CHARS`` score 0
(``response_too_long``): truncating them could hide a second, hedging label past the cut.
"""

from __future__ import annotations

import heapq
import unicodedata

from .. import linear
from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..templating import Template

_WRAPPERS = " \t\r\n\"'`*_.,;:!?()[]{}<>"
_PREFIX = linear.compile(
    r"^(?:final"
    + linear.SPACE
    + r"+)?(?:answer|label|class|category|prediction)"
    + linear.SPACE
    + r"*[:=\-]"
    + linear.SPACE
    + "*",
    ignore_case=True,
)


class _WordMask(dict):
    """``str.translate`` table: word characters (Python's \\w) -> "w", the rest -> " ", so
    that word boundaries can be looked up, and the next non-word character found with
    ``str.find``, at C speed. Caches the first 70,000 distinct characters."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = "w" if char.isalnum() or char == "_" else " "
        if len(self) < 70_000:
            self[code] = value
        return value


_MASK = _WordMask()


def named_labels(text: str, labels: list[str]) -> list[str]:
    """The labels named in ``text``, as ``re.findall(r"(?<!\\w)(L1|L2|...)(?!\\w)")`` would
    find them with ``labels`` in that order, without a backtracking engine.

    Left to right: at the next position where some label starts after a word boundary, the
    first label in order that also ends at one wins and scanning resumes after it. Each
    label's next occurrence sits in a heap and is looked up again only once scanning has
    passed it, and scanning jumps to the next non-word character: every step moves forward.
    """
    mask = text.translate(_MASK)
    order = {label: rank for rank, label in enumerate(labels)}
    heap = [(at, order[label], label) for label in labels if label and (at := text.find(label)) >= 0]
    heapq.heapify(heap)
    found: list[str] = []
    pos = 0
    while heap:
        start = heap[0][0]
        if start < pos:  # an occurrence scanning has passed: look for the next one
            _, rank, label = heapq.heappop(heap)
            if (at := text.find(label, pos)) >= 0:
                heapq.heappush(heap, (at, rank, label))
            continue
        chosen = None
        if start == 0 or mask[start - 1] == " ":
            starting_here = [entry for entry in heap if entry[0] == start]
            for at, _, label in sorted(starting_here) if len(starting_here) > 1 else starting_here:
                end = at + len(label)
                if end == len(text) or mask[end] == " ":
                    chosen = label
                    break
        resume_from = start if chosen is None else start + len(chosen) - 1
        if chosen is not None:
            found.append(chosen)
        # The next label can only start right after a non-word character.
        boundary = mask.find(" ", resume_from)
        if boundary < 0:
            break
        pos = boundary + 1
    return found


class LabelMatchGrader(PerSampleGrader):
    def __init__(self, spec):
        self.name = spec.name
        self.input = Template(spec.input)
        self.reference = Template(spec.reference)
        self.case_sensitive = spec.case_sensitive
        self.answer_regex = (
            linear.compile(spec.answer_regex, ignore_case=True, dotall=True) if spec.answer_regex else None
        )
        self.labels = None
        if spec.labels:
            normalized = {self._norm(label): label for label in spec.labels}
            self.labels = normalized
            # Longest labels first, so "non-compliant" is not also read as "compliant".
            self._alternatives = sorted(normalized, key=len, reverse=True)

    def _norm(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text)
        text = " ".join(text.split())
        return text if self.case_sensitive else text.casefold()

    def _answer_span(self, text: str) -> str:
        if self.answer_regex is not None:
            data = text.encode("utf-8")
            last = None
            for spans in self.answer_regex.scan(data):  # no match objects: there may be many
                last = spans[1]
            if last is None:
                return ""
            text = data[last[0] : last[1]].decode("utf-8") if last[0] >= 0 else ""
        return text

    def grade_one(self, sample) -> GradeResult:
        gold_raw = self.reference.render(sample)
        gold = self._norm(gold_raw).strip(_WRAPPERS)
        if not gold:
            raise SampleGradingError("label_match: the gold label is empty")
        if self.labels is not None and gold not in self.labels:
            raise SampleGradingError("label_match: the gold label is not in the allowed labels")
        text = self.input.render(sample)
        if len(text) > linear.MAX_INPUT_CHARS:
            return GradeResult(0.0, metrics={"label_in_set": 0.0, "response_too_long": 1.0})
        answer = self._norm(self._answer_span(text))
        if self.labels is None:
            predicted = answer.strip(_WRAPPERS)
            prefix = _PREFIX.search(predicted)
            if prefix is not None:
                predicted = predicted[prefix.end() :]
            predicted = predicted.strip(_WRAPPERS)
            return GradeResult(float(predicted == gold), metrics={"label_in_set": 1.0})
        named = set(named_labels(answer, self._alternatives))
        if len(named) != 1:
            # Zero labels: answer outside the set. Several: a hedge, which must not pay.
            return GradeResult(0.0, metrics={"label_in_set": 0.0, "labels_named": float(len(named))})
        return GradeResult(float(named.pop() == gold), metrics={"label_in_set": 1.0, "labels_named": 1.0})
