"""Look-alike maps, dates in digits and in Russian words, name case."""

from __future__ import annotations

from datetime import date

import pytest

from omsdesktop.forms.normalize import (
    date_from_words,
    fold,
    name_case,
    normalize_name_chars,
    parse_date,
    parse_date_parts,
    roman_to_latin,
    roman_value,
    series_letters_to_cyrillic,
    to_cyrillic,
)

# --- look-alikes ------------------------------------------------------------------------------


def test_latin_lookalikes_become_cyrillic() -> None:
    latin = "Ивaнoва"  # Latin "a" and "o"
    assert latin != "Иванова"
    assert to_cyrillic(latin) == "Иванова"
    assert to_cyrillic("ABEKMHOPCTX") == "АВЕКМНОРСТХ"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("IV", "IV"),
        ("1V", "IV"),  # digit one
        ("ІV", "IV"),  # Ukrainian/Belarusian І
        ("IУ", "IV"),  # Cyrillic У
        ("ХIХ", "XIX"),  # Cyrillic Х
        ("ХЛ", "XL"),  # Cyrillic Л
        ("Сl", "CI"),  # Cyrillic С, Latin l
        ("|I|", "III"),
        ("П", "II"),  # serif "II" read as one letter
        ("ix", "IX"),
    ],
)
def test_roman_lookalikes(raw: str, expected: str) -> None:
    assert roman_to_latin(raw) == expected


def test_series_letters_lookalikes() -> None:
    assert series_letters_to_cyrillic("MЮ") == "МЮ"  # Latin M
    assert series_letters_to_cyrillic("KB") == "КВ"
    assert series_letters_to_cyrillic("мю") == "МЮ"
    assert series_letters_to_cyrillic("0Т") == "ОТ"  # digit zero for О


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("I", 1), ("IV", 4), ("IX", 9), ("XIX", 19), ("XXX", 30), ("XL", 40), ("MCMXC", 1990)],
)
def test_roman_value_of_canonical_numerals(numeral: str, value: int) -> None:
    assert roman_value(numeral) == value


@pytest.mark.parametrize("numeral", ["IIII", "VV", "IC", "XXXX", "IIV", "", "ABC"])
def test_roman_value_rejects_malformed(numeral: str) -> None:
    assert roman_value(numeral) is None


def test_fold_ignores_case_and_yo() -> None:
    assert fold("Королёв") == fold("КОРОЛЕВ")


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ИВАНОВА", "Иванова"),
        ("анна-мария", "Анна-Мария"),
        ("РИМСКИЙ-КОРСАКОВ", "Римский-Корсаков"),
        ("али оглы", "Али оглы"),
        ("мамед кызы", "Мамед кызы"),
    ],
)
def test_name_case(raw: str, expected: str) -> None:
    assert name_case(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ивaнoва", "Иванова"),  # mixed script: every look-alike replaced
        ("ИBAНOВA", "ИВАНОВА"),
        ("Королëв", "Королёв"),  # Latin e with diaeresis
        ("OKCAHA", "ОКСАНА"),  # all capital look-alikes: the English model's reading
        ("Anna", "Anna"),  # plain Latin is left for the validator to refuse
        ("Ivanova", "Ivanova"),
        ("Смирнов-Petrov", "Смирнов-Petrov"),  # judged word by word
    ],
)
def test_lookalikes_in_names_only_where_the_word_is_russian(raw: str, expected: str) -> None:
    assert normalize_name_chars(raw) == expected


def test_normalize_name_chars_unifies_dashes_spaces_apostrophes() -> None:
    assert normalize_name_chars("  Анна –  Мария ") == "Анна-Мария"
    assert normalize_name_chars("Д’Артаньян") == "Д'Артаньян"
    assert normalize_name_chars("Ивaнoвa") == "Иванова"


# --- dates in digits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "12.03.2019",
        "12.3.2019",
        "2019-03-12",
        "12 марта 2019 г.",
        "12 марта 2019 года",
        "12.03.2019 г.",
        "12/03/2019",
        "12-03-2019",
        "12 . 03 . 2019",
        "12 МАРТА 2019",
        "12 мар. 2019",
        "l2.O3.2019",  # OCR look-alikes of 1 and 0
    ],
)
def test_parse_date_formats(text: str) -> None:
    assert parse_date(text) == date(2019, 3, 12)


def test_parse_date_single_digit_day_and_month() -> None:
    assert parse_date("1.3.2019") == date(2019, 3, 1)


@pytest.mark.parametrize(
    "text", ["", "12.03.19", "2019", "12 мартобря 2019", "завтра", "12.03.2019.5", "1 2 3"]
)
def test_parse_date_refuses_non_dates_and_two_digit_years(text: str) -> None:
    assert parse_date(text) is None


