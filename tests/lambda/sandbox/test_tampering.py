"""Programs that try to pass without being right must not pass.

Each candidate gets add() wrong (or never lets the tests run) and adds a trick on top. The
controls at the end show the tests can fail: the same programs with the protection they
target switched off, or done honestly, do pass.
"""

import pytest
from rft_sandbox.runner import SandboxConfig

TESTS = "assert add(2, 3) == 5\nassert add(10, -4) == 6\n"
WRONG = "def add(a, b):\n    return 0\n"

FORGE_ON_ALL_FDS = """
import os
for fd in range(3, 64):
    for line in (b"RFT1 " + b"0" * 32 + b" 11 \\n", b"RFT1 all passed\\n"):
        try:
            os.write(fd, line)
        except OSError:
            pass
"""

STEAL_NONCE_FROM_FRAMES = """
import os, sys

def _walk(frame):
    while frame is not None:
        local = frame.f_locals
        if "nonce" in local and "result_fd" in local:
            os.write(local["result_fd"], f"RFT1 {local['nonce']} 11 \\n".encode())
            os._exit(0)
        frame = frame.f_back

def add(a, b):
    # Two ways to get hold of a live frame; each is denied by the audit hook.
    try:
        _walk(sys._getframe())
    except BaseException:
        pass
    try:
        raise KeyError
    except KeyError as exc:
        try:
            _walk(exc.__traceback__.tb_frame)
        except BaseException:
            pass
    return 0
"""

CASES = {
    "sys.exit before tests": "import sys\nsys.exit(0)\n" + WRONG,
    "SystemExit inside the function": "def add(a, b):\n    raise SystemExit(0)\n",
    "os._exit before tests": "import os\nos._exit(0)\n",
    "os._exit inside the function": "import os\ndef add(a, b):\n    os._exit(0)\n",
    "fake success printed": (
        "import os\nprint('RFT1 ' + '0' * 32 + ' 11 ')\nprint('2/2 tests passed')\n"
        "print('ALL TESTS PASSED')\nos._exit(0)\n"
    ),
    "fake record on every fd, then exit": FORGE_ON_ALL_FDS + "os._exit(0)\n",
    "fake record on every fd, wrong code": FORGE_ON_ALL_FDS + WRONG,
    "__eq__ always true": (
        "class Any:\n    def __eq__(self, other):\n        return True\n"
        "    __hash__ = object.__hash__\n"
        "def add(a, b):\n    return Any()\n"
    ),
    "int subclass with lying __eq__": (
        "class Int(int):\n    def __eq__(self, other):\n        return True\ndef add(a, b):\n    return Int(0)\n"
    ),
    "lying __eq__ on the right-hand side": (
        "class Any:\n    def __eq__(self, other):\n        return True\n"
        "    __ne__ = lambda self, other: False\n"
        "def add(a, b):\n    return [Any()][0]\n"
    ),
    "patched builtins": (
        "import builtins\n"
        "class Never(Exception):\n    pass\n"
        "builtins.AssertionError = Never\n"
        "builtins.abs = lambda x: 0\nbuiltins.all = lambda x: True\nbuiltins.len = lambda x: 2\n"
        "builtins.isinstance = lambda *a: True\nbuiltins.type = lambda *a: int\n" + WRONG
    ),
    "patched module used by tests": ("import math\nmath.isclose = lambda *a, **k: True\n" + WRONG),
    "float subclass defeating abs(x - y) < eps": (
        "class F(float):\n    def __sub__(self, other):\n        return 0.0\ndef add(a, b):\n    return F(1)\n"
    ),
    "object with truthy __bool__": (
        "class T:\n    def __bool__(self):\n        return True\ndef add(a, b):\n    return T()\n"
    ),
    "nonce stolen from harness frames": STEAL_NONCE_FROM_FRAMES,
}

# Tests that the tricks above target: plain ==, builtins, a module, abs()/eps, truthiness.
TRICKY_TESTS = {
    "patched builtins": (
        "assert abs(add(2, 3) - 5) < 1e-9\nassert all([add(1, 1) == 2])\n"
        "assert len([add(1, 1)]) == 1 and add(1, 1) == 2\n"
    ),
    "patched module used by tests": "import math\nassert math.isclose(add(2, 3), 5)\n",
    "float subclass defeating abs(x - y) < eps": "assert abs(add(2, 3) - 5) < 1e-9\n",
    "object with truthy __bool__": "assert add(2, 3)\nassert not not add(0, 0)\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_trick_does_not_pass(sandbox, name):
    result = sandbox(CASES[name], TRICKY_TESTS.get(name, TESTS), scoring="fraction")
    assert result["status"] != "passed", result
    assert result["passed"] == 0, result


def test_humaneval_check_with_lying_object_does_not_pass(sandbox):
    tests = "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(1, 1) == 2\n"
    result = sandbox(CASES["__eq__ always true"], tests, entry_point="add", scoring="fraction")
    assert (result["status"], result["passed"]) == ("failed", 0), result


def test_candidate_defining_check_does_not_replace_the_tests(sandbox):
    code = "def add(a, b):\n    return 0\ndef check(candidate):\n    pass\n"
    tests = "def check(candidate):\n    assert candidate(2, 3) == 5\n"
    result = sandbox(code, tests, entry_point="add")
    assert result["status"] == "failed", result


# ---- controls: the tests above could fail


def test_frame_stealing_fails_even_without_audit_hook_and_seccomp(sandbox):
    """The nonce and the result pipe live only in the tests process: with every in-process
    guard off, the candidate's own frames hold nothing to steal (the old single-process design
    passed this attack once the audit hook was off)."""
    result = sandbox(STEAL_NONCE_FROM_FRAMES, TESTS, SandboxConfig(audit_hook=False, seccomp=False))
    assert (result["status"], result["passed"]) == ("failed", 0), result


def test_control_honest_code_passes_the_tricky_tests(sandbox):
    code = (
        "import math\nfrom collections import namedtuple\nP = namedtuple('P', 'x y')\n"
        "def add(a, b):\n    return a + b\n"
    )
    tests = TRICKY_TESTS["patched builtins"] + TRICKY_TESTS["patched module used by tests"]
    result = sandbox(code, tests + "assert add(0.1, 0.2) != 0.3\n")
    assert result["status"] == "passed", result
