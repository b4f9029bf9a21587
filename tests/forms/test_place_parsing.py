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
    ],
)
def test_place_of_birth_is_cleaned_at_its_ends(text: str, place: str | None) -> None:
    assert parse_place(text) == place
