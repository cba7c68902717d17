"""Isolation: credentials, filesystem, processes, signals, CPU, memory, disk, network.

Several tests run with one protective layer switched off, to show that the remaining layer
holds by itself, and a control with the layers off shows the attack is real. Lambda's shape
(parent, zygote and children one unprivileged uid) is reproduced by ``unprivileged_parent``,
a fresh parent process running as ``nobody``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rft_sandbox.runner import SandboxConfig

IS_ROOT = os.geteuid() == 0
SANDBOX_DIR = Path(__file__).resolve().parents[3] / "lambda" / "code_sandbox"

CANARY_KEY = "AKIAFAKECANARY000000"
CANARY_SECRET = "fake/secret/canary/do-not-leak"
CANARY_TOKEN = "FAKE-SESSION-TOKEN-CANARY"
CANARIES = (CANARY_KEY, CANARY_SECRET, CANARY_TOKEN)
CANARY_ENV = {
    "AWS_ACCESS_KEY_ID": CANARY_KEY,
    "AWS_SECRET_ACCESS_KEY": CANARY_SECRET,
    "AWS_SESSION_TOKEN": CANARY_TOKEN,
}
SAME_UID = SandboxConfig(drop_privileges=False)  # locally: children stay root

# Candidate code that looks for credentials everywhere it can; leaks() returns what it found.
# It walks up the whole process tree (zygote, runner, ...) through /proc/<pid>/stat.
PROBE_CODE = f"""
import os
CANARIES = {CANARIES!r}

def _ancestors():
    pid = os.getppid()
    while pid > 1:
        yield pid
        try:
            stat = open(f"/proc/{{pid}}/stat").read()
        except BaseException:
            return
        pid = int(stat.rsplit(")", 1)[1].split()[1])

def _sources():
    yield "os.environ", lambda: repr(dict(os.environ))
    yield "/proc/self/environ", lambda: open("/proc/self/environ", "rb").read().decode("latin-1")
    for pid in _ancestors():
        yield "/proc/ancestor/environ", lambda pid=pid: open(f"/proc/{{pid}}/environ", "rb").read().decode("latin-1")
        yield "os.open ancestor", lambda pid=pid: os.read(os.open(f"/proc/{{pid}}/environ", os.O_RDONLY), 1 << 20).decode("latin-1")
    yield "~/.aws", lambda: open(os.path.expanduser("~/.aws/credentials")).read()

def leaks():
    found = []
    for name, read in _sources():
        try:
            text = read()
        except BaseException:
            continue
        found += [name for canary in CANARIES if canary in text]
    return sorted(set(found))

def home_is_sandbox():
    return os.environ.get("HOME") == os.getcwd()
"""
PROBE_TESTS = "assert leaks() == []\nassert home_is_sandbox()\n"


def _probe_run():
    return {"code": PROBE_CODE, "tests": PROBE_TESTS, "entry_point": None, "scoring": "fraction", "timeout_s": 5}


@pytest.fixture
def fake_credentials(monkeypatch):
    for key, value in CANARY_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("config", [SandboxConfig(), SAME_UID], ids=["default", "root-children"])
def test_credentials_in_parent_environment_are_not_readable(sandbox, fake_credentials, config):
    result = sandbox(PROBE_CODE, PROBE_TESTS, config)
    assert result["status"] == "passed", result
    assert not any(c in result["detail"] for c in CANARIES)


def _probe_from_fresh_root_parent(config_args=""):
    """/proc/<pid>/environ shows a process's *initial* environment, which monkeypatch cannot
    change, so the parent is a fresh process started with the canaries in its environ."""
    script = f"""
import json, os, sys
sys.path.insert(0, {str(SANDBOX_DIR)!r})
from rft_sandbox.runner import SandboxConfig, run_batch
own = open("/proc/self/environ", "rb").read().decode("latin-1")
result = run_batch([json.loads(sys.argv[1])], SandboxConfig({config_args}))[0]
print(json.dumps({{"canary_in_parent": {CANARY_SECRET!r} in own, "result": result}}))
"""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **CANARY_ENV}
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(_probe_run())],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    report = json.loads(out)
    assert report["canary_in_parent"]  # the secret really is there to be found
    return report["result"]


def test_credentials_in_parent_process_are_not_readable_from_a_root_parent():
    result = _probe_from_fresh_root_parent()
    assert result["status"] == "passed", result


def test_credentials_in_parent_process_are_not_readable_same_uid(unprivileged_parent):
    """Lambda's shape, audit hook off: only the parent being non-dumpable (prctl) keeps
    /proc/<parent>/environ closed to a program of the same uid."""
    (result,), _ = unprivileged_parent([_probe_run()], "audit_hook=False", env=CANARY_ENV)
    assert result["status"] == "passed", result


def test_control_same_uid_parent_leaks_when_dumpable_and_unhooked(unprivileged_parent):
    """Shows the probe works: a dumpable same-uid parent gives its keys away."""
    (result,), _ = unprivileged_parent(
        [_probe_run()], "audit_hook=False", patch="sandbox_runner.make_not_dumpable = lambda: False", env=CANARY_ENV
    )
    assert result["status"] == "failed" and "/proc/ancestor/environ" in result["detail"], result


WRITE_ATTEMPTS = """
import os, pathlib, shutil
TARGET = {target!r}

