"""Units of the curated observations and conversion between them.

Money is printed in four scales (``NOK``, ``NOK_1000`` "tall i tusen kroner", ``NOK_million``
"mill. kr", ``NOK_billion`` "milliarder", used by national articles that print only rounded totals);
the same figure may appear in several of them. Only money converts between scales:
a percent is not money, persons are not cases, and an index is not a price. Asking for such a
conversion raises :class:`UnitError` naming both units, instead of silently returning a number.

The unit vocabulary is :data:`analysis.schema.UNITS` (see ``data/CURATION.md``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.schema import MONEY_SCALE, MONEY_UNITS, UNITS


class UnitError(ValueError):
    """A conversion or combination between units that have no defined relation."""


def check_unit(unit: str) -> str:
    """Return ``unit`` if it is in the curated vocabulary (:data:`analysis.schema.UNITS`).

    Raises :class:`UnitError` naming the unknown unit otherwise.
    """
    if unit not in UNITS:
        raise UnitError(f"unknown unit {unit!r}; known units: {', '.join(sorted(UNITS))}")
    return unit


def is_money(unit: str) -> bool:
    """True for the money scales ``NOK``, ``NOK_1000``, ``NOK_million`` and ``NOK_billion``."""
    return unit in MONEY_UNITS


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """The factor *f* such that ``value_in_to_unit = value_in_from_unit × f``.

    Formula: for money scales *s* (NOK per unit: NOK = 1, NOK_1000 = 10³, NOK_million = 10⁶,
    NOK_billion = 10⁹),
    ``f = s(from) / s(to)``; for identical units ``f = 1``. Every other pair raises
    :class:`UnitError` (e.g. ``percent`` → ``NOK``, ``persons`` → ``cases``).

    Reference: the unit list and the rule "the unit the source prints the number in" in
    ``data/CURATION.md``; SSB's KOSTRA tables print money in NOK 1,000 ("1000 kr").

    >>> conversion_factor("NOK_million", "NOK_1000")
    1000.0
    """
    check_unit(from_unit)
    check_unit(to_unit)
    if from_unit == to_unit:
        return 1.0
    if from_unit in MONEY_UNITS and to_unit in MONEY_UNITS:
        return MONEY_SCALE[from_unit] / MONEY_SCALE[to_unit]
    if from_unit in MONEY_UNITS or to_unit in MONEY_UNITS:
        raise UnitError(
            f"cannot convert {from_unit!r} to {to_unit!r}: only money units "
            f"({', '.join(sorted(MONEY_UNITS))}) convert into each other"
        )
    raise UnitError(
        f"cannot convert {from_unit!r} to {to_unit!r}: the units measure different things "
        "(no conversion is defined between them)"
    )


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert one value: ``value × s(from) / s(to)`` (see :func:`conversion_factor`).

    The multiplication is done before the division so that whole-number conversions to a finer
    scale are exact (``29.7`` NOK million → ``29 700 000`` NOK). NaN stays NaN.

    Reference: ``data/CURATION.md`` (units). Raises :class:`UnitError` for incompatible units.

    >>> convert(63441, "NOK_1000", "NOK_million")
    63.441
    """
    check_unit(from_unit)
    check_unit(to_unit)
    if from_unit == to_unit:
        return float(value)
    conversion_factor(from_unit, to_unit)  # raises for incompatible units
    return float(value) * MONEY_SCALE[from_unit] / MONEY_SCALE[to_unit]


def convert_values(values: pd.Series, units: pd.Series | str, to_unit: str) -> pd.Series:
    """Convert a column of values whose units are given row by row (or one unit for all).

    Formula per row *i*: ``values[i] × s(units[i]) / s(to_unit)``. Raises :class:`UnitError`
    naming every incompatible unit present, so a frame with a percent among NOK rows fails
    loudly. Reference: as :func:`convert`.
    """
    unit_col = pd.Series(units, index=values.index) if isinstance(units, str) else units
    check_unit(to_unit)
    out = pd.Series(np.nan, index=values.index, dtype=float)
    bad: list[str] = []
    for unit in pd.unique(unit_col):
        mask = unit_col == unit
        try:
            if unit == to_unit:
                out[mask] = values[mask].astype(float)
            else:
                conversion_factor(str(unit), to_unit)
                out[mask] = values[mask].astype(float) * MONEY_SCALE[str(unit)] / MONEY_SCALE[to_unit]
        except UnitError:
            bad.append(str(unit))
    if bad:
        raise UnitError(f"cannot convert {', '.join(repr(b) for b in bad)} to {to_unit!r}")
    return out


def common_unit(units: Iterable[str]) -> str:
    """The one unit shared by ``units``; for a mix of money scales, the finest scale present.

    Examples: ``{NOK_1000}`` → ``NOK_1000``; ``{NOK_1000, NOK_million}`` → ``NOK_1000`` (the finest,
    so that no printed digit is lost). Raises :class:`UnitError` for an empty set or a mix that is
    not all money (e.g. ``persons`` and ``cases``).
    """
    distinct = sorted(set(units))
    if not distinct:
        raise UnitError("no unit given")
    if len(distinct) == 1:
        return check_unit(distinct[0])
    if all(u in MONEY_UNITS for u in distinct):
        return min(distinct, key=lambda u: MONEY_SCALE[u])
    raise UnitError(f"units {distinct} have no common unit (only money scales convert)")
