"""Linear-time pattern matching for everything a grader runs on model output.

Python's ``re`` backtracks: ``^\\s*\\*`` over a long run of newlines, or a user's ``(a+)+$``,
takes quadratic or exponential time, and one crafted response then stalls the whole batch.
Graders therefore match model output only through this module, which runs RE2 (a DFA/NFA
engine whose time is linear in the input for every pattern it accepts), or with plain
``str`` methods written to be linear.

RE2 differs from ``re`` in ways a pattern author must know (checked when a spec is loaded,
see ``check_user_pattern``): no backreferences, lookarounds, atomic groups, possessive
quantifiers or conditionals; ``\\z`` instead of ``\\Z``; and ``\\w \\d \\s \\b`` are ASCII.
Our own patterns use the Unicode classes below instead, so they agree with Python's
Unicode ``\\w`` and ``\\s``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import re2

# Python's \w for str patterns: str.isalnum() or "_", i.e. letters (L*), numbers (N*), "_".
WORD = r"[\p{L}\p{N}_]"
NOT_WORD = r"[^\p{L}\p{N}_]"
# Python's \s for str patterns: exactly the characters for which str.isspace() is true
# (tests check this against every code point).
SPACE_CHARS = (
    (0x09, 0x0D),
    (0x1C, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)


def char_class(ranges, *, negate: bool = False) -> str:
    """An RE2 character class from inclusive (first, last) code point ranges."""
    items = "".join(f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b != a else "") for a, b in ranges)
    return f"[{'^' if negate else ''}{items}]"


SPACE = char_class(SPACE_CHARS)
NOT_SPACE = char_class(SPACE_CHARS, negate=True)
# \s without the newline, e.g. for a line's indentation.
SPACE_NO_NEWLINE = char_class(((0x09, 0x09), (0x0B, 0x0D), *SPACE_CHARS[1:]))

# Limits on spec patterns. RE2 is linear in the input for every pattern, but the constant
# depends on the pattern: when its DFA cache thrashes (e.g. a[ab]{999}c, whose DFA would
# need 2^999 states) RE2 falls back to an NFA that costs input x (threads alive at once).
# Counted repeats multiply those threads, Unicode classes (\p{L}: hundreds of UTF-8 byte
# branches) inflate them; the two limits below keep the worst accepted pattern near 0.5 s
# on a MAX_INPUT_CHARS input (benchmarks/rule_graders_dos.py measures it).
MAX_EXPANDED_SIZE = 1000  # atoms after expanding counted repeats: a{5}(b|c){10} is 25
MAX_PROGRAM_SIZE = 20_000  # RE2 instructions (\p{L} alone is about 1,200)
# Graders that run spec patterns (regex, label_match's answer_regex) score longer inputs 0
# with a ``response_too_long`` metric; truncating would let a hedge hide past the cut.
MAX_INPUT_CHARS = 100_000

_ANCHOR = re2._Anchor


def _options(*, ignore_case: bool = False, literal: bool = False, capture: bool = True) -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # errors are raised (and reported by the spec), not logged
    options.case_sensitive = not ignore_case
    options.literal = literal
    options.never_capture = not capture  # match/no match only: RE2 can stay in its DFA
    return options


class Pattern:
    """A compiled RE2 pattern with the few operations graders use.

    ``engine`` names what runs (always ``"re2"``); tests assert on it. Every method encodes
    the text once: re2's own ``search(text, pos)`` re-encodes the whole string per call, so
    a scan that calls it in a loop would be quadratic again.
    """

    engine = "re2"
    __slots__ = ("pattern", "_regexp")

    def __init__(self, pattern: str, *, ignore_case=False, multiline=False, dotall=False, literal=False, capture=True):
        self.pattern = pattern
        flags = ("m" if multiline else "") + ("s" if dotall else "")
        source = f"(?{flags}){pattern}" if flags and not literal else pattern
        self._regexp = re2.compile(source, _options(ignore_case=ignore_case, literal=literal, capture=capture))

    @property
    def groups(self) -> int:
        return self._regexp.groups

    @property
    def program_size(self) -> int:
        return self._regexp.programsize

    def search(self, text: str):
        return self._regexp.search(text)

    def fullmatch(self, text: str):
        return self._regexp.fullmatch(text)

    def finditer(self, text: str) -> Iterator:
        """Match objects (character offsets). Costs a few microseconds per match: use it
        where matches are few, ``count`` where they may be many."""
        return self._regexp.finditer(text)

    def _raw_match(self, data: bytes, pos: int) -> list[tuple[int, int]]:
        # The RE2 object itself: byte spans, no match objects, no re-encoding.
        return self._regexp._regexp.Match(_ANCHOR.UNANCHORED, data, pos, len(data))

    def count(self, text: str, limit: int | None = None) -> int:
        """How many non-overlapping matches ``findall`` would give, stopping at ``limit``."""
        if limit is not None and limit <= 0:
            return 0
        found = 0
        for _ in self.scan(text.encode("utf-8")):
            found += 1
            if limit is not None and found >= limit:
                break
        return found

    def scan(self, data: bytes) -> Iterator[list[tuple[int, int]]]:
        """Every non-overlapping match of UTF-8 ``data`` as its group spans in bytes
        (``(-1, -1)`` for a group that did not take part); no match objects are built."""
        pos, end = 0, len(data)
        while pos <= end:
            spans = self._raw_match(data, pos)
            start, stop = spans[0]
            if start < 0:
                return
            yield spans
            pos = stop if stop > start else _next_char(data, stop)


def _next_char(data: bytes, pos: int) -> int:
    """The byte offset of the character after the one at ``pos`` (past the end at the end)."""
    pos += 1
    while pos < len(data) and (data[pos] & 0xC0) == 0x80:
        pos += 1
    return pos


def compile(pattern: str, **flags) -> Pattern:  # noqa: A001 - mirrors re.compile
    return Pattern(pattern, **flags)


def literal(text: str, *, ignore_case: bool = False) -> Pattern:
    """A pattern matching ``text`` literally."""
    return Pattern(text, ignore_case=ignore_case, literal=True)


def escape(text: str) -> str:
    return re2.escape(text)


# ---- user patterns -----------------------------------------------------------------------

_UNSUPPORTED = {
    "GROUPREF": "backreferences (\\1, (?P=name)) are not supported",
    "GROUPREF_EXISTS": "conditional groups (?(1)...) are not supported",
    "ASSERT": "lookahead/lookbehind (?=...) (?<=...) is not supported",
    "ASSERT_NOT": "negative lookahead/lookbehind (?!...) (?<!...) is not supported",
    "ATOMIC_GROUP": "atomic groups (?>...) are not supported",
    "POSSESSIVE_REPEAT": "possessive quantifiers (*+, ++, ?+) are not supported",
}


def _python_features(pattern: str) -> set[str]:
    """Names of the regex operators ``pattern`` uses, from Python's own parser."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]  # Python 3.11+; private, not in typeshed
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse as parser

    found: set[str] = set()

    def walk(items) -> None:
        for op, arg in items:
            found.add(str(op))
            if str(op) == "AT":
                found.add(str(arg))  # e.g. AT_END_STRING for \Z
            for value in arg if isinstance(arg, (list, tuple)) else (arg,):
                if isinstance(value, parser.SubPattern):
                    walk(value)
                elif isinstance(value, (list, tuple)):
                    for inner in value:
                        if isinstance(inner, parser.SubPattern):
                            walk(inner)

    walk(parser.parse(pattern))
    return found


