"""Child side of the code sandbox: a clean-environment "zygote" that forks two processes per run.

Started once per worker by ``rft_sandbox.runner`` as ``python -I -S -B zygote.py`` with an
environment built from nothing (no credentials), as ``nobody`` when the runner is root. It makes
itself non-dumpable, preloads the standard modules tests and candidates usually import, then
serves runs one at a time over its stdin/stdout:

  * the **candidate process** (C) runs the model's code and nothing else, then serves calls:
    it receives ``(name, args, kwargs)`` as tagged JSON, calls the function, returns the result
    as tagged JSON (or the exception's builtin type name and message);
  * the **tests process** (T) runs the tests and never executes candidate code: the candidate's
    functions exist there only as :class:`Proxy` objects that serialize arguments and decode a
    plain-data reply. No object, patched module or shadowed name of the candidate can reach a
    comparison. T alone holds the pipe that carries the result record to the runner.

Why the framing looks the way it does: the zygote must never hold the tests or the nonce in its
memory, because C is a copy of that memory (a candidate that escapes the audit hook could read
the expected answers of this or an earlier run of the same problem). So the runner writes two
frames per run on the zygote's stdin: frame A (code, limits; read by the zygote) and frame B
(nonce, tests; read by T directly from the inherited stdin, after the zygote forked C).

Kernel-level layers applied in both children before any untrusted byte runs: resource limits
(CPU, address space, file size, open files, no processes), PR_SET_NO_NEW_PRIVS, a seccomp
filter (no signals to other processes, no ptrace / process_vm_*, no prlimit on other pids, no
sockets, no fork/exec, no namespaces, no io_uring), PR_SET_PDEATHSIG. In C an audit hook adds
defence in depth (it is not a boundary). See README.md for the threat model.
"""

import builtins
import ctypes
import json
import os
import platform
import resource
import select
import signal
import struct
import sys
import time

# Preloaded so forked children get them for free (the import cost is paid once per zygote).
_PRELOAD = (
    "math",
    "cmath",
    "re",
    "string",
    "collections",
    "itertools",
    "functools",
    "heapq",
    "bisect",
    "operator",
    "copy",
    "random",
    "statistics",
    "fractions",
    "decimal",
    "typing",
    "hashlib",
    "datetime",
    "textwrap",
    "unicodedata",
    "array",
    "numbers",
    "enum",
    "dataclasses",
)
for _name in _PRELOAD:
    __import__(_name)

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS = 1, 4, 22, 38
SECCOMP_MODE_FILTER = 2

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # one call's arguments or result
OUTPUT_CAPTURE_BYTES = 64 * 1024
DISK_POLL_S = 0.1

# ------------------------------------------------------------------------------------------ prctl


def prctl(option, arg2=0, arg3=0, arg4=0, arg5=0):
    if _libc.prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(arg4), ctypes.c_ulong(arg5)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def set_not_dumpable():
    """No core dumps, and /proc/<pid>/{environ,mem,fd} and ptrace closed to same-uid processes."""
    prctl(PR_SET_DUMPABLE, 0)


# ---------------------------------------------------------------------------------------- seccomp

