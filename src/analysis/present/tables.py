"""Tables for the page: readable headers and units, numbers in the house format.

May import :mod:`analysis.present.text`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.fileio import sha256_hex
from analysis.present.text import MISSING, category_label, format_number, is_missing, unit_label

#: Columns whose values are codes of the data's vocabulary (``revised_budget``, ``unique_persons``),
#: shown with spaces for underscores.
CODE_COLUMNS = {"status", "counting_basis", "model", "term", "quality"}


def table_number(value: Any) -> str:
    """A table cell: whole numbers without decimals, others with up to two, Norwegian style."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if is_missing(value):
        return MISSING
    if float(value).is_integer():
        return format_number(float(value), 0)
    return format_number(float(value), 2 if abs(value) < 10 else 1)


def _cell_decimals(value: float) -> int:
    """The decimals a cell needs, at most two below 10, one below 1 000 and none from 1 000 on
    (43 247,17 kr → 43 247; 6,1 months → 6,1; 0,125 → 0,13)."""
    cap = 2 if abs(value) < 10 else 1 if abs(value) < 1000 else 0
    return next((k for k in range(cap) if abs(round(value, k) - value) < 1e-9), cap)


def column_decimals(values: pd.Series) -> int:
    """One number of decimals for a whole column: the most any of its cells needs, so that 6,1 and
    5 read 6,1 and 5,0 (never 6,10 beside 5)."""
    numbers = [float(v) for v in values if not is_missing(v) and not isinstance(v, bool)]
    return max((_cell_decimals(v) for v in numbers), default=0)


def column_label(name: str) -> str:
    """``contribution_nok_1000`` → ``Contribution (NOK 1 000)``; ``p_value`` → ``P value``;
    ``ci_low`` → ``95 % CI, low``; ``source_ids`` → ``Sources``."""
    special = {
        "ci_low": "95 % CI, low",
        "ci_high": "95 % CI, high",
        "source_ids": "sources",
        "cpi": "CPI (2015=100)",
    }
    text = special.get(name, name)
    text = text.replace("_nok_1000", f" ({unit_label('NOK_1000')})").replace("_", " ")
    return text[:1].upper() + text[1:]


def table_unit(table: pd.DataFrame) -> str:
    """The unit a table's caption names, in words: the one value of its ``unit`` column, or the one
    unit its column headers carry in brackets (``"2023 (NOK 1 000)"``); ``"units as given in the
    table"`` when they differ, ``""`` when the table says none."""
    if "unit" in table.columns:
        units = list(dict.fromkeys(str(u) for u in table["unit"].dropna()))
        if len(units) == 1:
            return unit_label(units[0])
        return "units as given in the table" if units else ""
    labels = [column_label(str(c)) for c in table.columns]
    bracketed = {c[c.rindex("(") + 1 : -1] for c in labels if c.endswith(")") and "(" in c}
    bracketed.discard("2015=100")  # an index column beside money columns: the money names the unit
    if len(bracketed) == 1:
        return bracketed.pop()
    return "units as given in the table" if bracketed else ""


def period_span(table: pd.DataFrame) -> str:
    """The years a table covers, from its ``period`` column: ``2019–2023``, ``2023``, or ``""``
    when it has no such column (monthly periods count by their year)."""
    if "period" not in table.columns:
        return ""
    years = sorted({str(p)[:4] for p in table["period"].dropna() if str(p)[:4].isdigit()})
    if not years:
        return ""
    return years[0] if len(years) == 1 else f"{years[0]}\u2013{years[-1]}"


def table_caption(number: int, what: str, table: pd.DataFrame) -> str:
    """``"Table 2. Gross payouts by month, 2022–2023 (NOK 1 000)."``: the page's table number, what
    the table holds (a trailing full stop is dropped) and its unit (:func:`table_unit`)."""
    text = what.strip().rstrip(".").replace("\n", ", ")
    unit = table_unit(table)
    return f"Table {number}. {text}" + (f" ({unit})" if unit else "") + "."


def styled_table(table: pd.DataFrame, caption: str = "") -> Any:
    """A pandas Styler for a section table: readable headers and units, no index, numbers in the
    house format and right-aligned (CSS class ``num``, see book/_static/custom.css), and the
    ``caption`` (see :func:`table_caption`) as the table's ``<caption>``."""
    shown = table.copy()
    if "unit" in shown.columns:
        # a unit is one word in a cell: "NOK 1 000" never breaks over three lines
        shown["unit"] = shown["unit"].map(
            lambda u: unit_label(u).replace(" ", "\u00a0") if isinstance(u, str) else u
        )
    for column in CODE_COLUMNS & set(shown.columns):  # codes in words: revised_budget → revised budget
        shown[column] = shown[column].map(lambda v: v.replace("_", " ") if isinstance(v, str) else v)
    if "category" in shown.columns:
        shown["category"] = shown["category"].map(lambda v: category_label(v) if isinstance(v, str) else v)
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])]
    classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
    for column in numeric:
        classes[column] = "num"
    # pandas gives every Styler a random uuid (HTML ids); derive it from the content instead so
    # that the same inputs give byte-identical notebooks
    stable = sha256_hex(shown.to_csv(index=False).encode("utf-8"))[:10]
    styler = shown.style.set_uuid(f"t{stable}").hide(axis="index")
    for column in numeric:  # one number of decimals per column (see column_decimals)
        decimals = column_decimals(shown[column])
        styler = styler.format(
            lambda v, d=decimals: MISSING if is_missing(v) else format_number(float(v), d), subset=[column]
        )
    styler = styler.set_td_classes(classes).relabel_index(
        [column_label(c) for c in shown.columns], axis="columns"
    )
    return styler.set_caption(caption) if caption else styler
