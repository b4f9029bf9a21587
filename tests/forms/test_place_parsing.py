"""A place of birth as OCR reads it: stray marks at its ends are not part of it (no Tesseract)."""

from __future__ import annotations

import pytest

from omsdesktop.forms.fields import parse_place


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("`гор. Москва", "гор. Москва"),  # a speck before the value read as a backtick
        (
            "с. Знаменка Кореновского района Краснодарского края 2",  # a digit of the line below
            "с. Знаменка Кореновского района Краснодарского края",
        ),
        ("r. Таганрог", "г. Таганрог"),
        ("«г. Тула»", "г. Тула"),
        ("", None),
        (
            "С. ВОСКРЕСЕНСКОЕ ПЕРВОМАЙСКОГО_ _РАЙОНА АЛТАЙСКОГО КРАЯ",  # underline pieces
            "С. ВОСКРЕСЕНСКОЕ ПЕРВОМАЙСКОГО РАЙОНА АЛТАЙСКОГО КРАЯ",
        ),
    ],
)
def test_place_of_birth_is_cleaned_at_its_ends(text: str, place: str | None) -> None:
    assert parse_place(text) == place


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("г. Дзержинск Нижегоролской области", "г. Дзержинск Нижегородской области"),
        ("пос. Красное Северского района Красноларского края", None),
        ("г. Тула Тульская обл.", "г. Тула Тульская обл."),  # already right
        ("Г. ЕЛЕЦ ЛИПЕЦКОИ ОБЛАСТИ", "г. ЕЛЕЦ ЛИПЕЦКОЙ ОБЛАСТИ"),
        ("г. Томск Гомской области", "г. Томск Гомской области"),  # Томской or Омской: left
        ("с. Знаменка Кореновского района", "с. Знаменка Кореновского района"),  # no region
    ],
)
def test_region_one_letter_off_is_put_right(text: str, place: str | None) -> None:
    want = place or text.replace("Красноларского", "Краснодарского")
    assert parse_place(text) == want
