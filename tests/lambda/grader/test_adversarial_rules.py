"""Rule graders under attack: crafted responses, hostile patterns, and the time budget.

Nothing here times anything. A DoS case asserts *structurally* that the work is linear:
the crafted input goes through RE2 (a spy counts its match calls, often against a small
bound that does not grow with the input), and Python's backtracking ``re`` is never called
while grading (its entry points raise). The rewritten matchers are also compared with the
old Python-regex definitions on random inputs, so linear does not mean different. Each
structural check has a control showing it can fail. Deadlines use an injected clock.
"""

from __future__ import annotations

import ast
import json
import random
import re
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import pytest
import re2
from grader_testkit import make_sample

from rft_graders import ifeval, linear, text_extract, text_metrics
from rft_graders.base import TIMEOUT_METRIC, GradeResult, PerSampleGrader
from rft_graders.batch import grade_batch
from rft_graders.build import BuildContext, build_grader
from rft_graders.judges.client import JudgeEnv
from rft_graders.primitives import label_match, numeric
from rft_graders.spec import GraderSpecError, parse_grader_spec
from rft_graders.templates import ONE_BOXED

GRADER_DIR = Path(__file__).resolve().parents[3] / "lambda" / "grader" / "rft_graders"
N = 40_000  # a quadratic matcher would run for minutes (inputs stay under the 100k caps)
BIG = 10**9


# ---- instruments --------------------------------------------------------------------------

_PY_RE_ENTRY_POINTS = ("compile", "search", "match", "fullmatch", "findall", "finditer", "split", "sub", "subn")


@contextmanager
def python_re_forbidden(monkeypatch):
    """Python's re entry points raise while the block runs (jsonschema's internal
    ``re.search`` calls included)."""

    def refuse(*args, **kwargs):
        raise AssertionError("Python's backtracking re ran on grader input")

    with monkeypatch.context() as patch:
        for name in _PY_RE_ENTRY_POINTS:
            patch.setattr(re, name, refuse)
        yield


class Re2Spy:
    """Counts RE2 match calls: through re2's wrapper and through linear.Pattern's raw scans."""

    def __init__(self, monkeypatch):
        self.calls = 0
        wrapper = re2._Regexp._match
        spy = self

        def counted_wrapper(self_, *args, **kwargs):
            spy.calls += 1  # one RE2 search (search, fullmatch, finditer's first)
            for count, item in enumerate(wrapper(self_, *args, **kwargs)):
                spy.calls += count > 0  # finditer's further steps
                yield item

        monkeypatch.setattr(re2._Regexp, "_match", counted_wrapper)
        raw = linear.Pattern._raw_match

        def counted_raw(self_, data, pos):
            spy.calls += 1
            return raw(self_, data, pos)

        monkeypatch.setattr(linear.Pattern, "_raw_match", counted_raw)


@pytest.fixture
def re2_spy(monkeypatch):
    """Counts the grader's own RE2 calls: the shared reasoning-stripping step that builds each
    sample (linear on its own; tests/lambda/grader/test_reasoning.py) is replaced by a
    pass-through for these responses, which carry no reasoning."""
    from rft_graders import bedrock_event
    from rft_graders.reasoning import Split

    monkeypatch.setattr(bedrock_event, "split_reasoning", lambda text: Split(text, ""))
    return Re2Spy(monkeypatch)


def grade(spec, response, reference=None, **kwargs):
    """One sample's result. The spec is compiled first: loading it may use Python's re on
    spec text (config, not model output), so only grading runs under python_re_forbidden."""
    grader = build_grader(spec)
    event = [make_sample(response, reference, **kwargs)]
    return grade_batch(event, grader).results[0]


@pytest.fixture(autouse=True)
def _compile_specs_before_forbidding(monkeypatch):
    """build_grader validates specs (Python re on spec text) - let it, even inside a
    python_re_forbidden block, by restoring re for the duration of the build only."""
    import rft_graders.build as build_module

    real_build = build_module.build_grader
    saved = {name: getattr(re, name) for name in _PY_RE_ENTRY_POINTS}

    def build_with_re(*args, **kwargs):
        current = {name: getattr(re, name) for name in _PY_RE_ENTRY_POINTS}
        for name, value in saved.items():
            setattr(re, name, value)
        try:
            return real_build(*args, **kwargs)
        finally:
            for name, value in current.items():
                setattr(re, name, value)

    monkeypatch.setitem(globals(), "build_grader", build_with_re)


