"""A python grader whose source imports what the sandbox lacks fails where a person looks
first: `rft grade --validate` and loading the team config (synth), with the module named."""

import argparse
import copy

import pytest
import yaml

from rft import grade as grade_cli
from rft.config.loader import ConfigError, load_team_file

SOURCE = "from rapidfuzz import fuzz\n\ndef grade(sample, item):\n    return fuzz.ratio(sample['output_text'], item['reference_answer']) / 100\n"
STDLIB = "import difflib\n\ndef grade(sample, item):\n    return difflib.SequenceMatcher(None, sample['output_text'], item['reference_answer']).ratio()\n"

TEAM = {
    "team": "search-quality",
    "account": "123456789012",
    "region": "us-west-2",
    "pricing": {"qwen.qwen3-32b": {"usd_per_million_training_tokens": 5.0}},
    "customizations": [
        {
            "name": "ticket-triage",
            "base_model": "qwen.qwen3-32b",
            "grader": {"type": "python", "source": SOURCE},
            "hyperparameters": {"n_epochs": 3, "batch_size": 64, "learning_rate_multiplier": 0.5},
        }
    ],
}


def run(*argv):
    parser = argparse.ArgumentParser(prog="rft")
    grade_cli.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.mark.parametrize("source, code", [(SOURCE, 2), (STDLIB, 0)])
def test_rft_grade_validate_names_the_import(tmp_path, capsys, source, code):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"type": "python", "source": source}))
    assert run("grade", "--validate", str(spec)) == code
    err = capsys.readouterr().err
    if code:
        assert "cannot import rapidfuzz" in err and "standard library" in err
    else:
        assert "valid python grader" in err


def test_team_config_with_the_import_is_rejected_at_load(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump(TEAM))
    with pytest.raises(ConfigError, match="cannot import rapidfuzz"):
        load_team_file(path)
    fixed = copy.deepcopy(TEAM)
    fixed["customizations"][0]["grader"]["source"] = STDLIB
    path.write_text(yaml.safe_dump(fixed))
    load_team_file(path)
