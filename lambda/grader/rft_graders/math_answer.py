"""Final-answer extraction, number normalisation, hedge detection and equivalence for math.

Numbers (integers, decimals, thousands separators in the common styles, mixed numbers,
fractions ``a/b`` and ``\\frac{a}{b}``, percents, currency signs, unit and scale words,
Unicode digits) are compared exactly with ``Fraction`` and a tolerance: that fast path handles
GSM8K-style answers at thousands per second. Anything else goes to math-verify (imported
lazily) for symbolic equivalence, with a time bound.

Every pattern that touches model output is RE2 (linear time, no backtracking), and every
scan is one pass; responses longer than ``MAX_RESPONSE_CHARS`` are not graded (score 0).

Reading numbers (the rule, documented in TEMPLATES.md):

- ``,`` followed by exactly three digits groups thousands (``1,234,567``; Indian
  ``12,34,567``); so do ``'``/``’`` (Swiss ``1'234'567``), thin/no-break spaces anywhere,
  and plain spaces inside a committed answer (``\\boxed{1 234 567}``).
- ``.`` groups thousands only with two or more groups (``1.234.567``) or before a decimal
  comma (``1.234,5``); a single ``1.234`` is a decimal.
- A decimal comma is read only after such grouping (``1.234,5``, ``1 234,5``). A bare
  ``1,5`` / ``0,25`` is ambiguous (decimal or a list of two numbers) and is read as a list, so
  it never equals 1.5, 15 or 0.25.
- ``2 1/2``, ``2\\frac{1}{2}`` (proper fraction) and ``2½`` are mixed numbers (2.5).
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

import re2

# A response (reasoning already stripped) longer than this is not graded: no legitimate
# final-answer solution comes near it, and it bounds every scan below.
MAX_RESPONSE_CHARS = 100_000
# More committed answers than this is a shotgun whatever their values.
MAX_COMMITMENTS = 20
# More numbers than this in one response is a number dump (a list of candidates at scale,
# "1 2 3 ... 9999"), not a solution: a hedge. It also bounds the hedge scan.
MAX_NUMBERS = 5000
_MAX_ANSWER_CHARS = 500  # a "final answer" longer than this is prose, not an answer
_MAX_EXPONENT_DIGITS = 3  # 1e999999999 must not become a billion-digit integer

# ---- Unicode folding ---------------------------------------------------------------------

_VULGAR = {
    "½": "1/2",
    "⅓": "1/3",
    "⅔": "2/3",
    "¼": "1/4",
    "¾": "3/4",
    "⅕": "1/5",
    "⅖": "2/5",
    "⅗": "3/5",
    "⅘": "4/5",
    "⅙": "1/6",
    "⅚": "5/6",
    "⅛": "1/8",
    "⅜": "3/8",
    "⅝": "5/8",
    "⅞": "7/8",
}
_FOLD_CHARS = {
    "\u2212": "-",
    "\uff0d": "-",
    "\ufe63": "-",  # minus signs
    "\u066b": ".",
    "\uff0e": ".",  # Arabic decimal separator, fullwidth full stop
    "\u066c": ",",  # Arabic thousands separator
    "\uff0c": ", ",  # fullwidth comma: CJK punctuation ("24，48 + 24"), never a digit group
    "\u2019": "'",
    "\u02bc": "'",  # Swiss grouping written with typographic apostrophes
    "\u066a": "%",
    "\uff05": "%",
    "\uff04": "$",
    "\u2007": "\u2009",  # figure space: one group-separator space to reason about
    # Zero-width characters would hide "71\u200bor\u200b72" from the hedge scan.
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u00ad": "",
}


class _Fold(dict):
    """str.translate table built on demand: Unicode decimal digits (Arabic-Indic,
    fullwidth, Devanagari...) to ASCII, and the separators above. Superscripts are not
    decimal digits and stay as they are."""

    def __missing__(self, code: int):
        char = chr(code)
        value: str | int  # a str replaces the character, its own code point keeps it
        if char in _FOLD_CHARS:
            value = _FOLD_CHARS[char]
        elif char in _VULGAR:
            value = " " + _VULGAR[char]  # "2½" -> "2 1/2", a mixed number
        else:
            digit = unicodedata.decimal(char, None)
            value = str(digit) if digit is not None else code
        self[code] = value
        return value


_FOLD = _Fold()


def fold(text: str) -> str:
    """Text with digits and number punctuation in ASCII (cheap for ASCII text)."""
    return text if text.isascii() else text.translate(_FOLD)


# ---- numbers -----------------------------------------------------------------------------

_GROUP_SPACE = "\u00a0\u2009\u202f"


def _num_body(spaces: str) -> str:
    return (
        r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"  # 1,234,567.89
        r"|[0-9]{1,2}(?:,[0-9]{2})+,[0-9]{3}(?:\.[0-9]+)?"  # Indian 12,34,567
        r"|[0-9]{1,3}(?:'[0-9]{3})+(?:\.[0-9]+)?"  # Swiss 1'234'567
        r"|[0-9]{1,3}(?:\.[0-9]{3}){2,}(?:,[0-9]+)?"  # 1.234.567,89
        r"|[0-9]{1,3}\.[0-9]{3},[0-9]+"  # 1.234,5
        rf"|[0-9]{{1,3}}(?:[{spaces}][0-9]{{3}})+(?:[.,][0-9]+)?"  # 1 234 567,5
        r"|[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
        r"|\.[0-9]+"
    )


_NUM_TEXT = _num_body(_GROUP_SPACE)
_NUM_ANSWER = _num_body(_GROUP_SPACE + " ")
# Free text: optional sign, then a mixed number, a fraction or a number.
_NUMBER_IN_TEXT = re2.compile(r"[-+]?(?:[0-9]+ +[0-9]+ */ *[0-9]+|(?:" + _NUM_TEXT + r")(?: */ *[0-9]+)?)")
_NUMBER_IN_TEXT_BYTES = re2.compile(_NUMBER_IN_TEXT.pattern.encode())
_SIGNS = "-+"


def _spans(pattern, pattern_bytes, text: str):
    """Match spans of ``pattern`` in ``text``. ASCII text (most responses) is matched as
    bytes, where offsets need no character/byte conversion: twice as fast in the wrapper."""
    if text.isascii():
        for match in pattern_bytes.finditer(text.encode()):
            yield match.span()
    else:
        for match in pattern.finditer(text):
            yield match.span()


_CURRENCY = r"[$€£¥₹]|US\$|USD|EUR|GBP|Rs\.?"
_NUMBER_FULL = re2.compile(
    r"^(?P<sign>[-+]?) *(?P<cur>" + _CURRENCY + r")? *(?P<sign2>[-+]?) *"
    r"(?:(?P<whole>[0-9]+)(?: +| *\\[dtc]?frac)(?:(?P<mnum>[0-9]+) */ *(?P<mden>[0-9]+)|\{(?P<lnum>[0-9]+)\}\{(?P<lden>[0-9]+)\})"
    r"|(?P<num>" + _NUM_ANSWER + r")(?: */ *(?P<den>" + _NUM_ANSWER + r"))?)"
    r" *(?P<pct>%|percent|per cent)?(?P<unit>(?: *[A-Za-z°]+\.?){0,3}) *$"
)
_NUMBER_GROUPS = tuple(name for name, _ in sorted(_NUMBER_FULL.groupindex.items(), key=lambda item: item[1]))
_SCALE = {
    "hundred": 100,
    "thousand": 1000,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
    "lakh": 10**5,
    "crore": 10**7,
}
# Words that make "5 or six" / "5 and" a hedge or a phrase, never a unit.
_NOT_UNITS = frozenset(
    "or and nor not either maybe perhaps possibly probably plus minus times to vs versus over than "
    "zero one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundredth thousandth of is are".split()
)

_FRAC = re2.compile(r"^\\[dtc]?frac *\{ *([^{}]+) *\} *\{ *([^{}]+) *\}$|^\\[dtc]?frac *([0-9])([0-9])$")
_TEXT_CMD = re2.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}")
_SPACING = re2.compile(r"\\[,!;: ]|\\quad|\\qquad|~|\\left|\\right|\^\s*\{?\s*\\circ\s*\}?|°|\*\*|__")
_VAR_PREFIX = re2.compile(r"^[A-Za-z][A-Za-z0-9_]*\s*=\s*")


def clean_latex(text: str) -> str:
    """Strip the presentation parts of an answer: $…$, \\text{}, spacing, degrees, 'x ='."""
    text = fold(text).strip().strip("$").strip()
    if text.startswith("\\(") and text.endswith("\\)"):
        text = text[2:-2]
    while text.startswith(("\\boxed{", "\\fbox{")) and text.endswith("}") and _balanced(text[text.index("{") + 1 : -1]):
        text = text[text.index("{") + 1 : -1].strip()
    if "\\" in text:
        text = _TEXT_CMD.sub(r" \1", text)
    if any(c in text for c in "\\~^°*_"):
        text = _SPACING.sub("", text)
    text = text.replace("\\%", "%").replace("\\$", "$")
    prefix = _VAR_PREFIX.match(text.strip()) if "=" in text else None
    if prefix and not text.strip()[prefix.end() :].startswith("="):
        text = text.strip()[prefix.end() :]
    return text.strip().rstrip(".").strip()


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def parse_number(text: str) -> Fraction | None:
    """The value of an answer that is one number (with the presentation noise above), else
    None. Percent answers return the percent figure; see ``numbers_equal``."""
    value = _parse_number(text)
    return value[0] if value else None


def _is_plain_decimal(text: str) -> bool:
    body = text[1:] if text[:1] in "+-" else text
    whole, dot, fraction = body.partition(".")
    return (
        bool(whole or fraction)
        and (not whole or whole.isdigit())
        and (not dot or fraction.isdigit())
        and len(body) <= 60
    )


def _to_fraction(number: str) -> Fraction:
    """A matched number string (one of the grouping styles above) as a Fraction."""
    for space in _GROUP_SPACE + " '":
        number = number.replace(space, "_")
    if "_" in number:
        number = number.replace("_", "").replace(",", ".")
    elif number.count(".") >= 2 or ("." in number and "," in number and number.index(".") < number.index(",")):
        number = number.replace(".", "").replace(",", ".")
    else:
        number = number.replace(",", "")
    mantissa, _, exponent = number.lower().partition("e")
    if exponent and len(exponent.lstrip("+-")) > _MAX_EXPONENT_DIGITS:
        raise ValueError("exponent too large")
    return Fraction(number)


def _parse_number(text: str) -> tuple[Fraction, bool] | None:
    if not text or len(text) > 200:
        return None
    plain = text.strip()
    if plain.isascii() and _is_plain_decimal(plain):
        # "72", "-3", "2.5": most answers, no regex needed (Fraction(str) is itself a regex).
        return (Fraction(int(plain)) if "." not in plain else Fraction(plain)), False
    text = clean_latex(text)
    frac = _FRAC.match(text.lstrip("-+").strip())
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
    # One dict lookup per group: the RE2 wrapper rebuilds its name table on every named access.
    g = dict(zip(_NUMBER_GROUPS, match.groups(), strict=False))
    try:
        if g["whole"] is not None:
            num = g["mnum"] or g["lnum"]
            den = g["mden"] or g["lden"]
            if int(den) == 0 or int(num) >= int(den):
                return None  # "2\\frac{3}{2}" is not a mixed number; leave it to math-verify
            value = int(g["whole"]) + Fraction(int(num), int(den))
        else:
            value = _to_fraction(g["num"])
            if g["den"]:
                den = _to_fraction(g["den"])
                if den == 0:
                    return None
                value /= den
    except (ValueError, ZeroDivisionError):
        return None
    for word in (g["unit"] or "").lower().replace(".", " ").split():
        if word in _NOT_UNITS:
            return None
        if word in _SCALE:
            value *= _SCALE[word]
    if "-" in (g["sign"] or "") + (g["sign2"] or ""):
        value = -value
    return value, bool(g["pct"])


@dataclass(frozen=True, slots=True)
class NumberToken:
    start: int
    end: int
    text: str
    value: Fraction | None  # None: malformed or ambiguous ("1,5", "1,234,56")


def is_binary_sign(text: str, start: int) -> bool:
    """Whether the sign at ``text[start]`` joins two terms ("48-24", "x-3", "(2)-1") rather
    than signing the number after it: every grader that reads numbers uses this rule."""
    return text[start] in _SIGNS + "\u2212" and start > 0 and (text[start - 1].isalnum() or text[start - 1] in ")]}")


def number_tokens(text: str, limit: int | None = None) -> list[NumberToken]:
    """Numbers written in free text (already folded), in order, at most ``limit``."""
    out: list[NumberToken] = []
    for start, end in _spans(_NUMBER_IN_TEXT, _NUMBER_IN_TEXT_BYTES, text):
        token = text[start:end]
        if is_binary_sign(text, start):
            token, start = token[1:], start + 1
        value = _token_value(token)
        if end < len(text) and (
            text[end].isdigit() or (text[end] in ",.'" + _GROUP_SPACE and text[end + 1 : end + 2].isdigit())
        ):
            value = None  # "1,234,56" / "1,5": not one number in any convention we accept
        out.append(NumberToken(start, end, token, value))
        if limit is not None and len(out) >= limit:
            break
    return out


def _token_value(token: str) -> Fraction | None:
    if token.isdigit():
        return Fraction(int(token)) if len(token) <= 400 else None  # plain integers: the common case
    parsed = _parse_number(token) if len(token) <= 100 else None
    return parsed[0] if parsed else None


def find_numbers(text: str) -> list[Fraction]:
    """Every (well-formed) number written in free text, in order."""
    return [t.value for t in number_tokens(fold(text)) if t.value is not None]


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
    try:
        return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)
    except OverflowError:
        return False


# ---- list / single-value structure of one answer ------------------------------------------

_OR_WORDS = re2.compile(
    r"(?i)\\text\s*\{\s*(?:or|and)\s*\}|\\(?:lor|vee|mid|quad|qquad)\b|\|\||\b(?:or|and|either|nor)\b|\\pm|±|\\mp|∓"
)


def answer_parts(answer: str) -> list[str]:
    """An answer split into the values it lists: ``"3 or 5"`` / ``"3, 5"`` / ``"x = 3 or x = 5"``
    / ``"\\pm 3"`` give two parts; ``"(1, 2)"``, ``"1,234"``, ``"\\frac{1}{2}"`` give one.

    Separators count only outside brackets, so tuples and intervals stay one value.
    """
    text = fold(answer)
    if len(text) > _MAX_ANSWER_CHARS:
        return [text]
    if _parse_number(text) is not None:
        return [text]
    if "\\pm" in text or "±" in text or "\\mp" in text or "∓" in text:
        base = text.replace("\\pm", "+").replace("±", "+").replace("\\mp", "-").replace("∓", "-")
        return [base, text.replace("\\pm", "-").replace("±", "-").replace("\\mp", "+").replace("∓", "+")]
    text = _OR_WORDS.sub(";", text)
    parts, depth, start = [], 0, 0
    for pos, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and (char == ";" or (char == "," and not _thousands_comma(text, pos))):
            parts.append(text[start:pos])
            start = pos + 1
    parts.append(text[start:])
    parts = [p.strip() for p in parts if p.strip().strip("$").strip()]
    return parts or [answer]


def _thousands_comma(text: str, pos: int) -> bool:
    """A comma between digits with exactly three digits after it (1,234)."""
    after = text[pos + 1 : pos + 5]
    return (
        pos > 0
        and text[pos - 1].isdigit()
        and len(after) >= 3
        and after[:3].isdigit()
        and (len(after) == 3 or not after[3].isdigit())
    )


def is_single_valued(gold: str) -> bool:
    """A gold answer that is one value (not a list, a set of roots or a ``±``)."""
    return len(answer_parts(gold)) == 1


# ---- extraction -------------------------------------------------------------------------

_BOX = re2.compile(r"\\(?:boxed|fbox)(?:\s*\{|\s+([^\s{}$\\]+))")
_HASH = re2.compile(r"####[ \t]*([^\n]*)")
_ANSWER_IS = re2.compile(
    r"(?i)\b(?:final\s+)?answers?\b[*_ \t]{0,4}(?:to (?:the|this) (?:question|problem)[ \t]{0,2})?"
    r"(?:(?:is|are|was|would be|will be|should be|must be|could be|might be|may be|equals)\b|=|:)[*_ \t]*:?[*_ \t]*"
)
_FILLER = re2.compile(
    r"(?i)^(?:(?:therefore|thus|hence|so|simply|just|exactly|indeed|then|finally|clearly|equal to|given by|"
    r"probably|likely|either|one of|that|about|approximately|around|roughly|"
    r"(?:the |a )?(?:number|value|total|sum|result|amount)(?: of)?(?: is)?|:)\s*,?\s*)+"
)
_VALUE_START = re2.compile(r"^(?:[-+0-9.$€£¥₹(\[{\\|]|[A-Za-z](?:[^A-Za-z]|$)|[A-Za-z][A-Za-z0-9_]*\s*=)")
_CLAUSE_END = re2.compile(
    r"(?i)[.!?](?:\s|$)|;|\s(?:because|since|as|which|so|for|given|where|when|if)\s|\s\([A-Za-z]{2}"
)
_HEADING = re2.compile(r"^[A-Za-z]{2,}")


@dataclass(frozen=True, slots=True)
class Commitment:
    """One committed final answer: its text, where it came from and where it starts."""

    text: str
    source: str  # boxed | hash | answer_is | last_number
    start: int


@dataclass
class Analysis:
    """What a response commits to: ``commitments`` holds every committed answer (boxes,
    ``####`` lines, answer statements, in that order); ``final`` is the last one of the first
    non-empty kind, or the last number when there are none (and the fallback is on)."""

    final: Commitment | None = None
    commitments: list[Commitment] = field(default_factory=list)
    too_long: bool = False
    too_many: bool = False


def boxed_contents(text: str) -> list[str]:
    """Contents of every innermost ``\\boxed{...}`` / ``\\fbox{...}``, braces balanced, in order."""
    return [c.text for c in _boxes(fold(text))]


def _boxes(text: str, limit: int = MAX_COMMITMENTS + 1) -> list[Commitment]:
    """Innermost boxes (a box holding a box is the inner one), in order.

    Each box's closing brace is looked for within ``_MAX_BOX_CHARS``: a box still open there
    is an over-long (unusable) commitment, one still open at the end of the text is ignored
    (a truncated response). That bounds the work by boxes x window, whatever the text.
    """
    boxes: list[tuple[int, int, int]] = []  # (marker start, content start, content end)
    out: list[Commitment] = []
    for match in _BOX.finditer(text):
        if match.group(1) is not None:  # bare "\boxed 5"
            boxes.append((match.start(), -1, -1))
            out.append(Commitment(match.group(1).strip(".,;"), "boxed", match.start()))
        else:
            open_brace = match.end() - 1
            close = _closing_brace(text, open_brace)
            if close == -1:
                continue
            boxes.append((match.start(), open_brace + 1, close))
            out.append(
                Commitment(text[open_brace + 1 : close].strip() if close > 0 else _OVERLONG, "boxed", match.start())
            )
        if len(boxes) >= 2 * limit:
            break
    # Drop the outer box of "\boxed{\boxed{7}}": its inner box is the commitment.
    keep = []
    for index, (_marker, start, end) in enumerate(boxes):
        nested = end > 0 and any(start <= other[0] < end for other in boxes[index + 1 :])
        if not nested:
            keep.append(out[index])
    return keep[:limit]


_MAX_BOX_CHARS = 4000
_OVERLONG = "\\text{(over-long box)}"


def _closing_brace(text: str, open_brace: int) -> int:
    """Index of the ``}`` matching ``text[open_brace]``; -1 when the text ends first, -2 when
    the window ends first."""
    depth, pos = 0, open_brace
    stop = min(len(text), open_brace + _MAX_BOX_CHARS)
    while True:
        next_open = text.find("{", pos, stop)
        next_close = text.find("}", pos, stop)
        if next_close == -1:
            return -1 if stop == len(text) else -2
        if next_open != -1 and next_open < next_close:
            depth += 1
            pos = next_open + 1
        else:
            depth -= 1
            pos = next_close + 1
            if depth == 0:
                return next_close


def _clip_answer(content: str) -> str:
    """The answer part of the text after an answer phrase: up to the clause's end."""
    content = content.strip()
    match = _CLAUSE_END.search(content)
    if match:
        content = content[: match.start()]
    return content.strip().rstrip(".,;:").strip()


