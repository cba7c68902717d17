"""Python graders never score a silent 0: imports the sandbox cannot satisfy are refused when
the spec is parsed, and anything that still fails in the sandbox (a dynamic import, an
exception in grade()) is a per-sample error, not a score.

Runs the real code sandbox (``sandbox_runner``), since what matters is how the real one
reports failures; FakeSandbox reports them differently.
"""

import ast
from pathlib import Path

import pytest
from grader_testkit import make_sample

from rft.local_sandbox import LocalSandboxClient
from rft_graders.batch import grade_batch
from rft_graders.build import BuildContext, build_grader
from rft_graders.spec import GraderSpecError, parse_grader_spec

HARNESS = Path(__file__).resolve().parents[3] / "lambda" / "code_sandbox" / "rft_sandbox" / "zygote.py"


@pytest.fixture(scope="module")
def sandbox():
    return LocalSandboxClient()


def grade_source(source, sandbox, responses=("Paris",), validate=True):
    spec = {"type": "python", "source": source}
    if not validate:  # what a spec that slipped past validation would do at run time
        from rft_graders.primitives.python_grader import SandboxPythonGrader
        from rft_graders.spec_primitives import PythonSpec

        grader = SandboxPythonGrader(
            PythonSpec.model_construct(
                type="python",
                name="python",
                source=source,
                module=None,
                image_tag=None,
                pass_threshold=None,
                timeout_s=10.0,
            ),
            BuildContext(sandbox=sandbox),
        )
    else:
        grader = build_grader(spec, BuildContext(sandbox=sandbox))
    samples = [make_sample(r, "Paris", sid=str(i)) for i, r in enumerate(responses)]
    return grade_batch(samples, grader)


def errors_of(result):
    return {m["name"]: m["value"] for m in result["metrics_list"]}.get("grader_error")


# --- spec time: imports the sandbox cannot satisfy ----------------------------------------------

THIRD_PARTY = [
    "import numpy as np\ndef grade(sample, item):\n    return float(np.mean([1.0]))\n",
    "from rapidfuzz import fuzz\ndef grade(sample, item):\n    return fuzz.ratio(sample['output_text'], item['reference_answer']) / 100\n",
    "def grade(sample, item):\n    import sympy\n    return 1.0\n",  # inside the function
    "import json, scipy.stats\ndef grade(sample, item):\n    return 1.0\n",
    "import importlib\nnp = importlib.import_module('numpy')\ndef grade(sample, item):\n    return 1.0\n",
    "def grade(sample, item):\n    return __import__('pandas') and 1.0\n",
    "from importlib import import_module\ndef grade(sample, item):\n    return import_module('jsonschema') and 1.0\n",
]
DENIED = [
    "import subprocess\ndef grade(sample, item):\n    return 1.0\n",
    "import socket\ndef grade(sample, item):\n    return 1.0\n",
    "from multiprocessing import Pool\ndef grade(sample, item):\n    return 1.0\n",
    "import asyncio\ndef grade(sample, item):\n    return 1.0\n",
    "import ctypes\ndef grade(sample, item):\n    return 1.0\n",
]


@pytest.mark.parametrize("source", THIRD_PARTY + DENIED)
def test_imports_the_sandbox_cannot_satisfy_are_spec_errors(source):
    with pytest.raises(GraderSpecError, match="cannot import") as info:
        parse_grader_spec({"type": "python", "source": source})
    assert "standard library" in str(info.value)


def test_the_spec_error_names_every_missing_module_once():
    source = "import numpy\nimport numpy.linalg\nfrom rapidfuzz import fuzz\ndef grade(s, i):\n    return 1.0\n"
    with pytest.raises(GraderSpecError) as info:
        parse_grader_spec({"type": "python", "source": source})
    message = str(info.value)
    assert "numpy (line 1" in message and "rapidfuzz (line 3" in message and message.count("numpy (") == 1


def test_relative_imports_are_spec_errors():
    with pytest.raises(GraderSpecError, match="relative import"):
        parse_grader_spec({"type": "python", "source": "from . import helpers\ndef grade(s, i):\n    return 1.0\n"})


def test_syntax_errors_are_spec_errors():
    with pytest.raises(GraderSpecError, match="does not parse"):
        parse_grader_spec({"type": "python", "source": "def grade(sample, item)\n    return 1\n"})


