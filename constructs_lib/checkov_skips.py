"""checkov skips, declared like cdk-nag acknowledgments: on one resource, one check, with a reason.

checkov (tests/infra/test_checkov.py runs it over the synthesized templates) reads
`Metadata.checkov.skip: [{id, comment}]` on a CloudFormation resource and reports that check
as skipped there, with the comment. This is the one door such skips go through:

* on the narrowest resource (an L1 `CfnResource`, or the construct whose default child is one);
* one check id per call;
* a reason a reviewer can check (at least 40 characters, like `nag.acknowledge`); the test
  suite re-reads every skip in the templates and fails on one without a reason.

Reviewers: a new call to `skip` is a security decision. Read its reason.
"""

from __future__ import annotations

import re

from aws_cdk import CfnResource
from constructs import IConstruct

MIN_REASON_LENGTH = 40
_CHECK_ID = re.compile(r"^CKV2?_AWS_\d+$")


def _resource(construct: IConstruct) -> CfnResource:
    if isinstance(construct, CfnResource):
        return construct
    child = construct.node.default_child
    if not isinstance(child, CfnResource):
        raise TypeError(f"{construct.node.path}: skip checkov findings on a CloudFormation resource")
    return child


def skip(construct: IConstruct, check_id: str, reason: str) -> None:
    """Mark checkov check `check_id` as skipped on this resource, with `reason` as its comment."""
    if not _CHECK_ID.match(check_id):
        raise ValueError(f"{check_id!r} is not a checkov AWS check id (CKV_AWS_n / CKV2_AWS_n)")
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(
            f"checkov skip of {check_id} on {construct.node.path} needs a reason a reviewer can "
            f"check (at least {MIN_REASON_LENGTH} characters naming the resource and why)"
        )
    resource = _resource(construct)
    metadata = resource.get_metadata("checkov") or {}
    skips = [s for s in metadata.get("skip", []) if s["id"] != check_id]
    skips.append({"id": check_id, "comment": reason})
    resource.add_metadata("checkov", {**metadata, "skip": skips})


def skips_in(template: dict) -> list[tuple[str, str, str]]:
    """(logical id, check id, comment) of every skip in a synthesized template."""
    return [
        (logical_id, entry.get("id", ""), entry.get("comment", ""))
        for logical_id, resource in template.get("Resources", {}).items()
        for entry in (resource.get("Metadata", {}).get("checkov", {}).get("skip") or [])
    ]
