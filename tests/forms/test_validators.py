"""Field validators and cross-checks, with domain.md's published examples and edge cases."""

from __future__ import annotations

import json
import random
import re
from datetime import date

import pytest

from omsdesktop.forms.validators import (
    VALIDATED_FIELDS,
    UnknownFieldError,
    ValidationResult,
    cross_check,
    enp_check_digit,
    is_valid_enp,
    is_valid_snils,
    snils_checksum,
    validate_field,
)

TODAY = date(2025, 6, 1)


def check(field: str, value: str, **context: str) -> ValidationResult:
    return validate_field(field, value, today=TODAY, context=context or None)


def codes(result: ValidationResult) -> list[str]:
    return [p.code for p in result.problems]


def assert_plain_russian(result: ValidationResult) -> None:
    for problem in result.problems:
        assert re.search(r"[А-Яа-я]", problem.message), problem.message
        assert problem.message_en and not re.search(r"[{}]", problem.message)
        assert problem.severity in ("blocking", "warning")


# --- ENP ----------------------------------------------------------------------------------------

VALID_ENPS = ["7700000000000016", "5000000000000009", "6400000000001233"]


@pytest.mark.parametrize("enp", VALID_ENPS)
def test_published_valid_enps(enp: str) -> None:
    assert is_valid_enp(enp)
    assert enp_check_digit(enp[:15]) == int(enp[15])
    result = check("policy_number", enp, policy_form="unified")
    assert result.valid is True and result.problems == ()
    assert result.normalized == enp


def test_published_invalid_enp() -> None:
    assert not is_valid_enp("6449020886006381")
    result = check("policy_number", "6449020886006381", policy_form="unified")
    assert result.valid is False
    assert codes(result) == ["policy_number_checksum"]
    message = result.problems[0].message
    assert "Проверьте цифры номера полиса" in message and "все 16 цифр" in message
    assert "6449" not in message  # never echo the number
    assert result.normalized == "6449020886006381"  # reported, not "corrected"
    assert_plain_russian(result)


def luhn_reference(number: str) -> bool:
    """Luhn as the FOMS wording puts it: odd positions form a number that is doubled."""
    odd = int(number[0:15:2])  # positions 1, 3, ..., 15
    even = number[1:15:2]
    digits = even + str(odd * 2)
    total = sum(int(ch) for ch in digits)
    return (total + int(number[15])) % 10 == 0


def test_enp_check_digit_matches_the_foms_wording() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        number = "".join(rng.choice("0123456789") for _ in range(16))
        assert is_valid_enp(number) == luhn_reference(number), number


def test_every_single_digit_error_is_caught() -> None:
    enp = "6400000000001233"
    for pos in range(16):
        for digit in "0123456789":
            if digit != enp[pos]:
                assert not is_valid_enp(enp[:pos] + digit + enp[pos + 1 :])


@pytest.mark.parametrize("form", ["unified", "card", "electronic"])
def test_enp_forms_accept_groups_of_four(form: str) -> None:
    result = check("policy_number", "7700 0000 0000 0016", policy_form=form)
    assert result.valid is True and result.normalized == "7700000000000016"
    assert check("policy_number", "7700-0000-0000-0016", policy_form=form).valid is True


def test_enp_length_errors_say_missing_or_extra() -> None:
    short = check("policy_number", "770000000000001", policy_form="card")
    assert short.valid is False and codes(short) == ["policy_number_length"]
    assert "15 цифр" in short.problems[0].message and "пропущена" in short.problems[0].message
    long = check("policy_number", "77000000000000161", policy_form="card")
    assert long.valid is False and "лишней" in long.problems[0].message
    assert "17 цифр" in long.problems[0].message
    one = check("policy_number", "7", policy_form="card")
    assert "1 цифра" in one.problems[0].message
    few = check("policy_number", "772", policy_form="card")
    assert "3 цифры" in few.problems[0].message


def test_policy_number_with_letters_is_refused() -> None:
    result = check("policy_number", "77OO000000000016", policy_form="unified")
    assert result.valid is False and codes(result) == ["not_digits"]
    assert result.normalized is None


def test_policy_number_empty() -> None:
    result = check("policy_number", "  ")
    assert result.valid is False and codes(result) == ["field_empty"]