# Syscalls the sandboxed processes never need and a hostile one could use against other processes
# of the same uid (signals, ptrace, memory of others, their rlimits, scheduling), the network,
# new processes, namespaces and io_uring (which performs I/O without passing through seccomp).
_DENIED = (
    "kill",
    "tkill",
    "tgkill",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "pidfd_send_signal",
    "pidfd_open",
    "pidfd_getfd",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "kcmp",
    "setpriority",
    "ioprio_set",
    "sched_setaffinity",
    "sched_setscheduler",
    "sched_setparam",
    "sched_setattr",
    "perf_event_open",
    "bpf",
    "userfaultfd",
    "add_key",
    "request_key",
    "keyctl",
    "socket",
    "socketpair",
    "connect",
    "bind",
    "clone",
    "clone3",
    "fork",
    "vfork",
    "execve",
    "execveat",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "chroot",
    "pivot_root",
    "reboot",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
)
_SYSCALLS = {
    # From arch/x86/entry/syscalls/syscall_64.tbl.
    "x86_64": (
        0xC000003E,
        {
            "kill": 62,
            "tkill": 200,
            "tgkill": 234,
            "rt_sigqueueinfo": 129,
            "rt_tgsigqueueinfo": 297,
            "pidfd_send_signal": 424,
            "pidfd_open": 434,
            "pidfd_getfd": 438,
            "ptrace": 101,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "process_madvise": 440,
            "kcmp": 312,
            "setpriority": 141,
            "ioprio_set": 251,
            "sched_setaffinity": 203,
            "sched_setscheduler": 144,
            "sched_setparam": 142,
            "sched_setattr": 314,
            "perf_event_open": 298,
            "bpf": 321,
            "userfaultfd": 323,
            "add_key": 248,
            "request_key": 249,
            "keyctl": 250,
            "socket": 41,
            "socketpair": 53,
            "connect": 42,
            "bind": 49,
            "clone": 56,
            "clone3": 435,
            "fork": 57,
            "vfork": 58,
            "execve": 59,
            "execveat": 322,
            "unshare": 272,
            "setns": 308,
            "mount": 165,
            "umount2": 166,
            "chroot": 161,
            "pivot_root": 155,
            "reboot": 169,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
            "prlimit64": 302,
        },
    ),
    # From include/uapi/asm-generic/unistd.h (arm64 has no fork/vfork).
    "aarch64": (
        0xC00000B7,
        {
            "kill": 129,
            "tkill": 130,
            "tgkill": 131,
            "rt_sigqueueinfo": 138,
            "rt_tgsigqueueinfo": 240,
            "pidfd_send_signal": 424,
            "pidfd_open": 434,
            "pidfd_getfd": 438,
            "ptrace": 117,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "process_madvise": 440,
            "kcmp": 272,
            "setpriority": 140,
            "ioprio_set": 30,
            "sched_setaffinity": 122,
            "sched_setscheduler": 119,
            "sched_setparam": 118,
            "sched_setattr": 274,
            "perf_event_open": 241,
            "bpf": 280,
            "userfaultfd": 282,
            "add_key": 217,
            "request_key": 218,
            "keyctl": 219,
            "socket": 198,
            "socketpair": 199,
            "connect": 203,
            "bind": 200,
            "clone": 220,
            "clone3": 435,
            "execve": 221,
            "execveat": 281,
            "unshare": 97,
            "setns": 268,
            "mount": 40,
            "umount2": 39,
            "chroot": 51,
            "pivot_root": 41,
            "reboot": 142,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
            "prlimit64": 261,
        },
    ),
}
_BPF_LD_W_ABS, _BPF_JEQ_K, _BPF_RET_K = 0x20, 0x15, 0x06
_RET_ALLOW, _RET_KILL_PROCESS = 0x7FFF0000, 0x80000000
_RET_EPERM = 0x00050000 | 1  # SECCOMP_RET_ERRNO | EPERM: the call fails, the process lives
_X32_BIT = 0x40000000


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def seccomp_program():
    """The BPF program as (code, jt, jf, k) tuples, or None on an architecture we do not know.

    seccomp_data layout: nr at offset 0, arch at 4, args[i] at 16 + 8 i (little endian: low
    word first). prlimit64 is allowed only with pid 0 (itself): glibc's getrlimit/setrlimit use
    it, but on another pid of the same uid it could lower the zygote's CPU limit to kill it.
    """
    machine = platform.machine()
    if machine not in _SYSCALLS:
        return None
    arch, numbers = _SYSCALLS[machine]
    denied = [numbers[name] for name in _DENIED if name in numbers]
    prog = [
        (_BPF_LD_W_ABS, 0, 0, 4),
        (_BPF_JEQ_K, 1, 0, arch),
        (_BPF_RET_K, 0, 0, _RET_KILL_PROCESS),  # another ABI (i386, x32 via arch) is never ours
        (_BPF_LD_W_ABS, 0, 0, 0),
    ]
    if machine == "x86_64":
        # x32 syscalls share the arch value and set bit 30 of nr: refuse them all.
        prog += [(0x45, 0, 1, _X32_BIT), (_BPF_RET_K, 0, 0, _RET_EPERM)]  # JSET
    for nr in denied:
        prog.append((_BPF_JEQ_K, 0, 1, nr))
        prog.append((_BPF_RET_K, 0, 0, _RET_EPERM))
    prog += [
        (_BPF_JEQ_K, 0, 5, numbers["prlimit64"]),
        (_BPF_LD_W_ABS, 0, 0, 16),  # args[0] low word
        (_BPF_JEQ_K, 0, 2, 0),
        (_BPF_LD_W_ABS, 0, 0, 20),  # args[0] high word
        (_BPF_JEQ_K, 1, 0, 0),
        (_BPF_RET_K, 0, 0, _RET_EPERM),
        (_BPF_RET_K, 0, 0, _RET_ALLOW),
    ]
    return prog


