"""Escapes and resource abuse that the review found, or that the two-process design must stop.

Each attack scores 0 and leaves no side effect (zygote alive, files gone, neighbours passing);
a control with the relevant layer switched off shows the attack is real.
"""

import os
import uuid

import pytest
from rft_sandbox.runner import SandboxConfig, run_batch

IS_ROOT = os.geteuid() == 0
GOOD = {
    "code": "def mul(a, b):\n    return a * b\n",
    "tests": "assert mul(3, 4) == 12\n",
    "entry_point": None,
    "scoring": "fraction",
    "timeout_s": 10,
}
NO_HOOK = {"audit_hook": False}


def _run(code, tests="assert attack() == 0\n", timeout_s=10, **fields):
    return {"code": code, "tests": tests, "entry_point": None, "scoring": "fraction", "timeout_s": timeout_s, **fields}


# ---------------------------------------------------------------- signals and rlimits of others

KILL_ZYGOTE = {
    "os.kill": "import os\ndef attack():\n    os.kill(os.getppid(), 9)\n    return 1\n",
    "pidfd_send_signal": (
        "import os, signal\ndef attack():\n"
        "    signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGKILL)\n    return 1\n"
    ),
    # No fds left for the zygote: its next pipe, scandir or rmtree fails and it dies.
    "prlimit on the zygote": (
        "import os, resource\ndef attack():\n"
        "    resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (0, 0))\n    return 1\n"
    ),
}


@pytest.mark.parametrize("name", list(KILL_ZYGOTE))
def test_candidate_cannot_kill_its_zygote(name):
    """One worker: if the attack killed the zygote, its own result would be a sandbox error
    and the zygote would be restarted for the next run. seccomp alone (hook off) holds."""
    runs = [_run(KILL_ZYGOTE[name]), GOOD, GOOD]
    attack, *rest = run_batch(runs, SandboxConfig(max_parallel=1, **NO_HOOK))
    assert (attack["status"], attack["passed"]) == ("failed", 0), attack
    assert "PermissionError" in attack["detail"], attack
    assert [r["status"] for r in rest] == ["passed", "passed"]


@pytest.mark.parametrize("name", list(KILL_ZYGOTE))
def test_control_without_seccomp_and_hook_the_zygote_dies(name):
    runs = [_run(KILL_ZYGOTE[name]), GOOD]
    attack, good = run_batch(runs, SandboxConfig(max_parallel=1, seccomp=False, **NO_HOOK))
    assert attack["status"] == "error" and "zygote" in attack["detail"], attack
    assert good["status"] == "passed"  # a new zygote serves the rest of the batch


# ------------------------------------------------------------------- the sibling tests process

SIBLING = """
import os

def _siblings():
    me, parent = os.getpid(), os.getppid()
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != me:
            try:
                stat = open(f"/proc/{name}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                yield int(name)

def attack():
    opened = 0
    for pid in _siblings():
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            fds = []
        for fd in fds:
            try:
                os.close(os.open(f"/proc/{pid}/fd/{fd}", os.O_WRONLY))
                opened += 1
            except OSError:
                pass
        try:
            with open(f"/proc/{pid}/mem", "rb") as fh:
                fh.read(1)
            opened += 1
        except (OSError, ValueError):
            pass
    return opened
"""


def test_tests_process_fds_and_memory_are_closed_to_the_candidate():
    """The tests process holds the result pipe: it is non-dumpable, so even with the audit hook
    off a same-uid candidate cannot open /proc/<tests>/fd/* or its memory."""
    (result,) = run_batch([_run(SIBLING)], SandboxConfig(**NO_HOOK))
    assert result["status"] == "passed", result  # attack() found nothing to open


@pytest.mark.skipif(not IS_ROOT, reason="the control needs root children")
def test_control_root_children_can_open_the_sibling():
    (result,) = run_batch([_run(SIBLING)], SandboxConfig(drop_privileges=False, **NO_HOOK))
    assert result["status"] == "failed" and "== 0 is false" in result["detail"], result


# ------------------------------------------------------------------------- other runs' files

WRITER = """
import os, time
open("secret.txt", "w").write("TOPSECRET")
def attack():
    # Keep this directory alive until the reader had its chance (it leaves a marker here
    # when it can write here at all; when it cannot, a short wait is enough).
    for _ in range({polls}):
        if os.path.exists("done"):
            break
        time.sleep(0.05)
    return 0
"""
READER = """
import glob, os, time
def steal():
    for _ in range(160):
        os.listdir("..")  # PermissionError when runs are kept apart: no need to wait
        for path in glob.glob("../*/secret.txt"):
            text = open(path).read()
            open(os.path.join(os.path.dirname(path), "done"), "w").close()
            return text
        time.sleep(0.05)
    return None
"""


@pytest.mark.parametrize("hook", [True, False], ids=["protected", "control-no-hook"])
def test_runs_cannot_read_each_others_files(hook):
    writer = _run(WRITER.format(polls=20 if hook else 160))
    reader = _run(READER, tests="assert steal() == 'TOPSECRET'\n")
    writer, reader = run_batch([writer, reader], SandboxConfig(max_parallel=2, audit_hook=hook))
    assert writer["status"] == "passed", writer
    if hook:
        assert (reader["status"], reader["passed"]) == ("failed", 0), reader
        assert "another run" in reader["detail"], reader
    else:  # same uid, so only the hook keeps runs apart (README: known limit)
        assert reader["status"] == "passed", reader


# ---------------------------------------------------------------------------- dir_fd escapes

