"""`rft models`: talk to a customization's promoted model.

    rft models chat --team T --customization C "PROMPT" [--responses] [--max-tokens N]

The model id is the one the workflow promoted: SSM parameter ``/rft/<team>/<customization>/model``.
Open-weight (mantle plane) models answer on the OpenAI-compatible bedrock-mantle endpoint
``https://bedrock-mantle.<region>.api.aws/v1`` (``MANTLE_BASE_URL`` overrides it), through
the official ``openai`` SDK with a short-term Bedrock bearer token minted from your AWS
credentials (``aws_bedrock_token_generator``): Chat Completions by default, the Responses API
with ``--responses`` (``store=False``). Nova (native plane) custom models answer only through a
custom model deployment, so the command refuses them. Errors print one line and exit 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from rft import operator_commands
from rft.aws_errors import CliError, guarded, load_customization, mantle_client
from rft_contracts.naming import mantle_base_url

DEFAULT_MAX_TOKENS = 512  # reasoning models spend tokens before they answer
NOVA_REFUSAL = (
    "customization {name} is on the native control plane ({model}): Nova custom models answer only "
    "through a custom model deployment (CreateCustomModelDeployment) or Provisioned Throughput, "
    "invoked with bedrock-runtime, not through the mantle endpoint; this command does not call them"
)


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "models", help="use a customization's promoted model", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    chat = commands.add_parser("chat", help="send one prompt to the promoted model and print the answer")
    chat.add_argument("prompt", help="the user message")
    chat.add_argument("--team", required=True, help="team whose config names the customization")
    chat.add_argument("--customization", required=True, help="customization whose promoted model to use")
    chat.add_argument(
        "--responses", action="store_true", help="use the Responses API (store=False) instead of Chat Completions"
    )
    chat.add_argument(
        "--max-tokens",
        type=int,
        default=DEFAULT_MAX_TOKENS,
        metavar="N",
        help=f"response token limit (default {DEFAULT_MAX_TOKENS})",
    )
    chat.add_argument("--json", action="store_true", help="print model, API and answer as one JSON object")
    chat.set_defaults(func=run)
    operator_commands.register_models(commands)  # cancel/compare, promote/rollback (issue 12)
    return parser


def run(args: argparse.Namespace) -> int:
    return guarded(
        "rft models",
        lambda: chat(
            args.team,
            args.customization,
            args.prompt,
            responses=args.responses,
            max_tokens=args.max_tokens,
            as_json=getattr(args, "json", False),
        ),
    )


def promoted_model(team, customization) -> str:
    import boto3

    from rft_contracts import naming

    name = naming.parameter_path(team.team, customization.name, "model")
    ssm = boto3.client("ssm", region_name=team.region)
    try:
        return ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        raise CliError(
            f"no promoted model for {customization.name} yet ({name} does not exist in {team.region}); "
            f"a run must succeed first: rft run start --team {team.team} "
            f"--customization {customization.name}"
        ) from None


def chat(
    team_name: str, customization_name: str, prompt: str, *, responses: bool, max_tokens: int, as_json: bool = False
) -> int:
    import openai

    if max_tokens < 1:
        raise CliError("--max-tokens must be at least 1")
    if not prompt.strip():
        raise CliError("the prompt is empty")
    team, customization = load_customization(team_name, customization_name)
    if customization.control_plane.value != "mantle":
        raise CliError(NOVA_REFUSAL.format(name=customization.name, model=customization.base_model))
    model = promoted_model(team, customization)
    client = mantle_client(team.region)
    api = "Responses" if responses else "Chat Completions"
    try:
        if responses:
            answer = (
                client.responses.create(
                    model=model, input=prompt, store=False, max_output_tokens=max_tokens
                ).output_text
                or ""
            )
        else:
            completion = client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens
            )
            choice = completion.choices[0] if completion.choices else None
            answer = (choice.message.content or "") if choice and choice.message else ""
    except openai.APIStatusError as exc:
        raise CliError(f"{api} on {model} failed: HTTP {exc.status_code}: {_detail(exc)}") from None
    except openai.APIConnectionError as exc:
        raise CliError(
            f"{api} on {model} failed: cannot reach {mantle_base_url(team.region)}: {exc.__cause__ or exc}"
        ) from None
    if not answer.strip():
        raise CliError(f"{model} returned no text (try a larger --max-tokens)")
    if as_json:
        import json

        print(json.dumps({"model": model, "api": api, "answer": answer}, ensure_ascii=False))
    else:
        print(answer)
    return 0


def _detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        if not isinstance(error, dict):
            error = body
        if error.get("message"):
            return str(error["message"])[:300]
    return str(exc)[:300]
