"""Load a team's YAML config into a validated `TeamConfig`, or fail with one readable message.

A platform engineer who mistypes a key should read "config/teams/x.yaml: customizations[0].
hyperparams: unknown key; did you mean 'hyperparameters'?", not a pydantic traceback.
"""

from __future__ import annotations

import difflib
import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from rft.config.models import TeamConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
TEAMS_DIR = REPO_ROOT / "config" / "teams"
DEFAULT_TEAM = "example"
MAX_REPORTED_ERRORS = 3
_FIELD_PREFIX = re.compile(r"^[A-Za-z_][\w.\[\]]*: ")


class ConfigError(Exception):
    """A team config that cannot be used; `str()` is the whole message for the user."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML silently keeps the last one)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep=False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def team_file(team: str, teams_dir: Path = TEAMS_DIR) -> Path:
    return teams_dir / f"{team}.yaml"


def available_teams(teams_dir: Path = TEAMS_DIR) -> list[str]:
    return sorted(p.stem for p in teams_dir.glob("*.yaml"))


def load_team(team: str = DEFAULT_TEAM, teams_dir: Path = TEAMS_DIR) -> TeamConfig:
    """Load `config/teams/<team>.yaml`."""
    path = team_file(team, teams_dir)
    if not path.is_file():
        known = ", ".join(available_teams(teams_dir)) or "none"
        raise ConfigError(f"no config for team {team!r}: {_show(path)} does not exist "
                          f"(teams with a config: {known})")
    return load_team_file(path)


def load_team_file(path: Path) -> TeamConfig:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except OSError as exc:
        raise ConfigError(f"{_show(path)}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{_show(path)}:{where}: not valid YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{_show(path)}: expected a mapping of settings at the top level")
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


def _describe(error: dict[str, Any]) -> str:
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