STDLIB_OK = (
    "from __future__ import annotations\n"
    "import json, re, math, difflib, unicodedata, statistics, collections.abc, datetime\n"
    "from fractions import Fraction\nfrom decimal import Decimal\nimport xml.etree.ElementTree as ET\n"
    "import importlib\nstring = importlib.import_module('string')\n"
    "def grade(sample, item):\n"
    "    a, b = sample['output_text'].lower(), item['reference_answer'].lower()\n"
    "    return difflib.SequenceMatcher(None, a, b).ratio()\n"
)


def test_control_stdlib_imports_validate_and_run(sandbox):
    parse_grader_spec({"type": "python", "source": STDLIB_OK})
    report = grade_source(STDLIB_OK, sandbox, ["Paris", "Lyon"])
    scores = [r["aggregate_reward_score"] for r in report.results]
    assert scores[0] == 1.0 and 0.0 <= scores[1] < 0.5 and not report.errors


def test_control_module_graders_are_not_import_checked():
    """module graders are reviewed repo code run in-process, with the grader's packages."""
    parse_grader_spec({"type": "python", "module": "team_grader_example"})


def test_our_deny_list_covers_the_sandbox_harness():
    """The harness refuses these imports at run time; the static check must refuse them too.
    Fails when the harness's list grows and ours is not updated."""
    from rft_graders.primitives.python_grader import SANDBOX_DENIED_IMPORTS

    tree = ast.parse(HARNESS.read_text())
    harness = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_DENY_IMPORTS" for t in node.targets):
            harness = {elt.value for elt in node.value.args[0].elts}
    assert harness, "rft_sandbox/zygote.py no longer defines _DENY_IMPORTS: update this test and SANDBOX_DENIED_IMPORTS"
    assert harness <= SANDBOX_DENIED_IMPORTS, sorted(harness - SANDBOX_DENIED_IMPORTS)


# --- run time: never a silent 0 ---------------------------------------------------------------


def test_a_third_party_import_that_slips_past_validation_is_an_error_per_sample(sandbox):
    for source in (THIRD_PARTY[0], THIRD_PARTY[2]):  # module level, and inside grade()
        report = grade_source(source, sandbox, ["Paris", "Lyon"], validate=False)
        assert [errors_of(r) for r in report.results] == [1.0, 1.0]
        assert all("cannot import" in e.reason for e in report.errors), [e.reason for e in report.errors]


def test_a_dynamic_import_the_static_check_cannot_see_is_an_error_per_sample(sandbox):
    source = "def grade(sample, item):\n    name = 'num' + 'py'\n    return __import__(name) and 1.0\n"
    parse_grader_spec({"type": "python", "source": source})  # not constant: passes the static check
    report = grade_source(source, sandbox)
    assert errors_of(report.results[0]) == 1.0 and "cannot import" in report.errors[0].reason


def test_an_exception_in_grade_is_an_error_not_a_zero(sandbox):
    source = "def grade(sample, item):\n    return {'Paris': 1.0}[sample['output_text']]\n"  # KeyError on others
    report = grade_source(source, sandbox, ["Paris", "Lyon"])
    assert [r["aggregate_reward_score"] for r in report.results] == [1.0, 0.0]
    assert [errors_of(r) for r in report.results] == [None, 1.0]
    assert "grade() raised" in report.errors[0].reason


def test_an_error_at_module_level_is_an_error_not_a_zero(sandbox):
    report = grade_source("x = 1 / 0\ndef grade(sample, item):\n    return 1.0\n", sandbox)
    assert errors_of(report.results[0]) == 1.0


def test_a_missing_grade_function_is_an_error(sandbox):
    report = grade_source("def score(sample, item):\n    return 1.0\n", sandbox, validate=False)
    assert errors_of(report.results[0]) == 1.0


@pytest.mark.parametrize("value, expected", [(0.0, 0.0), (0, 0.0), (0.37, 0.37), (1.0, 1.0), (1, 1.0)])
def test_control_real_zeros_and_other_scores_are_scores(sandbox, value, expected):
    report = grade_source(f"def grade(sample, item):\n    return {value!r}\n", sandbox)
    assert report.results[0]["aggregate_reward_score"] == pytest.approx(expected) and not report.errors


@pytest.mark.parametrize("value", ["'0.9'", "None", "float('nan')", "[1]"])
def test_a_non_number_from_grade_is_an_error(sandbox, value):
    report = grade_source(f"def grade(sample, item):\n    return {value}\n", sandbox)
    assert errors_of(report.results[0]) == 1.0


