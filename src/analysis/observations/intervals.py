"""Printed numbers as intervals: what a printed figure stands for, arithmetic on named inputs, and
the bounds of a formula over its inputs' intervals.

- :func:`rounding_interval` reads a figure's ``quality`` column (``data/CURATION.md``), never the
  words of its note: an ``exact`` rate "14" stands for 13,5–14,5 %, a ``rounded`` "om lag 131 000"
  for 130 500–131 500, an exact count is exact; a bound ("over 50 %") or a ``suspect`` figure has
  no interval and cannot be an input.
- :func:`evaluate` computes a formula of numbers, names, ``+ − × /`` and brackets.
- :func:`corner_bounds` gives a formula's minimum and maximum over the box of its inputs'
  intervals from the box's corners. That is exact when the formula is monotone in each input (given
  the others): a maximiser can be moved, one coordinate at a time, to the better end of that
  coordinate's interval without lowering the value, so some corner is as high. The derivations of
  ``data/curated/derived_observations.csv`` are products and quotients of positive factors (levels
  and ``1 + rate/100``), in which each input occurs once, so they are monotone in each input;
  :func:`corner_bounds` also refuses a formula whose corner values show it is not (an edge along
  which the value rises in one place and falls in another).

Pure functions on text and numbers; imports only :mod:`analysis.schema`.
"""

from __future__ import annotations

import ast
import functools
import itertools
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from analysis.schema import COUNT_UNITS, QUALITIES

#: Money scales printed only rounded ("6,71 milliarder"): a table without a ``quality`` column
#: (hand-made in tests) reads them as ``rounded``; ``validate`` refuses ``exact`` for them.
ROUNDED_UNITS: frozenset[str] = frozenset({"NOK_billion"})


class DerivedError(ValueError):
    """A derived figure whose formula, inputs or bounds cannot be used; the message says which."""


# ------------------------------------------------------------------------------------ formulas

_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


@functools.lru_cache(maxsize=512)  # the trees are only read; a formula is parsed ~30 000 times a grid
def _parse(formula: str) -> ast.Expression:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise DerivedError(f"formula {formula!r} is not valid arithmetic: {exc.msg}") from exc
    for node in ast.walk(tree):
        allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Name, ast.Load)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            continue
        if isinstance(node, allowed) or type(node) in _BINARY:
            continue
        raise DerivedError(
            f"formula {formula!r} uses {type(node).__name__}; only numbers, names, + - * / and brackets"
        )
    return tree


def formula_names(formula: str) -> set[str]:
    """The input names a formula uses."""
    return {n.id for n in ast.walk(_parse(formula)) if isinstance(n, ast.Name)}


def evaluate(formula: str, values: Mapping[str, float]) -> float:
    """The value of ``formula`` (numbers, names, ``+ - * /``, brackets) at ``values``.

    Written here rather than with ``eval`` or a dependency: four operators on named numbers are a
    few lines with :mod:`ast`, and nothing else (calls, attributes) can be reached.

    >>> evaluate("R * (1 + g / 100)", {"R": 100.0, "g": 14.0})
    114.0
    """

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise DerivedError(f"formula {formula!r} uses {node.id!r}, which is not among its inputs")
            return float(values[node.id])
        if isinstance(node, ast.UnaryOp):
            return -ev(node.operand) if isinstance(node.op, ast.USub) else ev(node.operand)
        assert isinstance(node, ast.BinOp)
        return _BINARY[type(node.op)](ev(node.left), ev(node.right))

    return ev(_parse(formula))


# ------------------------------------------------------------------------------------ rounding


def quality_of(row: Mapping[str, object]) -> str:
    """A row's ``quality``; a table without the column (hand-made in tests) reads a figure in
    :data:`ROUNDED_UNITS` as ``rounded`` and any other as ``exact``."""
    quality = str(row.get("quality", "") or "")
    if quality:
        return quality
    return "rounded" if row.get("unit") in ROUNDED_UNITS else "exact"


def half_width(value_text: str, unit: str, quality: str = "exact") -> float:
    """Half the rounding step of a printed number: the true value lies within ± this.

    - An ``exact`` count (``152645`` persons) is exact: 0.
    - A ``rounded`` figure ("om lag 131 000", "6,71 milliarder") is rounded to its last non-zero
      digit: ``131000`` → ±500, ``119400`` → ±50, ``6.71`` → ±0,005.
    - Anything else (rates, money in thousands) to its last printed digit: ``14`` → ±0,5,
      ``3.1`` → ±0,05, ``9770381`` (NOK 1,000) → ±0,5.

    A bound (``lower_bound``, ``upper_bound``) or a ``suspect`` figure has no rounding interval:
    :class:`DerivedError` says so, as it does for a quality that is none of :data:`QUALITIES`.
    """
    if quality in ("lower_bound", "upper_bound"):
        raise DerivedError(
            f"{value_text} is printed as a {quality.replace('_', ' ')}; a one-sided figure has no "
            "rounding interval"
        )
    if quality == "suspect":
        raise DerivedError(f"{value_text} is marked suspect (its printed digits are wrong); never an input")
    if quality not in QUALITIES:
        raise DerivedError(f"unknown quality {quality!r} of {value_text}: one of {', '.join(QUALITIES)}")
    try:
        number = Decimal(value_text.strip())
    except InvalidOperation as exc:
        raise DerivedError(f"not a plain decimal number: {value_text!r}") from exc
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    rounded = quality == "rounded"
    if unit in COUNT_UNITS and not rounded and exponent >= 0:
        return 0.0
    if rounded and exponent >= 0:
        trailing = len(digits) - len("".join(map(str, digits)).rstrip("0")) if any(digits) else 0
        return 0.5 * 10.0 ** (exponent + trailing)
    return 0.5 * 10.0**exponent


def rounding_interval(value_text: str, unit: str, quality: str = "exact") -> tuple[float, float]:
    """``(low, high)`` that a printed number of this ``quality`` stands for (see :func:`half_width`)."""
    h = half_width(value_text, unit, quality)
    value = float(value_text)
    return value - h, value + h


# ------------------------------------------------------------------------------------ corners


def corner_bounds(
    func: Callable[[Mapping[str, float]], float],
    central: Mapping[str, float],
    intervals: Mapping[str, tuple[float, float]],
) -> tuple[float, float]:
    """Minimum and maximum of ``func`` over the box ``intervals``, from its 2^k corners.

    Exact when ``func`` is monotone in each input given the others (see the module docstring).
    Inputs of zero width are held at ``central``. As a check of that premise, along every edge of
    the box the change in ``func`` must have one sign for each input; otherwise
    :class:`DerivedError` names the input (the corners would not bound the function).
    """
    names = [n for n in intervals if intervals[n][1] > intervals[n][0]]
    values: dict[tuple[int, ...], float] = {}
    for corner in itertools.product((0, 1), repeat=len(names)):
        point = dict(central)
        for name, end in zip(names, corner, strict=True):
            point[name] = intervals[name][end]
        values[corner] = func(point)
    scale = max((abs(v) for v in values.values()), default=0.0)
    tol = 1e-12 * max(scale, 1.0)
    for i, name in enumerate(names):
        signs = set()
        for corner, v in values.items():
            if corner[i] == 0:
                step = values[corner[:i] + (1,) + corner[i + 1 :]] - v
                if abs(step) > tol:
                    signs.add(step > 0)
        if len(signs) > 1:
            raise DerivedError(
                f"not monotone in {name!r} over its interval {intervals[name]}: the corners do not bound it"
            )
    if not values:
        v = func(dict(central))
        return v, v
    return min(values.values()), max(values.values())
