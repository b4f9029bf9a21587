"""Pairing rules on identities as the readers deliver them (misreads included)."""

from __future__ import annotations

from omsdesktop.batch.pairing import Identity, match, normalise_name, pair
from omsdesktop.forms.model import FieldValue


def ident(
    last: str | None,
    first: str | None,
    middle: str | None,
    dob: str | None,
    *,
    unsure: tuple[str, ...] = (),
) -> Identity:
    fields = {}
    for name, value in (
        ("last_name", last),
        ("first_name", first),
        ("patronymic", middle),
        ("birth_date", dob),
    ):
        fields[name] = FieldValue(value, 0.9, needs_review=name in unsure)
    return Identity.from_fields(fields)


ANNA = ident("Иванова", "Анна", "Петровна", "2019-03-12")
MARIA = ident("Иванова", "Мария", "Петровна", "2019-03-12")  # her twin sister


def test_names_are_compared_loosely() -> None:
    assert normalise_name("ЁЛКИНА  Анна-Мария ") == "елкина анна-мария"
    assert normalise_name("CEMEHOB") == "семенов"  # Latin look-alikes read by OCR


def test_sure_pair_with_ocr_slips() -> None:
    found = match(ANNA, ident("ИВАНОВА", "Анна", "Пeтровна", "2019-03-12"))
    assert found is not None and found.basis == "names_and_birth_date"
    found = match(ANNA, ident("Ивaнова", "Aнна", "Петровн", "2019-03-12"))
    assert found is not None and found.basis == "names_and_birth_date"


def test_twins_are_not_mixed_up() -> None:
    assert match(ANNA, MARIA) is None
    result = pair([ANNA, MARIA], [MARIA, ANNA])
    assert sorted((c, p) for c, p, _ in result.pairs) == [(0, 1), (1, 0)]


def test_same_birthday_different_child() -> None:
    assert match(ANNA, ident("Смирнов", "Олег", "Игоревич", "2019-03-12")) is None


def test_different_confident_dates_never_pair() -> None:
    assert match(ANNA, ident("Иванова", "Анна", "Петровна", "2017-08-30")) is None


def test_misread_date_still_pairs_by_names() -> None:
    one_digit = ident("Иванова", "Анна", "Петровна", "2019-03-17")
    found = match(ANNA, one_digit)
    assert found is not None and found.basis == "names_only"
    doubted = ident("Иванова", "Анна", "Петровна", "2011-08-02", unsure=("birth_date",))
    assert match(ANNA, doubted) is not None
    missing = ident("Иванова", "Анна", "Петровна", None)
    assert match(ANNA, missing) is not None
    # ... but a names-only pair needs the names to be really alike.
    assert match(ANNA, ident("Иванова", "Алла", "Петровна", None)) is None


def test_card_without_names_pairs_by_date_when_unique() -> None:
    card = ident(None, None, None, "2019-03-12", unsure=("last_name", "first_name", "patronymic"))
    other = ident("Смирнов", "Олег", "Игоревич", "2018-01-05")
    result = pair([ANNA, other], [card])
    assert [(c, p, m.basis) for c, p, m in result.pairs] == [(0, 0, "birth_date_only")]
    assert result.unpaired_certificates == {1: ("no_partner", None)}


def test_card_without_names_and_twins_is_ambiguous() -> None:
    card = ident(None, None, None, "2019-03-12")
    result = pair([ANNA, MARIA], [card])
    assert result.pairs == ()
    assert result.unpaired_policies == {0: ("ambiguous", None)}
    assert result.unpaired_certificates == {0: ("ambiguous", None), 1: ("ambiguous", None)}


def test_sure_pairs_win_over_date_only_pairs() -> None:
    card = ident(None, None, None, "2019-03-12")
    anna_policy = ident("Иванова", "Анна", "Петровна", "2019-03-12")
    result = pair([ANNA, MARIA], [card, anna_policy])
    pairs = {(c, p): m.basis for c, p, m in result.pairs}
    assert pairs == {(0, 1): "names_and_birth_date", (1, 0): "birth_date_only"}


def test_second_scan_is_a_duplicate() -> None:
    result = pair([ANNA, ANNA], [ident("Иванова", "Анна", "Петровна", "2019-03-12")])
    assert len(result.pairs) == 1
    assert result.unpaired_certificates == {1: ("duplicate", 0)}


def test_unreadable_document() -> None:
    result = pair([ident(None, None, None, None)], [])
    assert result.unpaired_certificates == {0: ("unreadable_identity", None)}