def reward(result) -> float:
    return result["aggregate_reward_score"]


def metric_names(result) -> set[str]:
    return {m["name"] for m in result["metrics_list"] if m["value"]}


def ifeval_spec(instruction_id, **kwargs):
    return {"type": "instruction_following"}, {"instructions": [{"id": instruction_id, **kwargs}]}


# ---- structural: no backtracking engine in the graders -----------------------------------

OWNED = [
    "ifeval.py",
    "text_extract.py",
    "primitives/regex.py",
    "primitives/string_check.py",
    "primitives/instruction_following.py",
    "primitives/label_match.py",
    "primitives/json_schema.py",
    "primitives/numeric.py",
    "primitives/text_similarity.py",
    "primitives/multi.py",
]


def imports_python_re(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name in ("re", "sre_compile", "regex") for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module in ("re", "sre_compile", "regex"):
            return True
    return False


@pytest.mark.parametrize("path", OWNED)
def test_grader_modules_do_not_import_pythons_re(path):
    assert not imports_python_re((GRADER_DIR / path).read_text())


def test_control_the_import_check_sees_re():
    assert imports_python_re("import json\nimport re\n")
    assert imports_python_re("from re import compile\n")


def test_every_module_level_pattern_of_the_graders_is_re2():
    modules = [ifeval, text_extract, label_match, numeric]
    patterns = [v for m in modules for v in vars(m).values() if isinstance(v, (linear.Pattern, re.Pattern))]
    assert len(patterns) >= 12
    assert all(isinstance(p, linear.Pattern) and p.engine == "re2" for p in patterns)


def test_control_the_forbidden_re_and_the_spy_work(monkeypatch, re2_spy):
    caught = None
    with python_re_forbidden(monkeypatch):
        try:
            re.findall(r"^\s*\*", "\n* a", re.MULTILINE)
        except AssertionError as exc:
            caught = exc
    assert caught is not None
    assert re2_spy.calls == 0
    linear.compile("a").count("aaa")
    assert re2_spy.calls >= 3


# ---- DoS cases: each crafted input goes through RE2 or str scanning ---------------------


def test_bullets_after_a_long_run_of_newlines(monkeypatch, re2_spy):
    # IFEval's ^\s*\*[^\*].*$ retried \s* from every line start: quadratic in blank lines.
    spec, ref = ifeval_spec("detectable_format:number_bullet_lists", num_bullets=1)
    with python_re_forbidden(monkeypatch):
        result = grade(spec, "\n" * N + "* one", ref)
    assert reward(result) == 1.0
    assert 0 < re2_spy.calls <= 6  # counting stops one past num_bullets, whatever the size


def test_bullets_with_indented_blank_lines(monkeypatch, re2_spy):
    spec, ref = ifeval_spec("detectable_format:number_bullet_lists", num_bullets=BIG)
    with python_re_forbidden(monkeypatch):
        result = grade(spec, " \n" * N + "- a\n* b", ref)  # 80,000 characters
    # Two bullets and an end-of-text probe per pattern, and the same for the instruction
    # data being validated on "": a constant, whatever the size.
    assert reward(result) == 0.0 and re2_spy.calls <= 6


def test_placeholders_on_a_line_of_brackets(monkeypatch, re2_spy):
    # \[.*?\] from each "[" scanned to the end of the line: quadratic.
    spec, ref = ifeval_spec("detectable_content:number_placeholders", num_placeholders=1)
    with python_re_forbidden(monkeypatch):
        result = grade(spec, "[" * N + "x]", ref)
    assert reward(result) == 1.0 and re2_spy.calls <= 2


def test_titles_on_a_line_of_angle_brackets(monkeypatch, re2_spy):
    spec, ref = ifeval_spec("detectable_format:title")
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, "<<" * N, ref)) == 0.0
        assert reward(grade(spec, "<<" * N + "t>>", ref)) == 1.0
    assert re2_spy.calls == 0  # plain str.find / rfind


def test_postscript_after_a_long_run_of_spaces(monkeypatch, re2_spy):
    # A leading \s* in a search is retried from every position of a whitespace run.
    spec, ref = ifeval_spec("detectable_content:postscript", postscript_marker="P.S.")
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, " " * N + "p. s. hi", ref)) == 1.0
        assert reward(grade(spec, " " * N + "p. x", ref)) == 0.0
    assert re2_spy.calls == 3  # one search each, and one validating the instruction on ""


