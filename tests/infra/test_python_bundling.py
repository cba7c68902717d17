"""Docker-free bundling really produces Linux arm64 / CPython 3.13 code, from hash-locked pins."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from constructs_lib.lambda_assets import GRADER_LOCK
from constructs_lib.python_bundling import _split_sdist_only, install_requirements

# A slice of the real grader lock: binary wheels, an sdist-only pin, and boto3 with its deps.
PICKED = (
    "pydantic-core",
    "rapidfuzz",
    "langdetect",
    "six",
    "boto3",
    "botocore",
    "jmespath",
    "s3transfer",
    "python-dateutil",
    "urllib3",
)


def lock_slice(names: tuple[str, ...]) -> str:
    _, picked = _split_sdist_only(GRADER_LOCK.read_text(), tuple(f"{n}==x" for n in names))
    return picked


def test_bundle_has_arm64_cp313_wheels_built_sdists_and_no_runtime_boto(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(lock_slice(PICKED))
    target = tmp_path / "asset"

    install_requirements(lock, target, sdist_only=("langdetect==1.0.9",))

    [extension] = list((target / "pydantic_core").glob("_pydantic_core*.so"))
    assert "cpython-313" in extension.name and "aarch64" in extension.name
    # rapidfuzz publishes only manylinux_2_28 arm64 wheels: newer tags must be accepted too.
    assert list((target / "rapidfuzz").glob("*aarch64*.so"))
    assert (target / "langdetect" / "detector.py").is_file()  # sdist built into a wheel
    # boto3/botocore/s3transfer come with the Lambda runtime; bundling them wastes ~80 MB.
    assert not list(target.glob("boto3*")) and not list(target.glob("botocore*"))
    assert (target / "jmespath").is_dir()  # a dependency the runtime copy does not replace


def test_a_pin_whose_hash_does_not_match_is_refused(tmp_path):
    """The lock is enforced: a tampered hash stops bundling instead of installing anyway."""
    text = lock_slice(("six",))
    first_hash = text.split("--hash=sha256:")[1][:64]
    lock = tmp_path / "requirements.lock"
    lock.write_text(text.replace(first_hash, "0" * 64).replace(text.split("--hash=sha256:")[2][:64], "0" * 64))
    with pytest.raises(subprocess.CalledProcessError):
        install_requirements(lock, tmp_path / "asset")


def test_split_keeps_hash_lines_with_their_pin():
    lock = "a==1 \\\n    --hash=sha256:aa\n    # via x\nlangdetect==1.0.9 \\\n    --hash=sha256:bb\nc==2\n"
    kept, taken = _split_sdist_only(lock, ("langdetect==1.0.9",))
    assert "langdetect" not in kept and "sha256:aa" in kept and "c==2" in kept
    assert taken.startswith("langdetect==1.0.9") and "sha256:bb" in taken


def canonical(pin: str) -> str:
    """name==version with the name normalised as PEP 503 does (runs of -_. are one -)."""
    name, _, version = pin.strip().partition("==")
    return f"{re.sub(r'[-_.]+', '-', name.strip()).lower()}=={version.strip()}"


def test_every_function_lock_pins_what_its_requirements_name():
    """`make lock` was run after the last edit of a requirements.txt (else bundling would use stale pins)."""
    lambda_dir = Path(GRADER_LOCK).parents[1]
    repo = lambda_dir.parent
    inputs = {
        lambda_dir / f / "requirements.lock": [lambda_dir / f / "requirements.txt"]
        for f in ("grader", "code_sandbox", "job_events", "run_report")
    }
    inputs[lambda_dir / "workflow" / "requirements.lock"] = [
        lambda_dir / "workflow" / "requirements.txt",
        lambda_dir / "grader" / "requirements.txt",
    ]
    inputs[repo / "requirements-dev.lock"] = [
        repo / "requirements-dev.txt",
        repo / "requirements.txt",
        lambda_dir / "grader" / "requirements.txt",
        lambda_dir / "workflow" / "requirements.txt",
        lambda_dir / "run_report" / "requirements.txt",
    ]
    for lock, requirement_files in inputs.items():
        pinned = {
            canonical(line.split(" ")[0].split(";")[0])
            for line in lock.read_text().splitlines()
            if "==" in line and not line.startswith((" ", "#"))
        }
        for requirements in requirement_files:
            for line in requirements.read_text().splitlines():
                line = line.split("#")[0].strip()
                if "==" in line:
                    name, version = line.split("==")
                    pin = canonical(f"{name.split('[')[0]}=={version}")
                    assert pin in pinned, f"{lock.relative_to(repo)} lacks {pin}: run `make lock`"


def test_a_finished_bundle_is_reused_from_the_cache_and_never_half_written(tmp_path, monkeypatch):
    from constructs_lib import python_bundling

    monkeypatch.setenv(python_bundling.ASSET_CACHE_ENV, str(tmp_path / "cache"))
    source = tmp_path / "fn"
    source.mkdir()
    (source / "handler.py").write_text("def handler(event, context):\n    return 1\n")
    bundler = python_bundling._LocalPipBundler((source,), (), (), "h1")
    runs = []
    real = python_bundling._LocalPipBundler.bundle
    monkeypatch.setattr(
        python_bundling._LocalPipBundler, "bundle", lambda self, out: (runs.append(out), real(self, out))
    )
    for n in range(2):
        out = tmp_path / f"out{n}"
        out.mkdir()
        assert bundler.try_bundle(str(out))
        assert (out / "handler.py").read_text().startswith("def handler")
    assert len(runs) == 1  # the second synth copied the cached bundle
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["h1"]  # no staging folder left

    def broken(self, out):
        out.mkdir(parents=True)
        raise RuntimeError("pip failed")

    monkeypatch.setattr(python_bundling._LocalPipBundler, "bundle", broken)
    with pytest.raises(RuntimeError):
        python_bundling._LocalPipBundler((source,), (), (), "h2").try_bundle(str(tmp_path / "out2"))
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["h1"]  # a failed bundle is not cached
