"""The smoke test of the chosen candidate, before it is promoted: one Chat Completions call on
mantle, plus one Responses call when the catalog says the base model serves the Responses API
(``config.responses_api``; mantle's page says not every model does [U], docs/aws-contracts.md);
on Nova, one Converse call through the run's evaluation deployment (skipped when the
customization does not deploy for evaluation: nothing can invoke the model then).
A model that fails here is never written to the model parameter applications read."""

from __future__ import annotations

from rft_contracts.runtime_config import WorkflowConfig

from . import clients, mantle
from .checkpoints import NOVA_NO_INFERENCE
from .errors import SmokeTestFailed

PROMPT = "Reply with one short sentence confirming you are ready."
MAX_TOKENS = 512  # reasoning models spend tokens before answering


def smoke_test(config: WorkflowConfig, model_id: str | None) -> dict:
    import openai

    if config.control_plane != "mantle" and not config.evaluation.nova_deployment.enabled:
        return {"skipped": True, "reason": NOVA_NO_INFERENCE, "model_id": model_id}
    if not model_id:
        raise SmokeTestFailed("no chosen model id in the state")
    if config.control_plane != "mantle":
        return _converse_smoke(config, model_id)
    client = clients.mantle(config)
    try:
        chat = mantle.chat_text(client, model_id, [{"role": "user", "content": PROMPT}], MAX_TOKENS)
    except openai.APIError as exc:
        raise SmokeTestFailed(
            f"Chat Completions on {model_id} failed: {type(exc).__name__}: {str(exc)[:300]}"
        ) from None
    if not chat.strip():
        raise SmokeTestFailed(f"Chat Completions on {model_id} returned no text")
    if not config.responses_api:
        return {"chat_completions": "ok", "responses": "not served by this model (catalog)", "model_id": model_id}
    try:
        response = client.responses.create(model=model_id, input=PROMPT, store=False, max_output_tokens=MAX_TOKENS)
        text = response.output_text or ""
    except openai.APIError as exc:
        raise SmokeTestFailed(f"Responses on {model_id} failed: {type(exc).__name__}: {str(exc)[:300]}") from None
    if not text.strip():
        raise SmokeTestFailed(f"Responses on {model_id} returned no text")
    return {"chat_completions": "ok", "responses": "ok", "model_id": model_id}


def _converse_smoke(config: WorkflowConfig, model_id: str) -> dict:
    from botocore.exceptions import BotoCoreError, ClientError

    from .generate import converse_text

    runtime = clients.client("bedrock-runtime", config.region)
    try:
        text = converse_text(runtime, model_id, [{"role": "user", "content": PROMPT}], MAX_TOKENS, None)
    except (ClientError, BotoCoreError) as exc:
        raise SmokeTestFailed(f"Converse on {model_id} failed: {type(exc).__name__}: {str(exc)[:300]}") from None
    if not text.strip():
        raise SmokeTestFailed(f"Converse on {model_id} returned no text")
    return {"converse": "ok", "model_id": model_id}