def test_sentences_made_of_abbreviations(monkeypatch, re2_spy):
    # The old splitter re-searched the whole growing sentence after each abbreviation.
    spec, ref = ifeval_spec("length_constraints:number_sentences", num_sentences=2, relation="less than")
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, "Dr. " * (N // 2), ref)) == 1.0  # one sentence
    assert re2_spy.calls == N // 2 + 1  # one RE2 step per break: linear


def test_highlights_of_blank_bold_markers(monkeypatch, re2_spy):
    spec, ref = ifeval_spec("detectable_format:number_highlighted_sections", num_highlights=1)
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, "** " * (N // 2) + "*x*", ref)) == 1.0
    assert re2_spy.calls > 0


def test_section_divider_and_forbidden_word_from_a_hostile_dataset(monkeypatch, re2_spy):
    # Dataset-supplied literals of 2,000 characters against 50,000 near-matches.
    word = "a" * 2000
    spec, ref = ifeval_spec("detectable_format:multiple_sections", section_spliter=word, num_sections=1)
    spec2, ref2 = ifeval_spec("keywords:forbidden_words", forbidden_words=[word])
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, "a" * N, ref)) == 0.0
        assert reward(grade(spec2, "a" * N, ref2)) == 1.0
    assert re2_spy.calls == 3  # one search each, and one validating the failed one on ""


def test_keyword_frequency_of_a_single_letter(monkeypatch, re2_spy):
    spec, ref = ifeval_spec("keywords:frequency", keyword="a", frequency=N, relation="at least")
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, "A" * N, ref)) == 1.0
    assert re2_spy.calls == 0  # str.count


def test_loose_mode_over_a_crafted_response_stays_in_re2(monkeypatch, re2_spy):
    spec = {"type": "instruction_following", "mode": "loose"}
    ref = {
        "instructions": [
            {"id": "detectable_format:number_bullet_lists", "num_bullets": 2},
            {"id": "detectable_format:title"},
        ]
    }
    with python_re_forbidden(monkeypatch):
        result = grade(spec, "**\n" + "\n" * N + "* a\n* b\n**", ref)
    assert reward(result) == 0.5 and re2_spy.calls > 0


def test_code_fence_of_backticks_without_newline(monkeypatch, re2_spy):
    # ```[ \t]*([\w+#.-]*)[^\n]*\n from every backtick: quadratic in Python re.
    with python_re_forbidden(monkeypatch):
        assert text_extract.extract_code("`" * N) == "`" * N
        assert text_extract.extract_json_text("```json\n{}\n```" + "`" * N) == "{}"
    assert re2_spy.calls >= 2


def test_whole_fence_with_a_long_unterminated_first_line(monkeypatch, re2_spy):
    # Two adjacent stars over the first line backtracked against each other: quadratic.
    with python_re_forbidden(monkeypatch):
        assert text_extract.strip_code_fence("```" + "a" * N) == "```" + "a" * N
        assert text_extract.strip_code_fence("  ```py\nx = 1\n```  \n") == "x = 1"
    assert re2_spy.calls == 2


def test_output_json_templates_use_the_linear_fence(monkeypatch, re2_spy):
    spec = {"type": "string_check", "input": "{{sample.output_json.a}}", "reference": "x", "operation": "eq"}
    with python_re_forbidden(monkeypatch):
        result = grade(spec, "```" + " " * N + "{", "x")
    assert metric_names(result) >= {"response_parse_error"} and re2_spy.calls == 1


def test_a_catastrophic_user_pattern_runs_in_re2(monkeypatch, re2_spy):
    # (a+)+$ on "aaaa...b" is exponential in Python; RE2 accepts the pattern and stays linear.
    spec = {"type": "regex", "pattern": r"^(a+)+$", "negate": True}
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, "a" * N + "b")) == 1.0
    assert re2_spy.calls == 1


def test_labels_are_scanned_without_lookarounds(monkeypatch, re2_spy):
    spec = {"template": "classification", "labels": ["a", "aa", "low", "high"]}
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, "a" * N, "low")) == 0.0  # no whole-word label at all
        hedge = grade(spec, "low " * (N // 2) + "high", "low")
        assert reward(hedge) == 0.0 and metric_names(hedge) >= {"labels_named"}
    assert re2_spy.calls == 0


def test_answer_regex_with_many_matches_runs_in_re2(monkeypatch, re2_spy):
    spec = {"template": "classification", "labels": ["low", "high"], "answer_regex": r"label:\s*(\w+)"}
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, "label: high " * 5000 + "label: low", "low")) == 1.0  # 60,000 chars
    assert re2_spy.calls == 5001 + 1  # one scan step per match, plus the final miss