def install_seccomp(prog):
    """Install the filter on this process (needs no privilege after PR_SET_NO_NEW_PRIVS)."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    array = (_SockFilter * len(prog))(*[_SockFilter(*ins) for ins in prog])
    fprog = _SockFprog(len(prog), ctypes.cast(array, ctypes.POINTER(_SockFilter)))
    if (
        _libc.prctl(
            PR_SET_SECCOMP,
            ctypes.c_ulong(SECCOMP_MODE_FILTER),
            ctypes.byref(fprog),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
        )
        != 0
    ):
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def seccomp_works(prog):
    """Probe in a throwaway child: can a filter be installed here, and does it deny kill()?"""
    if prog is None:
        return False
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            install_seccomp(prog)
            try:
                os.kill(os.getppid(), 0)  # signal 0: only a permission check
                code = 2
            except PermissionError:
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


# ------------------------------------------------------------------------------------------ codec
#
# Tagged JSON. Plain JSON values map to themselves (list -> list); everything else is an object
# with one key: t tuple, d dict (list of pairs: keys of any plain hashable type, order kept),
# s set, f frozenset, b bytes (hex), y bytearray (hex), c complex, x float that JSON cannot spell
# (inf, -inf, nan). Types are matched exactly (``type(x) is int``), so subclasses with a lying
# __eq__ are not plain data. Decoding builds only builtin objects; it never calls anything
# chosen by the sender. No pickle/marshal anywhere.

_SCALARS = (type(None), bool, int, str)


def encode(value, max_nodes=1_000_000):
    budget = [max_nodes]

    def enc(x, depth):
        budget[0] -= 1
        if budget[0] < 0 or depth > 200:
            raise ValueError("value too large or too deeply nested")
        t = type(x)
        if t in _SCALARS:
            return x
        if t is float:
            return x if x == x and x not in (float("inf"), float("-inf")) else {"x": repr(x)}
        if t is list:
            return [enc(v, depth + 1) for v in x]
        if t is tuple:
            return {"t": [enc(v, depth + 1) for v in x]}
        if t is dict:
            return {"d": [[enc(k, depth + 1), enc(v, depth + 1)] for k, v in x.items()]}
        if t is set:
            return {"s": [enc(v, depth + 1) for v in x]}
        if t is frozenset:
            return {"f": [enc(v, depth + 1) for v in x]}
        if t is bytes:
            return {"b": x.hex()}
        if t is bytearray:
            return {"y": x.hex()}
        if t is complex:
            return {"c": [enc(x.real, depth + 1), enc(x.imag, depth + 1)]}
        raise TypeError(f"{type.__dict__['__name__'].__get__(t)} is not plain data")

    return enc(value, 0)


_SPECIAL_FLOATS = {"inf": float("inf"), "-inf": float("-inf"), "nan": float("nan")}


def decode(value):
    """Inverse of :func:`encode` over the output of ``json.loads`` (so only JSON types arrive)."""

    def dec(x):
        t = type(x)
        if t is list:
            return [dec(v) for v in x]
        if t is not dict:
            return x
        if len(x) != 1:
            raise ValueError("malformed tagged value")
        ((tag, body),) = x.items()
        if tag == "x" and type(body) is str and body in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[body]
        if tag in ("b", "y") and type(body) is str:
            return (bytes if tag == "b" else bytearray).fromhex(body)
        if type(body) is not list:
            raise ValueError("malformed tagged value")
        if tag == "t":
            return tuple(dec(v) for v in body)
        if tag == "d":
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise ValueError("malformed dict entry")
                out[dec(pair[0])] = dec(pair[1])
            return out
        if tag in ("s", "f"):
            return (set if tag == "s" else frozenset)(dec(v) for v in body)
        if tag == "c" and len(body) == 2:
            real, imag = dec(body[0]), dec(body[1])
            if type(real) in (int, float) and type(imag) in (int, float):
                return complex(real, imag)
        raise ValueError("malformed tagged value")

    return dec(value)


def dumps(value):
    return json.dumps(encode(value), separators=(",", ":"), allow_nan=False).encode()


def loads(data):
    return decode(json.loads(data))


# -------------------------------------------------------------------------------------- framing


def read_exact(fd, n):
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd, limit=MAX_MESSAGE_BYTES):
    (size,) = struct.unpack(">I", read_exact(fd, 4))
    if size > limit:
        raise ValueError("message too large")
    return read_exact(fd, size)


def write_frame(fd, data):
    data = struct.pack(">I", len(data)) + data
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# ------------------------------------------------------------------------------------ audit hook

# Defence in depth in the candidate process (NOT a boundary: CPython internals can bypass it).
# What it guards is mostly this process itself; the boundaries are the separate tests process,
# seccomp, non-dumpable processes, the unprivileged uid and the scrubbed environment.
_DENY_EVENTS = frozenset(
    {
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "subprocess.Popen",
        "pty.spawn",
        "os.kill",
        "os.killpg",
        "signal.pthread_kill",
        "resource.prlimit",
        "resource.setrlimit",
        "os.chmod",
        "os.chown",
        "os.lchmod",
        "os.lchown",
        "os.symlink",
        "os.link",
        "os.setxattr",
        "os.removexattr",
        "sys._current_frames",
        "sys.settrace",
        "sys.setprofile",
        "sys.addaudithook",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "code.__new__",
    }
)
_DENY_PREFIXES = ("socket.", "ctypes.", "_ctypes.", "ssl.", "mmap.")
_DENY_IMPORTS = frozenset(
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
        "_xxsubinterpreters",
        "_interpreters",
        "mmap",
        "faulthandler",
        "resource",
    }
)
_PATH_EVENTS = {  # event -> (number of leading path arguments, indexes of dir_fd arguments)
    "os.mkdir": (1, (2,)),
    "os.remove": (1, (1,)),
    "os.rmdir": (1, (1,)),
    "os.rename": (2, (2, 3)),
    "os.truncate": (1, ()),
    "os.utime": (1, (3,)),
    "os.chdir": (1, ()),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_S_IFMT, _S_IFLNK = 0o170000, 0o120000


def make_audit_hook(sandbox_dir):
    lstat, readlink, getcwd, fspath = os.lstat, os.readlink, os.getcwd, os.fspath

    def resolve(path):
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
    batch = root.rsplit("/", 1)[0]  # holds the other runs' directories of this batch

    def inside(real, base=root):
        return real == base or real.startswith(base + "/")

    def other_run(real):
        return inside(real, batch) and not inside(real)

    def deny(event, detail=""):
        raise PermissionError(f"sandbox: {event} is not allowed {detail}".rstrip())

    def hook(event, args):
        if event == "sys._getframe":
            raise ValueError("sandbox: sys._getframe is not allowed")
        if event in _DENY_EVENTS or event.startswith(_DENY_PREFIXES):
            deny(event)
        if event == "open":
            path, mode, flags = args
            if path is None or type(path) is int:
                return
            if mode is None and not (type(path) in (str, bytes) and path[:1] in ("/", b"/")):
                # os.open() may carry a dir_fd that the audit event does not show; a relative
                # path would then be resolved against that fd, not the cwd checked here.
                deny(event, "(os.open needs an absolute path)")
            try:
                real = resolve(path)
            except (TypeError, ValueError, OSError):
                deny(event, "(unresolvable path)")
            if real == "/proc" or real.startswith("/proc/"):
                deny(event, "(/proc)")
            if other_run(real):
                deny(event, "(another run's directory)")
            writing = (mode is not None and any(c in mode for c in "wax+")) or (
                type(flags) is int and flags & _WRITE_FLAGS
            )
            if writing and not inside(real) and real != "/dev/null":
                deny(event, "(write outside the sandbox directory)")
        elif event in _PATH_EVENTS:
            n_paths, dir_fd_indexes = _PATH_EVENTS[event]
            for path in args[:n_paths]:
                if type(path) is int:
                    deny(event, "(fd)")
                try:
                    ok = inside(resolve(path))
                except (TypeError, ValueError, OSError):
                    ok = False
                if not ok:
                    deny(event, "(outside the sandbox directory)")
            if any(args[i] not in (-1, None) for i in dir_fd_indexes if i < len(args)):
                deny(event, "(dir_fd)")
        elif event in ("os.listdir", "os.scandir"):
            path = args[0]
            if path is not None and type(path) is not int:
                try:
                    real = resolve(path)
                except (TypeError, ValueError, OSError):
                    deny(event, "(unresolvable path)")
                if other_run(real):
                    deny(event, "(another run's directory)")
        elif event == "import":
            if args[0].split(".")[0] in _DENY_IMPORTS:
                deny(event, args[0])
        elif event == "object.__getattr__":
            if args[1] in ("tb_frame", "gi_frame", "cr_frame", "ag_frame"):
                deny(event, args[1])
        elif event in ("object.__setattr__", "object.__delattr__"):
            if args[1] == "__code__":
                deny(event, args[1])

    return hook


# -------------------------------------------------------------------------------- both children


def _exc_text(exc):
    """Describe an exception without running code it chose (no custom __str__/__repr__)."""
    t = type(exc)
    name = type.__dict__["__name__"].__get__(t)
    args = BaseException.__dict__["args"].__get__(exc)
    if len(args) == 1 and type(args[0]) is str:
        return name, args[0][:300]
    return name, ""


def _child_setup(run, keep_fds, seccomp_prog):
    """Common, order-sensitive setup of C and T right after fork (no untrusted code yet)."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the zygote dying takes its children along
    if os.getppid() != run["zygote_pid"]:
        os._exit(70)  # it died before the prctl: nobody would reap or time us
    os.setsid()
    os.chdir(run["workdir"])  # relative to the batch root, the zygote's cwd
    home = os.getcwd()
    os.environ.update({"HOME": home, "TMPDIR": home})
    limits = run["limits"]
    cpu = int(limits["cpu_s"])
    pairs = [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),  # SIGXCPU at soft, SIGKILL at hard
        (resource.RLIMIT_AS, (limits["memory_bytes"],) * 2),
        (resource.RLIMIT_FSIZE, (limits["file_size_bytes"],) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_NOFILE, (limits["open_files"],) * 2),
    ]
    if limits["no_processes"]:
        pairs.append((resource.RLIMIT_NPROC, (0, 0)))  # per uid; ineffective for root
    # Close everything else before RLIMIT_NOFILE (fds above the limit would survive it).
    for fd in _open_fds():
        if fd > 2 and fd not in keep_fds:
            try:
                os.close(fd)
            except OSError:
                pass
    for which, value in pairs:
        resource.setrlimit(which, value)
    if seccomp_prog is not None:
        install_seccomp(seccomp_prog)