def attempt_writes():
    attempts = [
        lambda: open(TARGET + "/a.txt", "w").write("x"),
        lambda: open(TARGET + "/b.txt", "a").write("x"),
        lambda: os.close(os.open(TARGET + "/c.txt", os.O_CREAT | os.O_WRONLY)),
        lambda: pathlib.Path(TARGET, "d.txt").write_text("x"),
        lambda: os.mkdir(TARGET + "/e"),
        lambda: (open("mine.txt", "w").close(), os.rename("mine.txt", TARGET + "/f.txt")),
        lambda: (open("mine2.txt", "w").close(), shutil.copy("mine2.txt", TARGET + "/g.txt")),
        lambda: (os.symlink(TARGET, "link"), open("link/h.txt", "w").write("x")),
        lambda: os.close(os.open("i.txt", os.O_CREAT | os.O_WRONLY,
                                 dir_fd=os.open(TARGET, os.O_RDONLY))),
        lambda: (os.chdir(TARGET), open("j.txt", "w").write("x")),
    ]
    blocked = 0
    for attempt in attempts:
        try:
            attempt()
        except OSError:
            blocked += 1
    return blocked, len(attempts)
"""


@pytest.mark.parametrize("config", [SandboxConfig(), SAME_UID], ids=["default", "root-children"])
def test_nothing_is_written_outside_the_temp_dir(sandbox, tmp_path, config):
    target = tmp_path / "outside"
    target.mkdir()
    target.chmod(0o777)  # so file permissions alone would not stop an unprivileged writer
    os.chmod(tmp_path, 0o755)
    code = WRITE_ATTEMPTS.format(target=str(target))
    result = sandbox(code, "blocked, total = attempt_writes()\nassert blocked == total\n", config)
    assert list(target.iterdir()) == []
    assert result["status"] == "passed", result


def test_control_writes_succeed_without_uid_drop_and_audit_hook(sandbox, tmp_path):
    target = tmp_path / "outside"
    target.mkdir()
    code = WRITE_ATTEMPTS.format(target=str(target))
    config = SandboxConfig(drop_privileges=False, audit_hook=False, sweep_tmp=False)
    sandbox(code, "attempt_writes()\nassert True\n", config)
    assert len(list(target.iterdir())) >= 5  # the attempts are real escapes when unguarded


FORK_BOMB = """
import os

def forks_that_succeeded():
    made = 0
    for _ in range(50):
        try:
            pid = os.fork()
        except BaseException:
            continue
        if pid == 0:
            os._exit(0)
        made += 1
    return made
"""


@pytest.mark.parametrize(
    "config",
    [
        SandboxConfig(),
        pytest.param(SandboxConfig(audit_hook=False), id="kernel-limit-only"),
        pytest.param(SandboxConfig(drop_privileges=False, no_processes=False, seccomp=False), id="audit-hook-only"),
        pytest.param(SandboxConfig(drop_privileges=False, no_processes=False, audit_hook=False), id="seccomp-only"),
    ],
    ids=["default", "kernel-limit-only", "audit-hook-only", "seccomp-only"],
)
def test_fork_bomb_is_contained(sandbox, config):
    result = sandbox(FORK_BOMB, "assert forks_that_succeeded() == 0", config)
    assert result["status"] == "passed", result


def test_control_forks_succeed_with_every_process_layer_off(sandbox):
    config = SandboxConfig(drop_privileges=False, audit_hook=False, no_processes=False, seccomp=False)
    result = sandbox(FORK_BOMB, "assert forks_that_succeeded() == 0", config)
    assert result["status"] == "failed" and "50 == 0" in result["detail"], result


def test_classic_fork_bomb_ends(sandbox):
    # How fast it ends is a figure, not an assertion: benchmarks/sandbox_limits.py.
    result = sandbox("import os\nwhile True:\n    os.fork()\n", "assert True", timeout_s=2)
    assert result["status"] in ("failed", "timeout")


def test_threads_cannot_be_started(sandbox):
    code = "import threading\nthreading.Thread(target=print).start()\n"
    result = sandbox(code, "assert True")
    assert result["status"] == "failed" and "RuntimeError" in result["detail"], result


def test_infinite_loop_times_out(sandbox):
    result = sandbox("def f():\n    while True:\n        pass\n", "assert f() == 1", timeout_s=1)
    assert result["status"] == "timeout" and result["passed"] == 0, result


def test_sub_second_timeout_is_honoured(sandbox):
    # A wall-time limit here failed once under load (1.57 s against 1.5 s); the time it takes
    # is measured by benchmarks/sandbox_limits.py instead.
    result = sandbox("x = 0\nwhile True:\n    x += 1\n", "assert True", timeout_s=0.5)
    assert result["status"] == "timeout", result


@pytest.mark.parametrize(
    "bomb",
    [
        "x = bytearray(8 * 1024 ** 3)",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 ** 2))",
        "s = 'x'\nwhile True:\n    s = s + s",
    ],
    ids=["one-big", "many-small", "doubling"],
)
def test_memory_bomb_hits_the_memory_limit(sandbox, bomb):
    result = sandbox(bomb, "assert True", SandboxConfig(memory_mb=256), timeout_s=5)
    assert result["status"] == "failed" and "MemoryError" in result["detail"], result


def test_big_files_are_stopped(sandbox):
    code = "with open('big', 'wb') as fh:\n    fh.write(b'x' * (64 * 1024 ** 2))\n"
    result = sandbox(code, "assert True", SandboxConfig(file_size_mb=1))
    assert result["status"] == "failed", result


def test_network_is_blocked(sandbox):
    code = "import socket\ndef connect():\n    socket.create_connection(('127.0.0.1', 9001), timeout=1)\n"
    result = sandbox(code, "assert True")
    assert result["status"] == "failed" and "PermissionError" in result["detail"], result


@pytest.mark.skipif(not IS_ROOT, reason="privilege drop only happens when the runner is root")
def test_runs_as_unprivileged_user_when_root(sandbox):
    code = "import os\ndef ids():\n    return os.getuid(), os.geteuid(), os.getgid(), os.getgroups()\n"
    result = sandbox(code, "assert ids() == (65534, 65534, 65534, [])")
    assert result["status"] == "passed", result
