"""Child-side harness: runs ONE candidate program and its tests inside the sandbox process.

Started by ``sandbox_runner`` as ``python -I -S -B sandbox_harness.py`` with a scrubbed
environment, a private temporary working directory and (when the parent is root) an
unprivileged uid. Everything arrives as one JSON document on stdin, which is read completely
before any untrusted code runs, so the candidate can never read the tests or the nonce from it.

Order of events (why this order matters is noted inline):
  1. read the payload; keep the nonce and the result-pipe fd only in locals of ``main``;
  2. apply resource limits (CPU, address space, processes, open files, file size, core);
  3. import the modules the harness and typical tests need, snapshot ``builtins`` and the
     public namespace of those modules *before* untrusted code can patch them;
  4. install the audit hook (deny list below) and hide ``__main__``/``signal`` from the candidate;
  5. run the candidate code in its own namespace; any BaseException (SystemExit included)
     fails every test;
  6. run the (already AST-rewritten, see sandbox_runner) tests, statement by statement, in a
     separate namespace that gets the candidate's names, a private copy of the builtins, clean
     copies of common modules and the ``__rft_*__`` helpers;
  7. write exactly one record ``RFT1 <nonce> <outcomes> <hex detail>`` to the private result
     pipe, then ``os._exit(0)`` so no candidate ``atexit``/finaliser runs afterwards.

The audit hook is defence in depth, NOT a security boundary: CPython audit hooks can be
bypassed by code that reaches interpreter internals. The real boundaries are the separate
process, the scrubbed environment, the unprivileged uid / no-permission Lambda role and the
kernel resource limits. See README.md for the threat model and known gaps.
"""

import builtins
import json
import os
import resource
import sys
import types

# Functions defined below resolve builtins through this private copy (CPython binds a function's
# builtins when it is created), so candidate code patching `builtins.isinstance`, `len`, ... cannot
# change how the harness, its audit hook or its recorders behave.
__builtins__ = dict(builtins.__dict__)
_FunctionType, _ModuleType = types.FunctionType, types.ModuleType

# Modules that tests commonly import. They are imported before untrusted code runs and tests get
# private copies of their namespaces, so `math.isclose = lambda *a, **k: True` in candidate code
# does not change what `import math` means inside the tests.
_TEST_MODULES = (
    "math", "cmath", "re", "string", "collections", "itertools", "functools",
    "heapq", "bisect", "operator", "copy", "random", "statistics", "fractions",
)

