"""The IAM evaluator the coverage test relies on: each rule it implements, and what it refuses."""

from __future__ import annotations

import pytest

from tests.iam.policy_eval import Decision, Request, UnsupportedPolicy, arn_like, evaluate, wildcard_match

BUCKET = "arn:aws:s3:::team-datasets"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, condition=None, **extra) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    if condition:
        statement["Condition"] = condition
    return statement


def decide(statements, action, resource, context=None) -> Decision:
    return evaluate([doc(*statements)], Request(action, resource, context or {}))


def test_nothing_is_allowed_by_default():
    assert decide([], "s3:GetObject", f"{BUCKET}/a") is Decision.IMPLICIT_DENY


def test_allow_needs_both_action_and_resource():
    statements = [allow("s3:GetObject", f"{BUCKET}/train/*")]
    assert decide(statements, "s3:GetObject", f"{BUCKET}/train/a.jsonl") is Decision.ALLOW
    assert decide(statements, "s3:PutObject", f"{BUCKET}/train/a.jsonl") is Decision.IMPLICIT_DENY
    assert decide(statements, "s3:GetObject", f"{BUCKET}/other/a.jsonl") is Decision.IMPLICIT_DENY


def test_explicit_deny_wins_over_any_allow():
    statements = [allow("s3:*", "*"), {"Effect": "Deny", "Action": "s3:DeleteObjectVersion", "Resource": "*"}]
    assert decide(statements, "s3:GetObject", f"{BUCKET}/a") is Decision.ALLOW
    assert decide(statements, "s3:DeleteObjectVersion", f"{BUCKET}/a") is Decision.EXPLICIT_DENY


def test_actions_match_case_insensitively_with_wildcards_resources_case_sensitively():
    statements = [allow("S3:Get*", f"{BUCKET}/Train/*")]
    assert decide(statements, "s3:getobjectversion", f"{BUCKET}/Train/x") is Decision.ALLOW
    assert decide(statements, "s3:GetObject", f"{BUCKET}/train/x") is Decision.IMPLICIT_DENY
    assert decide([allow("s3:GetObjec?", "*")], "s3:GetObject", "x") is Decision.ALLOW
    assert decide([allow("s3:GetObjec?", "*")], "s3:GetObjectVersion", "x") is Decision.IMPLICIT_DENY


def test_brackets_are_literal_not_character_classes():
    assert wildcard_match("a[bc]", "a[bc]") and not wildcard_match("a[bc]", "ab")


def test_not_action_and_not_resource_invert_the_match():
    statements = [{"Effect": "Allow", "NotAction": "iam:*", "NotResource": f"{BUCKET}/secret/*"}]
    assert decide(statements, "s3:GetObject", f"{BUCKET}/a") is Decision.ALLOW
    assert decide(statements, "iam:PassRole", f"{BUCKET}/a") is Decision.IMPLICIT_DENY
    assert decide(statements, "s3:GetObject", f"{BUCKET}/secret/a") is Decision.IMPLICIT_DENY


def test_string_equals_any_listed_value_and_missing_key_fails():
    via = {"StringEquals": {"kms:ViaService": ["s3.us-west-2.amazonaws.com", "sns.us-west-2.amazonaws.com"]}}
    statements = [allow("kms:Decrypt", "arn:aws:kms:us-west-2:1:key/k", via)]
    key = "arn:aws:kms:us-west-2:1:key/k"
    assert decide(statements, "kms:Decrypt", key, {"kms:ViaService": "sns.us-west-2.amazonaws.com"}) is Decision.ALLOW
    assert decide(statements, "kms:Decrypt", key, {"kms:viaservice": "s3.us-west-2.amazonaws.com"}) is Decision.ALLOW
    assert (
        decide(statements, "kms:Decrypt", key, {"kms:ViaService": "dynamodb.us-west-2.amazonaws.com"})
        is Decision.IMPLICIT_DENY
    )
    assert decide(statements, "kms:Decrypt", key) is Decision.IMPLICIT_DENY  # called directly