DIR_FD_WRITE = """
import os
TARGET = {target!r}

def attack():
    depth = TARGET.count("/") + 2
    os.makedirs("/".join(["d"] * depth))
    os.chdir("/".join(["d"] * depth))
    here = os.open(os.path.abspath("/".join([".."] * depth)), os.O_RDONLY)
    # Relative to the cwd this path stays inside the sandbox; relative to `here` it is TARGET.
    escape = "/".join([".."] * 16) + TARGET + "/owned.txt"
    fd = os.open(escape, os.O_CREAT | os.O_WRONLY, dir_fd=here)
    os.write(fd, b"x")
    os.close(fd)
    return 1
"""


@pytest.mark.skipif(not IS_ROOT, reason="root children make the audit hook the only layer")
@pytest.mark.parametrize("hook", [True, False], ids=["protected", "control-no-hook"])
def test_dir_fd_open_cannot_escape(tmp_path, hook):
    target = tmp_path / "outside"
    target.mkdir()
    code = DIR_FD_WRITE.format(target=str(target))
    config = SandboxConfig(drop_privileges=False, audit_hook=hook, sweep_tmp=False)
    (result,) = run_batch([_run(code, tests="assert attack() == 0\n")], config)
    if hook:
        assert list(target.iterdir()) == [] and result["passed"] == 0, result
        assert "absolute path" in result["detail"], result
    else:
        assert [p.name for p in target.iterdir()] == ["owned.txt"], result


# ----------------------------------------------------------------------------- disk and /tmp

DISK_FILL = """
import os
os.mkdir("fill")
for i in range({files}):
    with open(f"fill/{{i}}", "wb") as fh:
        fh.write(os.urandom(1024 * 1024))
def attack():
    return 0
"""


@pytest.mark.parametrize(
    "budget_mb, status", [(8, "failed"), (200, "passed")], ids=["over-budget", "control-within-budget"]
)
def test_disk_budget(tmp_path, budget_mb, status):
    root = tmp_path / "batches"
    root.mkdir()
    code = DISK_FILL.format(files=120)
    config = SandboxConfig(disk_mb=budget_mb, tmp_root=str(root), max_parallel=2)
    result, good = run_batch([_run(code, timeout_s=20), GOOD], config)
    assert result["status"] == status, result
    if status == "failed":
        assert "disk budget" in result["detail"], result
    assert good["status"] == "passed"
    assert list(root.iterdir()) == []


STRAY = """
import os
def attack():
    with open({path!r}, "w") as fh:
        fh.write("litter")
    return 0
"""


@pytest.mark.skipif(not IS_ROOT, reason="needs root to run children as nobody")
@pytest.mark.parametrize("sweep", [None, False], ids=["swept", "control-no-sweep"])
def test_files_written_outside_the_run_dir_are_removed(tmp_path, sweep):
    root = tmp_path / "batches"
    root.mkdir()
    root.chmod(0o777)  # so the (unhooked) candidate really can write next to the batch dirs
    name = f"stray-{uuid.uuid4().hex}"
    code = STRAY.format(path=f"../../{name}")
    config = SandboxConfig(tmp_root=str(root), sweep_tmp=sweep, **NO_HOOK)
    (result,) = run_batch([_run(code, tests="assert attack() == 0\n")], config)
    assert result["status"] == "passed", result  # the write itself worked
    leftovers = [p.name for p in root.iterdir()]
    assert leftovers == ([] if sweep is None else [name]), leftovers


def test_same_uid_strays_in_tmpdir_are_removed(unprivileged_parent):
    """Lambda's shape (parent, zygote, children one uid) with the sweep on, as on Lambda."""
    name = f"stray-{uuid.uuid4().hex}"
    code = STRAY.format(path=f"../../{name}")
    (result,), leftovers = unprivileged_parent(
        [_run(code, tests="assert attack() == 0\n")], "audit_hook=False, sweep_tmp=True"
    )
    assert result["status"] == "passed", result
    assert leftovers == [], leftovers


# ------------------------------------------------------------------------- time and output


def test_sleeping_past_the_deadline_times_out_without_holding_the_batch():
    sleeper = _run("import time\ndef attack():\n    time.sleep(60)\n    return 0\n", timeout_s=1)
    results = run_batch([sleeper, GOOD, GOOD], SandboxConfig(max_parallel=2))
    assert [r["status"] for r in results] == ["timeout", "passed", "passed"], results
    assert results[0]["passed"] == 0 and "timed out after 1s" in results[0]["detail"]


def test_huge_output_from_the_candidate_is_capped():
    code = "import sys\ndef attack():\n    for _ in range(3000):\n        print('x' * 10000)\n    return 1\n"
    (result,) = run_batch([_run(code)], SandboxConfig())
    assert result["status"] == "failed" and len(result["detail"]) <= 1000, result
    assert result["detail"].endswith("x" * 50)  # the tail of the output, not all 30 MB


PTRACE = (
    SIBLING.replace("def attack():", "def _unused():")
    + """
import ctypes

def attack():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    attached = 0
    for pid in _siblings():
        if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
            attached += 1
            os.waitpid(pid, 0)
            libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
    return attached
"""
)


def test_native_code_cannot_ptrace_the_tests_process():
    """With the audit hook off the candidate has ctypes (native code in its own process): the
    kernel still refuses to attach to the non-dumpable tests process, and seccomp denies ptrace."""
    (result,) = run_batch([_run(PTRACE)], SandboxConfig(**NO_HOOK))
    assert result["status"] == "passed", result  # attack() attached to nothing


@pytest.mark.skipif(not IS_ROOT, reason="the control needs root children")
def test_control_root_children_without_seccomp_can_ptrace():
    config = SandboxConfig(drop_privileges=False, seccomp=False, **NO_HOOK)
    (result,) = run_batch([_run(PTRACE)], config)
    assert result["status"] == "failed" and "1 == 0 is false" in result["detail"], result