def _open_fds():
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 256))


# ----------------------------------------------------------------------------- candidate process


def candidate_main(run, req_fd, rep_fd, out_fd, seccomp_prog):
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # stdin carries frame B for T: never readable here
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    _child_setup(run, {req_fd, rep_fd}, seccomp_prog if run["seccomp"] else None)
    exit_now = os._exit
    loads_, dumps_ = json.loads, json.dumps

    def reply(obj):
        write_frame(rep_fd, dumps_(obj, separators=(",", ":"), allow_nan=False).encode())

    if run["audit_hook"]:
        sys.addaudithook(make_audit_hook(os.getcwd()))
    # Modules whose presence would make escaping the hook easier are not left lying around.
    for name in ("ctypes", "_ctypes", "ctypes._endian", "signal", "_signal", "resource"):
        sys.modules.pop(name, None)
    sys.modules["__main__"] = type(sys)("__main__")
    namespace = {"__name__": "__candidate__", "__builtins__": builtins}  # no main() blocks
    try:
        exec(compile(run["code"], "<candidate>", "exec"), namespace)
        names = {}
        for name in run["wanted"]:
            if name in namespace:
                value = namespace[name]
                if type(value) is type(sys):
                    # An imported module the tests use without importing it (MBPP files often
                    # rely on the program's `import math`): the tests process imports its own,
                    # clean copy, and only under the very name the tests read.
                    names[name] = ["m", name]
                elif callable(value):
                    names[name] = "f"
                else:
                    try:
                        names[name] = ["v", encode(value)]
                    except (TypeError, ValueError):
                        pass
        hello = {"ok": True, "names": names}
    except BaseException as exc:  # noqa: BLE001 - SystemExit too: the program did not load
        name, text = _exc_text(exc)
        hello = {"ok": False, "error": f"{name}: {text}" if text else name}
    sys.stdout.flush()
    reply(hello)
    if not hello["ok"]:
        exit_now(0)
    while True:
        try:
            request = loads_(read_frame(req_fd))
        except BaseException:  # noqa: BLE001 - model-written code may raise anything; it becomes a result
            exit_now(0)
        try:
            fn = namespace[request["n"]]
            result = fn(*decode(request["a"]), **decode(request["k"]))
            try:
                message = {"r": encode(result)}
            except (TypeError, ValueError) as exc:
                message = {"e": ["TypeError", f"return value: {exc}"]}
        except BaseException as exc:  # noqa: BLE001 - reported to the tests as a failure
            message = {"e": list(_exc_text(exc))}
        try:
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001 - model-written code may raise anything; it becomes a result
            pass
        try:
            reply(message)
        except BaseException:  # noqa: BLE001 - model-written code may raise anything; it becomes a result
            exit_now(0)