# Audit events denied outright (process creation, signals to other processes, network,
# native code, frame/object-graph introspection that could reach the harness's nonce).
_DENY_EVENTS = frozenset({
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "subprocess.Popen", "pty.spawn", "os.startfile",
    "os.kill", "os.killpg", "signal.pthread_kill",
    "os.chmod", "os.chown", "os.chflags", "os.lchmod", "os.lchown", "os.lchflags",
    "os.symlink", "os.link", "os.setxattr", "os.removexattr",
    "sys._current_frames",
    "sys._current_exceptions", "sys.settrace", "sys.setprofile", "sys.addaudithook",
    "sys.monitoring.register_callback", "sys.remote_exec",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "code.__new__",
})
# sys._getframemodulename (3.12+) returns only a module name, so it stays allowed.
_NO_FRAME_EVENTS = frozenset({"sys._getframe"})
_DENY_PREFIXES = ("socket.", "ctypes.", "_ctypes.", "winreg.", "ssl.", "mmap.")
_DENY_IMPORTS = frozenset({
    "ctypes", "_ctypes", "signal", "_signal", "_posixsubprocess", "subprocess",
    "multiprocessing", "_multiprocessing", "pty", "socket", "_socket", "ssl", "_ssl",
    "asyncio", "_testcapi", "_testinternalcapi", "_testmultiphase", "_xxsubinterpreters",
    "_interpreters", "_xxinterpchannels", "_interpchannels", "_interpqueues", "mmap",
    "faulthandler",
})
# Restricted attributes whose read raises "object.__getattr__": the frame-bearing ones give a
# way to walk up into the harness's frames, so they are denied; `__code__` etc. stay readable.
_DENY_ATTRS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
# Path-taking events that modify the filesystem: allowed only inside the sandbox directory.
# Value: (number of leading path arguments, indexes of dir_fd arguments that must be -1).
_PATH_EVENTS = {
    "os.mkdir": (1, (2,)), "os.remove": (1, (1,)), "os.rmdir": (1, (1,)),
    "os.rename": (2, (2, 3)), "os.truncate": (1, ()), "os.utime": (1, (3,)), "os.chdir": (1, ()),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_S_IFMT, _S_IFLNK, _S_IFDIR = 0o170000, 0o120000, 0o040000


class _StopTests(BaseException):
    """Raised by the fail-fast recorder (all_or_nothing) to abandon the remaining tests."""


def _make_audit_hook(sandbox_dir):
    # Only C functions captured now are used: posixpath.realpath & co. are Python code whose
    # module globals the candidate could patch to make any path look "inside".
    lstat, readlink, getcwd, fspath = os.lstat, os.readlink, os.getcwd, os.fspath

    def resolve(path):
        """Absolute path with symlinks resolved (missing components are taken literally)."""
        path = fspath(path)
        if type(path) is bytes:
            path = path.decode("utf-8", "surrogateescape")
        if not path.startswith("/"):
            path = getcwd() + "/" + path
        pending, parts, hops = path.split("/")[::-1], [], 0
        while pending:
            part = pending.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            current = "/" + "/".join(parts + [part])
            try:
                mode = lstat(current).st_mode
            except OSError:
                parts.append(part)
                continue
            if mode & _S_IFMT == _S_IFLNK:
                hops += 1
                if hops > 40:
                    raise OSError("too many symlinks")
                target = readlink(current)
                if target.startswith("/"):
                    parts = []
                pending.extend(target.split("/")[::-1])
            else:
                parts.append(part)
        return "/" + "/".join(parts)

    root = resolve(sandbox_dir)

    def inside(real):
        return real == root or real.startswith(root + "/")

    def deny(event, detail=""):
        raise PermissionError(f"sandbox: {event} is not allowed {detail}".rstrip())

    def hook(event, args):
        if event in _NO_FRAME_EVENTS:
            # ValueError is what sys._getframe raises for a too-deep stack; stdlib callers
            # (collections.namedtuple, enum, typing) catch it and carry on without a frame.
            raise ValueError(f"sandbox: {event} is not allowed")
        if event in _DENY_EVENTS or event.startswith(_DENY_PREFIXES):
            deny(event)
        if event == "open":
            path, mode, flags = args
            if path is None or type(path) is int:
                return  # re-opening an already open fd
            try:
                real = resolve(path)
            except (TypeError, ValueError, OSError):
                deny(event, "(unresolvable path)")
            if real == "/proc" or real.startswith("/proc/"):
                # /proc/<pid>/environ and /proc/self/mem are the ways to read a parent's
                # credentials (same uid on Lambda) or the harness's own memory.
                deny(event, "(/proc)")
            writing = (mode is not None and any(c in mode for c in "wax+")) or (
                type(flags) is int and flags & _WRITE_FLAGS)
            if writing and not inside(real) and real != "/dev/null":
                deny(event, "(write outside the sandbox directory)")
            if mode is None and not inside(real):
                # os.open() of an outside directory would give a dir_fd to write through.
                try:
                    is_dir = lstat(real).st_mode & _S_IFMT == _S_IFDIR
                except OSError:
                    is_dir = False
                if is_dir:
                    deny(event, "(directory fd outside the sandbox directory)")
        elif event in _PATH_EVENTS:
            n_paths, dir_fd_indexes = _PATH_EVENTS[event]
            for path in args[:n_paths]:
                if type(path) is int:
                    continue  # an fd the candidate already opened (and the hook checked)
                try:
                    ok = inside(resolve(path))
                except (TypeError, ValueError, OSError):
                    ok = False
                if not ok:
                    deny(event, "(outside the sandbox directory)")
            if any(args[i] not in (-1, None) for i in dir_fd_indexes if i < len(args)):
                deny(event, "(dir_fd)")
        elif event == "import":
            if args[0].split(".")[0] in _DENY_IMPORTS:
                deny(event, args[0])
        elif event == "object.__getattr__":
            if args[1] in _DENY_ATTRS:
                deny(event, args[1])
        elif event in ("object.__setattr__", "object.__delattr__"):
            # Replacing a function's __code__ (with code.__new__ also denied) is how crafted
            # bytecode gets run; other audited setattrs (a class's __module__) are harmless.
            if args[1] == "__code__":
                deny(event, args[1])

    return hook


def _set_limits(limits):
    # Hard limit == soft limit so the candidate cannot raise them again.
    cpu = int(limits["cpu_s"])
    pairs = [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),  # SIGXCPU at soft, SIGKILL at hard
        (resource.RLIMIT_AS, (limits["memory_bytes"],) * 2),
        (resource.RLIMIT_NOFILE, (limits["open_files"],) * 2),
        (resource.RLIMIT_FSIZE, (limits["file_size_bytes"],) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    if limits["no_processes"]:
        # Per-user count: 0 means this process can create neither processes nor threads
        # (unless running as root, which the kernel exempts; the runner drops root first).
        pairs.append((resource.RLIMIT_NPROC, (0, 0)))
    for which, value in pairs:
        resource.setrlimit(which, value)


def _build_helpers(record_mismatch):
    """Strict comparison/truth/return checks used by the rewritten tests.

    Every value that takes part in a comparison, in an assert's truth test, or that a
    candidate function returns must be plain builtin data: exact types (identity, not
    isinstance or ==, both of which a metaclass can fake) of None/bool/int/float/complex/
    str/bytes/bytearray, or list/tuple/dict/set/frozenset containing only such values.
    That makes `__eq__`/`__bool__`/`__abs__`-overriding objects and str/int subclasses unable
    to pass an assert.
    """
    import operator

    scalar_ids = frozenset(map(id, (type(None), bool, int, float, complex, str, bytes, bytearray)))
    list_ids = frozenset(map(id, (list, tuple, set, frozenset)))
    dict_id = id(dict)
    name_of = type.__dict__["__name__"].__get__  # real class name, metaclass can't override
    ops = {
        "Eq": operator.eq, "NotEq": operator.ne, "Lt": operator.lt, "LtE": operator.le,
        "Gt": operator.gt, "GtE": operator.ge, "Is": operator.is_, "IsNot": operator.is_not,
        "In": lambda a, b: operator.contains(b, a),
        "NotIn": lambda a, b: not operator.contains(b, a),
    }
    max_nodes = 1_000_000

    def require_plain(value, what):
        stack, seen, count = [value], set(), 0
        while stack:
            x = stack.pop()
            t = id(type(x))
            if t in scalar_ids:
                continue
            if t in list_ids or t == dict_id:
                if id(x) in seen:
                    continue
                seen.add(id(x))
                count += len(x)
                if count > max_nodes:
                    raise AssertionError(f"{what} is too large to check")
                if t == dict_id:
                    stack.extend(dict.keys(x))
                    stack.extend(dict.values(x))
                else:
                    stack.extend(x)
                continue
            raise AssertionError(f"{what} has non-builtin type {name_of(type(x))!s} (refused)")

    def cmp(op_names, *operands):
        for k, name in enumerate(op_names):
            left, right = operands[k], operands[k + 1]
            if name not in ("Is", "IsNot"):
                require_plain(left, "compared value")
                require_plain(right, "compared value")
            if not ops[name](left, right):
                record_mismatch(name, left, right)
                return False
        return True

    def truth(value):
        require_plain(value, "asserted value")
        return bool(value)

    def guard(fn):
        def guarded(*args, **kwargs):
            result = fn(*args, **kwargs)
            require_plain(result, f"value returned by {fn.__name__}")
            return result
        guarded.__name__ = guarded.__qualname__ = fn.__name__
        guarded.__doc__ = fn.__doc__
        return guarded

    return cmp, truth, guard


def _safe_text(e):
    """Describe an exception without running candidate code (no custom __str__/__repr__)."""
    t = type(e)
    name = type.__dict__["__name__"].__get__(t)
    args = BaseException.__dict__["args"].__get__(e)
    if getattr(builtins, name, None) is t and len(args) == 1 and type(args[0]) is str:
        return f"{name}: {args[0][:300]}"
    return name


def main():
    # Captured before untrusted code runs: the candidate may rebind os/sys attributes.
    write, exit_now = os.write, os._exit
    stdout, stderr = sys.stdout, sys.stderr
    payload = json.loads(sys.stdin.buffer.read())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # stdin is spent; input() now sees EOF instead of blocking
    os.close(devnull)
    nonce, result_fd = payload.pop("nonce"), payload.pop("result_fd")

    _set_limits(payload["limits"])

    for name in _TEST_MODULES:
        __import__(name)

    clean_builtins = dict(builtins.__dict__)
    clean_modules = {}
    for name in _TEST_MODULES:
        copy = _ModuleType(name)
        copy.__dict__.update(sys.modules[name].__dict__)
        clean_modules[name] = copy
    real_import = builtins.__import__

    def test_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and name in clean_modules:
            return clean_modules[name]
        return real_import(name, globals, locals, fromlist, level)

    total = payload["total"]
    fail_fast = payload["scoring"] == "all_or_nothing"
    ok_runs = [0] * total
    failures = {}  # test index -> message of its first failure
    notes = []  # first problem outside individual asserts
    mismatch = [None]

    def record_mismatch(op, left, right):
        mismatch[0] = (op, left, right)

    def mismatch_text():
        if mismatch[0] is None:
            return ""
        op, left, right = mismatch[0]
        symbol = {"Eq": "==", "NotEq": "!=", "Lt": "<", "LtE": "<=", "Gt": ">", "GtE": ">=",
                  "Is": "is", "IsNot": "is not", "In": "in", "NotIn": "not in"}[op]
        try:  # repr of plain builtin data only (see require_plain); bounded
            return f" ({repr(left)[:150]} {symbol} {repr(right)[:150]} is false)"
        except Exception:
            return ""

    def rec_ok(i):
        ok_runs[i] += 1

    def rec_fail(i, exc):
        if i not in failures:
            text = _safe_text(exc)
            if type(exc) is AssertionError and not exc.args:
                text += mismatch_text()
            failures[i] = text
        mismatch[0] = None
        if fail_fast:
            raise _StopTests

    cmp, truth, guard = _build_helpers(record_mismatch)

    if payload["audit_hook"]:
        sys.addaudithook(_make_audit_hook(os.getcwd()))
    # The candidate can reach sys.modules; make sure the harness module (whose globals hold
    # these functions) and the signal module (a handler receives the current frame) are not there.
    sys.modules["__main__"] = _ModuleType("__main__")
    for name in ("signal", "_signal"):
        sys.modules.pop(name, None)

    candidate_ns = {"__name__": "__candidate__", "__builtins__": dict(clean_builtins)}
    candidate_ok = True
    try:
        exec(compile(payload["code"], "<candidate>", "exec"), candidate_ns)
    except BaseException as exc:  # SystemExit/KeyboardInterrupt from candidate code = failure
        candidate_ok = False
        notes.append(f"candidate code raised {_safe_text(exc)}")

    entry = payload["entry_point"]
    if candidate_ok and entry is not None and not callable(candidate_ns.get(entry)):
        candidate_ok = False
        notes.append(f"candidate code does not define a function {entry!r}")

    if candidate_ok:
        test_ns = {}
        for key, value in list(candidate_ns.items()):
            if type(value) is _FunctionType and value.__globals__ is candidate_ns:
                value = guard(value)
            test_ns[key] = value
        test_builtins = dict(clean_builtins)
        test_builtins["__import__"] = test_import
        test_ns.update({
            "__name__": "__tests__", "__builtins__": test_builtins,
            "__rft_cmp__": cmp, "__rft_truth__": truth,
            "__rft_ok__": rec_ok, "__rft_fail__": rec_fail,
        })
        try:
            for index, statement in enumerate(payload["statements"]):
                try:
                    exec(compile(statement, "<tests>", "exec"), test_ns)
                except _StopTests:
                    raise
                except BaseException as exc:
                    notes.append(f"test statement {index + 1} raised {_safe_text(exc)}")
                    if fail_fast:
                        raise _StopTests
            check = test_ns.get("check")
            # HumanEval: call the tests' own check() (not one the candidate defined).
            if entry is not None and callable(check) and check is not candidate_ns.get("check"):
                try:
                    check(test_ns[entry])
                except _StopTests:
                    raise
                except BaseException as exc:
                    notes.append(f"check() raised {_safe_text(exc)}")
        except _StopTests:
            pass

    outcomes = "".join(
        "1" if ok_runs[i] and i not in failures else "0" for i in range(total))
    detail_parts = notes[:1]
    if failures:
        first = min(failures)
        detail_parts.append(f"test {first + 1}: {failures[first]}")
    elif "1" not in outcomes and not notes and total:
        detail_parts.append("no test ran")
    detail = "; ".join(detail_parts)[:600]
    # Report first (hex keeps the record one line and needs no encoder the candidate could
    # patch), then flush whatever the candidate printed, then leave without running atexit.
    record = f"RFT1 {nonce} {outcomes} {detail.encode('utf-8', 'replace').hex()}\n"
    write(result_fd, record.encode("ascii"))
    try:
        stdout.flush()
        stderr.flush()
    except BaseException:
        pass
    exit_now(0)


if __name__ == "__main__":
    main()