SCHEMA = {
    "type": ["object", "array", "string"],
    "pattern": "^(a+)+$",
    "uniqueItems": True,
    "patternProperties": {"^(a|aa)+$": {"type": "integer"}},
    "additionalProperties": False,
}


def test_json_schema_patterns_run_in_re2(monkeypatch, re2_spy):
    spec = {"type": "json_schema", "schema": SCHEMA}
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, json.dumps("a" * 30_000 + "!"))) == 0.0  # pattern fails, linearly
        assert reward(grade(spec, json.dumps({"a" * 30_000 + "!": 1}))) == 0.0  # additionalProperties
        assert reward(grade(spec, json.dumps({"a" * 30_000: 1}))) == 1.0  # patternProperties
    assert re2_spy.calls >= 3


def test_unique_items_on_unsortable_objects_is_linear(monkeypatch):
    import jsonschema._utils as utils

    def quadratic(*args):
        raise AssertionError("jsonschema's quadratic uniq ran")

    monkeypatch.setattr(utils, "uniq", quadratic)
    spec = {"type": "json_schema", "schema": {"type": "array", "uniqueItems": True}}
    items = [{"i": i} for i in range(7_000)]  # 80,000 characters: below the cap
    assert reward(grade(spec, json.dumps(items))) == 1.0
    assert reward(grade(spec, json.dumps(items + [{"i": 0}]))) == 0.0
    assert reward(grade(spec, json.dumps([1, True, 1.0]))) == 0.0  # 1 == 1.0, True is not 1
    assert reward(grade(spec, json.dumps([1, True, {"a": [1]}, {"a": [1.0]}]))) == 0.0


def test_control_jsonschemas_own_unique_items_is_what_was_replaced(monkeypatch):
    import jsonschema._utils as utils
    from jsonschema import Draft202012Validator

    seen = []
    monkeypatch.setattr(utils, "uniq", lambda container: seen.append(len(container)) or True)
    import jsonschema._keywords as keywords

    monkeypatch.setattr(keywords, "uniq", utils.uniq)
    Draft202012Validator({"uniqueItems": True}).is_valid([{}, {}])
    assert seen == [2]  # the stock validator would have run it


def test_deeply_nested_json_is_invalid_json_not_a_grader_error():
    result = grade({"type": "json_schema"}, "[" * 100_000 + "]" * 100_000)
    assert reward(result) == 0.0 and "grader_error" not in metric_names(result)


def test_numbers_that_do_not_parse_are_tried_a_bounded_number_of_times(monkeypatch, re2_spy):
    calls = []
    real = numeric.parse_number
    monkeypatch.setattr(numeric, "parse_number", lambda token: calls.append(token) or real(token))
    assert reward(grade({"type": "numeric"}, "7 " + "1/0 " * 20_000, "7")) == 0.0
    assert len(calls) == numeric.MAX_ATTEMPTS + 1  # plus the reference
    assert re2_spy.calls > 20_000  # the number scan itself is RE2


def test_a_huge_exponent_is_never_expanded(monkeypatch):
    calls = []
    real = numeric.parse_number
    monkeypatch.setattr(numeric, "parse_number", lambda token: calls.append(token) or real(token))
    # Fraction("1e99999999") would build a 100-million-digit integer.
    assert reward(grade({"type": "numeric"}, "so 7, then 1e99999999", "7")) == 0.0
    assert reward(grade({"type": "numeric", "extract": "whole"}, "1e99999999", "7")) == 0.0
    assert "1e99999999" not in calls
    assert reward(grade({"type": "numeric"}, "answer 0e99999999", "0")) == 1.0  # zero is zero


