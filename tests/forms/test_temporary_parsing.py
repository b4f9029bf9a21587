"""The temporary certificate's dates, names and birth line as OCR reads them (no Tesseract)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.template import Registration
from omsdesktop.forms.temporary import (
    _FEMALE_BOX,
    _MALE_BOX,
    _agreed,
    _dates_agree,
    _day,
    _month,
    _parse_first_date,
    _parse_form_date,
    _parse_full_name,
    _split_full_name,
    _ticked_sex,
)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("«26 _ декабря _ 20_20..", "2020-12-26"),
        ("«_26 февраля. 20_21г.", "2021-02-26"),
        ("2«22 ноября __ 20_11г.", "2011-11-22"),  # the opening quote read as «2»
        ("«20 сентября 20_11]..", "2011-09-20"),
        ("«26 — лекабря_ 20_20г.", "2020-12-26"),  # a month with one letter misread
        ("14 мая 2020 г.", "2020-05-14"),  # all four digits written
    ],
)
def test_form_date_is_read(text: str, iso: str) -> None:
    assert _parse_form_date(text) == iso


@pytest.mark.parametrize(
    "text",
    [
        "«_20 сентября. _ 20_1",  # a digit of the year lost: the printed «20» is no year
        "«20 сентября 20 г.",  # the year's end not written
        "« » 20 г.",  # a blank form's line
        "«31 февраля 20 20 г.",  # no such day
        "«12 июпя 20 20 г.",  # «июня» or «июля»: no month
    ],
)
def test_form_date_is_not_guessed(text: str) -> None:
    assert _parse_form_date(text) is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("05.10.2020 г.р., свидетельство о рождении II-ЮИ № 626653 от 30.10.2020 г.", "2020-10-05"),
        ("25.03.2012", "2012-03-25"),
        # The date of birth misread: the certificate's date of issue is never taken for it.
        ("75 П5 7017 гп свид-ва о рождении I-ДД № 088495 от 20.04.2012 г.", None),
        ("нии I-ДД № 088495 от 20.04.2012 г. Отдел", None),
    ],
)
def test_birth_date_is_the_date_before_the_document(text: str, iso: str | None) -> None:
    assert _parse_first_date(text) == iso


def test_underline_read_as_hyphen_splits_first_name_and_patronymic_for_review() -> None:
    fields = _split_full_name(FieldValue(value="Лебедева Арина-Анатольевна", confidence=0.9))
    assert [fields[k].value for k in ("last_name", "first_name", "patronymic")] == [
        "Лебедева",
        "Арина",
        "Анатольевна",
    ]
    assert all(f.needs_review for f in fields.values())


@pytest.mark.parametrize("read", ["Павловна-Ть", "Павловна--Оы", "Павловна_"])
def test_underline_end_after_the_patronymic_is_dropped_for_review(read: str) -> None:
    fields = _split_full_name(FieldValue(value=f"Жукова Анна {read}", confidence=0.9))
    assert fields["patronymic"].value == "Павловна"
    assert all(f.needs_review for f in fields.values())


def test_caption_read_with_the_name_line_is_cut_off_for_review() -> None:
    fields = _split_full_name(
        FieldValue(value="Жуков Михаил Георгиевич наличии заст", confidence=0.9)
    )
    assert [fields[k].value for k in ("last_name", "first_name", "patronymic")] == [
        "Жуков",
        "Михаил",
        "Георгиевич",
    ]
    assert all(f.needs_review for f in fields.values())


@pytest.mark.parametrize(
    "read",
    [
        "_Белов Михаил (фамилия, Яковлевич (при лица,",  # the caption between the names
        "Белов Михаил Яковлевич прин наличии) ‘застрахованного.",  # «(при» misread
        "—Белов Михаил Яковлевич :",
    ],
)
def test_every_reading_of_the_name_line_drops_the_caption(read: str) -> None:
    # Readings are compared after this: they agree on the names, not on the caption's scraps.
    assert _parse_full_name(read) == "Белов Михаил Яковлевич"


def test_names_read_with_their_caption_are_shown_for_review() -> None:
    fields = _split_full_name(
        FieldValue(value="Емельянов Михаил", confidence=0.9, raw="Емельянов (фамилия, Михаил лица,")
    )
    assert [fields[k].value for k in ("last_name", "first_name")] == ["Емельянов", "Михаил"]
    assert all(f.needs_review and f.confidence <= 0.6 for f in fields.values())


def test_a_patronymic_is_not_taken_for_the_caption() -> None:
    assert _parse_full_name("Приходько Анна Ивановна") == "Приходько Анна Ивановна"
    assert _parse_full_name("Жукова Анна Прохоровна") == "Жукова Анна Прохоровна"


def test_one_name_read_two_ways_puts_only_that_name_in_doubt() -> None:
    fields = _split_full_name(
        FieldValue(
            value="Александрова Таисия Геннадьевна",
            confidence=0.9,
            alternatives=("Александрова Твисия Геннадьевна",),
        )
    )
    assert not fields["last_name"].needs_review and fields["last_name"].confidence == 0.9
    assert not fields["patronymic"].needs_review
    first = fields["first_name"]
    assert first.value == "Таисия" and first.needs_review and first.confidence <= 0.6
    assert first.alternatives == ("Твисия",)  # offered to the user


def test_a_reading_with_a_word_more_puts_every_name_in_doubt() -> None:
    fields = _split_full_name(
        FieldValue(
            value="Донской Лев Иванович",
            confidence=0.9,
            alternatives=("Донской Л Лев Иванович",),
        )
    )
    assert all(f.needs_review and f.confidence <= 0.6 for f in fields.values())


def test_two_names_read_two_ways() -> None:
    # No patronymic: the third slot has no word to dispute (this once raised IndexError).
    fields = _split_full_name(
        FieldValue(value="Емельянов Михаил", confidence=0.9, alternatives=("Мельянов Михаил",))
    )
    assert fields["last_name"].alternatives == ("Мельянов",)
    assert fields["patronymic"].value is None
    assert all(f.needs_review for f in fields.values())


def test_a_piece_of_underline_between_names_is_no_hyphen() -> None:
    assert _parse_full_name("Коваленко _ Григорий Вячеславович ___") == (
        "Коваленко Григорий Вячеславович"
    )
    assert _parse_full_name("__ Петрова-Водкина Анна Ильинична") == "Петрова-Водкина Анна Ильинична"


def test_double_first_name_is_kept_and_a_missing_patronymic_is_not_certain() -> None:
    fields = _split_full_name(FieldValue(value="Лебедева Анна-Мария", confidence=0.9))
    assert fields["first_name"].value == "Анна-Мария"
    assert fields["patronymic"].value is None
    assert fields["patronymic"].needs_review


def _sex_boxes(
    scale: float, shift_mm: float, tick: str | None, female_off_mm: tuple[float, float] = (0, 0)
) -> tuple[np.ndarray, Registration]:
    """The two sex boxes drawn ``shift_mm`` lower and righter than the form says (the female
    box ``female_off_mm`` further), and a «V» in the one named by ``tick``."""
    page = np.full((int(100 * scale), int(80 * scale)), 245, np.uint8)
    for zone, name in ((_MALE_BOX, "М"), (_FEMALE_BOX, "Ж")):
        ox, oy = (shift_mm, shift_mm)
        if name == "Ж":
            ox, oy = ox + female_off_mm[0], oy + female_off_mm[1]
        x0, y0 = int((zone.x0 - 0.3 + ox) * scale), int((zone.y0 - 0.3 + oy) * scale)
        x1, y1 = int((zone.x1 + 0.3 + ox) * scale), int((zone.y1 + 0.3 + oy) * scale)
        cv2.rectangle(page, (x0, y0), (x1, y1), 30, max(1, int(0.25 * scale)))
        if tick == name:
            mid = ((x0 + x1) // 2, y1 - int(0.8 * scale))
            cv2.line(page, (x0 + int(1.2 * scale), y0 + int(1.0 * scale)), mid, 20, 3)
            cv2.line(page, mid, (x1 - int(0.8 * scale), y0 + int(0.5 * scale)), 20, 3)
    return page, Registration(a=complex(scale, 0), b=0j, anchors=())


@pytest.mark.parametrize("shift_mm", [0.0, 0.9])
def test_a_box_frame_a_little_off_is_no_tick(shift_mm: float) -> None:
    page, reg = _sex_boxes(11.8, shift_mm, tick=None)
    assert _ticked_sex(page, reg).value is None


@pytest.mark.parametrize("shift_mm", [0.0, 0.9])
def test_a_tick_is_found_in_its_box(shift_mm: float) -> None:
    page, reg = _sex_boxes(11.8, shift_mm, tick="Ж")
    found = _ticked_sex(page, reg)
    assert found.value == "Ж" and not found.needs_review


# A photo of a blank whose registration is 2 mm off at the female box (seed 7100 of the
# real-forms benchmark): the box's own frame fell inside the counted area and read as a tick.
@pytest.mark.parametrize("off", [(-1.9, -2.1), (1.5, 2.0), (2.5, -1.0)])
def test_a_blank_box_far_from_its_registered_place_is_no_tick(off: tuple[float, float]) -> None:
    page, reg = _sex_boxes(17.3, 0.0, tick=None, female_off_mm=off)
    assert _ticked_sex(page, reg).value is None


@pytest.mark.parametrize("off", [(-1.9, -2.1), (1.5, 2.0)])
def test_a_tick_in_a_box_far_from_its_registered_place_is_found(off: tuple[float, float]) -> None:
    page, reg = _sex_boxes(17.3, 0.0, tick="Ж", female_off_mm=off)
    found = _ticked_sex(page, reg)
    assert found.value == "Ж" and not found.needs_review


def test_a_tick_in_a_box_whose_frame_is_washed_out_is_still_found() -> None:
    # Glare over the box: its frame is gone, the «V» in blue ink is still there.
    page, reg = _sex_boxes(17.3, 0.0, tick="М")
    b = reg.box(_MALE_BOX, page.shape)
    frame = np.zeros(page.shape, bool)
    pad = int(0.8 * 17.3)
    frame[b.y - pad : b.y + b.height + pad, b.x - pad : b.x + b.width + pad] = True
    inside = np.zeros(page.shape, bool)
    inside[b.y + 4 : b.y + b.height - 4, b.x + 4 : b.x + b.width - 4] = True
    page[frame & ~inside] = 245
    found = _ticked_sex(page, reg)
    assert found.value == "М" and not found.needs_review


def test_a_straight_line_across_a_blank_box_is_no_tick() -> None:
    # A frame line (or a rule) lying inside the counted area, with no frame around to find.
    page = np.full((int(100 * 17.3), int(80 * 17.3)), 245, np.uint8)
    reg = Registration(a=complex(17.3, 0), b=0j, anchors=())
    b = reg.box(_FEMALE_BOX, page.shape)
    mid = b.y + b.height // 2
    page[mid - 2 : mid + 2, b.x - 20 : b.x + b.width + 20] = 30
    assert _ticked_sex(page, reg).value is None


@pytest.mark.parametrize(
    ("readings", "want"),
    [
        (["07", "07", "99"], 7),  # two scales agree: the third is never read
        (["11", "1", "11"], 11),  # one «1» of a thin «11» lost at one scale
        (["27", "22", "22"], 22),  # the third sides with one of the two
        (["05", "07", "12"], None),  # three different readings
        (["", "", "7"], None),  # an empty slot stays empty
        (["", "7", ""], None),
    ],
)
def test_a_date_slot_needs_two_scales_to_agree(readings: list[str], want: int | None) -> None:
    asked: list[float] = []

    def read_at(height: float) -> str:
        asked.append(height)
        return readings[len(asked) - 1]

    assert _agreed(read_at, (28.0, 34.0, 40.0), _day) == want
    if readings[0] == readings[1] != "":
        assert asked == [28.0, 34.0]


def test_month_slot_readings_agree_on_the_month_not_the_letters() -> None:
    readings = iter(["апоеля", "аппоеля", "июня"])
    assert _agreed(lambda _h: next(readings), (28.0, 34.0, 40.0), _month) == 4


def _date(value: str | None, *others: str) -> FieldValue:
    return FieldValue(value=value, confidence=0.5, needs_review=True, alternatives=others)


def test_the_other_reading_that_fits_the_validity_is_shown_still_for_review() -> None:
    # The slots read the hand-written «30» as «5»; the line read «30»: only 30 August is
    # a temporary certificate's validity (about two months) before 1 November.
    fields = {
        "policy_issue_date": _date("2018-08-05", "2018-08-30"),
        "policy_expiry_date": FieldValue(value="2018-11-01", confidence=0.9),
        "birth_date": FieldValue(value="2018-06-12", confidence=1.0),
    }
    out = _dates_agree(fields)
    issue, expiry = out["policy_issue_date"], out["policy_expiry_date"]
    assert issue.value == "2018-08-30" and issue.alternatives == ("2018-08-05",)
    assert issue.needs_review and expiry.needs_review  # a fit is no proof
    assert expiry.value == "2018-11-01"


def test_dates_are_left_as_read_when_no_other_reading_or_several_fit() -> None:
    none_fit = {
        "policy_issue_date": _date("2018-08-05", "2018-01-30"),
        "policy_expiry_date": FieldValue(value="2018-11-01", confidence=0.9),
    }
    assert _dates_agree(none_fit)["policy_issue_date"].value == "2018-08-05"
    two_fit = {
        "policy_issue_date": _date("2018-08-05", "2018-08-30"),
        "policy_expiry_date": _date("2018-11-01", "2018-10-06"),
    }
    out = _dates_agree(two_fit)
    assert out["policy_issue_date"].value == "2018-08-05"
    assert out["policy_expiry_date"].value == "2018-11-01"
    assert out["policy_issue_date"].needs_review and out["policy_expiry_date"].needs_review


def test_another_reading_issued_before_the_birth_is_not_shown() -> None:
    # 2 March fits 2 May's validity, but the child was born on 21 March: no better.
    fields = {
        "policy_issue_date": _date("2014-03-27", "2014-03-02"),
        "policy_expiry_date": _date("2014-05-02"),
        "birth_date": FieldValue(value="2014-03-21", confidence=1.0),
    }
    out = _dates_agree(fields)
    assert out["policy_issue_date"].value == "2014-03-27"
    assert not out["birth_date"].needs_review


def test_a_year_in_doubt_in_one_date_puts_the_other_in_doubt() -> None:
    # Both years' «3» read «5»: the pair is still a validity apart, and the date of issue
    # looked certain; the date of expiry's other reading is of another year.
    fields = {
        "policy_issue_date": FieldValue(value="2025-03-10", confidence=0.95),
        "policy_expiry_date": _date("2025-05-22", "2023-05-22"),
    }
    out = _dates_agree(fields)
    assert out["policy_issue_date"].value == "2025-03-10"
    assert out["policy_issue_date"].needs_review


def test_a_day_in_doubt_leaves_the_other_date_certain() -> None:
    fields = {
        "policy_issue_date": FieldValue(value="2025-03-10", confidence=0.95),
        "policy_expiry_date": _date("2025-05-22", "2025-05-27"),
    }
    out = _dates_agree(fields)
    assert not out["policy_issue_date"].needs_review
    assert out["policy_issue_date"].confidence == 0.95


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("20.1.2025 г.р. свидетельство", True),
        ("5.11.2020 г.р.", True),
        ("20.11.2025 г.р. свидетельство о рождении от 4.1.2025", False),
        ("_25.07.2014 г.р.", False),
        ("нет даты", False),
    ],
)
def test_a_birth_date_with_a_one_digit_day_or_month(text: str, short: bool) -> None:
    from omsdesktop.forms.temporary import _short_day_or_month

    assert _short_day_or_month(text) is short
