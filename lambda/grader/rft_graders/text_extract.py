"""Pull code, JSON and numbers out of free-form model output."""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)```", re.DOTALL)
_WHOLE_FENCE = re.compile(r"^\s*```[ \t]*[\w+#.-]*[^\n]*\n(.*?)\n?```\s*$", re.DOTALL)
_CODE_LANGS = {"", "python", "py", "python3"}


def strip_code_fence(text: str) -> str:
    """The body of a response that is one fenced block; otherwise the text, stripped."""
    match = _WHOLE_FENCE.match(text)
    return match.group(1) if match else text.strip()


def extract_code(text: str) -> str:
    """Python code from a response: the last fenced python (or untagged) block, else the
    whole text. The last block wins because models often show a draft before the answer."""
    blocks = [body for lang, body in _FENCE.findall(text) if lang.lower() in _CODE_LANGS]
    return blocks[-1] if blocks else text.strip()


def extract_json_text(text: str) -> str:
    """JSON text from a response: a fenced block (json or untagged) if any, else the text."""
    blocks = [body for lang, body in _FENCE.findall(text) if lang.lower() in {"", "json"}]
    return blocks[-1].strip() if blocks else text.strip()
