"""Numbers and units as text: Norwegian number style, prose with units, unit labels for tables.

Imports nothing from the package.
"""

from __future__ import annotations

import math


def format_number(value: float, decimals: int = 0, *, norwegian: bool = True) -> str:
    """Format a number for axes and alt text.

    Norwegian: thousands separated by a space, decimal comma, minus sign U+2212
    (``1657`` → ``1 657``; ``10.5`` → ``10,5``; ``-17440`` → ``−17 440``). English: ``1,657``,
    ``10.5``, ``-17,440``. NaN → ``"missing"``. Reference: Språkrådet, "Skrivemåten av tal".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    text = f"{abs(value):,.{decimals}f}"
    if norwegian:
        text = text.replace(",", " ").replace(".", ",")
        sign = "\u2212"
    else:
        sign = "-"
    rounded_zero = float(f"{abs(value):.{decimals}f}") == 0
    return (sign + text) if value < 0 and not rounded_zero else text


UNIT_LABELS = {
    "NOK": "NOK",
    "NOK_1000": "NOK 1,000",
    "NOK_million": "NOK million",
    "NOK_billion": "NOK billion",
    "percent": "%",
    "percentage_points": "percentage points",
    "index_2015_100": "index (2015=100)",
}


def fmt(value: float, unit: str = "", decimals: int | None = None) -> str:
    """A number for prose, Norwegian style (``1 657``; ``10,5``) with a readable unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "p-value":
        return format_number(float(value), 3)
    if unit == "year":
        return str(int(value))
    if decimals is None:
        decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 1
    text = format_number(float(value), decimals)
    suffix = {
        "NOK": " kr",
        "NOK_1000": " thousand kr",
        "NOK_million": " million kr",
        "NOK_billion": " billion kr",
        "percent": " %",
        "percentage_points": " percentage points",
        "months": " months",
        "days": " days",
        "persons": " persons",
        "cases": " cases",
        "participants": " participants",
    }.get(unit, f" {unit}" if unit and unit not in {"count", "text"} else "")
    return text + suffix