def _answer_statements(text: str, limit: int) -> list[Commitment]:
    """'The answer is X' / 'Final answer: X' statements whose X looks like a value."""
    matches = []
    for match in _ANSWER_IS.finditer(text):
        matches.append((match.start(), match.end()))
        if len(matches) > 4 * limit:
            break
    out: list[Commitment] = []
    for index, (start, end) in enumerate(matches):
        line_end = text.find("\n", end)
        stop = min(line_end if line_end != -1 else len(text), end + 300)
        if index + 1 < len(matches):
            stop = min(stop, matches[index + 1][0])  # "Final Answer: The final answer is 5"
        content = text[end:stop]
        stripped = _FILLER.sub("", content.strip())
        content = _clip_answer(stripped)
        if content and _VALUE_START.match(content):
            out.append(Commitment(content, "answer_is", start))
        if len(out) >= limit:
            break
    return out


def _hash_lines(text: str, limit: int) -> list[Commitment]:
    out: list[Commitment] = []
    for match in _HASH.finditer(text):
        content = _clip_answer(match.group(1))
        # "#### Step 1: find May's clips" is a markdown heading, not an answer.
        if content and not _HEADING.match(content):
            out.append(Commitment(content, "hash", match.start()))
        if len(out) >= limit:
            break
    return out