# --------------------------------------------------------------------------------- tests process


class CandidateError(Exception):
    """A candidate function raised something that is not a plain builtin Exception."""


class CandidateGone(Exception):
    """The candidate process died, hung up or sent something that is not a valid reply."""


_BUILTIN_EXCEPTIONS = {
    name: obj
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, (StopIteration, StopAsyncIteration))
}


class Proxy:
    """Stands for a candidate function in the tests process: arguments go out as data."""

    __slots__ = ("_name", "_channel")

    def __init__(self, name, channel):
        self._name, self._channel = name, channel

    @property
    def __name__(self):
        return self._name

    def __repr__(self):
        return f"<candidate function {self._name}>"

    def __call__(self, *args, **kwargs):
        return self._channel.call(self._name, args, kwargs)


class Channel:
    def __init__(self, req_fd, rep_fd):
        self.req_fd, self.rep_fd, self.dead = req_fd, rep_fd, None

    def call(self, name, args, kwargs):
        if self.dead:
            raise CandidateGone(self.dead)
        try:
            request = json.dumps(
                {"n": name, "a": encode(args), "k": encode(kwargs)}, separators=(",", ":"), allow_nan=False
            ).encode()
        except (TypeError, ValueError) as exc:
            raise TypeError(f"argument to {name} cannot be sent to the candidate: {exc}") from None
        try:
            write_frame(self.req_fd, request)
            reply = json.loads(read_frame(self.rep_fd))
            if type(reply) is not dict:
                raise ValueError("reply is not an object")
            if "r" in reply:
                return decode(reply["r"])
            kind, text = reply["e"]
            if type(kind) is not str or type(text) is not str:
                raise ValueError("malformed error reply")
        except (OSError, EOFError, ValueError, TypeError, KeyError, RecursionError, MemoryError) as exc:
            self.dead = f"candidate process stopped answering ({type(exc).__name__})"
            raise CandidateGone(self.dead) from None
        cls = _BUILTIN_EXCEPTIONS.get(kind, CandidateError)
        raise cls(text[:300]) if cls is not CandidateError else cls(f"{kind}: {text[:300]}")

    def hello(self):
        return json.loads(read_frame(self.rep_fd))


