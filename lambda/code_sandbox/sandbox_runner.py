"""Run model-written Python against HumanEval/MBPP-style tests in an isolated child process.

Contract (kept stable for the grader): ``run_batch(runs) -> results`` in the same order.
  run:    {"code": str, "tests": str, "entry_point": str | None,
           "scoring": "all_or_nothing" | "fraction", "timeout_s": float}
  result: {"status": "passed" | "failed" | "timeout" | "error",
           "passed": int, "total": int, "detail": str (short, truncated)}
A malformed run yields ``status: error`` for that run only; nothing here raises for bad input.

Isolation, per run (details and limits in README.md):
  * a fresh ``python -I -S -B`` subprocess in its own session/process group, killed as a group
    at the wall-clock deadline;
  * an environment built from scratch (PATH, HOME/TMPDIR = the run's temp dir, LANG) so no
    AWS_* variable or anything else from this process is inherited;
  * a private temporary working directory, removed afterwards;
  * kernel limits set by the harness before untrusted code runs: CPU seconds, address space,
    RLIMIT_NPROC=0 (no processes or threads), open files, file size, no core dumps;
  * when this process is root (local runs, CI containers) the child runs as ``nobody``:
    root ignores RLIMIT_NPROC and file permissions, so dropping privileges is what makes those
    kernel limits real. On Lambda the function already runs as an unprivileged user;
  * defence in depth inside the child: an audit hook (deny process creation, network, native
    code, frame introspection, writes outside the temp dir, /proc) and strict comparisons.
    Audit hooks are NOT a security boundary — CPython code that reaches interpreter internals
    can bypass them. The boundaries are the separate process, the scrubbed environment, the
    unprivileged uid and, on AWS, a sandbox Lambda whose role can only write its own logs.

Anti-tampering: the parent generates a random nonce and sends it, with the code and tests, on
the child's stdin (not argv/env, which other processes can read). The harness reports once,
after all tests, on a private pipe fd; only a single well-formed record carrying the nonce on
that pipe, from a child that exited 0, counts. Exiting early, os._exit, printing a fake
"all passed" line, or writing junk to the pipe therefore all fail.
"""

from __future__ import annotations

import ast
import json
import math
import os
import pwd
import secrets
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

HARNESS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox_harness.py")

SCORING_MODES = ("all_or_nothing", "fraction")
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 120.0
MAX_CODE_CHARS = 200_000
MAX_TESTS_CHARS = 2_000_000
DETAIL_CHARS = 1000  # whole detail string
OUTPUT_TAIL_CHARS = 300  # part of detail given to the program's own output
OUTPUT_CAPTURE_BYTES = 64 * 1024  # more output is read and discarded
RESULT_CAPTURE_BYTES = 256 * 1024
UNPRIVILEGED_USER = "nobody"


@dataclass(frozen=True)
class SandboxConfig:
    """Knobs that are not part of the per-run contract (operators tune them via env)."""

    memory_mb: int = 512  # RLIMIT_AS of the child
    open_files: int = 64
    file_size_mb: int = 16
    max_parallel: int = 0  # 0: SANDBOX_MAX_PARALLEL env or min(4, cpu_count)
    tmp_root: str | None = None  # where per-run temp dirs are created (default: system tmp)
    # Layers that tests switch off one at a time to prove the others hold; keep True in prod.
    audit_hook: bool = True
    drop_privileges: bool = True  # only meaningful when running as root
    no_processes: bool = True

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


def run_batch(runs: list[dict], config: SandboxConfig | None = None) -> list[dict]:
    """Run every run in its own sandbox process, at most ``max_parallel`` at a time, in order."""
    config = config or SandboxConfig.from_env()
    if not runs:
        return []
    workers = min(max_parallel(config), len(runs))
    if workers == 1:
        return [run_one(run, config) for run in runs]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sandbox") as pool:
        return list(pool.map(lambda run: run_one(run, config), runs))


def run_one(run: object, config: SandboxConfig | None = None) -> dict:
    config = config or SandboxConfig.from_env()
    try:
        spec = _validate(run)
    except ValueError as exc:
        return _result("error", 0, 0, f"invalid run: {exc}")
    try:
        statements, assert_lines = prepare_tests(spec["tests"])
    except SyntaxError as exc:
        return _result("error", 0, 0, f"tests do not parse: {exc.msg} (line {exc.lineno})")
    if not assert_lines:
        return _result("error", 0, 0, "tests contain no assert statement")
    try:
        return _execute(spec, statements, assert_lines, config)
    except OSError as exc:  # could not create the temp dir, pipe or process
        return _result("error", 0, len(assert_lines), f"sandbox failure: {exc}")


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
    return {"code": code, "tests": tests, "entry_point": entry_point, "scoring": scoring,
            "timeout_s": float(timeout_s)}


# --------------------------------------------------------------------------- test rewriting


