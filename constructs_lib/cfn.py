"""Typed access to an L2 construct's CloudFormation resource (its `node.default_child`)."""

from __future__ import annotations

from typing import TypeVar

from aws_cdk import CfnResource
from constructs import IConstruct

CfnT = TypeVar("CfnT", bound=CfnResource)


def cfn_child(construct: IConstruct, cfn_type: type[CfnT]) -> CfnT:
    """The L1 resource behind `construct`, checked to be a `cfn_type`.

    CDK types `node.default_child` as `IConstruct | None`; every L2 construct of the platform
    has exactly one CloudFormation resource as its default child, and this says which one.
    """
    child = construct.node.default_child
    if not isinstance(child, cfn_type):
        raise TypeError(f"{construct.node.path}: default child is {type(child).__name__}, not {cfn_type.__name__}")
    return child