@pytest.mark.parametrize("value, expected", [(-3, 0.0), (7, 1.0)])
def test_out_of_range_numbers_are_clamped_as_before(sandbox, value, expected):
    report = grade_source(f"def grade(sample, item):\n    return {value}\n", sandbox)
    assert report.results[0]["aggregate_reward_score"] == expected and not report.errors


def test_a_policy_cannot_fake_the_grader_running_by_crafting_its_output(sandbox):
    """The output reaches grade() as data only; a response that makes grade() raise gets an
    error (0 reward, counted), never more than a fair score."""
    source = "import json\ndef grade(sample, item):\n    return float(json.loads(sample['output_text'])['score'])\n"
    report = grade_source(source, sandbox, ['{"score": 0.5}', "not json", '{"score": "1e9"}'])
    assert [r["aggregate_reward_score"] for r in report.results] == [0.5, 0.0, 1.0]
    assert [errors_of(r) for r in report.results] == [None, 1.0, None]


def test_a_number_too_large_for_a_float_is_an_error_not_a_crash(sandbox):
    report = grade_source("def grade(sample, item):\n    return 10 ** 400\n", sandbox)
    assert errors_of(report.results[0]) == 1.0 and "non-number" in report.errors[0].reason


ALLOWED = [
    "json",
    "re",
    "difflib",
    "decimal",
    "datetime",
    "csv",
    "html.parser",
    "xml.etree.ElementTree",
    "urllib.parse",
    "string",
    "textwrap",
    "unicodedata",
    "statistics",
    "hashlib",
    "base64",
    "zlib",
    "typing",
    "dataclasses",
    "enum",
    "itertools",
    "functools",
    "collections",
    "fractions",
    "heapq",
    "bisect",
    "copy",
    "pprint",
    "zoneinfo",
    "uuid",
    "threading",
    "email",
    "logging",
    "concurrent.futures",
    "ast",
    "tomllib",
]
REFUSED = [
    "email.utils",
    "email.message",
    "unittest",
    "logging.handlers",
    "http.client",
    "urllib.request",
    "xml.sax.saxutils",
    "importlib.metadata",
    "doctest",
    "smtplib",
    "subprocess",
    "socket",
    "asyncio",
]


def test_the_static_check_agrees_with_the_sandbox(sandbox):
    """Modules the check lets through import in the real sandbox; modules it refuses fail
    there (a refused-but-working module would be a needless spec error)."""
    from rft_graders.primitives.python_grader import check_source_imports

    for name in ALLOWED:
        check_source_imports(f"import {name}\n")
    for name in REFUSED:
        with pytest.raises(ValueError, match="cannot import"):
            check_source_imports(f"import {name}\n")
    names = ALLOWED + REFUSED
    runs = [
        {
            "code": f"import {n}\ndef grade(sample, item):\n    return 1.0\n",
            "tests": "assert grade(None, None) == 1.0\n",
            "entry_point": None,
            "scoring": "fraction",
            "timeout_s": 20.0,
        }
        for n in names
    ]
    results = sandbox.run_batch(runs)
    imported = {n: r["status"] == "passed" for n, r in zip(names, results, strict=False)}
    assert [n for n in ALLOWED if not imported[n]] == []
    assert [n for n in REFUSED if imported[n]] == []


def test_from_imports_of_refused_submodules_are_refused():
    with pytest.raises(GraderSpecError, match="email.utils"):
        parse_grader_spec({"type": "python", "source": "from email import utils\ndef grade(s, i):\n    return 1.0\n"})
    parse_grader_spec({"type": "python", "source": "from email import errors\ndef grade(s, i):\n    return 1.0\n"})


def test_a_forbidden_import_at_module_level_names_the_module(sandbox):
    report = grade_source("import email.utils\ndef grade(sample, item):\n    return 1.0\n", sandbox, validate=False)
    assert "cannot import socket" in report.errors[0].reason


def test_a_source_that_shadows_builtins_and_harness_names_is_still_scored_right(sandbox):
    source = (
        "_level = 999\n_value = 1.0\n"
        "def sum(xs):\n    return 1000\n"
        "def range(*a):\n    return []\n"
        "def max(*a):\n    return 1000\n"
        "def grade(sample, item):\n    return 0.25\n"
    )
    report = grade_source(source, sandbox)
    assert report.results[0]["aggregate_reward_score"] == pytest.approx(0.25) and not report.errors
    failing = source.replace("return 0.25", "raise ValueError('no')")
    report = grade_source(failing, sandbox)
    assert errors_of(report.results[0]) == 1.0