def test_every_operator_and_every_key_must_hold():
    condition = {"StringEquals": {"a": "1", "b": "2"}, "StringLike": {"c": "x*"}}
    statements = [allow("svc:Do", "*", condition)]
    assert decide(statements, "svc:Do", "r", {"a": "1", "b": "2", "c": "xyz"}) is Decision.ALLOW
    assert decide(statements, "svc:Do", "r", {"a": "1", "b": "3", "c": "xyz"}) is Decision.IMPLICIT_DENY
    assert decide(statements, "svc:Do", "r", {"a": "1", "b": "2", "c": "yz"}) is Decision.IMPLICIT_DENY


def test_negated_operators_pass_on_a_missing_key_and_if_exists_passes_positive_ones():
    negated = [allow("svc:Do", "*", {"StringNotEquals": {"k": "bad"}})]
    assert decide(negated, "svc:Do", "r") is Decision.ALLOW
    assert decide(negated, "svc:Do", "r", {"k": "bad"}) is Decision.IMPLICIT_DENY
    if_exists = [allow("svc:Do", "*", {"StringEqualsIfExists": {"k": "good"}})]
    assert decide(if_exists, "svc:Do", "r") is Decision.ALLOW
    assert decide(if_exists, "svc:Do", "r", {"k": "bad"}) is Decision.IMPLICIT_DENY


def test_null_tests_presence():
    statements = [allow("svc:Do", "*", {"Null": {"k": "false"}})]
    assert decide(statements, "svc:Do", "r", {"k": "v"}) is Decision.ALLOW
    assert decide(statements, "svc:Do", "r") is Decision.IMPLICIT_DENY


def test_multi_valued_keys_for_any_and_for_all_values():
    any_value = [allow("svc:Do", "*", {"ForAnyValue:StringEquals": {"tags": ["a"]}})]
    all_values = [allow("svc:Do", "*", {"ForAllValues:StringEquals": {"tags": ["a", "b"]}})]
    assert decide(any_value, "svc:Do", "r", {"tags": ["z", "a"]}) is Decision.ALLOW
    assert decide(all_values, "svc:Do", "r", {"tags": ["z", "a"]}) is Decision.IMPLICIT_DENY
    assert decide(all_values, "svc:Do", "r", {"tags": ["b", "a"]}) is Decision.ALLOW


def test_arn_like_matches_part_by_part():
    pattern = "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0"
    assert arn_like(pattern, "arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-pro-v1:0")
    assert not arn_like(pattern, "arn:aws:bedrock:us-east-2:1:foundation-model/amazon.nova-pro-v1:0")
    assert not arn_like("arn:aws:events:*:1:rule/rft-team-*", "arn:aws:events:us-east-1:2:rule/rft-team-x")
    assert not arn_like("arn:aws:s3:::b", "not-an-arn")


def test_inference_profile_condition_on_the_routed_model():
    profile = "arn:aws:bedrock:us-west-2:1:inference-profile/us.amazon.nova-pro-v1:0"
    statements = [
        allow("bedrock:InvokeModel", profile),
        allow(
            "bedrock:InvokeModel",
            "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0",
            {"StringEquals": {"bedrock:InferenceProfileArn": profile}},
        ),
    ]
    routed = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"
    assert decide(statements, "bedrock:InvokeModel", profile) is Decision.ALLOW
    assert decide(statements, "bedrock:InvokeModel", routed, {"bedrock:InferenceProfileArn": profile}) is Decision.ALLOW
    assert decide(statements, "bedrock:InvokeModel", routed) is Decision.IMPLICIT_DENY  # direct call


def test_what_it_cannot_judge_raises_instead_of_guessing():
    with pytest.raises(UnsupportedPolicy):
        decide([allow("svc:Do", "*", {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}})], "svc:Do", "r")
    with pytest.raises(UnsupportedPolicy):
        decide([{"Effect": "Allow", "Principal": "*", "Action": "x:y", "Resource": "*"}], "x:y", "r")
    with pytest.raises(UnsupportedPolicy):
        decide([{"Effect": "Maybe", "Action": "x:y", "Resource": "*"}], "x:y", "r")