def test_policy_form_is_inferred_from_the_length() -> None:
    assert check("policy_number", "7700000000000016").valid is True
    assert codes(check("policy_number", "6449020886006381")) == ["policy_number_checksum"]
    temp = check("policy_number", "123 456789")
    assert temp.valid is True and temp.normalized == "123456789"
    old = check("policy_number", "12345678")
    assert old.valid is True and old.problems == ()  # old regional: no checksum to check


def test_fifteen_digits_without_a_form_is_valid_but_warned() -> None:
    result = check("policy_number", "770000000000001")
    assert result.valid is True
    assert codes(result) == ["policy_number_maybe_enp"]
    assert result.problems[0].severity == "warning"


def test_old_policy_number_limits() -> None:
    assert check("policy_number", "1" * 20, policy_form="old").valid is True
    too_long = check("policy_number", "1" * 21, policy_form="old")
    assert too_long.valid is False and codes(too_long) == ["policy_number_too_long"]
    # A series in the context means an old policy even for 16 digits.
    assert check("policy_number", "6449020886006381", policy_series="ЕАА").valid is True


def test_temporary_certificate_number() -> None:
    for value in ("123456789", "123 456789", "123-456789"):
        result = check("temporary_certificate_number", value)
        assert result.valid is True and result.normalized == "123456789"
    bad = check("temporary_certificate_number", "12345678")
    assert bad.valid is False and codes(bad) == ["temporary_certificate_length"]
    assert "8 цифр" in bad.problems[0].message
    as_policy = check("policy_number", "1234567890", policy_form="temporary")
    assert as_policy.valid is False and codes(as_policy) == ["temporary_certificate_length"]
    assert codes(check("temporary_certificate_number", "12345678A")) == ["not_digits"]


# --- policy series ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalized"),
    [("ЕАА", "ЕАА"), ("77 АБ", "77 АБ"), ("АБ-123", "АБ-123"), ("ab 12", "AB 12"), ("", "")],
)
def test_policy_series_ok(value: str, normalized: str) -> None:
    result = check("policy_series", value)
    assert result.valid is True and result.normalized == normalized


@pytest.mark.parametrize("value", ["ABCDEFGHIJK", "АБ/12", "АБ--12", "-АБ"])
def test_policy_series_bad(value: str) -> None:
    result = check("policy_series", value)
    assert result.valid is False and codes(result) == ["policy_series_format"]


def test_policy_series_on_a_unified_policy_is_a_warning() -> None:
    result = check("policy_series", "ЕАА", policy_form="unified")
    assert result.valid is True and codes(result) == ["policy_series_unexpected"]


# --- SNILS --------------------------------------------------------------------------------------


@pytest.mark.parametrize("snils", ["112-233-445 95", "134-940-005 39", "914-561-751 11"])
def test_published_valid_snils(snils: str) -> None:
    assert is_valid_snils(snils) is True
    result = check("snils", snils)
    assert result.valid is True and result.normalized == snils and result.problems == ()


@pytest.mark.parametrize("snils", ["112-233-445 96", "001-001-999 00"])
def test_published_invalid_snils(snils: str) -> None:
    assert is_valid_snils(snils) is False
    result = check("snils", snils)
    assert result.valid is False and codes(result) == ["snils_checksum"]
    assert_plain_russian(result)


@pytest.mark.parametrize(
    "raw", ["11223344595", "112 233 445 95", "112-233-44595", " 112233445-95 "]
)
def test_snils_normalized_to_the_written_form(raw: str) -> None:
    assert check("snils", raw).normalized == "112-233-445 95"


def test_snils_up_to_001_001_998_is_not_checked() -> None:
    for snils in ("001-001-998 00", "001-001-998 57", "000-000-001 99"):
        assert is_valid_snils(snils) is None
        result = check("snils", snils)
        assert result.valid is None
        assert codes(result) == ["snils_not_checked"]
        assert result.problems[0].severity == "warning"


