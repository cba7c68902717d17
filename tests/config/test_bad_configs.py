"""Every file in tests/config/bad/ is rejected by the loader with the message in its header, and
the editor's JSON Schema (config/schema.json) flags every one it can express.

Header of each file:
    # loader: <text the loader's error contains>
    # schema: rejects | loader only: <why a JSON Schema cannot see it>
    # load: by name          (optional: looked up as a team named after the file)
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from rft.config.loader import ConfigError, load_team, load_team_file, read_yaml
from rft.config.reference import SCHEMA_FILE

BAD = Path(__file__).parent / "bad"
FILES = sorted(BAD.glob("*.yaml"))


def _header(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text().splitlines():
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        fields[key] = value
    return fields


def _load(path: Path):
    if _header(path).get("load") == "by name":
        return load_team(path.stem, path.parent)
    return load_team_file(path)


def test_the_bad_set_covers_the_rules():
    assert len(FILES) >= 44
    for path in FILES:
        header = _header(path)
        assert header.get("loader"), f"{path.name}: no '# loader:' line"
        assert header.get("schema") == "rejects" or header.get("schema", "").startswith("loader only: "), path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_loader_rejects_with_one_clear_message(path):
    with pytest.raises(ConfigError) as caught:
        _load(path)
    message = str(caught.value)
    assert _header(path)["loader"] in message
    assert path.name in message.splitlines()[0]
    assert "Traceback" not in message and len(message.splitlines()) <= 4


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _document(path: Path):
    try:
        return read_yaml(path.read_text())
    except Exception:  # noqa: BLE001 - not YAML at all: nothing for a schema to check
        return None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_schema_flags_every_bad_file_it_can_express(path, validator):
    expected = _header(path)["schema"]
    document = _document(path)
    flagged = document is None or any(True for _ in validator.iter_errors(document))
    if expected == "rejects":
        assert flagged, f"{path.name}: config/schema.json accepts a file the loader rejects"
    else:
        # A loader-only rule must really be out of the schema's reach: if the schema starts
        # flagging the file, move it to "rejects".
        assert not flagged or document is None, f"{path.name}: the schema flags it; mark it '# schema: rejects'"


def test_schema_rejects_most_of_the_set():
    loader_only = [p for p in FILES if _header(p)["schema"] != "rejects"]
    assert len(loader_only) <= len(FILES) // 3, [p.name for p in loader_only]


@pytest.mark.parametrize("team", ["example", "nova-example"])
def test_schema_accepts_the_shipped_teams(team, validator):
    from rft.config.loader import TEAMS_DIR

    errors = [e.message for e in validator.iter_errors(read_yaml((TEAMS_DIR / f"{team}.yaml").read_text()))]
    assert not errors
