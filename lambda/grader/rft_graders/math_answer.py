"""Final-answer extraction, number normalisation and equivalence for math grading.

Numbers (integers, decimals, thousands separators, fractions ``a/b`` and ``\\frac{a}{b}``,
percents, currency signs, trailing unit words) are compared exactly with ``Fraction`` and a
tolerance: that fast path handles GSM8K-style answers at thousands per second. Anything else
goes to math-verify (imported lazily) for symbolic equivalence, with a time bound.
"""

from __future__ import annotations

import math
import re
import threading
from fractions import Fraction

# ---- extraction -------------------------------------------------------------------------

_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_HASH = re.compile(r"####\s*([^\n]+)")
_ANSWER_IS = re.compile(
    r"(?:final answer|the answer)\s*(?:is|=|:)\s*:?\s*([^\n]+)", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<!\d)\.(\s|$)|\.\s")


def boxed_contents(text: str) -> list[str]:
    """Contents of every ``\\boxed{...}`` / ``\\fbox{...}``, braces balanced, in order."""
    out: list[str] = []
    end = -1
    for match in _BOXED.finditer(text):
        if match.start() < end:
            continue  # nested inside the previous box: part of that answer
        depth, start = 1, match.end()
        for pos in range(start, len(text)):
            char = text[pos]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    out.append(text[start:pos].strip())
                    end = pos
                    break
    return out


def _clip_sentence(answer: str) -> str:
    answer = answer.strip()
    match = _SENTENCE_END.search(answer)
    if match:
        answer = answer[: match.start()]
    return answer.strip().rstrip(".").strip()


def final_answers(text: str, *, fallback_last_number: bool = True) -> tuple[list[str], str]:
    """Committed final answers, in order, and where they came from.

    Markers in priority order: ``\\boxed{}``, ``####``, "the answer is"/"final answer:";
    then (optionally) the last number. Several entries mean the response committed to
    several answers, which the caller may treat as a shotgun.
    """
    boxed = boxed_contents(text)
    if boxed:
        return boxed, "boxed"
    hashes = [_clip_sentence(m) for m in _HASH.findall(text)]
    if hashes:
        return hashes, "hash"
    stated = [_clip_sentence(m) for m in _ANSWER_IS.findall(text)]
    stated = [s for s in stated if s]
    if stated:
        return stated, "answer_is"
    if fallback_last_number:
        numbers = _NUMBER_IN_TEXT.findall(text)
        if numbers:
            return [numbers[-1]], "last_number"
    return [], "none"


def reference_answer(text: str) -> str:
    """The gold final answer: the boxed / '####' part of a worked solution, else the text."""
    boxed = boxed_contents(text)
    if boxed:
        return boxed[-1]
    hashes = _HASH.findall(text)
    if hashes:
        return _clip_sentence(hashes[-1])
    return text.strip()


# ---- numbers -----------------------------------------------------------------------------

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_IN_TEXT = re.compile(r"[-+−]?" + _NUM + r"(?:\s*/\s*\d+)?")
_NUMBER_FULL = re.compile(
    r"^(?P<sign>[-+−]?)\s*(?P<cur>[$€£¥])?\s*(?P<sign2>[-+−]?)"
    r"(?:(?P<num>" + _NUM + r")(?:\s*/\s*(?P<den>\d+(?:\.\d+)?))?)"
    r"\s*(?P<pct>%|percent)?(?P<unit>(?:\s*[A-Za-z°]+\.?){0,3})$"
)
_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*([^{}]+?)\s*\}\s*\{\s*([^{}]+?)\s*\}|\\[dt]?frac\s*(\d)\s*(\d)")
_TEXT_CMD = re.compile(r"\\(?:text|textbf|mathrm|mbox|operatorname)\s*\{([^{}]*)\}")
_SPACING = re.compile(r"\\[,!;: ]|\\quad|\\qquad|~|\\left|\\right|\^\s*\{?\s*\\circ\s*\}?|°")
_VAR_PREFIX = re.compile(r"^[A-Za-z]\w*\s*=\s*(?=[^=])")


