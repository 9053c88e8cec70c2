"""Tables for the page: readable headers and units, numbers in the house format.

May import :mod:`analysis.present.text`.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import pandas as pd

from analysis.present.text import UNIT_LABELS, format_number


def table_number(value: Any) -> str:
    """A table cell: whole numbers without decimals, others with up to two, Norwegian style."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return ""
    if float(value).is_integer():
        return format_number(float(value), 0)
    return format_number(float(value), 2 if abs(value) < 10 else 1)


def column_label(name: str) -> str:
    """``contribution_nok_1000`` → ``Contribution (NOK 1,000)``; ``p_value`` → ``P value``."""
    text = name.replace("_nok_1000", " (NOK 1,000)").replace("_", " ")
    return text[:1].upper() + text[1:]


def styled_table(table: pd.DataFrame) -> Any:
    """A pandas Styler for a section table: readable headers and units, no index, numbers in the
    house format and right-aligned (CSS class ``num``, see book/_static/custom.css)."""
    shown = table.copy()
    if "unit" in shown.columns:
        shown["unit"] = shown["unit"].map(lambda u: UNIT_LABELS.get(u, u))
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])]
    classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
    for column in numeric:
        classes[column] = "num"
    # pandas gives every Styler a random uuid (HTML ids); derive it from the content instead so
    # that the same inputs give byte-identical notebooks
    stable = hashlib.sha256(shown.to_csv(index=False).encode("utf-8")).hexdigest()[:10]
    styler = shown.style.set_uuid(f"t{stable}").hide(axis="index").format(table_number, subset=numeric)
    return styler.set_td_classes(classes).relabel_index(
        [column_label(c) for c in shown.columns], axis="columns"
    )
