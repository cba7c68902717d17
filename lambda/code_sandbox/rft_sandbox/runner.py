"""Run model-written Python against HumanEval/MBPP-style tests in isolated child processes.

Contract (kept stable for the grader): ``run_batch(runs) -> results`` in the same order.
  run:    {"code": str, "tests": str, "entry_point": str | None,
           "scoring": "all_or_nothing" | "fraction", "timeout_s": float}
  result: {"status": "passed" | "failed" | "timeout" | "error",
           "passed": int, "total": int, "detail": str (short, truncated)}
A malformed run yields ``status: error`` for that run only; nothing here raises for bad input.

Design (details, threat model and limits in README.md): each worker thread owns a *zygote*,
``python -I -S -B zygote.py`` started once per batch with an environment built from
nothing (no AWS_* variable), as ``nobody`` when this process is root. Per run the zygote forks
a candidate process, which runs the model's code and answers calls, and a tests process, which
runs the tests and never executes candidate code: candidate functions are proxies there, and
only tagged-JSON plain data crosses. Only the tests process can write the result record, on a
pipe that goes straight to this process; it carries a per-run nonce.

This process makes itself non-dumpable before any zygote exists, so a same-uid program (the
situation on Lambda) cannot read ``/proc/<pid>/environ`` (this function's credentials) or its
memory.
"""

from __future__ import annotations

import ast
import builtins
import ctypes
import json
import math
import os
import pwd
import queue
import secrets
import select
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

HERE = os.path.dirname(os.path.abspath(__file__))
ZYGOTE_PATH = os.path.join(HERE, "zygote.py")

SCORING_MODES = ("all_or_nothing", "fraction")
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 120.0
MAX_CODE_CHARS = 200_000
MAX_TESTS_CHARS = 2_000_000
DETAIL_CHARS = 1000  # whole detail string
OUTPUT_TAIL_CHARS = 300  # part of detail given to the program's own output
RESULT_CAPTURE_BYTES = 256 * 1024
UNPRIVILEGED_USER = "nobody"
BATCH_PREFIX = "rft-sbx-"  # the zygotes' stray-file sweep never touches these (batch roots)
ZYGOTE_GRACE_S = 5.0  # backstop over the run's own timeout before the zygote is killed
_BUILTIN_NAMES = frozenset(dir(builtins))
# What the most recent zygote reported about itself ({"seccomp": bool, "uid": int, ...}); the
# handler logs it, so an operator can see whether the kernel accepted the seccomp filter.
ZYGOTE_INFO: dict = {}


@dataclass(frozen=True)
class SandboxConfig:
    """Knobs that are not part of the per-run contract (operators tune them via env)."""

    memory_mb: int = 512  # RLIMIT_AS of each child
    open_files: int = 64
    file_size_mb: int = 16
    disk_mb: int = 64  # bytes a run may leave in its directory (polled; over it the run fails)
    max_parallel: int = 0  # 0: SANDBOX_MAX_PARALLEL env or min(4, cpu_count)
    tmp_root: str | None = None  # where batch directories are created (default: system tmp)
    # Layers that tests switch off one at a time to prove the others hold; keep True in prod.
    audit_hook: bool = True
    drop_privileges: bool = True  # only meaningful when running as root
    no_processes: bool = True
    seccomp: bool = True
    # Remove whatever a run left at the top of /tmp (outside its own directory). None: only
    # where every file of the sandbox uid there is sandbox scratch, i.e. on Lambda or when the
    # children run as `nobody` for a root runner; never for a developer's own uid or for root.
    sweep_tmp: bool | None = None

    @classmethod
    def from_env(cls) -> SandboxConfig:
        return cls(
            memory_mb=int(os.environ.get("SANDBOX_MEMORY_MB", cls.memory_mb)),
            max_parallel=int(os.environ.get("SANDBOX_MAX_PARALLEL", "0") or 0),
        )


def max_parallel(config: SandboxConfig) -> int:
    if config.max_parallel > 0:
        return config.max_parallel
    return max(1, min(4, os.cpu_count() or 1))