class _StopTests(BaseException):
    """Raised by the fail-fast recorder (all_or_nothing) to abandon the remaining tests."""


def _describe(exc):
    name, text = _exc_text(exc)
    return f"{name}: {text}" if text else name


def tests_main(run, req_fd, rep_fd, result_fd, alive_fd, out_fd, seccomp_prog):
    spec = json.loads(read_frame(0))  # frame B, straight from the runner
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    fds = (req_fd, rep_fd, result_fd, alive_fd)
    os.write(alive_fd, b"R")  # tells the zygote frame B was consumed (its stdin stays in sync)
    _child_setup(run, set(fds), seccomp_prog if run["seccomp"] else None)

    total = spec["total"]
    repeatable = spec["repeatable"]
    fail_fast = spec["scoring"] == "all_or_nothing"
    ok_runs = [0] * total
    failures = {}
    notes = []
    touched = set()
    mismatch = [None]

    def record_mismatch(op, left, right):
        mismatch[0] = (op, left, right)

    def mismatch_text():
        if mismatch[0] is None:
            return ""
        op, left, right = mismatch[0]
        symbol = {
            "Eq": "==",
            "NotEq": "!=",
            "Lt": "<",
            "LtE": "<=",
            "Gt": ">",
            "GtE": ">=",
            "Is": "is",
            "IsNot": "is not",
            "In": "in",
            "NotIn": "not in",
        }[op]
        try:
            return f" ({repr(left)[:150]} {symbol} {repr(right)[:150]} is false)"
        except Exception:  # noqa: BLE001 - model-written code may raise anything; it becomes a result
            return ""

    def fail(i, text):
        if i not in failures:
            failures[i] = text

    def rec_ok(i):
        touched.add(i)
        ok_runs[i] += 1

    def rec_fail(i, exc):
        touched.add(i)
        text = _describe(exc)
        if type(exc) is AssertionError and not exc.args:
            text += mismatch_text()
        fail(i, text)
        mismatch[0] = None
        if fail_fast:
            raise _StopTests

    import operator

    ops = {
        "Eq": operator.eq,
        "NotEq": operator.ne,
        "Lt": operator.lt,
        "LtE": operator.le,
        "Gt": operator.gt,
        "GtE": operator.ge,
        "Is": operator.is_,
        "IsNot": operator.is_not,
        "In": lambda a, b: operator.contains(b, a),
        "NotIn": lambda a, b: not operator.contains(b, a),
    }

    def cmp(op_names, *operands):
        for k, name in enumerate(op_names):
            if not ops[name](operands[k], operands[k + 1]):
                record_mismatch(name, operands[k], operands[k + 1])
                return False
        return True

    channel = Channel(req_fd, rep_fd)
    try:
        hello = channel.hello()
        if type(hello) is not dict or hello.get("ok") is not True:
            error = hello.get("error") if type(hello) is dict else None
            raise CandidateGone(
                f"candidate code raised {error}" if type(error) is str else "candidate code did not load"
            )
        names = hello["names"]
        if type(names) is not dict:
            raise CandidateGone("malformed hello")
    except BaseException as exc:  # noqa: BLE001
        text = str(exc) if isinstance(exc, CandidateGone) else f"candidate process: {_describe(exc)}"
        names = None
        notes.append(text[:300])

    entry = spec["entry_point"]
    if names is not None and entry is not None and names.get(entry) != "f":
        notes.append(f"candidate code does not define a function {entry!r}")
        names = None

    if names is not None:
        ns = {"__name__": "__tests__", "__builtins__": builtins}
        for name, kind in names.items():
            if name not in spec["wanted"]:
                continue
            if kind == "f":
                ns[name] = Proxy(name, channel)
            elif kind == ["m", name]:
                try:
                    ns[name] = __import__(name)
                except ImportError:
                    pass
            elif type(kind) is list and len(kind) == 2 and kind[0] == "v":
                try:
                    ns[name] = decode(kind[1])
                except (ValueError, TypeError, RecursionError):
                    pass
        ns.update({"__rft_cmp__": cmp, "__rft_ok__": rec_ok, "__rft_fail__": rec_fail})

        def run_step(label, thunk):
            touched.clear()
            try:
                thunk()
            except _StopTests:
                raise
            except BaseException as exc:  # noqa: BLE001
                notes.append(f"{label} raised {_describe(exc)}")
                # A looped assert that passed in an earlier iteration did not pass: the loop
                # never finished. Straight-line asserts ran once and keep their result.
                for i in touched:
                    if repeatable[i]:
                        fail(i, f"its statement raised {_describe(exc)}")
                if fail_fast:
                    raise _StopTests from None

        try:
            for index, statement in enumerate(spec["statements"]):
                code = compile(statement, "<tests>", "exec")
                run_step(f"test statement {index + 1}", lambda code=code: exec(code, ns))
            check = ns.get("check")
            if entry is not None and type(check) is type(run_step):
                run_step(
                    "check()",
                    lambda: check(ns.get(entry) if entry in ns and type(ns[entry]) is Proxy else Proxy(entry, channel)),
                )
        except _StopTests:
            pass

    outcomes = "".join("1" if ok_runs[i] and i not in failures else "0" for i in range(total))
    parts = notes[:1]
    if failures:
        first = min(failures)
        parts.append(f"test {first + 1}: {failures[first]}")
    elif "1" not in outcomes and not notes and total:
        parts.append("no test ran")
    detail = "; ".join(parts)[:600]
    record = f"RFT2 {spec['nonce']} {outcomes} {detail.encode('utf-8', 'replace').hex()}\n"
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - model-written code may raise anything; it becomes a result
        pass
    view = memoryview(record.encode("ascii"))
    while view:
        view = view[os.write(result_fd, view) :]
    os._exit(0)


