"""Load a team's YAML config into a validated `TeamConfig`, or fail with one readable message.

A platform engineer who mistypes a key should read "config/teams/x.yaml: customizations[0].
hyperparams: unknown key; did you mean 'hyperparameters'?", not a pydantic traceback.
"""

from __future__ import annotations

import difflib
import os
import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from rft.config.team_config import TeamConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
TEAMS_DIR = REPO_ROOT / "config" / "teams"
DEFAULT_TEAM = "example"
# The one setting for teams kept outside this repository: `rft --teams-dir DIR`, this variable,
# and `cdk -c teams_dir=DIR` all end up here.
TEAMS_DIR_ENV = "RFT_TEAMS_DIR"
MAX_REPORTED_ERRORS = 3
_FIELD_PREFIX = re.compile(r"^[A-Za-z_][\w.\[\]]*: ")


class ConfigError(Exception):
    """A team config that cannot be used; `str()` is the whole message for the user."""


def read_yaml(text: str) -> Any:
    """Parse config text as YAML 1.2 (ruamel.yaml), the rule every config reader here follows.

    YAML 1.1 (PyYAML) reads `1e-5` as a string and `no`/`off`/`y` as booleans; under 1.2 `1e-5`
    is a float and only `true`/`false` are booleans. ruamel also rejects duplicate keys, which
    PyYAML silently resolves to the last value. Raises ruamel's YAMLError."""
    return YAML(typ="safe", pure=True).load(text)


def resolve_teams_dir(explicit: str | Path | None = None) -> Path:
    """Where team files live: an explicit directory, else $RFT_TEAMS_DIR, else config/teams/."""
    chosen = explicit or os.environ.get(TEAMS_DIR_ENV) or TEAMS_DIR
    return Path(chosen).expanduser()


def team_file(team: str, directory: str | Path | None = None) -> Path:
    return resolve_teams_dir(directory) / f"{team}.yaml"


def available_teams(directory: str | Path | None = None) -> list[str]:
    return sorted(p.stem for p in resolve_teams_dir(directory).glob("*.yaml"))


def load_team(team: str = DEFAULT_TEAM, teams_dir: str | Path | None = None) -> TeamConfig:
    """Load `<teams dir>/<team>.yaml`, whose `team:` must be `team` (see `resolve_teams_dir()`)."""
    directory = resolve_teams_dir(teams_dir)
    path = team_file(team, directory)
    if not path.is_file():
        known = ", ".join(available_teams(directory)) or "none"
        raise ConfigError(f"no config for team {team!r}: {_show(path)} does not exist (teams with a config: {known})")
    return load_team_file(path, expected_team=team)


def load_team_file(path: Path, expected_team: str | None = None) -> TeamConfig:
    """Load one team file. With `expected_team` (the name the file was looked up by), its
    `team:` must match: the file is found by its name but the stacks and resources are named
    from `team:`, so a copied example would otherwise deploy as the example team."""
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{_show(path)}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{_show(path)}: not UTF-8 text") from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) if isinstance(exc, MarkedYAMLError) else None
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        # One short line: ruamel quotes with " and appends both values of a duplicate key.
        problem = problem.replace('"', "'").split(" with value ")[0]
        raise ConfigError(f"{_show(path)}:{where}: not valid YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{_show(path)}: expected a mapping of settings at the top level")
    declared = raw.get("team")
    if isinstance(declared, str):
        declared = declared.strip()  # as the model reads it
    # A missing or mistyped `team:` is the model's to report (required, slug rules).
    if expected_team is not None and "team" in raw and declared != expected_team:
        raise ConfigError(
            f"{_show(path)}: the file is named {expected_team!r} but declares team: "
            f"{declared!r}; the stacks would be named from `team:`. Rename the file to "
            f"{declared}.yaml or set team: {expected_team}"
        )
    try:
        return TeamConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(_show(path), exc)) from None


def format_validation_error(source: str, exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    lines = [f"{source}: {_describe(error)}" for error in errors[:MAX_REPORTED_ERRORS]]
    if len(errors) > MAX_REPORTED_ERRORS:
        lines.append(f"(and {len(errors) - MAX_REPORTED_ERRORS} more problems)")
    return "\n".join(lines)


def _describe(error: ErrorDetails) -> str:
    loc = error["loc"]
    path = _dotted(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        suggestion = f"did you mean {hint[0]!r}? " if hint else ""
        return f"{path}: unknown key; {suggestion}allowed keys: {', '.join(allowed)}"
    if kind == "missing":
        return f"{path}: required but missing"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "value_error" and not loc:
        # Model-level validators already name the field path in their message.
        return message
    if kind == "value_error" and _FIELD_PREFIX.match(message):
        # "hyperparameters.x: ..." from a model validator: join it to the location.
        return f"{path}.{message}" if path else message
    if kind == "string_pattern_mismatch":
        message = f"{error['input']!r} does not match the pattern {error['ctx']['pattern']}"
    return f"{path}: {message}" if path else message


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The allowed keys of the model found at `loc` inside TeamConfig."""
    model: Any = TeamConfig
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = _model_in(field.annotation)
        if model is None:
            return []
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
