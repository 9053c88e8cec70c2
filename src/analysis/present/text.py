"""Numbers and units as text: Norwegian number style, the one unit-label table, the one way a
missing value is written.

Imports nothing from the package.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: How a missing value is written everywhere: prose, table cells, chart alt texts.
MISSING = "n/a"


def is_missing(value: Any) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float, decimals: int = 0, *, norwegian: bool = True) -> str:
    """Format a number for axes and alt text.

    Norwegian: thousands separated by a space, decimal comma, minus sign U+2212
    (``1657`` → ``1 657``; ``10.5`` → ``10,5``; ``-17440`` → ``−17 440``). English: ``1,657``,
    ``10.5``, ``-17,440``. NaN → :data:`MISSING`. Reference: Språkrådet, "Skrivemåten av tal".
    """
    if is_missing(value):
        return MISSING
    text = f"{abs(value):,.{decimals}f}"
    if norwegian:
        text = text.replace(",", " ").replace(".", ",")
        sign = "\u2212"
    else:
        sign = "-"
    rounded_zero = float(f"{abs(value):.{decimals}f}") == 0
    return (sign + text) if value < 0 and not rounded_zero else text


@dataclass(frozen=True)
class UnitLabel:
    """How one unit is written: in a table or an English axis (``table``), after a number in the
    book's prose (``prose``), and on a Norwegian chart axis (``axis_no``)."""

    table: str
    prose: str
    axis_no: str


#: The one unit-label table: tables, prose and charts read it (a unit not listed is written as its
#: id with spaces, e.g. ``per_case`` → ``per case``). Money keeps the scale of its series, named the
#: same way everywhere; the thousands group is a space, as in the numbers ("NOK 1 000", never
#: "NOK 1,000", which a Norwegian reader takes for 1,0). See book/methods.md, "Units, numbers and names".
UNIT_LABELS: dict[str, UnitLabel] = {
    "NOK": UnitLabel("NOK", "kr", "kr"),
    "NOK_1000": UnitLabel("NOK 1 000", "thousand kr", "1 000 kr"),
    "NOK_million": UnitLabel("NOK million", "million kr", "mill. kr"),
    "NOK_billion": UnitLabel("NOK billion", "billion kr", "mrd. kr"),
    "percent": UnitLabel("%", "%", "%"),
    "percentage_points": UnitLabel("percentage points", "percentage points", "percentage points"),
    "index_2015_100": UnitLabel("index (2015=100)", "(2015=100)", "index (2015=100)"),
    "per_1000_inhabitants": UnitLabel(
        "per 1 000 inhabitants", "per 1 000 inhabitants", "per 1 000 innbyggere"
    ),
    "fte": UnitLabel("full-time equivalents", "full-time equivalents", "årsverk"),
    "count": UnitLabel("count", "", "count"),
    "text": UnitLabel("", "", ""),
}


def unit_label(unit: str, kind: str = "table") -> str:
    """``unit`` as written in a ``table`` (also English axes), in ``prose`` or on a Norwegian axis
    (``axis_no``), from :data:`UNIT_LABELS`."""
    label = UNIT_LABELS.get(unit)
    if label is None:
        return unit.replace("_", " ")
    return str(getattr(label, kind))


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
    if is_missing(value):
        return MISSING
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
    suffix = unit_label(unit, "prose") if unit else ""
    return f"{text} {suffix}" if suffix else text


def printed_value(value: float) -> str:
    """A value as the Norwegian sources print it, with no rounding of its own: ``119 400``, ``6,71``."""
    return (
        f"{int(value):,}".replace(",", " ") if float(value).is_integer() else f"{value:g}".replace(".", ",")
    )


