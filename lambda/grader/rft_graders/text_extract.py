"""Pull code, JSON and numbers out of free-form model output.

The fence patterns run in RE2 (``linear``): with Python's ``re`` a run of backticks with no
newline, or a long unterminated first line, made them quadratic.
"""

from __future__ import annotations

from . import linear

_TAG = r"[\p{L}\p{N}_+#.-]*"  # the language tag: Python's \w plus + # . -
_FENCE = linear.compile(r"```[ \t]*(" + _TAG + r")[^\n]*\n((?s:.*?))```")
_WHOLE_FENCE = linear.compile(linear.SPACE + r"*```[ \t]*" + _TAG + r"[^\n]*\n((?s:.*?))\n?```" + linear.SPACE + "*")
_CODE_LANGS = {"", "python", "py", "python3"}


def strip_code_fence(text: str) -> str:
    """The body of a response that is one fenced block; otherwise the text, stripped."""
    match = _WHOLE_FENCE.fullmatch(text)
    return match.group(1) if match else text.strip()


def _last_block(text: str, langs: set[str]) -> str | None:
    # Scanned in bytes with no match objects: a response may hold a hundred thousand fences.
    data = text.encode("utf-8")
    last = None
    for spans in _FENCE.scan(data):
        (tag_start, tag_end), body = spans[1], spans[2]
        if data[tag_start:tag_end].decode("utf-8").lower() in langs:
            last = body
    return None if last is None else data[last[0] : last[1]].decode("utf-8")


def extract_code(text: str) -> str:
    """Python code from a response: the last fenced python (or untagged) block, else the
    whole text. The last block wins because models often show a draft before the answer."""
    block = _last_block(text, _CODE_LANGS)
    return block if block is not None else text.strip()


def extract_json_text(text: str) -> str:
    """JSON text from a response: a fenced block (json or untagged) if any, else the text."""
    block = _last_block(text, {"", "json"})
    return block.strip() if block is not None else text.strip()
