"""The shared text helpers: look-alike tables, folding, the one name comparison, digit dates.

Fast: no Tesseract, no Qt, no subprocess.
"""

from __future__ import annotations

from datetime import date

import pytest

from omsdesktop.batch.pairing import Identity, match, normalise_name
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.validators import cross_check
from omsdesktop.text import (
    CYRILLIC_TO_DIGIT,
    DIGIT_LOOKALIKES,
    DIGIT_TO_CYRILLIC,
    LATIN_TO_CYRILLIC,
    LETTER_TO_DIGIT,
    digits_only,
    digits_to_cyrillic,
    fold,
    letters_to_digits,
    month_of,
    name_key,
    parse_date,
    parse_date_parts,
    same_name,
    to_cyrillic,
    to_roman,
    unify_separators,
)

# --- tables -----------------------------------------------------------------------------------


def test_latin_table_maps_latin_letters_to_cyrillic_ones() -> None:
    for latin, cyrillic in LATIN_TO_CYRILLIC.items():
        assert latin.isascii() or latin in "ëË"
        assert "\u0400" <= cyrillic <= "\u04ff"


def test_digit_tables_map_to_digits_and_back() -> None:
    assert all(d.isdigit() for d in DIGIT_LOOKALIKES.values())
    assert LETTER_TO_DIGIT.items() <= DIGIT_LOOKALIKES.items()
    assert "|" in DIGIT_LOOKALIKES and "|" not in LETTER_TO_DIGIT
    assert {v: k for k, v in CYRILLIC_TO_DIGIT.items()} == DIGIT_TO_CYRILLIC


# --- folding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ЁЛКИНА", "елкина"),
        ("  Артём \u00a0 Ильич\t", "артем ильич"),
        ("", ""),
        ("Straße", "strasse"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_to_cyrillic_is_case_sensitive() -> None:
    # A Latin "b" looks like "ь", a Latin "B" like "В".
    assert to_cyrillic("Bb") == "Вь"
    assert to_cyrillic("CEMEHOB") == "СЕМЕНОВ"
    assert to_cyrillic("Иванoва") == "Иванова"
    assert to_cyrillic("12-34") == "12-34"


def test_unify_separators() -> None:
    assert unify_separators("Анна \u2013 Мария") == "Анна-Мария"
    assert unify_separators("Анна\u2011Мария") == "Анна-Мария"
    assert unify_separators("Д\u2019Артаньян") == "Д'Артаньян"
    assert unify_separators("  Али   оглы ") == "Али оглы"


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Иванова", "ИВАНОВА"),
        ("Иванoва", "Иванова"),  # a Latin "o"
        ("Иванова", "Ивaнова"),  # a Latin "a"
        ("CEMEHOB", "Семенов"),  # read by the English model
        ("Поnова", "Попова"),  # a Latin "n" for "п"
        ("Ёлкина", "Елкина"),
        ("Анна-Мария", "Анна \u2014 Мария"),
        ("  Али  оглы", "Али оглы"),
    ],
)
def test_same_name_agrees(a: str, b: str) -> None:
    assert same_name(a, b)
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Иванова", "Иванов"),
        ("Анна-Мария", "Анна Мария"),  # a hyphen is not a space
        ("Ivanova", "Иванова"),  # a name typed in Latin is not the Russian one
        ("Иванова", ""),
    ],
)
def test_same_name_disagrees(a: str, b: str) -> None:
    assert not same_name(a, b)


def test_name_key() -> None:
    assert name_key(" ИВАНOВА – Петрова ") == "иванова-петрова"


# --- the comparisons that used to disagree agree now --------------------------------------------

CERT = {"last_name": "Иванова", "first_name": "Анна", "patronymic": "Петровна"}


def _identity(names: dict[str, str]) -> Identity:
    fields = {k: FieldValue(v, 0.9) for k, v in names.items()}
    fields["birth_date"] = FieldValue("2019-03-12", 0.9)
    return Identity.from_fields(fields)