def test_snils_checksum_rule_branches() -> None:
    # Hand-computed sums with weights 9..1.
    assert snils_checksum("112233445") == 95  # < 100: the sum itself
    assert snils_checksum("000000091") == 19  # 9*2 + 1
    assert snils_checksum("000000911") == 9 * 3 + 1 * 2 + 1 * 1
    # Find nine-digit prefixes hitting sums 100, 101, 102 and 201 (→ mod 101 = 100 → 00).
    weights = range(9, 0, -1)
    rng = random.Random(3)
    seen: dict[int, str] = {}
    while len(seen) < 4:
        first9 = "".join(rng.choice("0123456789") for _ in range(9))
        total = sum(int(c) * w for c, w in zip(first9, weights, strict=True))
        if total in (100, 101, 102, 201):
            seen[total] = first9
    assert snils_checksum(seen[100]) == 0
    assert snils_checksum(seen[101]) == 0
    assert snils_checksum(seen[102]) == 1
    assert snils_checksum(seen[201]) == 0


@pytest.mark.parametrize(("raw", "count"), [("112-233-445 9", "10 цифр"), ("1122334459512", "13")])
def test_snils_wrong_length(raw: str, count: str) -> None:
    result = check("snils", raw)
    assert result.valid is False and codes(result) == ["snils_format"]
    assert count in result.problems[0].message


def test_snils_with_letters_and_empty() -> None:
    assert codes(check("snils", "112-233-445 9O")) == ["not_digits"]
    assert codes(check("snils", "")) == ["field_empty"]


# --- birth certificate series -------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "IV-МЮ",
        "IV МЮ",
        "IV–МЮ",  # en dash
        "IV—МЮ",  # em dash
        "IVМЮ",  # no separator
        "iv-мю",
        "1V-МЮ",  # digit one
        "ІV-МЮ",  # Cyrillic І
        "IУ-МЮ",  # Cyrillic У
        "IV-MЮ",  # Latin M
        "I V - МЮ",
        " IV-МЮ. ",
    ],
)
def test_certificate_series_lookalikes_normalised(raw: str) -> None:
    result = check("birth_certificate_series", raw)
    assert result.valid is True, (raw, result)
    assert result.normalized == "IV-МЮ"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("XIX-КБ", "XIX-КБ"),
        ("ХIХ-КБ", "XIX-КБ"),  # Cyrillic Х
        ("XIX-KБ", "XIX-КБ"),  # Latin K
        ("X-KB", "X-КВ"),  # Latin K and B
        ("II-АГ", "II-АГ"),
        ("П-АГ", "II-АГ"),  # serif II read as П
        ("XXX-ЁЖ", "XXX-ЁЖ"),
        ("ХЛ-ЕС", "XL-ЕС"),  # Cyrillic Х and Л
        ("I-PE", "I-РЕ"),  # Latin P, E
    ],
)
def test_certificate_series_examples(raw: str, normalized: str) -> None:
    result = check("birth_certificate_series", raw)
    assert result.valid is True and result.normalized == normalized


@pytest.mark.parametrize(
    "raw", ["IV-М", "IV-МЮЯ", "-МЮ", "IV-M1", "IV-RЮ", "IVXLCDM-МЮ", "12-МЮ5", "АБ-МЮ", "IV"]
)
def test_certificate_series_malformed(raw: str) -> None:
    result = check("birth_certificate_series", raw)
    assert result.valid is False
    assert codes(result) == ["birth_certificate_series_format"]
    assert "«IV-МЮ»" in result.problems[0].message


@pytest.mark.parametrize("raw", ["IIII-МЮ", "VV-МЮ", "IC-МЮ", "XXXX-АБ"])
def test_certificate_series_non_canonical_roman_is_blocked(raw: str) -> None:
    result = check("birth_certificate_series", raw)
    assert result.valid is False
    assert codes(result) == ["birth_certificate_series_roman"]


def test_certificate_series_empty() -> None:
    assert codes(check("birth_certificate_series", "")) == ["field_empty"]


# --- birth certificate number and act record ----------------------------------------------------


def test_certificate_number() -> None:
    ok = check("birth_certificate_number", "123456")
    assert ok.valid is True and ok.normalized == "123456" and ok.problems == ()
    assert check("birth_certificate_number", "№ 654321").normalized == "654321"
    seven = check("birth_certificate_number", "1234567")
    assert seven.valid is True and codes(seven) == ["birth_certificate_number_seven_digits"]
    for bad in ("12345", "12345678"):
        result = check("birth_certificate_number", bad)
        assert result.valid is False and codes(result) == ["birth_certificate_number_format"]
    assert codes(check("birth_certificate_number", "12345б")) == ["not_digits"]