# ---------------------------------------------------------------------------------------- zygote


def _tree_bytes(root, max_entries=20000):
    """Disk used under root (st_blocks), or None when it holds too many entries to count."""
    total, seen, stack = 0, 0, [root]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                seen += 1
                if seen > max_entries:
                    return None
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                total += st.st_blocks * 512
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
    return total


def remove_tree(path):
    """rmtree that first gives back write permission a hostile program may have removed."""
    import shutil

    def retry(func, target, _exc):
        try:
            os.chmod(os.path.dirname(target), 0o700)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, 0o700)
            func(target)
        except FileNotFoundError:
            pass

    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            if sys.version_info >= (3, 12):
                shutil.rmtree(path, onexc=retry)
            else:
                shutil.rmtree(path, onerror=retry)
        else:
            os.unlink(path)


def sweep_strays(roots, since, prefix="rft-sbx-"):
    """Remove top-level entries of each tmp root that this uid made or changed since ``since``.

    Only where every file of this uid in /tmp is sandbox scratch (Lambda, or a dedicated
    unprivileged uid): the runner decides. Batch roots (``prefix``) are the runner's own.
    """
    uid, removed = os.getuid(), 0
    if uid == 0:
        return 0  # never as root: that would delete other people's files
    for root in roots:
        try:
            entries = list(os.scandir(root))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(prefix):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if st.st_uid == uid and st.st_ctime >= since:
                try:
                    remove_tree(entry.path)
                    removed += 1
                except OSError:
                    pass
    return removed