def analyse(text: str, *, fallback_last_number: bool = True) -> Analysis:
    """Every committed answer of a response (already folded with ``fold``)."""
    if len(text) > MAX_RESPONSE_CHARS:
        return Analysis(too_long=True)
    limit = MAX_COMMITMENTS + 1
    boxed = _boxes(text, limit)
    hashes = _hash_lines(text, limit)
    stated = _answer_statements(text, limit)
    commitments = boxed + hashes + stated
    analysis = Analysis(commitments=commitments, too_many=len(commitments) > MAX_COMMITMENTS)
    for group, finder in ((boxed, _boxes), (hashes, _hash_lines), (stated, _answer_statements)):
        if group:
            analysis.final = max(group, key=lambda c: c.start)
            if len(group) >= limit:
                # The scan stopped early: the final answer is the last one of the text.
                analysis.final = _last_of(text, finder) or analysis.final
            return analysis
    if fallback_last_number:
        token = last_number_token(text)
        if token is not None:
            analysis.final = Commitment(token.text, "last_number", token.start)
            analysis.commitments = [analysis.final]
    return analysis


def _last_of(text: str, finder) -> Commitment | None:
    """The last commitment ``finder`` sees in the text's tail (then in longer tails)."""
    window = 4096
    while True:
        start = max(0, len(text) - window)
        found = finder(text[start:], 4 * MAX_COMMITMENTS)
        if found and (start == 0 or found[0].start > 0):
            last = max(found, key=lambda c: c.start)
            return Commitment(last.text, last.source, last.start + start)
        if start == 0:
            return None
        window *= 8