def test_act_record_number() -> None:
    assert check("birth_act_record_number", "123").valid is True
    long = check("birth_act_record_number", "1201 9770 0015 0012 3004")
    assert long.valid is True and long.normalized == "12019770001500123004"
    assert check("birth_act_record_number", "1" * 22).valid is True
    too_long = check("birth_act_record_number", "1" * 23)
    assert too_long.valid is False and codes(too_long) == ["birth_act_record_number_format"]
    assert codes(check("birth_act_record_number", "12А")) == ["not_digits"]
    assert codes(check("birth_act_record_number", "")) == ["field_empty"]


def test_short_act_record_for_a_recent_birth_is_a_warning() -> None:
    recent = check("birth_act_record_number", "1234", birth_date="12.03.2019")
    assert recent.valid is True and codes(recent) == ["birth_act_record_number_short"]
    older = check("birth_act_record_number", "1234", birth_date="12.03.2015")
    assert older.valid is True and older.problems == ()


# --- dates --------------------------------------------------------------------------------------

DATE_FIELDS = [
    "birth_date",
    "birth_certificate_issue_date",
    "policy_issue_date",
    "policy_expiry_date",
]


@pytest.mark.parametrize("field", DATE_FIELDS)
@pytest.mark.parametrize(
    "text",
    [
        "12.03.2019",
        "12.3.2019",
        "2019-03-12",
        "12 марта 2019 г.",
        "12.03.2019 г.",
        "двенадцатого марта две тысячи девятнадцатого года",
    ],
)
def test_date_forms(field: str, text: str) -> None:
    result = check(field, text)
    assert result.normalized == "2019-03-12"
    assert result.valid is True or field == "policy_expiry_date"


@pytest.mark.parametrize("field", DATE_FIELDS)
def test_impossible_and_unreadable_dates(field: str) -> None:
    not_real = check(field, "30.02.2019")
    assert not_real.valid is False and codes(not_real) == ["date_not_real"]
    unreadable = check(field, "12.03.19")
    assert unreadable.valid is False and codes(unreadable) == ["date_format"]
    assert "ДД.ММ.ГГГГ" in unreadable.problems[0].message
    old = check(field, "01.01.1899")
    assert old.valid is False and codes(old) == ["date_too_old"]


@pytest.mark.parametrize(
    "field", ["birth_date", "birth_certificate_issue_date", "policy_issue_date"]
)
def test_future_dates_are_refused(field: str) -> None:
    result = check(field, "02.06.2025")
    assert result.valid is False and "date_in_future" in codes(result)
    assert check(field, "01.06.2025").valid is True  # today itself is fine


def test_expiry_may_be_in_the_future_or_open_ended() -> None:
    assert check("policy_expiry_date", "31.12.2030").valid is True
    for value in ("бессрочно", "Бессрочно", "", "без срока"):
        result = check("policy_expiry_date", value)
        assert result.valid is True and result.normalized == ""


def test_expired_policy_is_a_warning() -> None:
    result = check("policy_expiry_date", "31.12.2024")
    assert result.valid is True and codes(result) == ["policy_expired"]


def test_expiry_before_issue_is_refused() -> None:
    result = check("policy_expiry_date", "01.01.2020", policy_issue_date="01.02.2020")
    assert result.valid is False and codes(result) == ["expiry_before_issue"]
    assert check("policy_expiry_date", "01.02.2026", policy_issue_date="01.02.2020").valid


def test_child_must_be_under_18() -> None:
    assert check("birth_date", "02.06.2007").valid is True  # 18 tomorrow
    turned = check("birth_date", "01.06.2007")  # 18 today
    assert turned.valid is False and codes(turned) == ["child_not_minor"]
    assert check("birth_date", "01.01.1990").valid is False


def test_leap_day_birthday_turns_18_on_march_1st() -> None:
    born = "29.02.2008"
    before = validate_field("birth_date", born, today=date(2026, 2, 28))
    after = validate_field("birth_date", born, today=date(2026, 3, 1))
    assert before.valid is True
    assert after.valid is False and codes(after) == ["child_not_minor"]