def test_one_boxed_format_check_runs_in_re2(monkeypatch, re2_spy):
    spec = {"type": "regex", "pattern": ONE_BOXED, "mode": "fullmatch"}
    with python_re_forbidden(monkeypatch):
        assert reward(grade(spec, "\\boxed{" * (N // 8))) == 0.0
        assert reward(grade(spec, "x" * N + "\\boxed{72}")) == 1.0
        assert reward(grade(spec, "\\boxed{1}" + "\\box" * (N // 4) + "\\boxed{2}")) == 0.0
    assert re2_spy.calls == 3


def test_overlong_inputs_score_zero_rather_than_being_truncated():
    # Truncating would let a hedge or a forbidden word hide past the cut.
    long = "x" * (linear.MAX_INPUT_CHARS + 1)
    assert reward(grade({"type": "regex", "pattern": "sorry", "negate": True}, long + "sorry")) == 0.0
    result = grade({"template": "classification", "labels": ["low", "high"]}, "low " + long + " high", "low")
    assert reward(result) == 0.0 and "response_too_long" in metric_names(result)
    spec, ref = ifeval_spec("length_constraints:number_words", num_words=100, relation="less than")
    assert reward(grade(spec, " " * 100_001 + "word " * 500, ref)) == 0.0
    assert reward(grade(spec, "word " * 50, ref)) == 1.0  # control


# ---- same results as the definitions they replace ---------------------------------------


def _old_split_sentences(text):
    abbreviations = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|vs|etc|e\.g|i\.e|Inc|Ltd|Co|No)\.$", re.IGNORECASE)
    pieces, current, pos = [], "", 0
    for match in re.finditer(r"(?<=[.!?])[\"')\]]*\s+|\n\s*\n", text):
        current += text[pos : match.start()]
        pos = match.end()
        if abbreviations.search(current.strip()):
            current += " "
            continue
        if current.strip():
            pieces.append(current.strip())
        current = ""
    current += text[pos:]
    return pieces + ([current.strip()] if current.strip() else [])


def _old_title(r):
    return any(t.lstrip("<").rstrip(">").strip() for t in re.findall(r"<<[^\n]+>>", r))


OLD_IFEVAL = {
    "bullets": (
        lambda r, n: len(re.findall(r"^\s*\*[^\*].*$", r, re.M)) + len(re.findall(r"^\s*-.*$", r, re.M)) == n,
        lambda r, n: ifeval.format_number_bullet_lists(r, num_bullets=n),
    ),
    "placeholders": (
        lambda r, n: len(re.findall(r"\[.*?\]", r)) >= n,
        lambda r, n: ifeval.content_number_placeholders(r, num_placeholders=n),
    ),
    "highlights": (
        lambda r, n: (
            len([h for h in re.findall(r"\*[^\n\*]*\*", r) if h.strip("*").strip()])
            + len([h for h in re.findall(r"\*\*[^\n\*]*\*\*", r) if h[2:-2].strip()])
            >= n
        ),
        lambda r, n: ifeval.format_number_highlighted_sections(r, num_highlights=n),
    ),
    "sections": (
        lambda r, n: len(re.split(r"\s?SECTION\s?\d+\s?", r)) - 1 >= n,
        lambda r, n: ifeval.format_multiple_sections(r, section_spliter="SECTION", num_sections=n),
    ),
    "postscript": (
        lambda r, n: re.search(r"\s*p\.\s?s\..*$", r.lower(), re.M) is not None,
        lambda r, n: ifeval.content_postscript(r, postscript_marker="P.S."),
    ),
    "forbidden": (
        lambda r, n: re.search(r"\b" + re.escape(["a", "é", "-a", "a-"][n % 4]) + r"\b", r, re.I) is None,
        lambda r, n: ifeval.keywords_forbidden_words(r, forbidden_words=[["a", "é", "-a", "a-"][n % 4]]),
    ),
    "frequency": (
        lambda r, n: len(re.findall("a", r, re.I)) >= n,
        lambda r, n: ifeval.keywords_frequency(r, keyword="a", frequency=n, relation="at least"),
    ),
    "words": (lambda r, n: len(re.findall(r"\w+", r)), lambda r, n: ifeval.count_words(r)),
    "capital_words": (
        lambda r, n: [w.replace("'", "-") for w in re.findall(r"\w+(?:[-']\w+)*", r)],
        lambda r, n: ifeval.capital_words(r),
    ),
    "sentences": (lambda r, n: _old_split_sentences(r), lambda r, n: ifeval.split_sentences(r)),
    "title": (lambda r, n: _old_title(r), lambda r, n: ifeval.format_title(r)),
}
ALPHABET = list("aA*-[]<>.!?\"') \n\t\u00a0\u2028éÉ,_'1") + [
    "Dr.",
    "e.g.",
    "P.S.",
    "p. s.",
    "***",
    "\n\n",
    "SECTION 1",
    "**x**",
    "<<t>>",
    "don't",
    "--",
]


@pytest.mark.parametrize("name", sorted(OLD_IFEVAL))
def test_ifeval_rewrites_agree_with_the_regex_definitions(name):
    old, new = OLD_IFEVAL[name]
    rng = random.Random(name)
    for _ in range(3000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 20)))
        n = rng.randint(0, 4)
        assert new(text, n) == old(text, n), (name, text, n)


def test_control_the_agreement_check_catches_a_different_matcher():
    old, _ = OLD_IFEVAL["bullets"]
    naive = lambda r, n: r.count("\n* ") + r.startswith("* ") == n  # noqa: E731
    assert any(old(t, 1) != naive(t, 1) for t in ["*\n* b", "  * a", "\n\n- a"])


def test_one_boxed_is_the_old_lookahead_pattern():
    old = re.compile(r"^(?!.*\\boxed.*\\boxed).*\\boxed\{.+\}", re.DOTALL)
    new = linear.compile(ONE_BOXED)
    parts = ["\\boxed", "\\boxed{", "{", "}", "\\", "b", "o", "x", "\\box", "\\boxe", "a", "\n"]
    rng = random.Random(3)
    for _ in range(20_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 8)))
        assert (new.fullmatch(text) is not None) == (old.search(text) is not None), text


def test_label_scan_is_the_old_lookaround_regex():
    rng = random.Random(4)
    for _ in range(5000):
        labels = sorted(
            {"".join(rng.choice("ab-") for _ in range(rng.randint(1, 3))) for _ in range(3)}, key=len, reverse=True
        )
        text = "".join(rng.choice("ab- é_") for _ in range(rng.randint(0, 15)))
        old = re.findall(r"(?<!\w)(" + "|".join(map(re.escape, labels)) + r")(?!\w)", text)
        assert label_match.named_labels(text, labels) == old, (text, labels)


@pytest.mark.xfail(
    strict=True,
    reason="the numeric primitive's reader and the math template's (rewritten for "
    "reward integrity) still differ on fractions split by line breaks and signs after "
    "symbols; one shared reader is open work (closing note of issue 10)",
)
def test_last_number_is_find_numbers_last():
    from rft_graders.math_answer import find_numbers

    rng = random.Random(5)
    parts = list("0123456789.,/ -+−$%x\n") + ["١٢", "1,000", " / "]
    for _ in range(5000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        found = find_numbers(text)
        assert numeric.last_number(text) == (found[-1] if found else None), text


def test_rouge_l_and_meteor_equal_the_quadratic_definitions():
    def lcs(a, b):
        previous = [0] * (len(b) + 1)
        for word in a:
            current = [0]
            for j, other in enumerate(b):
                current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
            previous = current
        return previous[-1]

    rng = random.Random(6)
    for _ in range(2000):
        a = [rng.choice("abcd") for _ in range(rng.randint(0, 25))]
        b = [rng.choice("abcde") for _ in range(rng.randint(0, 25))]
        assert text_metrics.lcs_length(a, b) == lcs(a, b)


def test_unicode_classes_match_pythons_w_and_s():
    spaces = {c for c in range(0x110000) if chr(c).isspace()}
    assert spaces == {c for a, b in linear.SPACE_CHARS for c in range(a, b + 1)}
    space = linear.compile(linear.SPACE)
    assert all(space.fullmatch(chr(c)) for c in sorted(spaces))
    word = linear.compile(linear.WORD)
    for code in range(0, 0x30000, 37):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or unicodedata.category(char) == "Cn":
            continue  # RE2's Unicode tables may be newer than this Python's
        assert (word.fullmatch(char) is not None) == bool(re.fullmatch(r"\w", char)), hex(code)


# ---- patterns RE2 cannot run are rejected when the spec is loaded -----------------------


@pytest.mark.parametrize(
    "spec, where, why",
    [
        ({"type": "regex", "pattern": r"(a)\1"}, "grader.pattern", "backreferences"),
        ({"type": "regex", "pattern": r"(?P<x>a)(?P=x)"}, "grader.pattern", "backreferences"),
        ({"type": "regex", "pattern": r"foo(?=bar)"}, "grader.pattern", "lookahead"),
        ({"type": "regex", "pattern": r"(?<!un)happy"}, "grader.pattern", "negative lookahead/lookbehind"),
        ({"type": "regex", "pattern": r"(?>a+)b"}, "grader.pattern", "atomic groups"),
        ({"type": "regex", "pattern": r"a++b"}, "grader.pattern", "possessive"),
        ({"type": "regex", "pattern": r"(a)?(?(1)b|c)"}, "grader.pattern", "conditional"),
        ({"type": "regex", "pattern": r"done\Z"}, "grader.pattern", r"\\Z"),
        ({"type": "regex", "pattern": "a[ab]{999}c"}, "grader.pattern", "too large"),
        ({"type": "regex", "pattern": "a{600}b{600}"}, "grader.pattern", "too large"),
        ({"type": "regex", "pattern": "(?:a{40}){40}"}, "grader.pattern", "repetition size"),
        ({"type": "regex", "pattern": "("}, "grader.pattern", "not a valid regular expression"),
        ({"type": "label_match", "answer_regex": r"(?<=Label: )(\w+)"}, "grader.answer_regex", "lookahead"),
        ({"type": "label_match", "answer_regex": r"Label: \w+"}, "grader.answer_regex", "capture group"),
        (
            {"template": "classification", "labels": ["a", "b"], "answer_regex": r"(\w)\1"},
            "grader.answer_regex",
            "backreferences",
        ),
        ({"type": "json_schema", "schema": {"type": "string", "pattern": "^(?!x)"}}, "grader.schema", "lookahead"),
        (
            {"template": "extraction", "schema": {"patternProperties": {r"(a)\1": {}}}},
            "grader.schema",
            "backreferences",
        ),
        (
            {"type": "json_schema", "schema": {"patternProperties": {"a": {}}, "unevaluatedProperties": False}},
            "grader.schema",
            "unevaluatedProperties",
        ),
    ],
)
def test_patterns_re2_cannot_run_are_config_errors(spec, where, why):
    with pytest.raises(GraderSpecError) as error:
        parse_grader_spec(spec)
    message = str(error.value)
    assert where in message and re.search(why, message), message
    assert "pattern" in message or "schema" in message


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "regex", "pattern": r"^\d{3}-\d{4}$"},
        {"type": "regex", "pattern": r"[\p{L}\p{N}_]+", "ignore_case": True},
        {"type": "regex", "pattern": r"(?i)^yes\b", "multiline": True, "dotall": True},
        {"type": "regex", "pattern": r"done\z"},
        {"type": "regex", "pattern": "a[ab]{998}c"},
        {"type": "label_match", "answer_regex": r"label:\s*(?P<l>\w+)"},
        {"type": "json_schema", "schema": {"patternProperties": {"^x-": {}}, "additionalProperties": False}},
    ],
)
def test_control_patterns_re2_can_run_are_accepted(spec):
    parse_grader_spec(spec)