def last_number_token(text: str) -> NumberToken | None:
    """The last number of a text, looking at the tail first (cheap on long texts)."""
    window = 2048
    while True:
        start = max(0, len(text) - window)
        if start > 0:
            # Start the window on whitespace so a number is never cut in two.
            space = text.find(" ", start)
            start = space if space != -1 else 0
        tokens = number_tokens(text[start:])
        if tokens:
            last = tokens[-1]
            return NumberToken(last.start + start, last.end + start, last.text, last.value)
        if start == 0:
            return None
        window *= 8


def final_answers(text: str, *, fallback_last_number: bool = True) -> tuple[list[str], str]:
    """Committed final answers of the winning source, in order, and that source (kept for
    callers that want the old view; the grader uses ``analyse``)."""
    analysis = analyse(fold(text), fallback_last_number=fallback_last_number)
    if analysis.final is None:
        return [], "none"
    source = analysis.final.source
    return [c.text for c in analysis.commitments if c.source == source], source


def reference_answer(text: str) -> str:
    """The gold final answer: the boxed / '####' part of a worked solution, else the text."""
    text = fold(text)
    boxed = _boxes(text)
    if boxed:
        return boxed[-1].text
    hashes = _HASH.findall(text)
    if hashes:
        return _clip_answer(hashes[-1])
    return text.strip()


