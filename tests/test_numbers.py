"""Norwegian number formats, checked against strings as they stand in the source documents."""

from decimal import Decimal

import pytest

from analysis.observations.numbers import parse_norwegian_number, printed_forms, value_in_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1657", "Aktive saker 1 657 (+194)"),
        ("1657", "totalt 1.657 brukere"),
        ("10.5", "snitt 10,5 måneder"),
        ("-17440", "Avvik -17 440"),
        ("-5298", "Refusjon -836 -352 -5 298"),
        ("80.8", "Norsk 6012 (80,8 %)"),
        ("63441", "529 brukere * 10 970 * 12= 63 441 mill"),
    ],
)
def test_value_found_as_printed(value: str, text: str) -> None:
    assert value_in_text(value, text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("657", "16570 kroner"),  # digits glued on the left
        ("10", "10,5 måneder"),  # a decimal continuation is a different number
        ("836", "Refusjon -836"),  # a positive value must not match a printed negative
        ("1657", "1 658"),
    ],
)
def test_value_not_found(value: str, text: str) -> None:
    assert not value_in_text(value, text)


def test_printed_forms_of_a_negative_decimal() -> None:
    forms = printed_forms("-2.5")
    assert {"-2,5", "-2.5", "\u22122,5"} <= forms


def test_printed_forms_rejects_text() -> None:
    with pytest.raises(ValueError, match="not a plain decimal"):
        printed_forms("12a")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-17 440", Decimal("-17440")),
        ("10,5", Decimal("10.5")),
        ("1.657", Decimal("1657")),
        ("8 985", Decimal(8985)),
    ],
)
def test_parse(text: str, expected: Decimal) -> None:
    assert parse_norwegian_number(text) == expected


def test_one_missing_value_rendering() -> None:
    # prose, table cells and axis numbers write a missing value the same way (analysis.present.text)
    from analysis.present.tables import table_number
    from analysis.present.text import fmt, format_number

    assert fmt(float("nan"), "NOK") == format_number(float("nan")) == table_number(float("nan")) == "n/a"
    assert fmt(None) == "n/a"  # type: ignore[arg-type]


def test_unit_labels_come_from_one_table() -> None:
    from analysis.present.text import fmt, unit_label

    # NOK 1 000 ("tall i tusen kroner"): "NOK 1 000" in tables; money in prose is in whole kroner
    # under a million, else in million or billion kr with one decimal: 54 103 000 kr → 54,1 million
    assert fmt(54103, "NOK_1000") == "54,1 million kr"
    assert fmt(54103, "NOK_1000", decimals=0) == "54 103 thousand kr"  # a caller stating a precision
    assert unit_label("NOK_1000") == "NOK 1 000"
    assert unit_label("NOK_1000", "axis_no") == "1 000 kr"
    assert fmt(12.5, "percent") == "12,5 %"
    assert fmt(7, "count") == "7"
    assert unit_label("per_case") == "per case"  # not in the table: the id with spaces