def test_rejection_names_the_pattern_and_the_reason():
    with pytest.raises(GraderSpecError) as error:
        parse_grader_spec({"type": "regex", "pattern": r"(\d+)-\1"})
    assert r"(\\d+)-\\1" in str(error.value) and "RE2" in str(error.value)


# ---- budgets and deadlines (injected clock) ---------------------------------------------


class FakeClock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


class SlowOn(PerSampleGrader):
    """Scores 1; 'advances' the clock by the seconds written in the response."""

    name = "slow"

    def __init__(self, clock):
        self.clock = clock

    def grade_one(self, sample):
        self.clock.now += float(sample.output_text)
        return 1.0


def events(*responses):
    return [make_sample(r, sid=f"id{i}") for i, r in enumerate(responses)]


def test_deadline_skips_the_rest_with_grader_timeout_and_keeps_ids_aligned():
    clock = FakeClock()
    report = grade_batch(events("0.4", "0.4", "0.4", "0.4"), SlowOn(clock), deadline=100.7)
    assert [r["id"] for r in report.results] == ["id0", "id1", "id2", "id3"]
    assert [r["aggregate_reward_score"] for r in report.results] == [1.0, 1.0, 0.0, 0.0]
    assert [TIMEOUT_METRIC in metric_names(r) for r in report.results] == [False, False, True, True]
    assert report.timeouts == 2 and not report.errors