def reduce_answer(answer: str) -> str:
    """The value part of a committed answer: after the last ``=`` of ``48 + 24 = 72``."""
    if "=" in answer and "==" not in answer and not any(c in answer for c in "<>≤≥"):
        tail = answer.rsplit("=", 1)[1].strip()
        if tail:
            return tail
    return answer


# ---- hedges -----------------------------------------------------------------------------

# Prose that presents alternatives as guesses: an "or" list beside one is a hedge, whatever
# follows. ("could be" alone is not here: "the digit could be 1, 3 or 5, so 3 choices" is working.)
_STRONG_CUE = re2.compile(
    r"(?i)\b(?:maybe|perhaps|possibly|not sure|unsure|uncertain|undecided|torn between|i think|i guess|"
    r"guess(?:es)?|alternatively|or so|(?:answer|it|result|that|this)(?:'s| is| was)? (?:could|might|may)(?: also| well)? be)\b"
)
# The cues that make a plain list ("70, 71, 72") a list of candidate answers; "the possible
# values of the digit are 0, 2, 4" is counting work and has none of them.
_LIST_CUE = re2.compile(
    r"(?i)\b(?:possible (?:answers?|results?|solutions?)|candidates?|(?:answer )?(?:options|choices)\s*:|"
    r"guess(?:es)?|not sure|unsure|undecided|torn between|my options|answers\s*:|answers are|"
    r"(?:answer|it|result)(?:'s| is)? (?:could|might|may)(?: also| well)? be)"
)
# A number introduced as one possibility: two of them with different values in a paragraph
# ("it could be 71, but it could also be 72"; "maybe 71, maybe 72") are a hedge.
_CUED_WORDS = re2.compile(
    r"(?i)(?:(?:it|answer|that|this|result|total)(?:'s| is| was)? (?:could|might|may)(?: also| well)? be|"
    r"\bmaybe|\bperhaps|\bpossibly|\bprobably|\balternatively|\bor else|\bor rather)\b"
)
# "71 is also plausible": a second value offered after the fact.
_ALSO_POSSIBLE = re2.compile(
    r"(?i)^[ \t)]*(?:(?:is|are|seems|would be)[ \t]+(?:also|equally)|(?:could|might|may)(?:[ \t]+also)?[ \t]+be)"
    r"[ \t]+(?:also[ \t]+)?(?:plausible|possible|an option|valid|correct|right|acceptable|likely|the answer)"
)
# "it could be 71" / "the answer might also be 71": a claim about the answer, anywhere.
_MODAL_CLAIM = re2.compile(
    r"(?i)\b(?:it|the answer|the result|the total|that)(?:'s| is| was)? (?:could|might|may)(?: also| well)? be"
    r"[ \t$]*([-+]?[0-9][0-9.,]*)"
)
_CUED_WORDS_BYTES = re2.compile(_CUED_WORDS.pattern.encode())
_CUED_GAP = re2.compile(r"^[ \t:,]*(?:[a-z][a-z0-9]{0,2} *= *)?[$\\(]*$")
# "divisible by 3 or 5", "3 or more", "more than 2 or 3": the numbers describe a condition.
_DESCRIPTIVE_BEFORE = re2.compile(
    r"(?i)\b(?:by|of|than|to|from|with|in|on|at|for|per|into|over|under|between|among|every|each)[ \t$(]*$"
)
_OR_AFTER = re2.compile(r"(?i)^[)}$ \t]*,?[ \t]*or\b")
# What justifies an "or" in working: a reason eliminating a branch ("since x > 0"), a check
# ("plugging in x = 2 fails"), or counting the branches ("so there are 5 choices").
_ELIMINATION = re2.compile(
    r"(?i)\b(?:since|because|but|however|although|discard\w*|reject\w*|exclud\w*|extraneous|invalid|valid|"
    r"impossible|not possible|cannot|can't|doesn't|does not|isn't|is not|positive|negative|"
    r"non-?negative|greater|less|larger|smaller|integers?|whole|domain|constraints?|conditions?|satisf\w*|"
    r"only|must|check\w*|plug\w*|substitut\w*|fails?|test\w*|there are|ways|choices|"
    r"possibilities|options|cases|in total|total of|each|either way|sum|product|both|solutions|roots|"
    r"combined|together|average|difference|too (?:high|low|many|few|big|small|much|large)|neither|none|"
    r"rules? out|ruled out|not enough|exceeds?)\b|≠|✓|✗"
)
_TABLE_CUE = re2.compile(r"(?i)\b(?:options?|candidates?|possible|choices?|guess(?:es)?|answers?|could|might|maybe)\b")
_GAP_NOISE = re2.compile(
    r"\\text\s*\{|\\mathrm\s*\{|\\quad|\\qquad|\\[,;!]|\\\(|\\\)|\\\[|\\\]|[{}$`?!()]|\*\*|__|\\boxed|\\fbox"
)
_NOISE_CHARS = "\\{}$`?!()*_"
_ENUMERATOR = re2.compile(r"\n[ \t]*(?:[0-9]{1,2}|[A-Za-z])[.)][ \t]+")
_GAP_VAR = re2.compile(r"(?:^|\s)[a-z][a-z0-9]{0,2}\s*=\s*$")
_OR_GAP = frozenset(
    {
        "or",
        ",or",
        ", or",
        "or maybe",
        "or perhaps",
        "or possibly",
        "or even",
        "or else",
        ", or maybe",
        ", or perhaps",
        ", or possibly",
        "\\lor",
        "\\vee",
        "\\mid",
        "or rather",
        "/ or",
        "||",
    }
)
_OR_WORDS_OK = frozenset(
    {"or", ",", ".", "so", "maybe", "perhaps", "possibly", "even", "else", "rather", "alternatively", "either"}
)
_OR_MARKERS = frozenset({"or", "maybe", "perhaps", "possibly", "alternatively"})
_CONDITIONAL_GAP = re2.compile(r"^if [a-z ]{1,30}, ?(?:or )?$")
_LIST_GAP = frozenset({"", ",", ";", "|", "-", "•", "、"})
_AND_GAP = frozenset({"and", ", and", "&"})
_BOUNDARY = ".!?"
_SENTENCE_ENDS = (". ", "? ", "! ", ".\n")  # "72?\n71?" stays a column of guesses
# The commonest gaps, classified without a regex ("" = not a connector).
_QUICK_GAPS = {
    " ": "list",
    ", ": "list",
    ",": "list",
    "; ": "list",
    " or ": "or",
    ", or ": "or",
    " and ": "and",
    ", and ": "and",
    " + ": "",
    " - ": "",
    " * ": "",
    " = ": "",
    " x ": "",
    " / ": "",
    " to ": "",
}