def clean_latex(text: str) -> str:
    """Strip the presentation parts of an answer: $…$, \\text{}, spacing, degrees, 'x ='."""
    text = text.strip().strip("$").strip()
    if text.startswith("\\(") and text.endswith("\\)"):
        text = text[2:-2]
    while text.startswith(("\\boxed{", "\\fbox{")) and text.endswith("}"):
        text = text[text.index("{") + 1 : -1].strip()
    text = _TEXT_CMD.sub(r" \1", text)
    text = _SPACING.sub("", text)
    text = text.replace("\\%", "%").replace("\\$", "$").replace("−", "-")
    text = _VAR_PREFIX.sub("", text.strip())
    return text.strip().rstrip(".").strip()


def parse_number(text: str) -> Fraction | None:
    """The value of an answer that is one number (with the presentation noise above), else
    None. Percent answers return the percent figure; see ``numbers_equal``."""
    value = _parse_number(text)
    return value[0] if value else None


def _parse_number(text: str) -> tuple[Fraction, bool] | None:
    if not text or len(text) > 200:
        return None
    text = clean_latex(text)
    frac = _FRAC.fullmatch(text.lstrip("-+").strip())
    if frac:
        num, den = (frac.group(1), frac.group(2)) if frac.group(1) is not None else (frac.group(3), frac.group(4))
        a, b = _parse_number(num), _parse_number(den)
        if a is None or b is None or b[0] == 0:
            return None
        value = a[0] / b[0]
        return (-value if text.startswith("-") else value), False
    match = _NUMBER_FULL.match(text)
    if not match:
        return None
    try:
        value = Fraction(match.group("num").replace(",", ""))
        if match.group("den"):
            den = Fraction(match.group("den"))
            if den == 0:
                return None
            value /= den
    except (ValueError, ZeroDivisionError):
        return None
    if "-" in (match.group("sign") + match.group("sign2")) or "−" in match.group("sign"):
        value = -value
    return value, bool(match.group("pct"))


def find_numbers(text: str) -> list[Fraction]:
    """Every number written in free text, in order."""
    out = []
    for token in _NUMBER_IN_TEXT.findall(text):
        value = parse_number(token)
        if value is not None:
            out.append(value)
    return out


def numbers_equal(pred: str, gold: str, rel_tol: float, abs_tol: float) -> bool | None:
    """True/False when both sides are plain numbers, None when either is not.

    A percent on one side only is tried both as the figure (50% vs 50) and as a ratio
    (50% vs 0.5), since datasets write percent answers either way.
    """
    a, b = _parse_number(pred), _parse_number(gold)
    if a is None or b is None:
        return None
    candidates = [a[0]]
    if a[1] != b[1]:
        candidates.append(a[0] / 100 if a[1] else a[0] * 100)
    return any(_close(c, b[0], rel_tol, abs_tol) for c in candidates)


def _close(a: Fraction, b: Fraction, rel_tol: float, abs_tol: float) -> bool:
    if a == b:
        return True
    return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)


def distinct_numbers(text: str) -> int:
    """How many different numbers an answer string holds (thousands separators respected)."""
    return len(set(find_numbers(clean_latex(text))))


# ---- symbolic ----------------------------------------------------------------------------


def symbolic_equal(pred: str, gold: str, timeout_s: int) -> bool:
    """math-verify equivalence (gold parsed first, as math-verify requires).

    math-verify bounds time with SIGALRM, which only works on the main thread; elsewhere
    the bound is dropped (the Lambda handler and the CLI grade on the main thread).
    """
    from math_verify import parse, verify  # lazy: sympy/antlr cost ~1 s to import

    timeout = timeout_s if threading.current_thread() is threading.main_thread() else None
    gold_parsed = parse(_as_latex(gold), parsing_timeout=timeout)
    if not gold_parsed:
        return False
    pred_parsed = parse(_as_latex(pred), parsing_timeout=timeout)
    if not pred_parsed:
        return False
    return bool(verify(gold_parsed, pred_parsed, timeout_seconds=timeout))


def _as_latex(answer: str) -> str:
    answer = answer.strip()
    return answer if answer.startswith("$") else f"${answer}$"
