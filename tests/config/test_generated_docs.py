"""config/schema.json and the README's config reference match the models."""

from __future__ import annotations

import json

from rft.config.reference import BEGIN, END, README, SCHEMA_FILE, json_schema, readme_with_reference


def test_schema_json_is_up_to_date():
    assert SCHEMA_FILE.read_text() == json_schema(), "run `make docs` and commit config/schema.json"


def test_readme_config_reference_is_up_to_date():
    readme = README.read_text()
    assert BEGIN in readme and END in readme
    assert readme == readme_with_reference(readme), "run `make docs` and commit README.md"


def test_every_field_of_the_schema_has_a_description():
    schema = json.loads(SCHEMA_FILE.read_text())
    missing = []
    for name, definition in [("TeamConfig", schema), *schema.get("$defs", {}).items()]:
        for field, prop in definition.get("properties", {}).items():
            if not prop.get("description"):
                missing.append(f"{name}.{field}")
    assert not missing, f"fields without a description: {missing}"