class _AssertRewriter(ast.NodeTransformer):
    """Number every assert and make it report to the harness; make its comparisons strict.

    ``assert X`` becomes::

        try:
            assert <X with each comparison a == b turned into __rft_cmp__(("Eq",), a, b)>
        except BaseException as __rft_e__:
            __rft_fail__(i, __rft_e__)
        else:
            __rft_ok__(i)

    so every assert is one independently counted test (a failure does not stop the ones after
    it, which is what fraction scoring needs). Only comparisons and truth values inside asserts
    are rewritten; ``__rft_cmp__``/``__rft_truth__`` refuse non-builtin values (see harness).
    """

    def __init__(self) -> None:
        self.assert_lines: list[int] = []

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        index = len(self.assert_lines)
        self.assert_lines.append(node.lineno)
        test = _strict_truth(_CompareRewriter().visit(node.test))
        msg = _CompareRewriter().visit(node.msg) if node.msg is not None else None
        call = lambda name, *args: ast.Expr(  # noqa: E731
            ast.Call(ast.Name(name, ast.Load()), list(args), []))
        new = ast.Try(
            body=[ast.Assert(test=test, msg=msg)],
            handlers=[ast.ExceptHandler(
                type=ast.Name("BaseException", ast.Load()), name="__rft_e__",
                body=[call("__rft_fail__", ast.Constant(index), ast.Name("__rft_e__", ast.Load()))])],
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


def _strict_truth(node: ast.expr) -> ast.expr:
    """Route the truth value of an assert through ``__rft_truth__`` (no custom __bool__)."""
    if isinstance(node, ast.BoolOp):
        node.values = [_strict_truth(v) for v in node.values]
        return node
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        node.operand = _strict_truth(node.operand)
        return node
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__rft_cmp__":
        return node  # already returns a real bool
    return ast.copy_location(ast.Call(ast.Name("__rft_truth__", ast.Load()), [node], []), node)


def prepare_tests(tests: str) -> tuple[list[str], list[int]]:
    """Rewrite the tests; return one source string per top-level statement and assert lines.

    Top-level statements run one at a time so an MBPP file whose third assert raises still
    runs the fourth. ``total`` is the number of assert statements (``len(assert_lines)``).
    """
    tree = ast.parse(tests, "<tests>")
    rewriter = _AssertRewriter()
    tree = ast.fix_missing_locations(rewriter.visit(tree))
    return [ast.unparse(stmt) for stmt in tree.body], rewriter.assert_lines


# --------------------------------------------------------------------------- execution


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
    """Python to run the child with; None if none is usable by the unprivileged user.

    Locally the venv's interpreter often lives under /root (mode 0700, e.g. pyenv), which
    ``nobody`` cannot execute; the system interpreter of the same minor version is then used.
    The child only needs the standard library. ``SANDBOX_PYTHON`` overrides the choice.
    """
    explicit = os.environ.get("SANDBOX_PYTHON")
    if explicit:
        return explicit
    if not drop or _world_executable(sys.executable):
        return sys.executable
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (f"/usr/bin/python{version}", f"/usr/local/bin/python{version}",
                      "/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(candidate) and _world_executable(candidate):
            return candidate
    return None


def _child_env(workdir: str) -> dict[str, str]:
    # Built from nothing on purpose: inheriting and deleting AWS_* would miss new variables.
    return {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8"}


def _execute(spec: dict, statements: list[str], assert_lines: list[int],
             config: SandboxConfig) -> dict:
    total = len(assert_lines)
    timeout_s = spec["timeout_s"]
    ids = _unprivileged_ids() if (config.drop_privileges and os.geteuid() == 0) else None
    python = _interpreter(ids is not None)
    if python is None:
        return _result("error", 0, total,
                       "sandbox failure: no Python interpreter executable by the unprivileged user")

    nonce = secrets.token_hex(16)
    workdir = tempfile.mkdtemp(prefix="rft-sbx-", dir=config.tmp_root)
    result_r, result_w = os.pipe()
    proc = None
    try:
        if ids is not None:
            os.chown(workdir, *ids)
        payload = {
            "nonce": nonce, "result_fd": result_w, "code": spec["code"],
            "statements": statements, "total": total, "entry_point": spec["entry_point"],
            "scoring": spec["scoring"], "audit_hook": config.audit_hook,
            "limits": {
                # The wall clock is the real timeout; CPU is a backstop a little above it.
                "cpu_s": math.ceil(timeout_s) + 1,
                "memory_bytes": config.memory_mb * 1024 * 1024,
                "open_files": config.open_files,
                "file_size_bytes": config.file_size_mb * 1024 * 1024,
                "no_processes": config.no_processes,
            },
        }
        user_kwargs = {} if ids is None else {"user": ids[0], "group": ids[1], "extra_groups": []}
        started = time.monotonic()
        proc = subprocess.Popen(
            [python, "-I", "-S", "-B", HARNESS_PATH],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=workdir, env=_child_env(workdir), pass_fds=(result_w,),
            start_new_session=True,  # own process group, killed as a whole on timeout
            umask=0o077, **user_kwargs,
        )
        os.close(result_w)
        result_w = -1
        output, record, timed_out = _communicate(
            proc, json.dumps(payload).encode(), result_r, started + timeout_s)
        if timed_out:
            _kill_group(proc)
        returncode = proc.wait()
    finally:
        if proc is not None and proc.poll() is None:
            _kill_group(proc)
            proc.wait()
        os.close(result_r)
        if result_w != -1:
            os.close(result_w)
        _remove_tree(workdir)
    return _classify(timed_out, returncode, output, record, nonce, assert_lines, spec, timeout_s)


def _communicate(proc: subprocess.Popen, payload: bytes, result_fd: int,
                 deadline: float) -> tuple[bytes, bytes, bool]:
    """Feed stdin and drain stdout + the result pipe until EOF on both or the deadline.

    Output beyond the capture limits is read and thrown away, so a program printing
    gigabytes neither blocks on a full pipe nor fills this process's memory.
    """
    output, record = bytearray(), bytearray()
    caps = {proc.stdout.fileno(): (output, OUTPUT_CAPTURE_BYTES),
            result_fd: (record, RESULT_CAPTURE_BYTES)}
    stdin_fd = proc.stdin.fileno()
    os.set_blocking(stdin_fd, False)
    view = memoryview(payload)
    with selectors.DefaultSelector() as selector:
        for fd in caps:
            selector.register(fd, selectors.EVENT_READ)
        selector.register(stdin_fd, selectors.EVENT_WRITE)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                proc.stdin.close()
                return bytes(output), bytes(record), True
            for key, _ in selector.select(remaining):
                fd = key.fd
                if fd == stdin_fd:
                    try:
                        view = view[os.write(fd, view[:65536]):]
                    except (BrokenPipeError, BlockingIOError) as exc:
                        if isinstance(exc, BlockingIOError):
                            continue
                        view = view[:0]
                    if not view:
                        selector.unregister(fd)
                        proc.stdin.close()
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    selector.unregister(fd)
                    continue
                buffer, cap = caps[fd]
                if len(buffer) < cap:
                    buffer += chunk[: cap - len(buffer)]
    # Both pipes are closed; the child may still be running (it can close its own fds).
    try:
        proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return bytes(output), bytes(record), True
    return bytes(output), bytes(record), False


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def _remove_tree(path: str) -> None:
    def make_writable_and_retry(func, target, _exc):
        os.chmod(os.path.dirname(target), 0o700)
        func(target)

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=make_writable_and_retry)
    else:
        shutil.rmtree(path, onerror=make_writable_and_retry)


# --------------------------------------------------------------------------- results


def _classify(timed_out: bool, returncode: int, output: bytes, record: bytes, nonce: str,
              assert_lines: list[int], spec: dict, timeout_s: float) -> dict:
    total = len(assert_lines)
    tail = _output_tail(output)
    if timed_out:
        return _result("timeout", 0, total, f"timed out after {timeout_s:g}s{tail}")
    if returncode == -signal.SIGXCPU:
        return _result("timeout", 0, total, f"CPU time limit exceeded{tail}")
    if returncode == -signal.SIGKILL:  # not ours: CPU hard limit, or the OOM killer
        return _result("timeout", 0, total, f"killed by SIGKILL (CPU or memory){tail}")
    if returncode == -signal.SIGXFSZ:
        return _result("failed", 0, total, "file size limit exceeded" + tail)
    parsed = _parse_record(record, nonce, total) if returncode == 0 else None
    if parsed is None:
        return _result("failed", 0, total,
                       f"program ended before the harness reported results (exit code "
                       f"{returncode}){tail}")
    outcomes, detail = parsed
    passed = outcomes.count("1")
    status = "passed" if passed == total else "failed"
    summary = f"{passed}/{total} tests passed"
    if status == "failed":
        first = outcomes.find("0")
        summary += f" (first failing assert at tests line {assert_lines[first]})"
        if spec["scoring"] == "all_or_nothing":
            summary += ", stopped at the first failure"
    text = summary + (f"; {detail}" if detail else "") + (tail if status != "passed" else "")
    return _result(status, passed, total, text)


def _parse_record(record: bytes, nonce: str, total: int) -> tuple[str, str] | None:
    """The single harness record, or None if absent, duplicated, forged or malformed."""
    lines = record.split(b"\n")
    if len(lines) != 2 or lines[1] != b"":
        return None  # nothing, several records, or junk written to the pipe by the program
    fields = lines[0].split(b" ")
    if len(fields) != 4 or fields[0] != b"RFT1":
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


def _output_tail(output: bytes) -> str:
    text = output.decode("utf-8", "replace").strip()
    if not text:
        return ""
    if len(text) > OUTPUT_TAIL_CHARS:
        text = "…" + text[-OUTPUT_TAIL_CHARS:]
    return f"; output: {text}"


def _result(status: str, passed: int, total: int, detail: str) -> dict:
    if len(detail) > DETAIL_CHARS:
        detail = detail[: DETAIL_CHARS - 1] + "…"
    return {"status": status, "passed": passed, "total": total, "detail": detail}


__all__ = ["SandboxConfig", "max_parallel", "prepare_tests", "run_batch", "run_one"]