def test_parse_date_parts_keeps_impossible_days_for_the_validator() -> None:
    assert parse_date_parts("30.02.2019") == (2019, 2, 30)
    assert parse_date("30.02.2019") is None
    assert parse_date("29.02.2020") == date(2020, 2, 29)
    assert parse_date("29.02.2019") is None


# --- dates in words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("двенадцатого марта две тысячи девятнадцатого года", date(2019, 3, 12)),
        ("первого января две тысячи двадцатого года", date(2020, 1, 1)),
        ("тридцать первого декабря две тысячи восьмого года", date(2008, 12, 31)),
        ("двадцать второго февраля две тысячи двадцать третьего года", date(2023, 2, 22)),
        ("первого мая двухтысячного года", date(2000, 5, 1)),
        ("десятого октября две тысячи десятого года", date(2010, 10, 10)),
        ("четвёртого июля две тысячи семнадцатого года", date(2017, 7, 4)),
        ("седьмого ноября тысяча девятьсот девяносто восьмого года", date(1998, 11, 7)),
        ("ДВАДЦАТОГО АВГУСТА ДВЕ ТЫСЯЧИ ПЯТНАДЦАТОГО ГОДА", date(2015, 8, 20)),
        ("тридцатого апреля две тысячи двадцать первого года", date(2021, 4, 30)),
    ],
)
def test_date_from_words(text: str, expected: date) -> None:
    assert date_from_words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Latin look-alikes from the English OCR model.
        ("двенадцатого мapта двe тысячи девятнадцатoго года", date(2019, 3, 12)),
        # One wrong letter per word (OCR confuses ц/и, ш/щ, я/9).
        ("двенадиатого марта две тысячи девятнадиатого года", date(2019, 3, 12)),
        ("щестого июня две тысячи пятнадцатого года", date(2015, 6, 6)),
        ("двадиать первого апреля две тыс9чи десятого года", date(2010, 4, 21)),
        # Words split and merged.
        ("двенадца того марта две тысячи девятнадцатого года", date(2019, 3, 12)),
        ("двенадцатогомарта две тысячи девятнадцатого года", date(2019, 3, 12)),
        ("первого января две тыся чи двадцатого года", date(2020, 1, 1)),
        # A label and punctuation around the date, line break inside.
        ("Дата рождения: тридцать первого декабря\nдве тысячи восьмого года.", date(2008, 12, 31)),
        # A garbled "две" right before "тысячи".
        ("первого января дне тысячи двадцатого года", date(2020, 1, 1)),
        # Missing "года" at the end.
        ("двенадцатого марта две тысячи девятнадцатого", date(2019, 3, 12)),
    ],
)
def test_date_from_words_tolerates_ocr_noise(text: str, expected: date) -> None:
    assert date_from_words(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "тридцатого февраля две тысячи двадцатого года",  # no such day
        "первого января",  # no year
        "две тысячи двадцатого года",  # no day or month
        "двенадцатого марта",
        "Иванова Анна Сергеевна",
        "двенадцатого марта две тысячи",  # year without its ordinal
        "тридцать двенадцатого марта две тысячи девятнадцатого года",  # 30 + 12
    ],
)
def test_date_from_words_refuses_incomplete_or_impossible(text: str) -> None:
    assert date_from_words(text) is None


def test_date_from_words_agrees_with_digits_for_every_day_of_a_year() -> None:
    # Spell every day of 2019 and 2020 with an independent speller and read it back.
    ordinals = [
        "", "первого", "второго", "третьего", "четвёртого", "пятого", "шестого", "седьмого",
        "восьмого", "девятого", "десятого", "одиннадцатого", "двенадцатого", "тринадцатого",
        "четырнадцатого", "пятнадцатого", "шестнадцатого", "семнадцатого", "восемнадцатого",
        "девятнадцатого", "двадцатого",
    ]  # fmt: skip
    months = [
        "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
        "сентября", "октября", "ноября", "декабря",
    ]  # fmt: skip

    def day_words(d: int) -> str:
        if d <= 20:
            return ordinals[d]
        if d < 30:
            return "двадцать " + ordinals[d - 20]
        return "тридцатого" if d == 30 else "тридцать первого"

    years = {2019: "две тысячи девятнадцатого", 2020: "две тысячи двадцатого"}
    start = date(2019, 1, 1).toordinal()
    for n in range(start, date(2020, 12, 31).toordinal() + 1):
        d = date.fromordinal(n)
        text = f"{day_words(d.day)} {months[d.month - 1]} {years[d.year]} года"
        assert date_from_words(text) == d, text
