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