def test_control_without_a_deadline_every_sample_is_graded():
    report = grade_batch(events("0.4", "0.4", "0.4", "0.4"), SlowOn(FakeClock()))
    assert [r["aggregate_reward_score"] for r in report.results] == [1.0] * 4 and report.timeouts == 0


def test_a_sample_over_its_budget_scores_zero_and_its_neighbours_do_not():
    report = grade_batch(events("0.1", "1.5", "0.9"), SlowOn(FakeClock()))
    assert [r["aggregate_reward_score"] for r in report.results] == [1.0, 0.0, 1.0]
    assert TIMEOUT_METRIC in metric_names(report.results[1]) and report.timeouts == 1


def test_checkpoints_stop_a_long_instruction_following_sample():
    clock = FakeClock()
    ctx = BuildContext(judge_env=JudgeEnv(clock=clock))
    grader = build_grader({"type": "instruction_following", "mode": "loose"}, ctx)
    real = ifeval.check_instruction
    calls = []

    def slow_check(*args):
        calls.append(args[0])
        clock.now += 0.3  # each instruction check "takes" 0.3 s
        return real(*args)

    ref = {"instructions": [{"id": "punctuation:no_comma"}] * 10}
    import rft_graders.primitives.instruction_following as module

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "check_instruction", slow_check)
        result = grade_batch([make_sample("a\nb\nc", ref), make_sample("a", ref)], grader).results
    assert TIMEOUT_METRIC in metric_names(result[0]) and result[0]["aggregate_reward_score"] == 0.0
    assert len(calls) < 10 * 4 + 10  # stopped at the budget, not after every variant


