"""Norwegian number formats: find a value as it was printed in a document.

Norwegian reports print thousands with a space, a no-break space or a dot (``1 657``, ``1.657``),
decimals with a comma (``10,5``) and negatives with a hyphen, a minus sign or an en dash
(``-17 440``, ``−17 440``). Validation asks: does the excerpt contain this value as printed?
No library covers this question (babel formats one locale's style, not the variants found in
flattened PDF text), so it is written here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_THOUSANDS = (" ", "\u00a0", "\u202f", ".", "")
_MINUS = ("-", "\u2212", "\u2013", "- ", "\u2212 ", "\u2013 ")


def _group(int_part: str, sep: str) -> str:
    groups: list[str] = []
    while len(int_part) > 3:
        groups.insert(0, int_part[-3:])
        int_part = int_part[:-3]
    groups.insert(0, int_part)
    return sep.join(groups)


def printed_forms(value: str) -> set[str]:
    """All the ways ``value`` (a plain decimal string such as ``-17440`` or ``10.5``) may be printed.

    >>> sorted(printed_forms("1657"))[:3]
    ['1 657', '1.657', '1657']
    >>> "10,5" in printed_forms("10.5")
    True
    """
    try:
        Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a plain decimal number: {value!r}") from exc
    text = value.strip()
    negative = text.startswith("-")
    body = text.lstrip("-+")
    int_part, _, dec_part = body.partition(".")
    int_part = int_part or "0"
    forms: set[str] = set()
    for sep in _THOUSANDS:
        if sep == "." and dec_part:
            continue  # 1.657,5 is possible, but 1.657.5 is not; a dot is then the decimal mark only
        grouped = _group(int_part, sep)
        decimal_marks = (",", ".") if dec_part else ("",)
        for mark in decimal_marks:
            if mark == "." and sep == ".":
                continue
            number = grouped + (mark + dec_part if dec_part else "")
            if negative:
                forms.update(m + number for m in _MINUS)
                forms.add(f"({number})")
            else:
                forms.add(number)
    return forms


def value_in_text(value: str, text: str) -> bool:
    """True when ``text`` contains ``value`` printed in a Norwegian format as a whole number.

    A match must not be part of a longer number: ``657`` is not found in ``1 657`` when the space is
    a thousands separator… but it is, since the text alone cannot tell; what is excluded is a digit
    glued directly to either side (``16570``) or a decimal continuation (``657,5``).
    """
    for form in sorted(printed_forms(value), key=len, reverse=True):
        for match in re.finditer(re.escape(form), text):
            start, end = match.start(), match.end()
            before = text[start - 1] if start > 0 else " "
            after = text[end] if end < len(text) else " "
            if before.isdigit() or after.isdigit():
                continue
            if after in ",." and end + 1 < len(text) and text[end + 1].isdigit():
                continue
            if not form.startswith(("-", "\u2212", "\u2013", "(")) and before in "-\u2212\u2013":
                # a positive value must not match a printed negative number
                prev = text[start - 2] if start > 1 else " "
                if not prev.isalnum():
                    continue
            return True
    return False


def parse_norwegian_number(text: str) -> Decimal:
    """Parse one number printed in a Norwegian format (``-17 440`` → -17440, ``10,5`` → 10.5).

    A dot followed by exactly three digits is read as a thousands separator (``1.657`` → 1657).
    """
    cleaned = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    cleaned = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "", cleaned)
    cleaned = cleaned.replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc
