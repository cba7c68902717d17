"""Grading behaviour: pass/fail, scoring, malformed input, batching, output and temp dirs."""

from rft_sandbox.runner import SandboxConfig, analyse_tests, prepare_tests, run_batch

MBPP_TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\nassert add(10, 5) == 15\n"
HUMANEVAL_TESTS = """
METADATA = {"author": "x"}

def check(candidate):
    assert candidate([1, 2, 3]) == [3, 2, 1]
    assert candidate([]) == []
    for n in range(5):
        assert candidate(list(range(n))) == list(range(n))[::-1]
"""


def test_correct_code_passes_mbpp_and_humaneval(make_run):
    results = run_batch(
        [
            make_run("def add(a, b):\n    return a + b\n", MBPP_TESTS),
            make_run("def rev(xs):\n    return xs[::-1]\n", HUMANEVAL_TESTS, entry_point="rev"),
        ]
    )
    assert results[0] == {"status": "passed", "passed": 3, "total": 3, "detail": "3/3 tests passed"}
    assert results[1]["status"] == "passed" and results[1]["passed"] == results[1]["total"] == 3


def test_wrong_code_fails_with_a_useful_detail(sandbox):
    result = sandbox("def add(a, b):\n    return a * b\n", MBPP_TESTS)
    assert result["status"] == "failed"
    assert "AssertionError" in result["detail"] and "2 == 3 is false" in result["detail"]


def test_fraction_scoring_counts_each_assert_independently(sandbox):
    # add() is right only for the second and third asserts; a failure must not stop the rest.
    code = "def add(a, b):\n    return a + b if a != 1 else 0\n"
    result = sandbox(code, MBPP_TESTS, scoring="fraction")
    assert (result["status"], result["passed"], result["total"]) == ("failed", 2, 3)


def test_fraction_scoring_inside_check_counts_asserts_not_iterations(sandbox):
    # Wrong only for empty input: assert #2 fails, and the looped assert #3 fails for n == 0.
    code = "def rev(xs):\n    return xs[::-1] if xs else [0]\n"
    result = sandbox(code, HUMANEVAL_TESTS, entry_point="rev", scoring="fraction")
    assert (result["passed"], result["total"]) == (1, 3)


def test_all_or_nothing_stops_at_first_failure(sandbox):
    code = "def add(a, b):\n    return a + b if a != 1 else 0\n"
    result = sandbox(code, MBPP_TESTS, scoring="all_or_nothing")
    assert (result["status"], result["passed"], result["total"]) == ("failed", 0, 3)


def test_prepare_tests_counts_asserts():
    statements, lines = prepare_tests(HUMANEVAL_TESTS)
    assert lines == [5, 6, 8] and len(statements) == 2


def test_candidate_syntax_error_is_a_failed_result(sandbox):
    result = sandbox("def add(a, b) return a + b", MBPP_TESTS)
    assert (result["status"], result["passed"], result["total"]) == ("failed", 0, 3)
    assert "SyntaxError" in result["detail"]


def test_broken_tests_or_runs_are_errors_for_that_run_only(make_run):
    good = make_run("def add(a, b):\n    return a + b\n", MBPP_TESTS)
    results = run_batch(
        [
            make_run(
                "x = 1",
                "assert x ==",
            ),  # tests do not parse
            make_run("x = 1", "x = 2"),  # no assert
            "not a dict",
            {"code": "x = 1"},  # no tests
            dict(good, scoring="best_of"),
            dict(good, timeout_s=-1),
            dict(good, entry_point="not an identifier"),
            good,
        ]
    )
    assert [r["status"] for r in results] == ["error"] * 7 + ["passed"]
    assert all(len(r["detail"]) < 200 for r in results)


def test_missing_entry_point_fails(sandbox):
    result = sandbox("def other(xs):\n    return xs\n", HUMANEVAL_TESTS, entry_point="rev")
    assert result["status"] == "failed" and "'rev'" in result["detail"]


def test_batch_keeps_order_and_runs_in_parallel(make_run):
    # The first runs are slowest, so completion order differs from request order.
    runs = [
        make_run(f"import time\ntime.sleep({0.6 - 0.15 * i})\ndef f():\n    return {i}\n", f"assert f() == {i}")
        for i in range(4)
    ]
    results = run_batch(runs, SandboxConfig(max_parallel=4))
    assert [r["status"] for r in results] == ["passed"] * 4
    wrong = run_batch([make_run("def f():\n    return 1\n", "assert f() == 0"), runs[3]])
    assert [r["status"] for r in wrong] == ["failed", "passed"]
    # The speed-up of parallel runs is a figure, not an assertion: benchmarks/sandbox_limits.py.


def test_output_is_truncated(sandbox):
    code = "import sys\nfor _ in range(2000):\n    print('x' * 10000)\nprint('THE END')\n"
    result = sandbox(code, "assert False")
    assert result["status"] == "failed"
    assert len(result["detail"]) <= 1000


def test_temp_dir_is_usable_and_removed(sandbox, tmp_path):
    root = tmp_path / "sandboxes"
    root.mkdir()
    code = (
        "import os\n"
        "with open('scratch.txt', 'w') as fh:\n    fh.write('hello')\n"
        "os.mkdir('sub')\n"
        "def here():\n    return open('scratch.txt').read(), os.environ['HOME'] == os.getcwd()\n"
    )
    result = sandbox(code, "assert here() == ('hello', True)", SandboxConfig(tmp_root=str(root)))
    assert result["status"] == "passed", result
    assert list(root.iterdir()) == []