def make_not_dumpable() -> bool:
    """prctl(PR_SET_DUMPABLE, 0) on this process; False where the call is unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(4, ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0
    except (OSError, AttributeError):
        return False


def run_batch(runs: Sequence[object], config: SandboxConfig | None = None) -> list[dict]:
    """Run every run in its own pair of sandbox processes, ``max_parallel`` at a time, in order."""
    config = config or SandboxConfig.from_env()
    if not runs:
        return []
    make_not_dumpable()  # before any child exists (children of a dumpable parent could read it)
    prepared = [_prepare(run) for run in runs]
    results: list[dict | None] = [r if isinstance(r, dict) and "status" in r else None for r in prepared]
    todo = [i for i, r in enumerate(results) if r is None]
    if not todo:
        return cast(list[dict], results)  # no None left: every run was settled by _prepare
    batch = _Batch(config)
    try:
        work: queue.Queue = queue.Queue()
        for i in todo:
            work.put(i)
        workers = min(max_parallel(config), len(todo))

        def worker() -> None:
            zygote = None
            try:
                while True:
                    try:
                        i = work.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        if zygote is None or not zygote.alive():
                            zygote = batch.start_zygote()
                        results[i] = zygote.execute(prepared[i])
                    except OSError as exc:
                        results[i] = _result("error", 0, prepared[i].total, f"sandbox failure: {exc}")
                        if zygote is not None:
                            zygote.close()
                        zygote = None
            finally:
                if zygote is not None:
                    zygote.close()

        if workers == 1:
            worker()
        else:
            threads = [threading.Thread(target=worker, name=f"sandbox-{n}") for n in range(workers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        batch.close()
    return cast(list[dict], results)  # the workers filled every index in todo


def run_one(run: object, config: SandboxConfig | None = None) -> dict:
    return run_batch([run], config)[0]


@dataclass
class _Prepared:
    spec: dict
    statements: list[str]
    assert_lines: list[int]
    repeatable: list[bool]
    wanted: list[str]

    @property
    def total(self) -> int:
        return len(self.assert_lines)


def _prepare(run: object) -> _Prepared | dict:
    try:
        spec = _validate(run)
    except ValueError as exc:
        return _result("error", 0, 0, f"invalid run: {exc}")
    try:
        statements, assert_lines, repeatable, wanted = analyse_tests(spec["tests"], spec["entry_point"])
    except SyntaxError as exc:
        return _result("error", 0, 0, f"tests do not parse: {exc.msg} (line {exc.lineno})")
    except RecursionError:
        return _result("error", 0, 0, "tests are nested too deeply")
    if not assert_lines:
        return _result("error", 0, 0, "tests contain no assert statement")
    return _Prepared(spec, statements, assert_lines, repeatable, wanted)


# --------------------------------------------------------------------------- validation


def _validate(run: object) -> dict:
    if not isinstance(run, dict):
        raise ValueError("run must be an object")
    code, tests = run.get("code"), run.get("tests")
    if not isinstance(code, str):
        raise ValueError("'code' must be a string")
    if not isinstance(tests, str):
        raise ValueError("'tests' must be a string")
    if len(code) > MAX_CODE_CHARS or len(tests) > MAX_TESTS_CHARS:
        raise ValueError("'code' or 'tests' is too large")
    entry_point = run.get("entry_point")
    if entry_point is not None and not (isinstance(entry_point, str) and entry_point.isidentifier()):
        raise ValueError("'entry_point' must be an identifier or null")
    scoring = run.get("scoring", "all_or_nothing")
    if scoring not in SCORING_MODES:
        raise ValueError(f"'scoring' must be one of {', '.join(SCORING_MODES)}")
    timeout_s = run.get("timeout_s", DEFAULT_TIMEOUT_S)
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)):
        raise ValueError("'timeout_s' must be a number")
    if not (0 < timeout_s <= MAX_TIMEOUT_S) or math.isnan(timeout_s):
        raise ValueError(f"'timeout_s' must be in (0, {MAX_TIMEOUT_S:g}]")
    return {"code": code, "tests": tests, "entry_point": entry_point, "scoring": scoring, "timeout_s": float(timeout_s)}


# --------------------------------------------------------------------------- test rewriting


class _AssertRewriter(ast.NodeTransformer):
    """Number every assert and make it report to the tests process's recorder.

    ``assert X`` becomes::

        try:
            assert <X with each comparison a == b turned into __rft_cmp__(("Eq",), a, b)>
        except BaseException as __rft_e__:
            __rft_fail__(i, __rft_e__)
        else:
            __rft_ok__(i)

    so every assert is one independently counted test (a failure does not stop the ones after
    it, which is what fraction scoring needs). ``__rft_cmp__`` only evaluates the comparison and
    remembers the operands of a false one for the detail message. An assert is *repeatable*
    when it can run more than once (inside a loop, or in a function other than HumanEval's
    ``check``); a repeatable assert whose statement raises fails, even if an earlier
    iteration passed.
    """

    top_level_nodes: set[ast.stmt]  # set by analyse_tests; read with a getattr default

    def __init__(self, check_name: str | None) -> None:
        self.assert_lines: list[int] = []
        self.repeatable: list[bool] = []
        self._depth = 0  # enclosing loops / functions that may run an assert again
        self._check_name = check_name

    def _nested(self, node: ast.AST, counts: bool) -> ast.AST:
        self._depth += counts
        try:
            return self.generic_visit(node)
        finally:
            self._depth -= counts

    def visit_For(self, node):
        return self._nested(node, True)

    visit_AsyncFor = visit_While = visit_For

    def visit_FunctionDef(self, node):
        # HumanEval's top-level check() is called exactly once by the tests process.
        once = self._depth == 0 and node.name == self._check_name and self._top_level(node)
        return self._nested(node, not once)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        return self._nested(node, True)

    def _top_level(self, node) -> bool:
        return node in getattr(self, "top_level_nodes", ())

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        index = len(self.assert_lines)
        self.assert_lines.append(node.lineno)
        self.repeatable.append(self._depth > 0)
        test = _CompareRewriter().visit(node.test)
        msg = _CompareRewriter().visit(node.msg) if node.msg is not None else None
        call = lambda name, *args: ast.Expr(  # noqa: E731
            ast.Call(ast.Name(name, ast.Load()), list(args), [])
        )
        new = ast.Try(
            body=[ast.Assert(test=test, msg=msg)],
            handlers=[
                ast.ExceptHandler(
                    type=ast.Name("BaseException", ast.Load()),
                    name="__rft_e__",
                    body=[call("__rft_fail__", ast.Constant(index), ast.Name("__rft_e__", ast.Load()))],
                )
            ],
            orelse=[call("__rft_ok__", ast.Constant(index))],
            finalbody=[],
        )
        return ast.copy_location(new, node)


class _CompareRewriter(ast.NodeTransformer):
    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        ops = ast.Tuple([ast.Constant(type(op).__name__) for op in node.ops], ast.Load())
        call = ast.Call(ast.Name("__rft_cmp__", ast.Load()), [ops, node.left, *node.comparators], [])
        return ast.copy_location(call, node)


def _arg_names(args: ast.arguments) -> set[str]:
    every = args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]
    return {a.arg for a in every if a is not None}


def _free_names(nodes: list, local: set[str], declared_global: set[str]) -> set[str]:
    """Names read in this scope (or nested ones) that this scope does not bind.

    A small scope analysis: functions, lambdas, classes and comprehensions are scopes of
    their own; defaults, decorators and bases are evaluated in the enclosing one.
    """
    bound, reads, nested = set(local), set[str](), set[str]()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                bound.add(node.name)
                stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            body = node.body if isinstance(node.body, list) else [node.body]
            nested |= _free_names(body, _arg_names(node.args), declared_global)
        elif isinstance(node, ast.ClassDef):
            bound.add(node.name)
            stack.extend(node.decorator_list + node.bases + [k.value for k in node.keywords])
            nested |= _free_names(node.body, set(), declared_global)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            targets = {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
            parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            parts += [g.iter for g in node.generators] + [c for g in node.generators for c in g.ifs]
            nested |= _free_names(parts, targets, declared_global)
        elif isinstance(node, ast.Name):
            (reads if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        else:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bound.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
            elif isinstance(node, ast.MatchAs) and node.name:
                bound.add(node.name)
            stack.extend(ast.iter_child_nodes(node))
    return (reads | nested) - (bound - declared_global)


def _wanted_names(tree: ast.Module, entry_point: str | None) -> list[str]:
    """Names the tests read as globals without binding them, minus builtins: what the
    candidate provides.

    Builtins are never taken from the candidate (a candidate ``abs``/``sorted``/``len`` would
    otherwise shadow the real one in the tests), nor are names the tests bind themselves.
    """
    declared_global = {n for node in ast.walk(tree) if isinstance(node, ast.Global) for n in node.names}
    free = _free_names(tree.body, set(), declared_global) - declared_global
    wanted = {n for n in free - _BUILTIN_NAMES if not n.startswith("__rft_")}
    if entry_point is not None:
        wanted.add(entry_point)
    return sorted(wanted)


def analyse_tests(tests: str, entry_point: str | None = None) -> tuple[list[str], list[int], list[bool], list[str]]:
    """Rewrite the tests; return per-statement sources, assert lines, repeatable flags, names.

    Top-level statements run one at a time so an MBPP file whose third assert raises still
    runs the fourth. ``total`` is the number of assert statements (``len(assert_lines)``).
    """
    tree = ast.parse(tests, "<tests>")
    wanted = _wanted_names(tree, entry_point)
    rewriter = _AssertRewriter("check" if entry_point is not None else None)
    rewriter.top_level_nodes = set(tree.body)
    tree = ast.fix_missing_locations(rewriter.visit(tree))
    return ([ast.unparse(stmt) for stmt in tree.body], rewriter.assert_lines, rewriter.repeatable, wanted)


def prepare_tests(tests: str) -> tuple[list[str], list[int]]:
    """Statements and assert lines (kept for callers of the earlier API)."""
    statements, lines, _, _ = analyse_tests(tests)
    return statements, lines


# --------------------------------------------------------------------------- processes


def _unprivileged_ids() -> tuple[int, int] | None:
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def _world_executable(path: str) -> bool:
    """True if an unprivileged user can execute ``path`` (every parent dir searchable)."""
    real = os.path.realpath(path)
    try:
        if not os.stat(real).st_mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(real)
        while True:
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return False
            if parent == "/":
                return True
            parent = os.path.dirname(parent)
    except OSError:
        return False


def _interpreter(drop: bool) -> str | None:
    """Python to run the zygote with; None if none is usable by the unprivileged user.

    Locally the venv's interpreter often lives under /root (mode 0700, e.g. pyenv), which
    ``nobody`` cannot execute; the system interpreter of the same minor version is then used.
    The zygote only needs the standard library. ``SANDBOX_PYTHON`` overrides the choice.
    """
    explicit = os.environ.get("SANDBOX_PYTHON")
    if explicit:
        return explicit
    if not drop or _world_executable(sys.executable):
        return sys.executable
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
        "/usr/bin/python3",
        "/usr/local/bin/python3",
    ):
        if os.path.exists(candidate) and _world_executable(candidate):
            return candidate
    return None


def _zygote_env() -> dict[str, str]:
    # Built from nothing on purpose: inheriting and deleting AWS_* would miss new variables.
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


def _frame(obj: object) -> bytes:
    data = json.dumps(obj, separators=(",", ":")).encode()
    return struct.pack(">I", len(data)) + data


class _Batch:
    """The batch directory and how zygotes are started for it."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.ids = _unprivileged_ids() if (config.drop_privileges and os.geteuid() == 0) else None
        self.python = _interpreter(self.ids is not None)
        self.root = tempfile.mkdtemp(prefix=BATCH_PREFIX, dir=config.tmp_root)
        if self.ids is not None:
            os.chown(self.root, *self.ids)
        roots = {tempfile.gettempdir(), "/tmp", os.path.dirname(self.root)}
        self.tmp_roots = sorted(r for r in roots if os.path.isdir(r))
        child_uid = self.ids[0] if self.ids is not None else os.getuid()
        sweep = config.sweep_tmp
        if sweep is None:
            sweep = child_uid != os.getuid() or "AWS_LAMBDA_FUNCTION_NAME" in os.environ
        self.sweep_tmp = bool(sweep) and child_uid != 0
        self._counter = 0
        self._lock = threading.Lock()

    def next_workdir(self) -> str:
        with self._lock:
            self._counter += 1
            # Relative to the zygote's cwd (the batch root): as nobody it may be unable to
            # traverse the parents of tmp_root, so the zygote never uses absolute paths.
            return f"run-{self._counter}"

    def start_zygote(self) -> _Zygote:
        if self.python is None:
            raise OSError("no Python interpreter executable by the unprivileged user")
        return _Zygote(self)

    def close(self) -> None:
        _remove_tree(self.root)


