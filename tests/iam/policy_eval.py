"""A small IAM identity-policy evaluator, for proving the synthesized roles allow what the code calls.

Why our own: the PyPI candidates do something else. `policyuniverse` (last release 2023)
expands and summarizes actions but evaluates no conditions; `parliament` lints policies;
`iam-policy-evaluator` is not published. This module covers exactly the policy language our
templates use, and refuses anything else (an unknown condition operator raises) so that a
policy it cannot judge fails the test instead of passing it.

Semantics (AWS's "policy evaluation logic" for one account, identity policies only):

* an explicit Deny in any statement that matches wins; else any matching Allow allows; else
  the request is implicitly denied;
* a statement matches when its Action (or NotAction), its Resource (or NotResource) and every
  condition match;
* actions match case-insensitively with `*` and `?` wildcards; resources case-sensitively;
* Condition: every operator must hold, every key under an operator must hold, and a key
  holds when the request value matches any of the policy's values. A key missing from the
  request fails positive operators and satisfies negated ones (`StringNotEquals`,
  `ArnNotLike`, ...); the `IfExists` suffix makes a missing key pass; `Null` tests presence;
* multi-valued request keys: plain operators (and `ForAnyValue:`) need one request value to
  match, `ForAllValues:` needs every request value to match (and passes on an empty set);
* `ArnLike`/`ArnEquals` compare ARNs part by part (partition, service, region, account,
  resource), with wildcards inside each part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any


class Decision(str, Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"


@dataclass(frozen=True)
class Request:
    """One authorization question: may this principal do `action` on `resource`?"""

    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        context = f" with {dict(self.context)}" if self.context else ""
        return f"{self.action} on {self.resource}{context}"


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern:
    # IAM wildcards are only `*` and `?`; everything else (brackets included) is literal.
    parts = []
    for char in pattern:
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _glob(pattern, ignore_case).fullmatch(value) is not None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]


def arn_like(pattern: str, value: str) -> bool:
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(wildcard_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=False))


def _string_equals(p: str, v: str) -> bool:
    return p == v


def _string_equals_ic(p: str, v: str) -> bool:
    return p.lower() == v.lower()


def _string_like(p: str, v: str) -> bool:
    return wildcard_match(p, v)


def _arn_equals(p: str, v: str) -> bool:
    # ArnEquals still honours wildcards in AWS (it behaves like ArnLike).
    return arn_like(p, v)


def _bool(p: str, v: str) -> bool:
    return str(p).lower() == str(v).lower()


# operator -> (value test, negated)
_OPERATORS = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ic, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ic, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (_arn_equals, False),
    "ArnNotEquals": (_arn_equals, True),
    "ArnLike": (arn_like, False),
    "ArnNotLike": (arn_like, True),
    "Bool": (_bool, False),
}


class UnsupportedPolicy(ValueError):
    """The policy uses something this evaluator does not implement."""


def _lookup(context: Mapping[str, Any], key: str) -> tuple[bool, list[str]]:
    for name, value in context.items():
        if name.lower() == key.lower():
            return True, [str(v) for v in _as_list(value)]
    return False, []


def _condition_holds(operator: str, key: str, policy_values: list, context: Mapping[str, Any]) -> bool:
    present, values = _lookup(context, key)
    quantifier = None
    if ":" in operator and operator.split(":", 1)[0] in ("ForAnyValue", "ForAllValues"):
        quantifier, operator = operator.split(":", 1)
    if operator == "Null":
        wanted_absent = {str(v).lower() for v in policy_values}
        if wanted_absent - {"true", "false"}:
            raise UnsupportedPolicy(f"Null takes true/false, not {policy_values}")
        return ("true" if not present else "false") in wanted_absent
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    if base not in _OPERATORS:
        raise UnsupportedPolicy(f"condition operator {operator!r} is not implemented")
    test, negated = _OPERATORS[base]
    if not present:
        return if_exists or negated or quantifier == "ForAllValues"
    policy_values = [str(v) for v in policy_values]

    def matches(value: str) -> bool:
        return any(test(p, value) for p in policy_values)

    if quantifier == "ForAllValues":
        return all((not matches(v)) if negated else matches(v) for v in values)
    hit = any(matches(v) for v in values)
    return not hit if negated else hit


def _conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, Any]) -> bool:
    return all(
        _condition_holds(operator, key, _as_list(values), context)
        for operator, block in conditions.items()
        for key, values in block.items()
    )


def _matches_any(patterns: Iterable[str], value: str, *, ignore_case: bool) -> bool:
    return any(wildcard_match(p, value, ignore_case=ignore_case) for p in patterns)


def statement_matches(statement: Mapping[str, Any], request: Request) -> bool:
    if "Principal" in statement or "NotPrincipal" in statement:
        raise UnsupportedPolicy("resource policies (Principal) are not identity policies")
    if "Action" in statement:
        if not _matches_any(_as_list(statement["Action"]), request.action, ignore_case=True):
            return False
    elif "NotAction" in statement:
        if _matches_any(_as_list(statement["NotAction"]), request.action, ignore_case=True):
            return False
    else:
        raise UnsupportedPolicy("statement has neither Action nor NotAction")
    if "Resource" in statement:
        if not _matches_any(_as_list(statement["Resource"]), request.resource, ignore_case=False):
            return False
    elif "NotResource" in statement:
        if _matches_any(_as_list(statement["NotResource"]), request.resource, ignore_case=False):
            return False
    else:
        raise UnsupportedPolicy("statement has neither Resource nor NotResource")
    return _conditions_hold(statement.get("Condition") or {}, request.context)


def evaluate(documents: Iterable[Mapping[str, Any]], request: Request) -> Decision:
    """The decision of a principal's identity policies on one request."""
    allowed = False
    for document in documents:
        for statement in _as_list(document.get("Statement")):
            effect = statement.get("Effect")
            if effect not in ("Allow", "Deny"):
                raise UnsupportedPolicy(f"Effect {effect!r}")
            if not statement_matches(statement, request):
                continue
            if effect == "Deny":
                return Decision.EXPLICIT_DENY
            allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def allowing_statements(documents: Iterable[Mapping[str, Any]], request: Request) -> list[str]:
    """Sids of the Allow statements that match (for readable test failures)."""
    return [
        str(s.get("Sid", "?"))
        for d in documents
        for s in _as_list(d.get("Statement"))
        if s.get("Effect") == "Allow" and statement_matches(s, request)
    ]


__all__ = ["Decision", "Request", "UnsupportedPolicy", "arn_like", "evaluate", "wildcard_match", "allowing_statements"]
