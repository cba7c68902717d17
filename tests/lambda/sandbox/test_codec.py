"""The tagged-JSON codec between the candidate and tests processes (no pickle, plain data only)."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rft_sandbox.zygote import decode, dumps, encode, loads

_hashable = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.binary(max_size=5),
    lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3),
    max_leaves=6,
)
_plain = st.recursive(
    _hashable | st.complex_numbers(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_hashable, inner, max_size=3)
        | st.sets(_hashable, max_size=3)
        | st.binary(max_size=4).map(bytearray)
    ),
    max_leaves=12,
)


def _same(a, b):
    """Equal with exact types all the way down (True != 1, (1,) != [1], -0.0 keeps its sign)."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return a == b and math.copysign(1, a) == math.copysign(1, b) or (a != a and b != b)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=False))
    if type(a) is dict:
        return list(a) == list(b) and all(_same(k1, k2) and _same(a[k1], b[k2]) for k1, k2 in zip(a, b, strict=False))
    return a == b


@settings(max_examples=300, deadline=None)
@given(_plain)
def test_round_trip_keeps_values_and_exact_types(value):
    assert _same(loads(dumps(value)), value)


@pytest.mark.parametrize(
    "value",
    [float("inf"), float("-inf"), -0.0, 2**200, 0.1 + 0.2, {1: "a", (2, 3): [None]}, [True, 1, 1.0], "\n\u2028\x00"],
)
def test_edge_values_round_trip(value):
    assert _same(loads(dumps(value)), value)
    assert math.isnan(loads(dumps(float("nan"))))


class Int(int):
    pass


class Lying:
    def __eq__(self, other):
        return True


def _gen():
    yield 1


@pytest.mark.parametrize(
    "value", [Int(1), Lying(), _gen(), [1, Lying()], {"k": object()}, range(3), {1: Int(2)}, type, print]
)
def test_non_plain_values_are_refused(value):
    with pytest.raises(TypeError):
        encode(value)


def test_oversized_or_too_deep_values_are_refused():
    with pytest.raises(ValueError):
        encode([0] * 2_000_001)
    deep = []
    for _ in range(300):
        deep = [deep]
    with pytest.raises(ValueError):
        encode(deep)


@pytest.mark.parametrize(
    "data",
    [
        {"t": 1},
        {"d": [[1]]},
        {"d": [[[], 1]]},
        {"q": []},
        {"t": [], "s": []},
        {"x": "1e5"},
        {"c": ["a", 1]},
        {"b": "zz"},
    ],
)
def test_malformed_tags_raise_plain_errors(data):
    with pytest.raises((ValueError, TypeError)):
        decode(data)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("tdsfbycxq"), inner, max_size=2),
    max_leaves=10,
)
_BUILTIN = (type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set, frozenset)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_decoding_anything_yields_only_builtin_data_or_a_plain_error(data):
    """Whatever the candidate process sends, the tests process gets builtin data or an error."""
    try:
        value = decode(json.loads(json.dumps(data)))
    except (ValueError, TypeError):
        return
    stack = [value]
    while stack:
        x = stack.pop()
        assert type(x) in _BUILTIN
        if type(x) is dict:
            stack.extend(x.keys())
            stack.extend(x.values())
        elif type(x) in (list, tuple, set, frozenset):
            stack.extend(x)