class _Zygote:
    def __init__(self, batch: _Batch) -> None:
        self.batch = batch
        config = batch.config
        self.result_r, result_w = os.pipe()
        python = batch.python
        assert python is not None  # start_zygote checked it
        user: dict[str, Any] = (
            {} if batch.ids is None else {"user": batch.ids[0], "group": batch.ids[1], "extra_groups": []}
        )
        try:
            self.proc = subprocess.Popen(
                [python, "-I", "-S", "-B", ZYGOTE_PATH, str(result_w), "1" if config.seccomp else "0"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=batch.root,
                env=_zygote_env(),
                pass_fds=(result_w,),
                start_new_session=True,
                umask=0o077,
                **user,
            )
        finally:
            os.close(result_w)
        assert self.proc.stdout is not None  # stdout=PIPE
        self.stdout = self.proc.stdout.fileno()
        self.pending = b""
        line = self._read_line(time.monotonic() + 30)
        if line is None:
            self.close()
            raise OSError("sandbox zygote did not start")
        self.info = json.loads(line)
        ZYGOTE_INFO.update(self.info)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read_line(self, deadline: float) -> bytes | None:
        while b"\n" not in self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.stdout, 65536)
            if not chunk:
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line

    def execute(self, prepared: _Prepared) -> dict:
        spec, config, batch = prepared.spec, self.batch.config, self.batch
        nonce = secrets.token_hex(16)
        timeout_s = spec["timeout_s"]
        frame_a = {
            "workdir": batch.next_workdir(),
            "batch_root": batch.root,
            # Relative like the workdir: the zygote cannot always traverse their parents.
            "tmp_roots": [os.path.relpath(r, batch.root) for r in batch.tmp_roots],
            "sweep_tmp": batch.sweep_tmp,
            "code": spec["code"],
            "wanted": prepared.wanted,
            "timeout_s": timeout_s,
            "audit_hook": config.audit_hook,
            "limits": {
                # The wall clock is the real timeout; CPU is a backstop a little above it.
                "cpu_s": math.ceil(timeout_s) + 1,
                "memory_bytes": config.memory_mb * 1024 * 1024,
                "open_files": config.open_files,
                "file_size_bytes": config.file_size_mb * 1024 * 1024,
                "disk_bytes": config.disk_mb * 1024 * 1024,
                "no_processes": config.no_processes,
            },
        }
        # Frame B (tests and nonce) is read by the tests process itself, never by the zygote.
        frame_b = {
            "nonce": nonce,
            "statements": prepared.statements,
            "total": prepared.total,
            "repeatable": prepared.repeatable,
            "wanted": prepared.wanted,
            "entry_point": spec["entry_point"],
            "scoring": spec["scoring"],
        }
        deadline = time.monotonic() + timeout_s + ZYGOTE_GRACE_S
        data = _frame(frame_a) + _frame(frame_b)
        writer = threading.Thread(target=self._write, args=(data,), daemon=True)
        writer.start()
        line = self._read_line(deadline)
        writer.join(timeout=1)
        record = self._drain_results()
        if line is None:  # the zygote died or hung: nothing of this run can be trusted
            self.close()
            return _result("error", 0, prepared.total, "sandbox failure: the zygote stopped")
        reply = json.loads(line)
        if not reply.get("consumed"):
            self.close()
        return _classify(reply, record, nonce, prepared)

    def _write(self, data: bytes) -> None:
        assert self.proc.stdin is not None  # stdin=PIPE
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def _drain_results(self) -> bytes:
        out = bytearray()
        while len(out) < RESULT_CAPTURE_BYTES:
            ready, _, _ = select.select([self.result_r], [], [], 0)
            if not ready:
                break
            chunk = os.read(self.result_r, 65536)
            if not chunk:
                break
            out += chunk
        return bytes(out)

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are PIPEs
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                self.proc.kill()
                self.proc.wait()
        try:
            self.proc.stdout.close()
        except OSError:
            pass
        try:
            os.close(self.result_r)
        except OSError:
            pass
        self.result_r = -1


