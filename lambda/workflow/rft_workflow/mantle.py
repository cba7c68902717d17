"""The bedrock-mantle OpenAI-compatible endpoint: client construction and small helpers.

A short-term Bedrock API key is minted from the function's own credentials on every
invocation (``aws_bedrock_token_generator.provide_token``; valid at most 12 hours, one
region, the role's permissions) and handed to the official ``openai`` SDK as its api key.
The endpoint is ``rft_contracts.naming.mantle_base_url`` (``MANTLE_BASE_URL`` overrides it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rft_contracts.naming import mantle_base_url

TokenProvider = Callable[..., str]


def mint_token(region: str) -> str:
    from aws_bedrock_token_generator import provide_token

    return provide_token(region=region)


def client(
    region: str, *, token_provider: TokenProvider | None = None, timeout: float = 60.0, max_retries: int = 2
) -> Any:
    """An ``openai.OpenAI`` client on mantle with a freshly minted bearer token."""
    import openai

    token = (token_provider or mint_token)(region)
    return openai.OpenAI(base_url=mantle_base_url(region), api_key=token, timeout=timeout, max_retries=max_retries)


def as_dict(obj: Any) -> dict:
    """An SDK model (or dict) as a plain dict of the fields the server sent."""
    if isinstance(obj, dict):
        return obj
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_dict(warnings=False)
    return dict(obj)


def chat_text(client: Any, model: str, messages: list[dict], max_tokens: int, temperature: float | None = None) -> str:
    """One Chat Completions call; the assistant text ('' when the model returned none)."""
    kwargs: dict[str, Any] = {"model": model, "messages": messages, "max_tokens": max_tokens}
    if temperature is not None:
        kwargs["temperature"] = temperature
    response = client.chat.completions.create(**kwargs)
    choice = response.choices[0] if response.choices else None
    return (choice.message.content or "") if choice and choice.message else ""