def _gap_kind(gap: str) -> str | None:
    """How two adjacent numbers are joined: 'or', 'list', 'and', or None (an operator, prose...)."""
    quick = _QUICK_GAPS.get(gap)
    if quick is not None:
        return quick or None
    if len(gap) > 40:
        return None
    if "\n\n" in gap:
        return None
    if "\n" in gap:
        gap = _ENUMERATOR.sub("\n", gap)  # "70\n2. 71": the "2." numbers the list
    lowered = gap.lower()
    if any(c in lowered for c in _NOISE_CHARS):
        lowered = _GAP_NOISE.sub(" ", lowered)
    if "=" in lowered:
        lowered = _GAP_VAR.sub(" ", lowered)
    lowered = " ".join(lowered.replace("\n", " ").split())
    lowered = lowered.replace(" ,", ",")
    words = lowered.replace(",", " , ").replace(".", " . ").split()
    if lowered in _OR_GAP or (set(words) & _OR_MARKERS and set(words) <= _OR_WORDS_OK):
        return "or"  # "71 or 72", "12. Or 13", "12, possibly 13"
    if lowered.startswith("if ") and _CONDITIONAL_GAP.match(lowered):
        return "or"  # "12 if we round down, 13 if we round up"
    if lowered in _LIST_GAP and not any(p in gap for p in _SENTENCE_ENDS):
        return "list"  # a sentence end between two numbers ends the list, an "or" does not
    if lowered in _AND_GAP:
        return "and"
    return None


