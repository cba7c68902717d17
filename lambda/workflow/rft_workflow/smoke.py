"""The smoke test of a promoted model: one Chat Completions and one Responses call on mantle."""

from __future__ import annotations

from rft_contracts.runtime_config import WorkflowConfig

from . import clients, mantle
from .checkpoints import NOVA_NO_INFERENCE
from .errors import SmokeTestFailed

PROMPT = "Reply with one short sentence confirming you are ready."
MAX_TOKENS = 512  # reasoning models spend tokens before answering


def smoke_test(config: WorkflowConfig, model_id: str | None) -> dict:
    import openai

    if config.control_plane != "mantle":
        return {"skipped": True, "reason": NOVA_NO_INFERENCE, "model_id": model_id}
    if not model_id:
        raise SmokeTestFailed("no promoted model id in the state")
    client = clients.mantle(config)
    try:
        chat = mantle.chat_text(client, model_id, [{"role": "user", "content": PROMPT}], MAX_TOKENS)
    except openai.APIError as exc:
        raise SmokeTestFailed(f"Chat Completions on {model_id} failed: {type(exc).__name__}: {str(exc)[:300]}") from None
    if not chat.strip():
        raise SmokeTestFailed(f"Chat Completions on {model_id} returned no text")
    try:
        response = client.responses.create(model=model_id, input=PROMPT, store=False, max_output_tokens=MAX_TOKENS)
        text = response.output_text or ""
    except openai.APIError as exc:
        raise SmokeTestFailed(f"Responses on {model_id} failed: {type(exc).__name__}: {str(exc)[:300]}") from None
    if not text.strip():
        raise SmokeTestFailed(f"Responses on {model_id} returned no text")
    return {"chat_completions": "ok", "responses": "ok", "model_id": model_id}
