"""Grading behaviour: pass/fail, scoring, malformed input, batching, output and temp dirs."""


from sandbox_runner import SandboxConfig, prepare_tests, run_batch

MBPP_TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\nassert add(10, 5) == 15\n"
HUMANEVAL_TESTS = '''
METADATA = {"author": "x"}

def check(candidate):
    assert candidate([1, 2, 3]) == [3, 2, 1]
    assert candidate([]) == []
    for n in range(5):
        assert candidate(list(range(n))) == list(range(n))[::-1]
'''


def test_correct_code_passes_mbpp_and_humaneval(make_run):
    results = run_batch([
        make_run("def add(a, b):\n    return a + b\n", MBPP_TESTS),
        make_run("def rev(xs):\n    return xs[::-1]\n", HUMANEVAL_TESTS, entry_point="rev"),
    ])
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
    results = run_batch([
        make_run("x = 1", "assert x ==", ),  # tests do not parse
        make_run("x = 1", "x = 2"),  # no assert
        "not a dict",
        {"code": "x = 1"},  # no tests
        dict(good, scoring="best_of"),
        dict(good, timeout_s=-1),
        dict(good, entry_point="not an identifier"),
        good,
    ])
    assert [r["status"] for r in results] == ["error"] * 7 + ["passed"]
    assert all(len(r["detail"]) < 200 for r in results)


def test_missing_entry_point_fails(sandbox):
    result = sandbox("def other(xs):\n    return xs\n", HUMANEVAL_TESTS, entry_point="rev")
    assert result["status"] == "failed" and "'rev'" in result["detail"]


def test_batch_keeps_order_and_runs_in_parallel(make_run):
    # The first runs are slowest, so completion order differs from request order.
    runs = [make_run(f"import time\ntime.sleep({0.6 - 0.15 * i})\ndef f():\n    return {i}\n",
                     f"assert f() == {i}") for i in range(4)]
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
    code = ("import os\n"
            "with open('scratch.txt', 'w') as fh:\n    fh.write('hello')\n"
            "os.mkdir('sub')\n"
            "def here():\n    return open('scratch.txt').read(), os.environ['HOME'] == os.getcwd()\n")
    result = sandbox(code, "assert here() == ('hello', True)", SandboxConfig(tmp_root=str(root)))
    assert result["status"] == "passed", result
    assert list(root.iterdir()) == []
