"""Docker-free bundling of Python Lambda code for Linux arm64.

CDK's Python constructs bundle in Docker, which platform CI often lacks. Here pip installs the
function's locked requirements (`requirements.lock`, hashes checked) straight into the asset directory with `--platform manylinux_*_aarch64
--only-binary=:all:`, so binary wheels (pydantic-core, rapidfuzz) are the
Linux arm64 builds whatever machine synthesizes. Pure-Python packages published only as sdists
are built into wheels first (pip builds those on the host; they contain no machine code).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
_PYTHON_VERSION = "3.13"
# Lambda's Python 3.13 runtime runs Amazon Linux 2023 (glibc 2.34): every manylinux tag up to
# 2_34 loads there. pip wants exact tags, so list the ones wheels are published with.
_PLATFORMS = (
    "manylinux2014_aarch64",
    "manylinux_2_24_aarch64",
    "manylinux_2_26_aarch64",
    "manylinux_2_27_aarch64",
    "manylinux_2_28_aarch64",
    "manylinux_2_31_aarch64",
    "manylinux_2_34_aarch64",
)
# Provided by the Lambda Python runtime; dropping them keeps the bundle far below 250 MB.
_RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "examples", "*.md")


# Finished bundles, by asset hash, outside cdk.out: `make synth` starts from an empty output
# folder, and a warm synth then copies (hard-links) a bundle instead of running pip again. The
# hash covers sources, locks and platform, so a changed dependency rebundles exactly once.
ASSET_CACHE_ENV = "RFT_ASSET_CACHE"
DEFAULT_ASSET_CACHE = Path(__file__).resolve().parents[1] / ".build" / "lambda-assets"
# The functions' interpreter, to precompile bytecode at bundling time (the function's code is
# read-only in Lambda, so without .pyc files every cold start compiles, sympy's import alone
# going from 0.3 s to 1.9 s). Optional: without it the bundle works, only colder.
BYTECODE_PYTHON_ENV = "RFT_BYTECODE_PYTHON"
BYTECODE_PYTHON = f"python{_PYTHON_VERSION}"


def asset_cache() -> Path:
    return Path(os.environ.get(ASSET_CACHE_ENV) or DEFAULT_ASSET_CACHE)


@functools.cache
def bytecode_compiler() -> str | None:
    """An interpreter of the functions' Python version (RFT_BYTECODE_PYTHON, else python3.13 on
    PATH), checked to run and to be that version; None when there is none."""
    candidate = os.environ.get(BYTECODE_PYTHON_ENV) or shutil.which(BYTECODE_PYTHON)
    if not candidate:
        return None
    try:
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return None
    return candidate if probe.returncode == 0 and probe.stdout.strip() == _PYTHON_VERSION else None


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another filesystem, or no hard links: a plain copy
        shutil.copy2(source, target)


@jsii.implements(ILocalBundling)
class _LocalPipBundler:
    def __init__(
        self, sources: tuple[Path, ...], requirements: tuple[Path, ...], sdist_only: tuple[str, ...], asset_hash: str
    ):
        self._sources = sources
        self._requirements = requirements
        self._sdist_only = sdist_only
        self._hash = asset_hash

    def try_bundle(self, output_dir: str, *args, **kwargs) -> bool:  # noqa: ARG002 (jsii signature)
        cached = asset_cache() / self._hash
        if not cached.is_dir():
            staging = cached.with_name(f".{self._hash}.{os.getpid()}")
            shutil.rmtree(staging, ignore_errors=True)
            try:
                self.bundle(staging)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            try:
                staging.rename(cached)  # atomic: a half-written bundle is never taken from the cache
            except OSError:  # a concurrent synth finished first; theirs is the same content
                shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(cached, output_dir, dirs_exist_ok=True, copy_function=_link_or_copy)
        return True

    def bundle(self, out: Path) -> None:
        out.mkdir(parents=True)
        if self._requirements:
            install_requirements(self._requirements, out, self._sdist_only)
        for source in self._sources:
            if source.is_dir() and (source / "__init__.py").exists():
                # A package: keep its name, so `import rft_graders` works in the function.
                shutil.copytree(source, out / source.name, dirs_exist_ok=True, ignore=_IGNORED)
            elif source.is_dir():
                # A function folder: its files land at the asset root, next to the handler.
                shutil.copytree(source, out, dirs_exist_ok=True, ignore=_IGNORED)
            else:
                shutil.copy2(source, out / source.name)
        compiler = bytecode_compiler()
        if compiler:
            # unchecked-hash: valid whatever the files' timestamps become in the deployment zip.
            subprocess.run(
                [compiler, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(out)],
                check=True,
                stdout=subprocess.DEVNULL,
            )


def _split_sdist_only(lock_text: str, sdist_only: tuple[str, ...]) -> tuple[str, str]:
    """(the lock without the sdist-only pins, those pins with their hashes)."""
    names = {pin.split("==")[0].lower().replace("_", "-") for pin in sdist_only}
    kept: list[str] = []
    taken: list[str] = []
    current = kept
    for line in lock_text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            name = line.split("==")[0].split("[")[0].strip().lower().replace("_", "-")
            current = taken if name in names else kept
        current.append(line)
    return "\n".join(kept) + "\n", "\n".join(taken) + "\n"


def install_requirements(locks: Path | tuple[Path, ...], target: Path, sdist_only: tuple[str, ...] = ()) -> None:
    """pip-install hash-locked requirements for Lambda (Python 3.13, arm64) into `target`.

    Every file is verified against the lock's hashes (`--require-hashes`), so the asset holds
    exactly the resolved versions the lock names (and its hash, which covers the lock, changes
    when they do). Sdist-only pure-Python pins are downloaded with their hash checked, built
    into wheels on the host, then installed without dependencies (the lock already lists them).
    """
    files = (locks,) if isinstance(locks, Path) else locks
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    with tempfile.TemporaryDirectory() as work:
        wheelhouse, downloads = Path(work) / "wheels", Path(work) / "sdists"
        binaries, sources = [], []
        for index, lock in enumerate(files):
            kept, taken = _split_sdist_only(lock.read_text(), sdist_only)
            binaries.append(Path(work) / f"binary-{index}.lock")
            binaries[-1].write_text(kept)
            if taken.strip():
                sources.append(Path(work) / f"sdist-{index}.lock")
                sources[-1].write_text(taken)
        for source in sources:
            subprocess.run(
                [
                    *pip,
                    "download",
                    "--no-deps",
                    "--no-binary=:all:",
                    "--require-hashes",
                    "--dest",
                    str(downloads),
                    "--requirement",
                    str(source),
                ],
                check=True,
            )
        if sources:
            subprocess.run(
                [*pip, "wheel", "--no-deps", "--wheel-dir", str(wheelhouse), *map(str, sorted(downloads.iterdir()))],
                check=True,
            )
        subprocess.run(
            [
                *pip,
                "install",
                "--no-compile",
                "--no-deps",
                "--require-hashes",
                "--target",
                str(target),
                *(arg for f in binaries for arg in ("--requirement", str(f))),
                *(arg for tag in _PLATFORMS for arg in ("--platform", tag)),
                "--implementation",
                "cp",
                "--python-version",
                _PYTHON_VERSION,
                "--only-binary=:all:",
                "--upgrade",
            ],
            check=True,
        )
        if sources:
            subprocess.run(
                [
                    *pip,
                    "install",
                    "--no-compile",
                    "--no-deps",
                    "--target",
                    str(target),
                    "--upgrade",
                    *map(str, sorted(wheelhouse.glob("*.whl"))),
                ],
                check=True,
            )
    for pattern in _RUNTIME_PROVIDED:
        for path in target.glob(f"{pattern}*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def python_code(
    asset_root: Path,
    *,
    sources: tuple[Path, ...],
    requirements: tuple[Path, ...] = (),
    sdist_only: tuple[str, ...] = (),
) -> lambda_.Code:
    """A Lambda asset of `sources` plus installed `requirements` (hash-locked files, see
    `install_requirements`).

    A source folder that is a package (has `__init__.py`) is copied under its own name; any
    other folder's contents go to the asset root (where the handler module lives).

    The Docker image is only a fallback CDK never reaches: the local bundler always succeeds or
    raises. Tests skip bundling with the `aws:cdk:bundling-stacks` context.
    """
    asset_hash = content_hash(sources, requirements, sdist_only)
    return lambda_.Code.from_asset(
        str(asset_root),
        # CDK would hash `asset_root` only; our sources and requirements span several folders.
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=asset_hash,
        bundling=BundlingOptions(
            image=RUNTIME.bundling_image,
            local=_LocalPipBundler(sources, requirements, sdist_only, asset_hash),
            command=["false"],
        ),
    )


def content_hash(sources: tuple[Path, ...], requirements: tuple[Path, ...], sdist_only: tuple[str, ...]) -> str:
    """sha256 over every bundled source file, the lock files and the target platform."""
    digest = hashlib.sha256(
        repr((_PYTHON_VERSION, _PLATFORMS, sdist_only, _RUNTIME_PROVIDED, bytecode_compiler() is not None)).encode()
    )
    files: list[tuple[str, Path]] = [(f"requirements/{p.parent.name}/{p.name}", p) for p in requirements]
    for source in sources:
        if source.is_file():
            files.append((source.name, source))
            continue
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if (
                path.is_file()
                and not set(relative.parts) & {"__pycache__", "tests", "examples"}
                and path.suffix not in (".pyc", ".md")
            ):
                files.append((f"{source.name}/{relative}", path))
    for label, path in files:
        digest.update(label.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