@pytest.mark.parametrize("field", ["birth_certificate_issue_date", "policy_issue_date"])
def test_issue_dates_not_before_birth(field: str) -> None:
    early = check(field, "11.03.2019", birth_date="12.03.2019")
    assert early.valid is False and codes(early) == ["issued_before_birth"]
    same_day = check(field, "12.03.2019", birth_date="12.03.2019")
    assert same_day.valid is True
    # The birth date in context may itself be in words.
    words = check(
        field, "11.03.2019", birth_date="двенадцатого марта две тысячи девятнадцатого года"
    )
    assert codes(words) == ["issued_before_birth"]


def test_empty_required_date() -> None:
    assert codes(check("birth_date", "")) == ["field_empty"]


# --- names and sex ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "raw", "normalized"),
    [
        ("last_name", "ИВАНОВА", "Иванова"),
        ("last_name", "  иванова ", "Иванова"),
        ("first_name", "анна-мария", "Анна-Мария"),
        ("first_name", "АННА – МАРИЯ", "Анна-Мария"),
        ("last_name", "Иванoва", "Иванова"),  # Latin o: an OCR artefact, normalised
        ("last_name", "ИBAНOВA", "Иванова"),  # several Latin capitals
        ("patronymic", "Сергеевич", "Сергеевич"),
        ("patronymic", "Али оглы", "Али оглы"),
        ("last_name", "Д’Артаньян", "Д'артаньян"),
        ("first_name", "Пётр", "Пётр"),
    ],
)
def test_names_normalised(field: str, raw: str, normalized: str) -> None:
    result = check(field, raw)
    assert result.valid is True and result.normalized == normalized and result.problems == ()


def test_empty_patronymic_is_valid_but_names_are_required() -> None:
    result = check("patronymic", "")
    assert result.valid is True and result.normalized == ""
    assert codes(check("last_name", "")) == ["field_empty"]
    assert codes(check("first_name", " ")) == ["field_empty"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Ivanova", "name_latin"),
        ("Anna", "name_latin"),  # not silently turned into "Аппа"
        ("Иванова-Smith", "name_latin"),
        ("Smith", "name_latin"),
        ("Иванова2", "name_invalid_chars"),
        ("Иванова!", "name_invalid_chars"),
        ("-Иванова", "name_format"),
        ("Иванова-", "name_format"),
        ("Анна--Мария", "name_format"),
        ("'", "name_format"),
    ],
)
def test_bad_names(raw: str, code: str) -> None:
    result = check("last_name", raw)
    assert result.valid is False and codes(result) == [code]
    assert_plain_russian(result)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("М", "М"), ("м", "М"), ("муж.", "М"), ("мужской", "М"), ("M", "М"), ("1", "М"),
        ("Ж", "Ж"), ("ж", "Ж"), ("жен.", "Ж"), ("Женский", "Ж"), ("F", "Ж"), ("2", "Ж"),
    ],
)  # fmt: skip
def test_sex(raw: str, normalized: str) -> None:
    result = check("sex", raw)
    assert result.valid is True and result.normalized == normalized


@pytest.mark.parametrize("raw", ["X", "3", "мж", "other"])
def test_bad_sex(raw: str) -> None:
    result = check("sex", raw)
    assert result.valid is False and codes(result) == ["sex_format"]
    assert codes(check("sex", "")) == ["field_empty"]


# --- entry point --------------------------------------------------------------------------------


def test_every_validated_field_has_a_validator() -> None:
    for field in VALIDATED_FIELDS:
        result = validate_field(field, "", today=TODAY)
        assert result.field == field
        assert result.valid in (True, False, None)


def test_unknown_field_is_a_typed_error() -> None:
    with pytest.raises(UnknownFieldError) as info:
        validate_field("shoe_size", "42")
    assert info.value.exit_code == 2
    assert "shoe_size" in info.value.message() and "snils" in info.value.message()


def test_to_json_has_exactly_the_contract_keys() -> None:
    payload = check("snils", "112-233-445 96").to_json()
    assert list(payload) == ["field", "value", "normalized", "valid", "problems"]
    assert payload["problems"] == [
        {"code": "snils_checksum", "message": payload["problems"][0]["message"]}
    ]
    json.dumps(payload)  # serialisable as is


