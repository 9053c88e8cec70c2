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


#: How a unit is named in table headers, captions and chart axes. Money keeps the scale of its
#: series, named the same way everywhere; the thousands group is a space, as in the numbers
#: ("NOK 1 000", never "NOK 1,000", which a Norwegian reader takes for 1,0). See book/methods.md,
#: "Units, numbers and names".
UNIT_LABELS = {
    "NOK": "NOK",
    "NOK_1000": "NOK 1 000",
    "NOK_million": "NOK million",
    "NOK_billion": "NOK billion",
    "percent": "%",
    "percentage_points": "percentage points",
    "index_2015_100": "index (2015=100)",
    "per_1000_inhabitants": "per 1 000 inhabitants",
    "fte": "full-time equivalents",
}


def unit_label(unit: str) -> str:
    """The unit as a table header or axis names it: ``NOK_1000`` → ``NOK 1 000``; ``persons`` →
    ``persons``; an unknown code loses its underscores."""
    return UNIT_LABELS.get(unit, unit.replace("_", " "))


#: Money scales in NOK per unit, for prose (kept here: present imports nothing but schema).
_NOK_PER_UNIT = {"NOK": 1.0, "NOK_1000": 1e3, "NOK_million": 1e6, "NOK_billion": 1e9}


def money_text(value: float, unit: str) -> str:
    """An amount of money for prose, in the book's one convention: under a million in whole kroner
    (``17 440 kr``), from a million in million kr, from a billion in billion kr, with one
    decimal (``54,1 million kr``; ``152,3 million kr``; ``7,4 billion kr``), so that a change and
    the levels it joins read alike (194,3 − 140,2 = 54,1).

    The conversion only moves the decimal point: 54 103 (NOK 1 000) = 54 103 000 kr = 54,1 million kr.
    """
    nok = float(value) * _NOK_PER_UNIT[unit]
    size = abs(nok)
    if size >= 1e9:
        scaled, word = nok / 1e9, "billion kr"
    elif size >= 1e6:
        scaled, word = nok / 1e6, "million kr"
    else:
        return f"{format_number(nok, 0)} kr"
    return f"{format_number(scaled, 1)} {word}"


MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_label(period: str) -> str:
    """``2023-05`` → ``May 2023``: months in English words in prose, tables and charts alike."""
    year, month = period[:4], int(period[5:7])
    return f"{MONTH_NAMES[month - 1]} {year}"


#: Words for category values that do not read well with their underscores simply replaced.
_CATEGORY_NAMES = {
    ("function", "281"): "281 (economic social assistance)",
    ("function", "276"): "276 (qualification programme)",
    ("function", "275"): "275 (introduction programme)",
    ("function", "273"): "273 (municipal employment measures)",
    ("function", "242"): "242 (advice, guidance and prevention)",
    ("function", "243"): "243 (services for people with substance-use problems)",
    ("function", "242_243_281"): "242, 243 and 281",
    ("function", "242_243_273_281"): "242, 243, 273 and 281",
    ("main_income", "kvp"): "qualification benefit",
    ("benefit", "kvp"): "qualification benefit",
}


def category_value_label(dimension: str, value: str) -> str:
    """One category value in words: ``("age", "18-24")`` → ``18–24``; ``("main_income",
    "social_assistance")`` → ``social assistance``; KOSTRA functions with their name."""
    if (dimension, value) in _CATEGORY_NAMES:
        return _CATEGORY_NAMES[(dimension, value)]
    text = value.replace("_", " ")
    if dimension == "age" or text[:1].isdigit():
        text = text.replace("-", "–")  # a range takes an en dash: 18–24
    return text


def category_label(category: str) -> str:
    """A category code in words, for headings, captions and chart labels.

    ``main_income=social_assistance`` → ``Main income: social assistance``; ``age=18-24;sex=female``
    → ``Age 18–24, sex: female``; ``function=281`` → ``Function 281 (economic social assistance)``;
    ``""`` → ``""``. Numbers (ages, function numbers) follow their dimension without a colon.
    """
    parts = []
    for item in filter(None, category.split(";")):
        dimension, _, value = item.partition("=")
        name = dimension.replace("_", " ")
        words = category_value_label(dimension, value)
        plain = words[:1].isdigit() or dimension == "age"  # "Age 18–24", "Age under 25"
        parts.append(f"{name} {words}" if plain else f"{name}: {words}")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def with_category(label: str, category: str) -> str:
    """An indicator's label narrowed by a category, in words: ``("Net operating expenditure",
    "function=281")`` → ``Net operating expenditure, function 281 (economic social assistance)``."""
    if not category:
        return label
    words = category_label(category)
    return f"{label}, {words[:1].lower()}{words[1:]}"


def fmt(value: float, unit: str = "", decimals: int | None = None) -> str:
    """A number for prose, Norwegian style (``1 657``; ``10,5``) with a readable unit.

    Money follows :func:`money_text` (``54 103`` NOK 1 000 → ``54,1 million kr``) unless
    ``decimals`` is given, which keeps the unit's own scale (for a caller that states a precision).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "p-value":
        return format_number(float(value), 3)
    if unit == "year":
        return str(int(value))
    explicit = decimals
    if decimals is None:
        decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 1
    if unit in _NOK_PER_UNIT and explicit is None:
        return money_text(value, unit)
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