@dataclass(frozen=True, slots=True)
class Hedge:
    kind: str  # or_list | cue_list | final_list | table
    start: int
    end: int


def find_hedges(text: str, final: Commitment | None, prompt: str = "") -> list[Hedge]:
    """Places where the response offers several different values as candidates.

    - ``or_list``: numbers joined by "or" / "maybe" / "possibly" / a condition (``71 or 72``,
      ``x = 3 or x = 5``, ``70, 71, or 72``, ``12 if rounded down, 13 if up``), unless what
      follows eliminates or counts the branches ("since x > 0", "so there are 5 choices")
      and no strong prose cue ("maybe", "not sure", "it could be") sits in the sentence;
    - ``cue_list``: a plain list in a sentence that presents candidates ("possible answers:
      70, 71, 72", "candidates: ...");
    - ``final_list`` / ``number_column``: the final answer sits in a list, or in numbers
      alone on consecutive lines;
    - ``cued_pair`` / ``cued_after_answer`` / ``also_possible``: values introduced as
      possibilities ("it could be 71, it could also be 72", "\\boxed{5}. Alternatively, 3",
      "71 is also plausible");
    - ``table``: a markdown table of options / candidate answers with different values;
    - ``number_dump``: more than ``MAX_NUMBERS`` numbers.
    Equal values never make a hedge (``1/2, or 50%``; one quantity as a count and a percent),
    nor does a list quoted verbatim from the ``prompt`` (the question's "5 or 6 per bag").
    """
    hedges: list[Hedge] = []
    tokens = number_tokens(text, limit=MAX_NUMBERS + 1)
    if len(tokens) > MAX_NUMBERS:
        return [Hedge("number_dump", 0, len(text))]
    tokens = [t for t in tokens if not _is_enumerator(text, t)]
    index = 0
    while index < len(tokens):
        chain = [tokens[index]]
        kinds = set()
        while index + 1 < len(tokens):
            kind = _gap_kind(text[tokens[index].end : tokens[index + 1].start])
            if kind is None:
                break
            kinds.add(kind)
            index += 1
            chain.append(tokens[index])
        index += 1
        values = {_chain_value(text, t) for t in chain}
        if len(values) < 2:
            continue
        percents = {_is_percent(text, t) for t in chain}
        if (
            len(chain) == 2
            and percents == {True, False}
            and "or" in kinds
            and not _STRONG_CUE.search(_sentence(text, chain[0].start, chain[-1].end))
        ):
            continue  # "an increase of 300, or 25%": one quantity two ways
        start, end = chain[0].start, chain[-1].end
        sentence = _sentence(text, start, end)
        if "and" not in kinds and _OR_AFTER.match(text[end : end + 20]):
            kinds.add("or")  # "71, 72, or something close"
        if final is not None and final.source == "last_number" and start <= final.start < end + 1:
            hedges.append(Hedge("final_list", start, end))
        elif kinds == {"list"} and _column_holding_final(text, chain, final):
            hedges.append(Hedge("number_column", start, end))
        elif _quoted_from(prompt, text[start:end]):
            continue  # the question's own "5 or 6 apples per bag", restated
        elif "or" in kinds:
            after = text[end : end + 300]
            strong = _STRONG_CUE.search(sentence) is not None
            if strong or not (
                _ELIMINATION.search(after) or _DESCRIPTIVE_BEFORE.search(text[max(0, start - 16) : start])
            ):
                hedges.append(Hedge("or_list", start, end))
        elif _LIST_CUE.search(sentence) and not _only_spaces(text, chain):
            hedges.append(Hedge("cue_list", start, end))
    hedges.extend(_cued_pairs(text, tokens, final))
    hedges.extend(_option_tables(text))
    hedges.extend(_option_lines(text))
    return hedges


def _quoted_from(prompt: str, span: str) -> bool:
    """The list is the prompt's own words (compared with whitespace collapsed)."""
    if not prompt or len(span) > 300:
        return False
    return " ".join(span.split()).lower() in " ".join(prompt.split()).lower()


def _is_percent(text: str, token: NumberToken) -> bool:
    return text[token.end : token.end + 9].lstrip().lower().startswith(("%", "\\%", "percent", "per cent"))


def _chain_value(text: str, token: NumberToken):
    """A token's value for "are these different?": 50% is 0.5 ("1/2, or 50%" is one value)."""
    if token.value is None:
        return token.text
    if _is_percent(text, token):
        return token.value / 100
    return token.value


def _cued_pairs(text: str, tokens: list[NumberToken], final: Commitment | None) -> list[Hedge]:
    """Numbers introduced as possibilities: two with different values in one paragraph, or
    one after the final answer that differs from it ("\\boxed{5}. Alternatively, 3")."""
    hedges: list[Hedge] = []
    previous: NumberToken | None = None
    final_value = None
    if final is not None:
        parsed = _parse_number(reduce_answer(final.text))
        final_value = parsed[0] if parsed else None
    starts = [t.start for t in tokens]
    if final_value is not None:
        for token in tokens:
            after = text[token.end : token.end + 40]
            if ("also" in after or "equally" in after or " be " in after) and _ALSO_POSSIBLE.match(after):
                if _chain_value(text, token) != final_value:
                    hedges.append(Hedge("also_possible", token.start, token.end))
                    break
    if final_value is not None:
        for modal in _MODAL_CLAIM.finditer(text):
            parsed = _parse_number(modal.group(1))
            if parsed is not None and parsed[0] != final_value:
                hedges.append(Hedge("modal_claim", modal.start(), modal.end()))
                break
    for _, cue_end in _spans(_CUED_WORDS, _CUED_WORDS_BYTES, text):
        index = bisect.bisect_left(starts, cue_end)
        if index == len(tokens) or tokens[index].start - cue_end > 12:
            continue
        token = tokens[index]
        if not _CUED_GAP.match(text[cue_end : token.start]):
            continue
        value = _chain_value(text, token)
        if final_value is not None and final is not None and token.start > final.start and value != final_value:
            hedges.append(Hedge("cued_after_answer", token.start, token.end))
        if (
            previous is not None
            and token.start - previous.end <= 200
            and "\n\n" not in text[previous.end : token.start]
        ):
            if _chain_value(text, previous) != value:
                hedges.append(Hedge("cued_pair", previous.start, token.end))
        previous = token
        if len(hedges) > 3:
            break
    return hedges