def _expanded_size(pattern: str) -> int:
    """Atoms of ``pattern`` with every counted repeat {m,n} written out n times (unbounded
    repeats count once): the number of NFA threads the pattern can keep alive at once."""
    try:
        # Python 3.11+; private modules, not in typeshed
        from re import _constants as constants  # type: ignore[attr-defined]
        from re import _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_constants as constants
        import sre_parse as parser

    repeats = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}

    def size(items) -> int:
        total = 0
        for op, arg in items:
            name = str(op)
            if name in repeats:
                low, high, sub = arg
                factor = max(low, 1) if high == constants.MAXREPEAT else high
                total += factor * size(sub)
            elif name == "BRANCH":
                total += sum(size(branch) for branch in arg[1])
            elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
                total += size(arg[-1])
            elif name in ("ASSERT", "ASSERT_NOT"):
                total += size(arg[1])
            else:
                total += 1
        return total

    return size(parser.parse(pattern))


def _python_view(pattern: str) -> str | None:
    """``pattern`` with RE2-only syntax (\\p{L}, \\z, \\C) replaced by Python equivalents of
    the same size, for Python's parser to analyse; None when Python still cannot parse it."""
    view = _RE2_ONLY.sub(lambda m: "$" if m.group(0) == "\\z" else "x", pattern)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. FutureWarning for RE2's [[:alpha:]]
            re.compile(view)
    except re.error:
        return None
    return view


_RE2_ONLY = re.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])|\\z|\\C")


def check_user_pattern(
    pattern: str, *, ignore_case: bool = False, multiline: bool = False, dotall: bool = False, groups: int = 0
) -> Pattern:
    """Compile a pattern from a spec with RE2, or raise ValueError saying why it cannot run.

    Patterns are RE2 syntax (Python's, less the backtracking-only constructs, plus \\p{..}).
    The message quotes the pattern (spec text, never model output) so the author can find it.
    """
    shown = pattern if len(pattern) <= 80 else pattern[:77] + "..."
    view = _python_view(pattern)
    try:
        compiled = Pattern(pattern, ignore_case=ignore_case, multiline=multiline, dotall=dotall)
    except re2.error as exc:
        if view is None:
            raise ValueError(f"not a valid regular expression {shown!r}: {_re2_reason(exc)}") from None
        features = _python_features(view)
        reasons = [why for op, why in _UNSUPPORTED.items() if op in features]
        if "AT_END_STRING" in features:
            reasons.append("\\Z is not supported (use \\z, or $ without multiline)")
        detail = "; ".join(reasons) or _re2_reason(exc)
        raise ValueError(
            f"pattern {shown!r} cannot run in RE2, the linear-time engine graders use on model output: {detail}"
        ) from None
    expanded = _expanded_size(view) if view is not None else 0
    if expanded > MAX_EXPANDED_SIZE or compiled.program_size > MAX_PROGRAM_SIZE:
        raise ValueError(
            f"pattern {shown!r} is too large to match in bounded time ({expanded} atoms with counted "
            f"repeats expanded, at most {MAX_EXPANDED_SIZE}; {compiled.program_size} RE2 instructions, at "
            f"most {MAX_PROGRAM_SIZE}); shorten counted repeats such as {{500}} or repeated \\p{{...}} classes"
        )
    if compiled.groups < groups:
        raise ValueError(f"pattern {shown!r} needs {groups} capture group(s)")
    return compiled


def _re2_reason(exc: Exception) -> str:
    text = exc.args[0] if exc.args else ""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    if "repetition size" in text:
        return f"{text} (RE2 allows counted repeats up to 1000, nested ones multiplied)"
    return text or "unsupported syntax"