@pytest.mark.parametrize(
    "policy",
    [
        {**CERT, "last_name": "Иванoва"},  # a Latin "o"
        {**CERT, "last_name": "Ивaнова"},  # a Latin "a"
        {**CERT, "last_name": "ИBAНOBA"},  # Latin capitals "B", "A", "O"
        {**CERT, "patronymic": "ПETPOBHA"},  # all Latin capitals, read by the English model
        {**CERT, "last_name": "ИВАНОВА", "first_name": "АННА"},
    ],
)
def test_cross_check_and_pairing_agree_on_look_alikes(policy: dict[str, str]) -> None:
    assert cross_check(CERT, policy, today=date(2024, 1, 1)) == ()
    for field in CERT:
        assert normalise_name(CERT[field]) == normalise_name(policy[field])
    found = match(_identity(CERT), _identity(policy))
    assert found is not None
    assert found.basis == "names_and_birth_date"


def test_double_name_with_a_dash_agrees_in_pairing_as_in_the_cross_check() -> None:
    # Pairing used to turn an en dash into a space, the cross-check into a hyphen.
    cert = {**CERT, "first_name": "Анна-Мария"}
    policy = {**CERT, "first_name": "Анна \u2013 Мария"}
    assert cross_check(cert, policy, today=date(2024, 1, 1)) == ()
    assert normalise_name(cert["first_name"]) == normalise_name(policy["first_name"])


def test_latin_n_for_cyrillic_p_agrees_in_pairing_as_in_the_cross_check() -> None:
    # Pairing's own table had no lower-case "n", "u", "r"; the cross-check's had.
    cert = {**CERT, "last_name": "Попова"}
    policy = {**CERT, "last_name": "Поnова"}
    assert cross_check(cert, policy, today=date(2024, 1, 1)) == ()
    assert normalise_name(policy["last_name"]) == normalise_name("Попова")


# --- digits -----------------------------------------------------------------------------------


def test_digits_only() -> None:
    assert digits_only("l23 4O5") == "123405"
    assert digits_only("№ 1234 5678 О9З0") == "123456780930"
    assert digits_only("| 1234 |") == "1234"  # a frame line is no "1"
    assert digits_only("abc") == ""


def test_letters_to_digits() -> None:
    assert letters_to_digits("2O19") == "2019"
    assert letters_to_digits("|2") == "12"
    assert letters_to_digits("оз") == "03"


def test_digits_to_cyrillic() -> None:
    assert digits_to_cyrillic("СОГА3") == "СОГАЗ"
    assert digits_to_cyrillic("0Б") == "ОБ"
    assert digits_to_cyrillic("сога3", lower=True) == "согаз"
    assert digits_to_cyrillic("4") == "Ч"


def test_to_roman() -> None:
    assert to_roman("1У") == "IV"
    assert to_roman("Х1Х") == "XIX"
    assert to_roman("П") == "II"
    assert to_roman("iv") == "IV"


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.03.2019", date(2019, 3, 12)),
        ("1.3.2019", date(2019, 3, 1)),
        ("12/03/2019", date(2019, 3, 12)),
        ("2019-03-12", date(2019, 3, 12)),
        ("12 марта 2019 г.", date(2019, 3, 12)),
        ("12 Март 2019", date(2019, 3, 12)),
        ("12 сент. 2019", date(2019, 9, 12)),
        ("12.03.2019 года", date(2019, 3, 12)),
        ("l2.O3.2O19", date(2019, 3, 12)),
        ("12.03.2019\u00a0г.", date(2019, 3, 12)),
        ("31.02.2019", None),  # no such day
        ("12.03.19", None),  # two-digit years are refused
        ("", None),
        ("дата", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_parse_date_parts_keeps_impossible_days() -> None:
    assert parse_date_parts("31.02.2019") == (2019, 2, 31)
    assert parse_date_parts("12 мартобря 2019") is None


def test_normalize_reexports_the_shared_helpers() -> None:
    from omsdesktop.forms import normalize

    assert normalize.fold is fold
    assert normalize.to_cyrillic is to_cyrillic
    assert normalize.parse_date is parse_date
    assert normalize.LATIN_TO_CYRILLIC is LATIN_TO_CYRILLIC


@pytest.mark.parametrize(
    ("word", "month"),
    [
        ("декабря", 12),
        ("Мая", 5),
        ("сент", 9),
        ("лекабря", 12),  # one letter misread
        ("севраля", 2),
        ("сентабря", 9),
        ("нюня", 6),
        ("июпя", None),  # as close to «июня» as to «июля»: no month
        ("ма", None),
        ("дом", None),
    ],
)
def test_month_of_allows_one_slip_but_never_guesses(word: str, month: int | None) -> None:
    assert month_of(word) == month