def _is_enumerator(text: str, token: NumberToken) -> bool:
    """The "2." of a numbered list line: it numbers the line, it is not a value."""
    line_start = (
        token.start == 0
        or text[token.start - 1] == "\n"
        or text[max(0, token.start - 3) : token.start].endswith(("\n ", "\n  "))
    )
    return (
        line_start
        and token.text.isdigit()
        and len(token.text) <= 2
        and text[token.end : token.end + 2] in (". ", ") ", ".\t")
    )


def _column_holding_final(text: str, chain: list[NumberToken], final: Commitment | None) -> bool:
    """Numbers alone on consecutive lines ("11\n12\n13"), one of them the final answer."""
    if final is None or not all("\n" in text[a.end : b.start] for a, b in zip(chain, chain[1:], strict=False)):
        return False
    parsed = _parse_number(reduce_answer(final.text))
    return parsed is not None and any(t.value == parsed[0] for t in chain)


def _only_spaces(text: str, chain: list[NumberToken]) -> bool:
    """Numbers separated by nothing but spaces ("2 3") are too weak a list to call a hedge."""
    return all(not text[a.end : b.start].strip() for a, b in zip(chain, chain[1:], strict=False))


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]`` (a blank line or . ! ? ends it), at most
    200 characters each side."""
    lo = max(0, start - 200)
    before = text[lo:start]
    cut = max(before.rfind("\n\n"), *(before.rfind(c + " ") for c in _BOUNDARY))
    if cut != -1:
        before = before[cut + 1 :]
    after = text[end : end + 200]
    stops = [p for p in (after.find("\n\n"), *(after.find(c + " ") for c in _BOUNDARY)) if p != -1]
    if stops:
        after = after[: min(stops)]
    return before + " " + after


_OPTION_LINE = re2.compile(
    r"(?im)^[ \t*_#>-]*(?:option|candidate|choice|guess|possibility|alternative)[ \t]*[0-9A-Za-z]{0,3}[ \t*_]*[:).=-]"
    r"[ \t*_$]*([-+]?[0-9][0-9.,/]*)"
)


def _option_lines(text: str) -> list[Hedge]:
    """ "Option 1: 71 / Option 2: 72" lines offering different values."""
    values = set()
    for count, match in enumerate(_OPTION_LINE.finditer(text)):
        parsed = _parse_number(match.group(1).rstrip(".,"))
        values.add(parsed[0] if parsed else match.group(1))
        if len(values) >= 2:
            return [Hedge("option_lines", match.start(), match.end())]
        if count > MAX_COMMITMENTS:
            break
    return []


def _option_tables(text: str) -> list[Hedge]:
    if "|" not in text:
        return []
    hedges: list[Hedge] = []
    block: list[str] = []
    block_start, pos = 0, 0
    for line in text.split("\n") + [""]:
        if line.lstrip().startswith("|"):
            if not block:
                block_start = pos
            block.append(line)
        elif block:
            table = "\n".join(block)
            values = {t.value for t in number_tokens(table, limit=MAX_NUMBERS) if t.value is not None}
            if len(block) >= 3 and _TABLE_CUE.search(table) and len(values) >= 2:
                hedges.append(Hedge("table", block_start, block_start + len(table)))
            block = []
        pos += len(line) + 1
    return hedges


# ---- symbolic ----------------------------------------------------------------------------

_QUIET = False


def _silence_math_verify() -> None:
    """math-verify logs the model's answer on parse timeouts/errors ("Timeout during parsing:
    <answer>"), and Lambda ships WARNING records to CloudWatch: completions must not reach
    logs by default, so its loggers (and latex2sympy's) are switched off."""
    global _QUIET
    if _QUIET:
        return
    for name in (
        "math_verify",
        "math_verify.parser",
        "math_verify.grader",
        "math_verify.utils",
        "math_verify.metric",
        "latex2sympy2_extended",
    ):
        quiet = logging.getLogger(name)
        quiet.setLevel(logging.CRITICAL + 1)
        quiet.propagate = False
        if not any(isinstance(h, logging.NullHandler) for h in quiet.handlers):
            quiet.addHandler(logging.NullHandler())
    _QUIET = True


def symbolic_equal(pred: str, gold: str, timeout_s: int) -> bool:
    """math-verify equivalence (gold parsed first, as math-verify requires).

    math-verify bounds time with SIGALRM, which only works on the main thread; elsewhere
    the bound is dropped (the Lambda handler and the CLI grade on the main thread).
    """
    from math_verify import parse, verify  # lazy: sympy/antlr cost ~1 s to import

    _silence_math_verify()
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
