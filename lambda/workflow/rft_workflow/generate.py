"""Model calls that produce answers to prompts, on either control plane.

mantle: Chat Completions through the ``openai`` SDK (one call per sample; ``n`` > 1 is not
documented for mantle [U]). native: bedrock-runtime Converse with the model id; system
turns go to ``system``, the rest to ``messages`` as text blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .dataset import message_text
from .mantle import chat_text


@dataclass
class Answer:
    text: str | None  # None: the call failed
    error: str | None = None


def to_converse(messages: list[dict]) -> tuple[list[dict], list[dict]]:
    system = [{"text": message_text(m.get("content")) or ""} for m in messages if m.get("role") == "system"]
    turns = [
        {"role": m["role"], "content": [{"text": message_text(m.get("content")) or ""}]}
        for m in messages
        if m.get("role") in ("user", "assistant")
    ]
    return system, turns


def converse_text(runtime: Any, model_id: str, messages: list[dict], max_tokens: int, temperature: float | None) -> str:
    system, turns = to_converse(messages)
    inference: dict[str, Any] = {"maxTokens": max_tokens}
    if temperature is not None:
        inference["temperature"] = temperature
    kwargs: dict[str, Any] = {"modelId": model_id, "messages": turns, "inferenceConfig": inference}
    if system:
        kwargs["system"] = system
    response = runtime.converse(**kwargs)
    blocks = response["output"]["message"]["content"]
    return "\n".join(b["text"] for b in blocks if isinstance(b.get("text"), str))


def answer_all(call: Callable[[list[dict]], str], prompts: list[list[dict]], concurrency: int) -> list[Answer]:
    """Run ``call`` over the prompts with bounded concurrency; failures become Answer(None)."""

    def one(messages: list[dict]) -> Answer:
        try:
            return Answer(call(messages))
        except Exception as exc:  # noqa: BLE001 - a failed call is counted, not fatal
            return Answer(None, f"{type(exc).__name__}: {str(exc)[:200]}")

    if not prompts:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(prompts)))) as pool:
        return list(pool.map(one, prompts))


def caller(
    plane: str,
    model_id: str,
    max_tokens: int,
    temperature: float | None,
    *,
    mantle_client: Any = None,
    runtime_client: Any = None,
) -> Callable[[list[dict]], str]:
    if plane == "mantle":
        return lambda messages: chat_text(mantle_client, model_id, messages, max_tokens, temperature)
    return lambda messages: converse_text(runtime_client, model_id, messages, max_tokens, temperature)