def test_default_today_is_the_real_today() -> None:
    tomorrow = date.fromordinal(date.today().toordinal() + 1)
    assert validate_field("birth_date", tomorrow.isoformat()).valid is False
    assert validate_field("birth_date", date.today().isoformat()).valid is True


# --- cross-checks -------------------------------------------------------------------------------

CERT = {
    "last_name": "ИВАНОВА",
    "first_name": "АННА",
    "patronymic": "СЕРГЕЕВНА",
    "birth_date": "12.03.2019",
    "birth_certificate_issue_date": "20.03.2019",
}
POLICY = {
    "last_name": "Иванова",
    "first_name": "Анна",
    "patronymic": "Сергеевна",
    "birth_date": "2019-03-12",
    "policy_issue_date": "01.04.2019",
}


def test_agreeing_documents_have_no_problems() -> None:
    assert cross_check(CERT, POLICY, today=TODAY) == ()


def test_case_yo_and_lookalikes_are_ignored() -> None:
    cert = {**CERT, "last_name": "КОРОЛЁВА", "first_name": "АННA"}  # Latin A at the end
    policy = {**POLICY, "last_name": "Королева"}
    assert cross_check(cert, policy, today=TODAY) == ()


@pytest.mark.parametrize(
    ("field", "policy_value"),
    [
        ("last_name", "Иванов"),
        ("first_name", "Анне"),
        ("patronymic", "Сергеевич"),
        ("birth_date", "13.03.2019"),
    ],
)
def test_each_disagreement_names_the_field_with_both_readings(
    field: str, policy_value: str
) -> None:
    problems = cross_check(CERT, {**POLICY, field: policy_value}, today=TODAY)
    assert [p.code for p in problems] == [f"mismatch_{field}"]
    params = problems[0].params
    assert params["field"] == field
    assert params["certificate_value"] == CERT[field]
    assert params["policy_value"] == policy_value
    assert problems[0].severity == "blocking"
    assert policy_value not in problems[0].message  # readings travel in params only


def test_patronymic_on_one_document_only_is_a_mismatch() -> None:
    problems = cross_check(CERT, {**POLICY, "patronymic": ""}, today=TODAY)
    assert [p.code for p in problems] == ["mismatch_patronymic"]
    both_empty = cross_check({**CERT, "patronymic": ""}, {**POLICY, "patronymic": ""}, TODAY)
    assert both_empty == ()


def test_unknown_values_are_not_compared() -> None:
    policy = {**POLICY, "last_name": None, "birth_date": None}
    assert cross_check(CERT, policy, today=TODAY) == ()
    assert cross_check({}, {}, today=TODAY) == ()


def test_policy_issued_before_birth() -> None:
    problems = cross_check(CERT, {**POLICY, "policy_issue_date": "01.03.2019"}, today=TODAY)
    assert [p.code for p in problems] == ["policy_issued_before_birth"]
    assert problems[0].params["field"] == "policy_issue_date"
    assert problems[0].params["policy_value"] == "01.03.2019"
    assert problems[0].params["birth_date"] == "2019-03-12"


def test_certificate_issued_before_birth() -> None:
    cert = {**CERT, "birth_certificate_issue_date": "10.03.2019"}
    problems = cross_check(cert, POLICY, today=TODAY)
    assert [p.code for p in problems] == ["certificate_issued_before_birth"]
    assert problems[0].params["field"] == "birth_certificate_issue_date"
    assert problems[0].params["certificate_value"] == "10.03.2019"


def test_adult_child_is_reported() -> None:
    cert = {**CERT, "birth_date": "12.03.2005"}
    policy = {**POLICY, "birth_date": "12.03.2005"}
    problems = cross_check(cert, policy, today=date(2023, 3, 12))
    assert [p.code for p in problems] == ["child_not_minor"]
    assert cross_check(cert, policy, today=date(2023, 3, 11)) == ()


def test_several_problems_at_once() -> None:
    policy = {**POLICY, "last_name": "Петрова", "birth_date": "12.04.2019"}
    problems = cross_check(CERT, policy, today=TODAY)
    assert {p.code for p in problems} == {"mismatch_last_name", "mismatch_birth_date"}