def test_rule_graders_use_the_injected_run_clock_for_the_deadline():
    clock = FakeClock(0.0)
    ctx = BuildContext(judge_env=JudgeEnv(clock=clock))
    grader = build_grader({"type": "regex", "pattern": "a"}, ctx)
    assert grader.clock is clock
    clock.now = 5.0
    report = grade_batch(events("a", "a"), grader, deadline=4.0)
    assert [r["aggregate_reward_score"] for r in report.results] == [0.0, 0.0] and report.timeouts == 2
    clock.now = 1.0
    assert grade_batch(events("a", "a"), grader, deadline=4.0).timeouts == 0  # control


def test_multi_times_out_a_sample_whose_part_timed_out():
    clock = FakeClock()
    spec = {"type": "multi", "graders": {"r": {"type": "regex", "pattern": "sorry"}}, "calculate_output": "1 - r"}
    grader = build_grader(spec, BuildContext(judge_env=JudgeEnv(clock=clock)))
    # Without the rule, the timed-out part's 0 would make "1 - r" pay 1.
    report = grade_batch(events("x", "x"), grader, deadline=clock.now)
    assert [r["aggregate_reward_score"] for r in report.results] == [0.0, 0.0]
    assert all(TIMEOUT_METRIC in metric_names(r) for r in report.results)
    control = grade_batch(events("x", "x"), grader)
    assert [r["aggregate_reward_score"] for r in control.results] == [1.0, 1.0]


def test_graders_with_their_own_timeout_get_room_for_it():
    assert build_grader({"type": "regex", "pattern": "a"}).budget_s == 1.0
    assert build_grader({"type": "math", "timeout_s": 5}).budget_s == 16.0


def test_handler_gives_rule_graders_the_invocation_deadline(monkeypatch, capsys):
    from test_handler import load_handler

    class TimedContext:
        function_name = "grader"
        memory_limit_in_mb = 512
        invoked_function_arn = "arn:aws:lambda:us-west-2:123456789012:function:grader"
        aws_request_id = "req-1"

        def __init__(self, remaining_ms):
            self.remaining_ms = remaining_ms

        def get_remaining_time_in_millis(self):
            return self.remaining_ms

    monkeypatch.setattr(PerSampleGrader, "default_budget_s", PerSampleGrader.default_budget_s)
    handler = load_handler(
        monkeypatch, GRADER_SPEC=json.dumps({"type": "regex", "pattern": "a"}), JUDGE_DEADLINE_MARGIN_S="0"
    )
    out = handler.lambda_handler(events("a", "a", "a"), TimedContext(0))  # already out of time
    assert [r["id"] for r in out] == ["id0", "id1", "id2"]
    assert all(TIMEOUT_METRIC in metric_names(r) for r in out)
    assert '"GraderTimeouts"' in capsys.readouterr().out
    out = handler.lambda_handler(events("a", "b"), TimedContext(300_000))  # control
    assert [r["aggregate_reward_score"] for r in out] == [1.0, 0.0]


def test_handler_reads_the_rule_sample_budget(monkeypatch):
    from test_handler import load_handler

    monkeypatch.setattr(PerSampleGrader, "default_budget_s", PerSampleGrader.default_budget_s)
    load_handler(monkeypatch, GRADER_SPEC=json.dumps({"type": "regex", "pattern": "a"}), RULE_SAMPLE_BUDGET_S="2.5")
    assert build_grader({"type": "regex", "pattern": "a"}).budget_s == 2.5


def test_timed_out_results_are_zero_rewards_not_grader_errors():
    grade_result = GradeResult(0.0, metrics={TIMEOUT_METRIC: 1.0})
    assert grade_result.error is None