def _remove_tree(path: str) -> None:
    import shutil

    def make_writable_and_retry(func, target, _exc):
        try:
            os.chmod(os.path.dirname(target), 0o700)
            func(target)
        except FileNotFoundError:
            pass

    if not os.path.isdir(path):
        return
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=make_writable_and_retry)
    else:
        shutil.rmtree(path, onerror=make_writable_and_retry)


# --------------------------------------------------------------------------- results


def _classify(reply: dict, record: bytes, nonce: str, prepared: _Prepared) -> dict:
    total, spec = prepared.total, prepared.spec
    tail = _output_tail(reply.get("output", ""))
    if reply.get("timed_out"):
        return _result("timeout", 0, total, f"timed out after {spec['timeout_s']:g}s{tail}")
    if reply.get("disk_exceeded"):
        return _result("failed", 0, total, "disk budget exceeded" + tail)
    signals = {reply.get("tests_signal"), reply.get("candidate_signal")}
    if -signal.SIGXCPU in signals:
        return _result("timeout", 0, total, f"CPU time limit exceeded{tail}")
    if reply.get("tests_signal") == -signal.SIGKILL or reply.get("candidate_signal") == -signal.SIGKILL:
        return _result("timeout", 0, total, f"killed by SIGKILL (CPU or memory){tail}")
    if -signal.SIGXFSZ in signals:
        return _result("failed", 0, total, "file size limit exceeded" + tail)
    parsed = _parse_record(record, nonce, total) if reply.get("tests_exit") == 0 else None
    if parsed is None:
        return _result(
            "failed",
            0,
            total,
            f"tests process ended without a result (exit {reply.get('tests_exit')}, "
            f"signal {reply.get('tests_signal')}){tail}",
        )
    outcomes, detail = parsed
    passed = outcomes.count("1")
    status = "passed" if passed == total else "failed"
    summary = f"{passed}/{total} tests passed"
    if status == "failed":
        first = outcomes.find("0")
        summary += f" (first failing assert at tests line {prepared.assert_lines[first]})"
        if spec["scoring"] == "all_or_nothing":
            summary += ", stopped at the first failure"
    text = summary + (f"; {detail}" if detail else "") + (tail if status != "passed" else "")
    return _result(status, passed, total, text)


