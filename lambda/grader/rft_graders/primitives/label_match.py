"""Classification: the response names exactly one allowed label, and it is the gold one.

Labels are found with ``str`` scanning (no regex engine), the optional ``answer_regex`` runs
in RE2; both are linear in the response. Responses over ``linear.MAX_INPUT_CHARS`` score 0
(``response_too_long``): truncating them could hide a second, hedging label past the cut.
"""

from __future__ import annotations

import unicodedata

from .. import linear
from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..templating import Template

_WRAPPERS = " \t\r\n\"'`*_.,;:!?()[]{}<>"
_PREFIX = linear.compile(
    r"^(?:final" + linear.SPACE + r"+)?(?:answer|label|class|category|prediction)"
    + linear.SPACE + r"*[:=\-]" + linear.SPACE + "*",
    ignore_case=True,
)


def _is_word_char(char: str) -> bool:  # Python's \w
    return char.isalnum() or char == "_"


def named_labels(text: str, labels: list[str]) -> list[str]:
    """The labels named in ``text``, as ``re.findall(r"(?<!\w)(L1|L2|...)(?!\w)")`` would
    find them with ``labels`` in that order, without a backtracking engine.

    Left to right: at the next position where some label starts (each label's next
    occurrence is cached, so every ``find`` moves forward: linear overall), the first label
    in order whose both ends are word boundaries wins and scanning resumes after it;
    otherwise scanning resumes one character later.
    """
    found: list[str] = []
    following = {label: text.find(label) for label in labels if label}
    pos = 0
    while following:
        for label, at in list(following.items()):
            if at < pos:
                at = following[label] = text.find(label, pos)
            if at < 0:
                del following[label]
        if not following:
            break
        start = min(following.values())
        chosen = None
        if start == 0 or not _is_word_char(text[start - 1]):
            for label in labels:
                if following.get(label) == start:
                    end = start + len(label)
                    if end == len(text) or not _is_word_char(text[end]):
                        chosen = label
                        break
        if chosen is None:
            pos = start + 1
        else:
            found.append(chosen)
            pos = start + len(chosen)
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
