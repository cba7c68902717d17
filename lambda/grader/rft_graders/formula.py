"""Safe evaluation of a multi grader's ``calculate_output`` formula.

The formula is parsed with ``ast`` and only this subset is accepted: numbers, names of
sub-graders, ``+ - * /``, ``^`` and ``**`` (both mean power, as in OpenAI's formulas), unary
minus/plus, parentheses, and calls to min, max, abs, floor, ceil, exp, sqrt, log. Nothing is
ever ``eval``-ed: the tree is checked once, then walked by a tiny interpreter.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import cast

_FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "floor": math.floor,
    "ceil": math.ceil,
    "exp": math.exp,
    "sqrt": math.sqrt,
    "log": math.log,
}
_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.BitXor: lambda a, b: a**b,  # `^` is power in grader formulas, not xor
}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: a}
_MAX_LENGTH = 2000


class FormulaError(ValueError):
    """The formula is not in the allowed subset, or names an unknown sub-grader."""


class Formula:
    """A checked formula; ``evaluate`` maps sub-grader scores to one number."""

    def __init__(self, text: str, names: set[str] | frozenset[str]):
        if not text or not text.strip():
            raise FormulaError("formula is empty")
        if len(text) > _MAX_LENGTH:
            raise FormulaError(f"formula is longer than {_MAX_LENGTH} characters")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"formula does not parse: {exc.msg}") from None
        self.text = text
        self._tree = tree.body
        self.names = frozenset(names)
        self._check(self._tree)

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise FormulaError(f"only numbers are allowed as constants, not {node.value!r}")
        elif isinstance(node, ast.Name):
            if node.id not in self.names:
                allowed = ", ".join(sorted(self.names)) or "none"
                raise FormulaError(f"unknown name '{node.id}'; sub-graders are {allowed}")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
            self._check(node.operand)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
                allowed = ", ".join(_FUNCTIONS)
                raise FormulaError(f"only these functions are allowed: {allowed}")
            if node.keywords or not node.args:
                raise FormulaError(f"{node.func.id}() takes positional arguments only")
            if node.func.id not in ("min", "max") and len(node.args) != 1:
                raise FormulaError(f"{node.func.id}() takes one argument")
            for arg in node.args:
                self._check(arg)
        else:
            raise FormulaError(f"{type(node).__name__} is not allowed in a formula")

    def evaluate(self, values: Mapping[str, float]) -> float:
        """Evaluate; raises ValueError/ZeroDivisionError/OverflowError on bad arithmetic."""
        return float(self._eval(self._tree, values))

    def _eval(self, node: ast.AST, values: Mapping[str, float]) -> float:
        if isinstance(node, ast.Constant):
            # _check admitted only int/float constants
            return float(cast(float, node.value))  # floats overflow loudly; int powers could run for ever
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.BinOp):
            result = _BINARY[type(node.op)](self._eval(node.left, values), self._eval(node.right, values))
            if isinstance(result, complex):
                raise ValueError("formula produced a complex number")
            return result
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](self._eval(node.operand, values))
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return _FUNCTIONS[node.func.id](*(self._eval(a, values) for a in node.args))
