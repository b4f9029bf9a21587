"""How readings of one field become its value and its certainty (``fields.decide``)."""

from __future__ import annotations

from omsdesktop.forms.fields import REVIEW_THRESHOLD, Reading, decide


def _readings(*values: tuple[str, float]) -> list[Reading]:
    return [Reading(text, text, conf, None) for text, conf in values]


def test_every_reading_agreeing_is_certain() -> None:
    field = decide(_readings(("12.03.2019", 0.9), ("12.03.2019", 0.85), ("12.03.2019", 0.8)))
    assert field.value == "12.03.2019"
    assert not field.needs_review
    assert field.confidence >= REVIEW_THRESHOLD


def test_two_agreeing_against_one_are_certain() -> None:
    field = decide(_readings(("12.03.2019", 0.9), ("12.03.2019", 0.85), ("17.03.2019", 0.6)))
    assert field.value == "12.03.2019"
    assert not field.needs_review
    assert field.alternatives == ("17.03.2019",)


def test_two_agreeing_against_as_many_others_are_in_doubt() -> None:
    # Re-reads of one crop at other scales share its flaws: two of four is no majority.
    field = decide(
        _readings(("Мельянов", 0.93), ("Мельянов", 0.90), ("Емельянов", 0.58), ("Емелянов", 0.5))
    )
    assert field.value == "Мельянов"
    assert field.needs_review
    assert set(field.alternatives) == {"Емельянов", "Емелянов"}


def test_two_agreeing_against_three_others_are_in_doubt() -> None:
    field = decide(
        _readings(("1234", 0.95), ("1234", 0.95), ("1284", 0.9), ("7234", 0.9), ("1294", 0.9))
    )
    assert field.value == "1234"
    assert field.needs_review


def test_invalid_readings_do_not_outvote_valid_ones() -> None:
    # The dissent that counts is among the values that pass the field's rule.
    field = decide(
        _readings(("123456", 0.9), ("123456", 0.9), ("12345", 0.9), ("1234567", 0.9)),
        validate=lambda v: len(v) == 6,
    )
    assert field.value == "123456"
    assert not field.needs_review
