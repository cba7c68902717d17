"""A Converse stand-in driven by a plain Python function: for tests, calibration dry runs and
``rft grade --scripted-judge MODULE:FUNC`` (or env ``RFT_SCRIPTED_JUDGE=MODULE:FUNC``).

The function receives the Converse request (``modelId``, ``system``, ``messages``,
``inferenceConfig``, ``toolConfig``...) and returns either the reply text (wrapped as an
``end_turn`` reply with token counts estimated at 4 characters a token) or a full Converse
response dict. It may raise, e.g. a botocore ``ClientError`` to script throttling.

A verdict must carry the call's nonce like a real judge's (``verdict(request, score=7)``
writes one); the reply is parsed exactly as Bedrock's would be, nothing is added to it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENV_VAR = "RFT_SCRIPTED_JUDGE"
_NONCE = re.compile(r"This call's nonce is ([0-9a-f]+)\.")


def request_nonce(request: dict) -> str:
    """The nonce the call's prompt states (first sentence after the preamble's opening, in
    the system prompt, before any spec text or data)."""
    system = (request.get("system") or [{}])[0].get("text", "")
    match = _NONCE.search(system)
    if not match:
        raise ValueError("the request states no nonce")
    return match.group(1)


def verdict(request: dict, **fields: Any) -> str:
    """Verdict JSON for this call, e.g. ``verdict(request, score=7, reasoning="...")``."""
    return json.dumps({"nonce": request_nonce(request), **fields})


def request_text(request: dict) -> str:
    """The whole prompt as one string (system, then messages): what a fake judge reads."""
    parts = [block.get("text", "") for block in request.get("system") or []]
    for message in request.get("messages") or []:
        parts.extend(block.get("text", "") for block in message.get("content") or [])
    return "\n\n".join(parts)


class ScriptedJudgeClient:
    def __init__(self, fn: Callable[[dict], Any]):
        self.fn = fn

    def converse(self, **request) -> dict:
        reply = self.fn(request)
        if isinstance(reply, dict):
            return reply
        text = str(reply)
        return {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {
                "inputTokens": len(request_text(request)) // 4,
                "outputTokens": max(1, len(text) // 4),
                "totalTokens": len(request_text(request)) // 4 + max(1, len(text) // 4),
            },
        }


def _import_judge_module(module_name: str) -> Any:
    """An importable module, else ``<module>.py`` in the current directory (as ``python -m``
    would find it), loaded from its file without changing ``sys.path``."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError:
        local = Path.cwd() / f"{module_name.replace('.', '/')}.py"
        if not local.is_file():
            raise
    spec = importlib.util.spec_from_file_location(module_name, local)
    # a path ending in .py always gets a spec with a source loader
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_scripted_judge(target: str) -> Callable[[], ScriptedJudgeClient]:
    """``MODULE:FUNC`` -> a client factory; raises ValueError with a one-line reason."""
    module_name, sep, func_name = target.partition(":")
    if not sep or not module_name or not func_name:
        raise ValueError(f"scripted judge {target!r}: expected MODULE:FUNC")
    try:
        module = _import_judge_module(module_name)
    except ImportError as exc:
        raise ValueError(f"scripted judge {target!r}: cannot import {module_name}: {exc}") from None
    fn = getattr(module, func_name, None)
    if not callable(fn):
        raise ValueError(f"scripted judge {target!r}: {module_name} has no function {func_name}")
    client = ScriptedJudgeClient(fn)
    return lambda: client