def _parse_record(record: bytes, nonce: str, total: int) -> tuple[str, str] | None:
    """The single tests-process record, or None if absent, duplicated, forged or malformed."""
    lines = record.split(b"\n")
    if len(lines) != 2 or lines[1] != b"":
        return None
    fields = lines[0].split(b" ")
    if len(fields) != 4 or fields[0] != b"RFT2":
        return None
    if not secrets.compare_digest(fields[1], nonce.encode()):
        return None
    outcomes = fields[2].decode("ascii", "replace")
    if len(outcomes) != total or outcomes.strip("01"):
        return None
    try:
        detail = bytes.fromhex(fields[3].decode("ascii")).decode("utf-8", "replace")
    except ValueError:
        return None
    return outcomes, detail


def _output_tail(output: str) -> str:
    text = output.strip()
    if not text:
        return ""
    if len(text) > OUTPUT_TAIL_CHARS:
        text = "…" + text[-OUTPUT_TAIL_CHARS:]
    return f"; output: {text}"


def _result(status: str, passed: int, total: int, detail: str) -> dict:
    if len(detail) > DETAIL_CHARS:
        detail = detail[: DETAIL_CHARS - 1] + "…"
    return {"status": status, "passed": passed, "total": total, "detail": detail}


__all__ = [
    "SandboxConfig",
    "analyse_tests",
    "make_not_dumpable",
    "max_parallel",
    "prepare_tests",
    "run_batch",
    "run_one",
]