def rounded_input_note(
    label: str, period: str, value: float, unit: str, source_id: str, note: str, how: str = ""
) -> str:
    """The note under a result computed from a figure printed rounded: ``"Recipients 2021: 119 400
    persons as printed (ssb-a), rounded — 'om lag'"`` (``how``: "rounded", "a lower bound", …; see
    :func:`analysis.series.select.rounded_inputs`)."""
    printed = f"{printed_value(value)}{_suffix(unit)} as printed ({source_id})"  # "6,71 billion kr"
    return f"{label} {period}: {printed}" + (f", {how}" if how else "") + (f" — {note}" if note else "")


_MONEY_SCALES: tuple[tuple[float, str], ...] = ((1e9, " billion kr"), (1e6, " million kr"), (1.0, " kr"))


def _suffix(unit: str) -> str:
    """The unit after a number in prose, with its leading space (from :data:`UNIT_LABELS`)."""
    label = unit_label(unit, "prose") if unit else ""
    return f" {label}" if label else ""


def round_to_step(value: float, step: float) -> float:
    """``value`` rounded to the power of ten at or below ``step`` (unchanged when ``step`` is 0):
    the digits of a result that its rounded inputs can carry, for tables and chart labels."""
    if not step or math.isnan(step) or math.isnan(value):
        return value
    exponent = math.floor(math.log10(step * (1 + 1e-9)))
    return round(value / 10**exponent) * 10**exponent if exponent >= 0 else round(value, -exponent)


def format_at_precision(value: float, unit: str, step: float) -> str:
    """A result printed no more precisely than its least precise input ("about 7,4 billion kr").

    ``step`` is how far the result can move with its rounded inputs, in ``unit`` (see
    :func:`analysis.series.select.propagated_step`); the value is rounded to the power of ten at or
    below it and prefixed "about". Money is written in billion or million kroner when that is how
    coarse the step is (7 400 000 thousand kr known to 0,1 billion → "about 7,4 billion kr"); other
    units keep theirs ("about 131 000 persons", "about 32 %"). ``step`` 0 (exact inputs) prints the
    value as :func:`fmt` does, without "about".
    """
    if value is None or math.isnan(value):
        return "missing"
    suffix = _suffix(unit)
    if not step or math.isnan(step):
        decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 1
        return format_number(value, decimals) + suffix
    if unit in _NOK_PER_UNIT:  # in kroner, then the largest scale below the value that the step fills
        value, step = value * _NOK_PER_UNIT[unit], step * _NOK_PER_UNIT[unit]
        scales = [i for i, (f, _) in enumerate(_MONEY_SCALES) if abs(value) >= f or f == 1.0]
        i = scales[0]
        while _MONEY_SCALES[i][0] > 1.0 and step / _MONEY_SCALES[i][0] < 0.01:
            i += 1
        scale, suffix = _MONEY_SCALES[i]
        value, step = value / scale, step / scale
    exponent = math.floor(math.log10(step * (1 + 1e-9)))
    if exponent >= 0:
        rounded = round(value / 10**exponent) * 10**exponent
        return "about " + format_number(rounded, 0) + suffix
    return "about " + format_number(value, -exponent) + suffix


#: A paragraph shorter than this is never shortened as a repeat (a one-line statement can recur).
REPEAT_MIN_CHARS = 200


def _lead(paragraph: str) -> str:
    """A paragraph's opening: its bold lead-in (``**… .**``) if it has one, else its first sentence."""
    if paragraph.startswith("**"):
        end = paragraph.find("**", 2)
        if end > 2:
            return paragraph[: end + 2]
    sentence, dot, _ = paragraph.partition(". ")
    return sentence + dot.rstrip()


def shorten_repeats(text: str, shown: Iterable[str]) -> str:
    """``text`` with each long paragraph (:data:`REPEAT_MIN_CHARS` or more) that is already in
    ``shown`` (paragraphs displayed earlier on the same page) cut to its opening and "(as explained
    above)". A page whose sections share an explanation (how a derived year was computed) prints it
    once."""
    seen = set(shown)
    out = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) >= REPEAT_MIN_CHARS and paragraph in seen:
            out.append(f"{_lead(paragraph)} (As explained above.)")
        else:
            out.append(paragraph)
    return "\n\n".join(out)
