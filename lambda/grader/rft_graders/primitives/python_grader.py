"""OpenAI python graders: ``grade(sample, item) -> float``.

- ``module``: team code that lives and is reviewed in the repo; imported once and called
  in-process (fast, full Python, the grader function's own packages).
- ``source``: inline code, typically pasted from OpenAI grader JSON. It is not part of the
  reviewed package and may do anything, so it runs where model-written code runs: in the
  code sandbox (no credentials, no network, limits), matching OpenAI's own sandboxed python
  grader.

Never a silent 0. The sandbox child runs ``python -I -S`` with no threads or processes, so
it has the standard library only (no numpy, rapidfuzz...), minus the modules it forbids.
``check_source_imports`` refuses, when the spec is parsed (``rft grade --validate``, synth),
every import the sandbox cannot satisfy that can be seen statically; at run time the harness
below reports how far the code got, so whatever still fails (a dynamic import, an exception
in ``grade()``, a non-number) is a per-sample grader error, never a score of 0.

The score travels back through the sandbox's pass/fail contract (``passed`` = number of
assert statements that held): the generated tests compute a *level* and assert
``level >= 1`` ... ``level >= TOTAL`` in ascending order, so ``passed`` = the level whether
the sandbox counts every assert or stops at the first failure. Levels:

- 0: the tests never ran (the source failed at import time: an import or module-level error)
- 1: no ``grade`` function; 2: ``grade()`` raised ImportError; 3: ``grade()`` raised
  something else; 4: it returned a non-number (bool, str, None, NaN, inf)
- 5 + k: it returned a number; k = how many of 0.01 ... 1.00 it reaches, so the score is
  ``k / 100`` (rounded down to 1%, clamped to [0, 1]).
"""

from __future__ import annotations

import ast
import importlib
import json
import math
import re
import sys

from ..base import GradeResult, PerSampleGrader
from ..errors import SampleGradingError
from ..sandbox_client import failure_reason, run_status_ok, safe_run_batch

_STEPS = 100
_SCORED = 5  # the first level that carries a score
TOTAL = _SCORED + _STEPS

# Imports the sandbox refuses (lambda/code_sandbox/sandbox_zygote.py, _DENY_IMPORTS; copied
# because the grader cannot import the sandbox's code; a test checks ours covers it).
SANDBOX_DENIED_IMPORTS = frozenset(
    {
        "ctypes",
        "_ctypes",
        "signal",
        "_signal",
        "_posixsubprocess",
        "subprocess",
        "multiprocessing",
        "_multiprocessing",
        "pty",
        "socket",
        "_socket",
        "ssl",
        "_ssl",
        "asyncio",
        "_testcapi",
        "_testinternalcapi",
        "_testmultiphase",
        "_xxsubinterpreters",
        "_interpreters",
        "_xxinterpchannels",
        "_interpchannels",
        "_interpqueues",
        "mmap",
        "faulthandler",
        "resource",
    }
)
# Standard-library modules that import one of those when imported, so they fail in the
# sandbox too (measured on CPython 3.11 by importing each stdlib module in a fresh
# interpreter; a name, or any dotted name under it). Best effort: the run-time levels catch
# whatever this misses.
NEEDS_DENIED_IMPORTS = frozenset(
    {
        "_aix_support",
        "_asyncio",
        "asynchat",
        "asyncore",
        "cgi",
        "doctest",
        "ensurepip",
        "ftplib",
        "imaplib",
        "mailbox",
        "nntplib",
        "pdb",
        "poplib",
        "smtpd",
        "smtplib",
        "socketserver",
        "telnetlib",
        "unittest",
        "venv",
        "webbrowser",
        "http.client",
        "http.cookiejar",
        "http.server",
        "urllib.request",
        "urllib.robotparser",
        "xmlrpc",
        "logging.config",
        "logging.handlers",
        "concurrent.futures.process",
        "wsgiref.simple_server",
        "xml.sax.expatreader",
        "xml.sax.saxutils",
        "importlib.metadata",
        "email._header_value_parser",
        "email._policybase",
        "email.contentmanager",
        "email.feedparser",
        "email.generator",
        "email.headerregistry",
        "email.message",
        "email.mime",
        "email.parser",
        "email.policy",
        "email.utils",
    }
)
_IMPORT_FUNCTIONS = {"__import__", "import_module"}  # __import__(name), importlib.import_module(name)


def build_python_grader(spec, ctx):
    if spec.module is not None:
        return ModulePythonGrader(spec)
    return SandboxPythonGrader(spec, ctx)


def _score_metrics(spec, score: float) -> dict:
    return {} if spec.pass_threshold is None else {f"{spec.name}_pass": float(score >= spec.pass_threshold)}


# --- static import check (spec time) --------------------------------------------------------


