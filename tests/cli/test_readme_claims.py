"""Claims of the README that code can check: commands, paths, config keys and a few facts.

A newcomer follows the README literally; each kind of claim that once drifted (issue 14) is
checked here against the code, not against a copy of it.
"""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from rft.config.loader import REPO_ROOT, TEAMS_DIR_ENV, load_team
from rft.config.team_config import Customization, TeamConfig

README = (REPO_ROOT / "README.md").read_text()
MAKEFILE = (REPO_ROOT / "Makefile").read_text()


def _code_spans() -> list[str]:
    blocks = re.findall(r"```[a-z]*\n(.*?)```", README, re.DOTALL)
    prose = re.sub(r"```[a-z]*\n.*?```", "", README, flags=re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", prose)
    # `rft grade ...` split over lines in prose: rejoin the text around line breaks.
    spans += re.findall(r"`([^`]+)`", prose.replace("\n", " "))
    for block in blocks:
        spans += block.replace("\\\n", " ").splitlines()
    return spans


SPANS = _code_spans()


def _commands(prefix: str) -> list[list[str]]:
    out = []
    for span in SPANS:
        text = span.split("#", 1)[0]
        for match in re.finditer(rf"(?:^|[\s(`]){prefix} ([^;|&]+)", text):
            try:
                out.append([prefix, *shlex.split(match.group(1))])
            except ValueError:
                out.append([prefix, *match.group(1).split()])
    return out


def test_every_make_target_the_readme_names_exists():
    targets = set(re.findall(r"^([a-z][\w-]*):", MAKEFILE, re.MULTILINE))
    named = {re.match(r"[\w-]*", words[1]).group(0) for words in _commands("make") if len(words) > 1}
    assert named, "the README names no make target?"
    assert named <= targets, f"README names make targets the Makefile lacks: {named - targets}"


def _subparsers(parser):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _options(parser) -> dict:
    return {option: action for action in parser._actions for option in action.option_strings}


def test_every_rft_command_and_option_the_readme_names_exists():
    from rft.cli import build_parser

    root = build_parser()
    checked = 0
    for words in _commands("rft"):
        parser, options = root, dict(_options(root))
        skip = False
        for word in words[1:]:
            if skip:
                skip = False
                continue
            if word.startswith("-"):
                action = options.get(word.split("=", 1)[0])
                skip = action is not None and action.nargs != 0 and "=" not in word
                continue
            choices = _subparsers(parser)
            if not choices or word in ("...", "COMMAND"):
                break
            assert word in choices, f"README: `{' '.join(words)}`: no command {word!r} (have {sorted(choices)})"
            parser = choices[word]
            options.update(_options(parser))
        flags = {w.split("=", 1)[0] for w in words if w.startswith("--")}
        assert flags <= set(options), f"README: `{' '.join(words)}`: unknown options {flags - set(options)}"
        checked += 1
    assert checked >= 15


def _repo_paths() -> set[str]:
    # What `make setup` creates (.venv/, node_modules/) is not part of a checkout.
    ignored = {line.strip().strip("/") for line in (REPO_ROOT / ".gitignore").read_text().splitlines()}
    top = {p.name for p in REPO_ROOT.iterdir()} - ignored
    found = set()
    candidates = [s for s in SPANS if " " not in s.strip()] + re.findall(r"\]\(([^)#]+)\)", README)
    for text in candidates:
        text = text.strip()
        if "/" not in text or "<" in text or "://" in text or text.startswith("/"):
            continue
        if text.split("/", 1)[0] in top:
            found.add(text)
    return found


def test_every_repository_path_the_readme_names_exists():
    paths = _repo_paths()
    assert len(paths) >= 20
    missing = [
        p
        for p in sorted(paths)
        if not (list(REPO_ROOT.glob(p.rstrip("/"))) if "*" in p else (REPO_ROOT / p.rstrip("/")).exists())
    ]
    assert not missing, f"README names paths that do not exist: {missing}"


def _resolve(dotted: str) -> bool:
    """True when a dotted config path (`budget.approval_above_usd`, `customizations[].audit`)
    names real fields; dict-valued fields take a catalog model id or hyperparameter name."""
    from rft.config.catalog import CATALOG
    from rft.config.loader import _model_in
    from rft.config.reference import _SECTIONS  # noqa: F401 - the reference documents the same models

    model = TeamConfig
    parts = dotted.replace("[]", "").split(".")
    for index, part in enumerate(parts):
        if model is None:
            return False
        field = model.model_fields.get(part)
        if field is None:
            if model is TeamConfig and part in Customization.model_fields:  # `workflow.poll_seconds`
                model, field = Customization, Customization.model_fields[part]
            else:
                return False
        if part == "hyperparameters":
            rest = parts[index + 1 :]
            return len(rest) <= 1 and all(any(m.hyperparameter(r) for m in CATALOG.values()) for r in rest)
        if part == "pricing":
            return True
        model = _model_in(field.annotation)
    return True


def _config_paths() -> set[str]:
    fields = set(TeamConfig.model_fields) | set(Customization.model_fields)
    out = set()
    for span in SPANS:
        for token in re.findall(r"\b[a-z_]+(?:\[\])?(?:\.[A-Za-z_]+(?:\[\])?)+\b", span):
            if token.split(".")[0].replace("[]", "") in fields and not token.endswith((".py", ".yaml", ".json")):
                out.add(token)
    return out


def test_every_config_key_path_the_readme_names_exists():
    paths = _config_paths()
    assert len(paths) >= 10, paths
    unknown = sorted(p for p in paths if not _resolve(p))
    assert not unknown, f"README names config keys that do not exist: {unknown}"


def test_inline_config_mappings_in_the_readme_are_valid_keys():
    # e.g. `deploy: {require_approval: never}` must be a real key with an allowed value
    for key, body in re.findall(r"`([a-z_]+): (\{[^`]+\})`", README):
        assert key in TeamConfig.model_fields or key in Customization.model_fields, key
        value = yaml.safe_load(body)
        model = TeamConfig if key in TeamConfig.model_fields else Customization
        from rft.config.loader import _model_in

        sub = _model_in(model.model_fields[key].annotation)
        if sub is not None:
            sub.model_validate(value)


def test_cfn_lint_ignores_are_the_ones_the_readme_states():
    ignored = yaml.safe_load((REPO_ROOT / ".cfnlintrc.yaml").read_text()).get("ignore_checks") or []
    sentence = re.search(r"cfn-lint runs on every synthesized template.*?\n\n", README, re.DOTALL).group(0)
    stated = set(re.findall(r"\b[EWI]\d{4}\b", sentence))
    assert stated == set(ignored), (stated, ignored)
    assert "none today" not in sentence or not ignored


def test_the_example_team_uses_the_templates_the_readme_says():
    from rft_graders.spec import TEMPLATES

    judge_templates = {"conversation_quality", "instruction_following_judge", "summarization", "rag_faithfulness"}
    used = {c.grader.get("template") for c in load_team("example").customizations}
    claim = re.search(r"the example team uses each rule\s+template and one judge template, `(\w+)`", README)
    assert claim, "the README's claim about the example team's templates changed; update this test"
    assert set(TEMPLATES) - judge_templates <= used
    assert used & judge_templates == {claim.group(1)}


def test_prompt_length_claim_matches_the_workflow():
    from rft.config.runtime_config import DEFAULT_MAX_PROMPT_TOKENS
    from rft_workflow import dataset

    claim = re.search(r"ceil\(characters /\s+(\d+)\) \+ (\d+) per message.*?or (\d+)\s+tokens", README, re.DOTALL)
    assert claim
    assert (int(claim.group(1)), int(claim.group(2)), int(claim.group(3))) == (
        dataset.CHARS_PER_TOKEN,
        dataset.TOKENS_PER_MESSAGE,
        DEFAULT_MAX_PROMPT_TOKENS,
    )


def test_counts_and_names_the_readme_states():
    bad = len(list((REPO_ROOT / "tests" / "config" / "bad").glob("*.yaml")))
    assert f"({bad} today)" in README
    assert f"{TEAMS_DIR_ENV}=" in README
    from rft.deploy_check import PLACEHOLDER_ACCOUNTS

    for account in re.findall(r"placeholder[^.]*?\(`(\d{12})`, `(\d{12})`", README):
        assert set(account) <= PLACEHOLDER_ACCOUNTS


@pytest.mark.parametrize("team", ["example", "nova-example"])
def test_every_shipped_team_is_named_after_its_file(team):
    assert load_team(team).team == team