def _kill(pid):
    for fn, target in ((os.killpg, pid), (os.kill, pid)):
        try:
            fn(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _report_crash():
    # A bug of ours, not the candidate's: the traceback goes to the run's output (detail tail).
    try:
        import traceback

        os.write(2, traceback.format_exc()[-1500:].encode())
    except BaseException:  # noqa: BLE001 - model-written code may raise anything; it becomes a result
        pass


def serve_one(run, seccomp_prog, result_fd):
    workdir = run["workdir"]
    os.mkdir(workdir, 0o700)
    started_wall = time.time() - 1  # ctime has coarse granularity on some filesystems
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    out_r, out_w = os.pipe()
    alive_r, alive_w = os.pipe()
    cand = os.fork()
    if cand == 0:
        try:
            for fd in (req_w, rep_r, out_r, alive_r, alive_w, result_fd):
                os.close(fd)
            candidate_main(run, req_r, rep_w, out_w, seccomp_prog)
        except BaseException:  # noqa: BLE001 - model-written code may raise anything; it becomes a result
            _report_crash()
        finally:
            os._exit(70)
    tests = os.fork()
    if tests == 0:
        try:
            for fd in (req_r, rep_w, out_r, alive_r):
                os.close(fd)
            tests_main(run, req_w, rep_r, result_fd, alive_w, out_w, seccomp_prog)
        except BaseException:  # noqa: BLE001 - model-written code may raise anything; it becomes a result
            _report_crash()
        finally:
            os._exit(70)
    for fd in (req_r, req_w, rep_r, rep_w, out_w, alive_w):
        os.close(fd)

    deadline = time.monotonic() + run["timeout_s"]
    output, timed_out, disk_exceeded, consumed, tests_done = bytearray(), False, False, False, False
    next_disk_check = time.monotonic() + DISK_POLL_S
    fds = [out_r, alive_r]
    while not tests_done:
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            break
        if now >= next_disk_check:
            used = _tree_bytes(workdir)
            if used is None or used > run["limits"]["disk_bytes"]:
                disk_exceeded = True
                break
            next_disk_check = now + DISK_POLL_S
        ready, _, _ = select.select(fds, [], [], min(deadline, next_disk_check) - now)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if fd == alive_r:
                if chunk:
                    consumed = consumed or chunk.startswith(b"R")
                else:
                    tests_done = True
            elif not chunk:
                fds.remove(out_r)
            elif len(output) < OUTPUT_CAPTURE_BYTES:
                output += chunk[: OUTPUT_CAPTURE_BYTES - len(output)]
    if timed_out or disk_exceeded:
        _kill(tests)
    _, tests_status = os.waitpid(tests, 0)
    cand_status = None
    pid, status = os.waitpid(cand, os.WNOHANG)
    if pid == cand:
        cand_status = status
    else:
        _kill(cand)
        os.waitpid(cand, 0)
    os.set_blocking(out_r, False)
    try:
        while len(output) < OUTPUT_CAPTURE_BYTES:
            chunk = os.read(out_r, 65536)
            if not chunk:
                break
            output += chunk
    except (BlockingIOError, OSError):
        pass
    os.close(out_r)
    os.close(alive_r)
    used = _tree_bytes(workdir)
    if used is None or used > run["limits"]["disk_bytes"]:
        disk_exceeded = True
    remove_tree(workdir)
    strays = sweep_strays(run["tmp_roots"], started_wall) if run["sweep_tmp"] else 0

    def signal_of(status):
        return -os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None

    def code_of(status):
        return os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None

    return {
        "timed_out": timed_out,
        "disk_exceeded": disk_exceeded,
        "strays": strays,
        "tests_exit": code_of(tests_status),
        "tests_signal": signal_of(tests_status),
        "candidate_signal": signal_of(cand_status),
        "consumed": consumed,
        "output": output[-2000:].decode("utf-8", "replace"),
    }


def main():
    set_not_dumpable()
    # Plain data may hold big ints (factorials, Fibonacci); a huge one only slows its own run.
    sys.set_int_max_str_digits(0)
    result_fd = int(sys.argv[1])
    want_seccomp = sys.argv[2] == "1"
    prog = seccomp_program() if want_seccomp else None
    seccomp_ok = seccomp_works(prog) if want_seccomp else False
    if not seccomp_ok:
        prog = None
    out = sys.stdout.buffer
    out.write(
        (
            json.dumps(
                {"ready": True, "seccomp": seccomp_ok, "uid": os.getuid(), "dumpable": _libc.prctl(3, 0, 0, 0, 0)}
            )
            + "\n"
        ).encode()
    )
    out.flush()
    while True:
        try:
            run = json.loads(read_frame(0))
        except EOFError:
            return
        run["seccomp"] = prog is not None
        run["zygote_pid"] = os.getpid()
        reply = serve_one(run, prog, result_fd)
        out.write((json.dumps(reply) + "\n").encode())
        out.flush()
        if not reply["consumed"]:
            return  # frame B may still sit in our stdin: stop rather than misread it


if __name__ == "__main__":
    main()