def imported_modules(tree: ast.AST) -> list[tuple[str, int]]:
    """(dotted module name, line) for every import the source can be seen to make:
    ``import a.b``, ``from a import b`` (as ``a`` and ``a.b``: b may be a submodule), and
    ``__import__("a")`` / ``importlib.import_module("a")`` with a constant name. A relative
    import comes back with a leading dot."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append(("." * node.level + (node.module or ""), node.lineno))
            elif node.module:
                found.append((node.module, node.lineno))
                found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            first = node.args[0]
            if name in _IMPORT_FUNCTIONS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, node.lineno))
    return found


def _refusal(module: str) -> str | None:
    """Why the sandbox cannot import ``module`` (None when it can, as far as can be told)."""
    parts = module.split(".")
    if parts[0] not in sys.stdlib_module_names:
        return "not in the standard library"
    if parts[0] in SANDBOX_DENIED_IMPORTS:
        return "forbidden in the sandbox"
    if any(".".join(parts[:i]) in NEEDS_DENIED_IMPORTS for i in range(1, len(parts) + 1)):
        return "needs a module forbidden in the sandbox"
    return None


def check_source_imports(source: str) -> None:
    """Raise ValueError naming every import of ``source`` that the sandbox cannot satisfy."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"source does not parse: {exc.msg} (line {exc.lineno})") from None
    problems: dict[str, str] = {}
    for module, line in imported_modules(tree):
        if module.startswith("."):
            raise ValueError(f"source line {line}: relative import {module!r}; inline source is a single module")
        reason = _refusal(module)
        if reason is None:
            continue
        top = module.split(".")[0] if reason == "not in the standard library" else module
        # from a import b yields a and a.b: report a third-party package once, by its name
        problems.setdefault(top, f"{top} (line {line}, {reason})")
    if problems:
        raise ValueError(
            "source cannot import " + ", ".join(problems.values()) + ". Inline python graders run in the "
            "code sandbox, which has only the Python standard library (no numpy, rapidfuzz, ... and no network, "
            "process or native-code modules). Use the standard library, or a reviewed module grader "
            "(module: ...) that runs with the grader's own packages."
        )


# --- graders ------------------------------------------------------------------------------------


class ModulePythonGrader(PerSampleGrader):
    def __init__(self, spec):
        self.spec = spec
        self.name = spec.name
        module = importlib.import_module(spec.module)
        grade = getattr(module, "grade", None)
        if not callable(grade):
            raise ValueError(f"python grader module {spec.module} has no grade(sample, item) function")
        self._grade = grade

    def grade_one(self, sample) -> GradeResult:
        value = self._grade(sample.sample_namespace(), dict(sample.item))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SampleGradingError(f"python grader returned {type(value).__name__}, not a number")
        return GradeResult(float(value), metrics=_score_metrics(self.spec, float(value)))


def harness(sample_ns: dict, item: dict) -> str:
    """Test code that runs ``grade`` and turns what happened into a count of passed asserts
    (the level, see the module docstring). Only plain statements, so it does not depend on
    how the sandbox treats anything but asserts. The source's globals are visible here, so
    the code uses no builtin a grader might plausibly shadow (``sum``, ``range``, ``max``...)
    and binds its own names before reading them."""
    sample_json = json.dumps(json.dumps(sample_ns, default=str))
    item_json = json.dumps(json.dumps(item, default=str))
    lines = [
        "import json as _json",
        "import math as _math",
        "_level = 1",
        "_value = None",
        "try:",
        "    _grade = grade",
        "except NameError:",
        "    _grade = None",
        "if callable(_grade):",
        "    _level = 3",
        "    try:",
        f"        _value = _grade(_json.loads({sample_json}), _json.loads({item_json}))",
        "    except ImportError:",
        "        _level = 2",
        "    except BaseException:",
        "        pass",
        "    else:",
        "        _level = 4",
        "        try:",  # isfinite(10**400) raises: still a non-number, not a crash
        "            if not isinstance(_value, bool) and isinstance(_value, (int, float)) and _math.isfinite(_value):",
        f"                _level = {_SCORED}",
        "        except BaseException:",
        "            pass",
    ]
    lines += [f"assert _level >= {k}" for k in range(1, _SCORED + 1)]
    lines += [f"assert _level >= {_SCORED} and _value >= {k / _STEPS!r}" for k in range(1, _STEPS + 1)]
    return "\n".join(lines) + "\n"


_NO_MODULE = re.compile(r"No module named '([A-Za-z_][\w.]{0,99})'|import is not allowed ([A-Za-z_][\w.]{0,99})")


def level_error(level: int, detail: str) -> str:
    """The loggable reason for a level below the scored ones. ``detail`` is the sandbox's
    (untrusted) text: only used to tell an import failure apart, and only a module name
    (identifier characters) is ever copied out of it."""
    if level == 0:
        if "ImportError" in detail or "ModuleNotFoundError" in detail or "import is not allowed" in detail:
            named = _NO_MODULE.search(detail)
            what = f" {named.group(1) or named.group(2)}" if named else ""
            return (
                f"python source cannot import{what} in the sandbox (standard library only; see lambda/grader/README.md)"
            )
        return "python source failed before grade() could run (an import or a module-level error)"
    return {
        1: "python source defines no grade(sample, item) function",
        2: "python source: grade() cannot import a module in the sandbox (standard library only)",
        3: "python source: grade() raised an exception",
        4: "python source: grade() returned a non-number (or NaN/inf)",
    }[level]


class SandboxPythonGrader:
    def __init__(self, spec, ctx):
        self.spec = spec
        self.name = spec.name
        self.sandbox = ctx.sandbox

    def grade_many(self, samples):
        runs = [
            {
                "code": self.spec.source,
                "tests": harness(s.sample_namespace(), s.item),
                "entry_point": None,
                "scoring": "fraction",
                "timeout_s": self.spec.timeout_s,
            }
            for s in samples
        ]
        if not runs:
            return []
        results = safe_run_batch(self.sandbox, runs)
        out = []
        for result in results:
            if not run_status_ok(result):
                out.append(GradeResult.failed(f"python source: {failure_reason(result)}"))
                continue
            if result.get("total") != TOTAL:
                out.append(GradeResult.failed("python source: bad sandbox counts"))
                continue
            level = result["passed"]
            if level < _SCORED:
                out.append(GradeResult.failed(level_error(level, str(result.get("detail") or ""))))
                continue
            score = (level - _SCORED) / _STEPS
            if not math.isfinite(score):
                out.append(GradeResult.failed("python source: bad sandbox counts"))
                continue
            out.append(GradeResult(score, metrics=_score_metrics(self.spec, score)))
        return out
