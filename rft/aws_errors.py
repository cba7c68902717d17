"""One-line errors for the operator commands that call AWS (`rft run`, `rft runs`, `rft models`).

A command body raises ``CliError`` for bad input or state; ``guarded`` turns that, missing
credentials and AWS API errors into one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from rft_contracts.naming import mantle_base_url


class CliError(Exception):
    """A bad input or state: printed as one line, exit status 2."""


NO_CREDENTIALS = (
    "no AWS credentials found; configure credentials for the team's account (e.g. AWS_PROFILE or `aws sso login`)"
)


def load_team(team_name: str):
    """The team config, or ``CliError`` with the loader's message (unknown team, bad YAML...)."""
    from rft.config.loader import ConfigError
    from rft.config.loader import load_team as load

    try:
        return load(team_name)
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def load_customization(team_name: str, customization_name: str):
    """(team config, customization), or ``CliError`` naming what is unknown."""
    team = load_team(team_name)
    try:
        return team, team.customization(customization_name)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None


def message(exc: BaseException) -> str | None:
    """The one-line text for an error this module knows, else None."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

    if isinstance(exc, CliError):
        return str(exc)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return NO_CREDENTIALS
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"AWS {exc.operation_name} failed: {error.get('Code')}: {error.get('Message')}"
    if isinstance(exc, BotoCoreError):  # endpoint unreachable, bad region, expired SSO session...
        return f"AWS call failed: {exc}"
    return None


def guarded(prog: str, body: Callable[[], int]) -> int:
    """Run ``body``; known errors print ``<prog>: <message>`` (one line) and return 2."""
    try:
        return body()
    except Exception as exc:  # noqa: BLE001 - filtered by message(); anything else re-raises
        text = message(exc)
        if text is None:
            raise
        print(f"{prog}: {' '.join(text.split())}", file=sys.stderr)
        return 2


def mantle_client(region: str):
    """The OpenAI SDK on the region's mantle endpoint with a fresh short-term Bedrock key;
    missing credentials are the one-line CliError every command prints."""
    import openai
    from aws_bedrock_token_generator import provide_token

    try:
        token = provide_token(region=region)
    except RuntimeError:  # the generator's "No AWS credentials found"
        raise CliError(NO_CREDENTIALS) from None
    return openai.OpenAI(base_url=mantle_base_url(region), api_key=token, timeout=120.0, max_retries=2)
