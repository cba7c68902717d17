"""The cdk-nag gate, and the one door every acknowledgment goes through.

cdk-nag v3 runs its packs as CDK policy-validation plugins: any unacknowledged finding makes
synthesis fail (the Python `app.synth()` raises, so `cdk synth` exits non-zero). An
acknowledgment is `Validations.of(construct).acknowledge(...)`; this module wraps it so that

* each one is scoped to the narrowest construct and names a single finding id (v3 has no
  rule-wide acknowledgment, which is what we want);
* each carries a reason a reviewer can check (the helper refuses short or generic ones);
* every acknowledgment made in an app is recorded, so a test can prove that each one still
  matches a real finding (a stale acknowledgment hides nothing today but would hide a
  regression tomorrow).

Reviewers: a new call to `acknowledge` is a security decision. Read its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import (
    AwsSolutionsChecks,
    HIPAASecurityChecks,
    NagPack,
    NIST80053R5Checks,
    ServerlessChecks,
)
from constructs import IConstruct

from rft.config.team_config import CompliancePack

ALWAYS_ON = ("AwsSolutions", "Serverless")
_OPTIONAL_PACKS = {
    CompliancePack.NIST_800_53_R5: NIST80053R5Checks,
    CompliancePack.HIPAA_SECURITY: HIPAASecurityChecks,
}
_MIN_REASON_LENGTH = 40


@dataclass(frozen=True)
class AcknowledgedFinding:
    """One acknowledgment: where, which finding, and why."""

    path: str
    finding_id: str
    reason: str

    def covers(self, construct_path: str, rule_name: str) -> bool:
        """True when a reported violation is the one this acknowledgment speaks for."""
        within = construct_path == self.path or construct_path.startswith(self.path + "/")
        return within and rule_name == self.finding_id


# The prefix of every finding id names the pack that reports it.
_PACK_OF_PREFIX = {
    "AwsSolutions-": "AwsSolutions",
    "Serverless-": "Serverless",
    "NIST.800.53.R5-": "NIST.800.53.R5",
    "HIPAA.Security-": "HIPAA.Security",
}


def pack_of(finding_id: str) -> str:
    for prefix, pack in _PACK_OF_PREFIX.items():
        if finding_id.startswith(prefix):
            return pack
    raise ValueError(f"{finding_id!r} is not a finding id of a pack this app uses")


@dataclass
class _NagSettings:
    apply: bool = True
    active_packs: set[str] | None = None  # None until add_nag_packs runs: then apply everything
    records: list[AcknowledgedFinding] = field(default_factory=list)


def _settings(scope: IConstruct) -> _NagSettings:
    root = scope.node.root
    settings = getattr(root, "_rft_nag_settings", None)
    if settings is None:
        settings = _NagSettings()
        # One record per app, kept on the app object itself; setattr because IConstruct declares
        # no such attribute.
        setattr(root, "_rft_nag_settings", settings)  # noqa: B010
    return settings


def add_nag_packs(
    app: App, compliance_packs: tuple[CompliancePack, ...] = (), *, apply_acknowledgments: bool = True
) -> list[NagPack]:
    """Attach AwsSolutions and Serverless, plus the team's compliance packs, to the whole app.

    `apply_acknowledgments=False` records acknowledgments without applying them; only tests use
    it, to see the raw findings each acknowledgment answers.
    """
    settings = _settings(app)
    settings.apply = apply_acknowledgments
    packs: list[NagPack] = [
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True),
        ServerlessChecks(app, verbose=True, write_suppressions_to_cloud_formation=True),
    ]
    packs += [
        _OPTIONAL_PACKS[pack](app, verbose=True, write_suppressions_to_cloud_formation=True)
        for pack in compliance_packs
    ]
    Validations.of(app).add_plugins(*packs)
    settings.active_packs = {pack.read_pack_name for pack in packs}
    return packs


def acknowledge(construct: IConstruct, finding_id: str, reason: str) -> None:
    """Acknowledge one finding (`Rule-Id` or `Rule-Id[Finding::detail]`) on one construct.

    Call `add_nag_packs` before building stacks: findings of packs the team has not turned on
    are then skipped, so a team without HIPAA carries no HIPAA acknowledgments.
    """
    if len(reason) < _MIN_REASON_LENGTH:
        raise ValueError(
            f"acknowledgment of {finding_id} on {construct.node.path} needs a reason a reviewer "
            f"can check (at least {_MIN_REASON_LENGTH} characters naming the resource and why)"
        )
    settings = _settings(construct)
    if settings.active_packs is not None and pack_of(finding_id) not in settings.active_packs:
        return  # that pack is off for this team: nothing to answer, and no stale record
    path = construct.node.path
    earlier = next((r for r in settings.records if (r.path, r.finding_id) == (path, finding_id)), None)
    if earlier is not None:
        # Two capabilities of one construct can need the same finding (e.g. X-Ray and another
        # resource-less action both on Resource::*): keep one record that gives both reasons.
        settings.records.remove(earlier)
        reason = f"{earlier.reason} Also: {reason}"
    settings.records.append(AcknowledgedFinding(path, finding_id, reason))
    if settings.apply:
        Validations.of(construct).acknowledge(Acknowledgment(id=finding_id, reason=reason))


def acknowledge_each(construct: IConstruct, finding_ids: list[str], reason: str) -> None:
    """The same reason for several findings of one rule on one construct (v3 needs one each)."""
    for finding_id in finding_ids:
        acknowledge(construct, finding_id, reason)


def recorded_acknowledgments(scope: IConstruct) -> list[AcknowledgedFinding]:
    """Every acknowledgment made anywhere in the app that contains `scope`."""
    return list(_settings(scope).records)


def wildcard_resource_finding(scope: IConstruct, resource: str) -> str:
    """The AwsSolutions-IAM5 finding id cdk-nag reports for a wildcard resource ARN.

    cdk-nag renders `Ref` as `<Id>`, `Fn::GetAtt` as `<Id.Attr>` and joins `Fn::Join` parts; we
    render the same way from the resolved token, so acknowledgments never hard-code hashed ids.
    """
    return f"AwsSolutions-IAM5[Resource::{render_resource(Stack.of(scope).resolve(resource))}]"


def render_resource(node: object) -> str:
    """A resolved IAM resource (string or intrinsic) as cdk-nag prints it in finding ids."""
    return _render(node)


def _render(node: object) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and len(node) == 1:
        ((intrinsic, value),) = node.items()
        if intrinsic == "Ref":
            return f"<{value}>"
        if intrinsic == "Fn::GetAtt":
            return f"<{'.'.join(value)}>"
        if intrinsic == "Fn::Join":
            separator, parts = value
            return separator.join(_render(part) for part in parts)
    raise ValueError(f"cannot render {node!r} as a cdk-nag finding; acknowledge it explicitly")