def test_analyse_tests_marks_repeatable_asserts_and_wanted_names():
    tests = (
        "import math\n"
        "def helper(x):\n    assert f(x) >= 0\n"
        "def check(candidate):\n    assert candidate(1) == 2\n"
        "    for i in range(3):\n        assert candidate(i) == 2 * i\n"
        "    if True:\n        assert abs(g(1)) == 1\n"
        "for k in range(2):\n    assert helper(k) is None\n"
        "assert math.isclose(CONST, 1.0)\n"
    )
    _, lines, repeatable, wanted = analyse_tests(tests, "f")
    assert lines == [3, 5, 7, 9, 11, 12]
    assert repeatable == [True, False, True, False, True, False]
    # abs/range/math/helper/candidate are not the candidate's to provide.
    assert wanted == ["CONST", "f", "g"]


def test_straight_line_asserts_keep_their_result_when_a_later_loop_raises(sandbox):
    code = "def twice(x):\n    if x > 1:\n        raise ValueError\n    return 2 * x\n"
    tests = (
        "def check(candidate):\n    assert candidate(1) == 2\n"
        "    for x in range(4):\n        y = candidate(x)\n        assert y == 2 * x\n"
    )
    result = sandbox(code, tests, entry_point="twice", scoring="fraction")
    assert (result["status"], result["passed"], result["total"]) == ("failed", 1, 2), result
    assert "ValueError" in result["detail"]


def test_candidate_exceptions_arrive_as_builtin_types(sandbox):
    code = "def parse(s):\n    return int(s)\n"
    tests = (
        "try:\n    parse('x')\n    raised = None\nexcept ValueError as exc:\n"
        "    raised = type(exc).__name__\nassert raised == 'ValueError'\n"
        "assert parse('12') == 12\n"
    )
    assert sandbox(code, tests)["status"] == "passed"


def test_plain_data_round_trips_through_the_call(sandbox):
    code = (
        "def echo(x):\n    return x\n"
        "def shape():\n    return {(1, 2): {3, 4}, 'b': b'\\x00', 'f': frozenset([1]),"
        " 'c': 1j, 'n': None, 't': (True, 1, 1.0)}\n"
    )
    tests = (
        "assert shape() == {(1, 2): {3, 4}, 'b': b'\\x00', 'f': frozenset([1]), 'c': 1j,"
        " 'n': None, 't': (True, 1, 1.0)}\n"
        "assert type(shape()['t'][0]) is bool and type(echo((1,))) is tuple\n"
        "assert echo(float('inf')) == float('inf') and echo([]) == []\n"
        "assert echo(2 ** 100) == 2 ** 100\n"
    )
    result = sandbox(code, tests)
    assert result["status"] == "passed", result


def test_tests_may_use_a_module_the_program_imported(sandbox):
    """MBPP files often use `math` without importing it (the program did). The tests get their
    own clean import of the module of the name they read, whatever the program bound to it."""
    code = (
        "import math\nimport statistics as re\nmath.isclose = lambda *a, **k: True\n"
        "def area(r):\n    return 3 * r * r\n"
    )
    tests = "assert math.isclose(area(1), 3.141592653589793)\nassert re.sub('a', 'b', 'aa') == 'bb'\n"
    result = sandbox(code, tests, scoring="fraction")
    assert (result["passed"], result["total"]) == (1, 2), result
    assert "test 1" in result["detail"], result  # the patched isclose did not travel


def test_common_library_features_work_in_candidate_code(sandbox):
    code = (
        "from dataclasses import dataclass\nfrom typing import List, NamedTuple\n"
        "from functools import lru_cache\nfrom collections import namedtuple, Counter\n"
        "import heapq, itertools, re, enum\n"
        "@dataclass\nclass P:\n    x: int\n"
        "class Color(enum.Enum):\n    RED = 1\n"
        "Pt = namedtuple('Pt', 'x y')\n"
        "@lru_cache(maxsize=None)\ndef fib(n: int) -> int:\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
        "def run(xs: List[int]) -> list:\n"
        "    return [fib(30), P(1).x, Pt(1, 2).x, Color.RED.value, heapq.nsmallest(1, xs),"
        " dict(Counter('aab')), re.findall('a', 'aa'), list(itertools.islice(xs, 2))]\n"
    )
    result = sandbox(code, "assert run([3, 1, 2]) == [832040, 1, 1, 1, [1], {'a': 2, 'b': 1}, ['a', 'a'], [3, 1]]\n")
    assert result["status"] == "passed", result


def test_local_names_of_test_functions_do_not_hide_the_candidates():
    tests = (
        "def check(add):\n    assert add(1, 2) == 3\n"
        "assert add(2, 2) == 4\nfor i in range(2):\n    assert twice(i) == [j * 2 for j in [i]][0]\n"
    )
    _, _, _, wanted = analyse_tests(tests, "add")
    assert wanted == ["add", "twice"]  # i and j are bound by the tests, range is a builtin
