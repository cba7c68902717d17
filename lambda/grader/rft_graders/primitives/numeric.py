"""A number within absolute/relative tolerance of the reference.

Numbers in the response are found in RE2 (the pattern is math_answer's number pattern with
Python's Unicode ``\\d`` and ``\\s`` spelled out); each candidate, at most 200 characters,
is then parsed by ``math_answer.parse_number``. Inputs over ``MAX_CHARS`` score 0
(``response_too_long``): the last number of a truncated text may not be the last one.
"""

from __future__ import annotations

import math

from .. import linear
from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..math_answer import is_binary_sign, parse_number
from ..templating import Template

MAX_CHARS = 100_000
_D = r"\p{Nd}"
_NUM = rf"(?:{_D}{{1,3}}(?:,{_D}{{3}})+(?:\.{_D}+)?|{_D}+(?:\.{_D}+)?|\.{_D}+)(?:[eE][-+]?{_D}+)?"
_NUMBER_IN_TEXT = linear.compile(r"[-+−]?" + _NUM + r"(?:" + linear.SPACE + "*/" + linear.SPACE + rf"*{_D}+)?")


_EXPONENT = linear.compile(r"[eE][-+]?(\p{Nd}+)")
_OUT_OF_RANGE = object()


def _number(token: str):
    """``parse_number(token)``, except that an exponent beyond a float's range (|e| > 400)
    gives _OUT_OF_RANGE at once: Fraction("1e99999999") would build a 100-million-digit
    integer (minutes of CPU) only for float() to overflow afterwards."""
    exponent = _EXPONENT.search(token)
    if exponent is not None:
        digits = exponent.group(1).lstrip("0")
        if len(digits) > 3 or int(digits or "0") > 400:
            mantissa = token[: exponent.start()]
            if any(char.isdecimal() and int(char) for char in mantissa):
                return _OUT_OF_RANGE
            return parse_number(mantissa)  # 0e99999 is just 0
    return parse_number(token)


MAX_ATTEMPTS = 1000  # number-like tokens tried from the end (a parse costs ~50 us)


def last_number(text: str):
    """The last number written in ``text`` that parses (as ``find_numbers(text)[-1]``), or
    None: also when that number is out of a float's range, or when the last MAX_ATTEMPTS
    number-like tokens all fail to parse (e.g. thousands of "1/0")."""
    data = text.encode("utf-8")
    spans = [spans[0] for spans in _NUMBER_IN_TEXT.scan(data)]
    for start, end in reversed(spans[-MAX_ATTEMPTS:]):
        token = data[start:end].decode("utf-8")
        before = data[max(0, start - 4) : start].decode("utf-8", "ignore")  # the character before, UTF-8
        if before and is_binary_sign(before + token, len(before)):
            token = token[1:]
        value = _number(token)
        if value is _OUT_OF_RANGE:
            return None
        if value is not None:
            return value
    return None


class NumericGrader(PerSampleGrader):
    def __init__(self, spec):
        self.name = spec.name
        self.input = Template(spec.input)
        self.reference = Template(spec.reference)
        self.extract = spec.extract
        self.abs_tol = spec.abs_tol
        self.rel_tol = spec.rel_tol

    def grade_one(self, sample) -> float | GradeResult:
        reference = _number(self.reference.render(sample))
        if reference is None or reference is _OUT_OF_RANGE:
            raise SampleGradingError("numeric: the reference is not a number")
        text = self.input.render(sample)
        if len(text) > MAX_CHARS:
            return GradeResult(0.0, metrics={"response_too_long": 1.0})
        value = _number(text) if self.extract == "whole" else last_number(text)
        if value is None or value is _OUT_OF_RANGE:
            return 0.0
        return float(math.isclose(float(value), float(reference), rel_tol=self.rel_tol, abs_tol=self.abs_tol))
