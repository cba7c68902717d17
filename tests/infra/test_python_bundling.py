"""Docker-free bundling really produces Linux arm64 / CPython 3.13 code."""

from __future__ import annotations

from constructs_lib.python_bundling import install_requirements


def test_bundle_has_arm64_cp313_wheels_built_sdists_and_no_runtime_boto(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic-core==2.50.5\nrapidfuzz==3.14.6\nlangdetect==1.0.9\nboto3==1.44.8\n")
    target = tmp_path / "asset"

    install_requirements(requirements, target, sdist_only=("langdetect==1.0.9",))

    [extension] = list((target / "pydantic_core").glob("_pydantic_core*.so"))
    assert "cpython-313" in extension.name and "aarch64" in extension.name
    # rapidfuzz publishes only manylinux_2_28 arm64 wheels: newer tags must be accepted too.
    assert list((target / "rapidfuzz").glob("*aarch64*.so"))
    assert (target / "langdetect" / "detector.py").is_file()  # sdist built into a wheel
    # boto3/botocore/s3transfer come with the Lambda runtime; bundling them wastes ~80 MB.
    assert not list(target.glob("boto3*")) and not list(target.glob("botocore*"))
    assert (target / "jmespath").is_dir()  # a dependency the runtime copy does not replace
