"""Field validation for the birth certificate and the OMS policy (rules: docs/domain.md).

Every check is a pure function of the value (plus an optional ``today`` and a ``context`` of
other fields already known). A result says whether the value is valid (``True``), invalid
(``False``, at least one blocking problem) or not checkable by the rules (``None``, e.g. a SNILS
up to 001-001-998), gives the normalised form and the problems in plain Russian with an English
twin. Values are never corrected silently: a wrong check digit is reported, not "fixed".

Nothing here logs or prints, and no problem message contains the value itself: values are a
child's personal data. Where both readings matter (a mismatch between documents), they travel in
``Problem.params`` for the front end to show next to the fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from omsdesktop.errors import UnknownFieldError
from omsdesktop.forms.normalize import (
    date_from_words,
    name_case,
    normalize_name_chars,
    parse_date_parts,
    roman_to_latin,
    roman_value,
    series_letters_to_cyrillic,
)
from omsdesktop.ocr.types import Problem, ProblemSpec, Severity
from omsdesktop.text import same_name

# --- fields ---------------------------------------------------------------------------------

VALIDATED_FIELDS: tuple[str, ...] = (
    "snils",
    "policy_number",
    "policy_series",
    "birth_certificate_series",
    "birth_certificate_number",
    "birth_act_record_number",
    "temporary_certificate_number",
    "birth_date",
    "birth_certificate_issue_date",
    "policy_issue_date",
    "policy_expiry_date",
    "last_name",
    "first_name",
    "patronymic",
    "sex",
)

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "snils": ("СНИЛС", "SNILS"),
    "policy_number": ("Номер полиса", "Policy number"),
    "policy_series": ("Серия полиса", "Policy series"),
    "birth_certificate_series": ("Серия свидетельства о рождении", "Birth certificate series"),
    "birth_certificate_number": ("Номер свидетельства о рождении", "Birth certificate number"),
    "birth_act_record_number": ("Номер записи акта о рождении", "Birth act record number"),
    "temporary_certificate_number": (
        "Номер временного свидетельства",
        "Temporary certificate number",
    ),
    "birth_date": ("Дата рождения", "Date of birth"),
    "birth_certificate_issue_date": ("Дата выдачи свидетельства", "Certificate issue date"),
    "policy_issue_date": ("Дата выдачи полиса", "Policy issue date"),
    "policy_expiry_date": ("Срок действия полиса", "Policy expiry date"),
    "last_name": ("Фамилия", "Surname"),
    "first_name": ("Имя", "Name"),
    "patronymic": ("Отчество", "Patronymic"),
    "sex": ("Пол", "Sex"),
}
"""Russian and English labels of the validated fields."""

POLICY_FORMS: tuple[str, ...] = ("unified", "card", "electronic", "old", "temporary")
"""Policy forms (domain.md): the first three carry a 16-digit ENP."""

ENP_FORMS: frozenset[str] = frozenset({"unified", "card", "electronic"})


# --- problem specs --------------------------------------------------------------------------

FIELD_EMPTY = ProblemSpec(
    "field_empty",
    "Поле «{label}» не заполнено. Впишите значение из документа.",
    "The field “{label_en}” is empty. Enter the value from the document.",
)
NOT_DIGITS = ProblemSpec(
    "not_digits",
    "В поле «{label}» должны быть только цифры. Уберите буквы и другие знаки и сверьте номер "
    "с документом.",
    "The field “{label_en}” must contain digits only. Remove letters and other characters and "
    "compare the number with the document.",
)

ENP_TOO_SHORT = ProblemSpec(
    "policy_number_length",
    "В номере полиса {count_ru}, а у полиса единого образца их 16. Проверьте, не пропущена "
    "ли цифра.",
    "The policy number has {count} digits; a unified policy number has 16. Check for a "
    "missing digit.",
)
ENP_TOO_LONG = ProblemSpec(
    "policy_number_length",
    "В номере полиса {count_ru}, а у полиса единого образца их 16. Проверьте, нет ли лишней "
    "цифры (номер бланка на обороте полиса — не номер полиса).",
    "The policy number has {count} digits; a unified policy number has 16. Check for an extra "
    "digit (the blank serial on the back is not the policy number).",
)
ENP_CHECKSUM = ProblemSpec(
    "policy_number_checksum",
    "Проверьте цифры номера полиса: контрольная цифра не сходится, значит одна из 16 цифр "
    "прочитана или набрана неверно. Сверьте все 16 цифр с документом. Программа не "
    "исправляет номер сама.",
    "Check the digits of the policy number: the check digit does not match, so one of the 16 "
    "digits was misread or mistyped. Compare all 16 digits with the document. The program "
    "does not correct the number by itself.",
)
TEMPORARY_LENGTH = ProblemSpec(
    "temporary_certificate_length",
    "Номер временного свидетельства — 9 цифр (иногда печатают как 3 + 6), а здесь "
    "{count_ru}. Сверьте номер с документом.",
    "A temporary certificate number has 9 digits (sometimes printed as 3 + 6); this one has "
    "{count}. Compare it with the document.",
)
OLD_POLICY_TOO_LONG = ProblemSpec(
    "policy_number_too_long",
    "В номере полиса старого образца не больше 20 цифр, а здесь {count_ru}. Сверьте номер с "
    "документом.",
    "An old-form policy number has at most 20 digits; this one has {count}. Compare it with "
    "the document.",
)
POLICY_MAYBE_ENP = ProblemSpec(
    "policy_number_maybe_enp",
    "В номере полиса {count_ru}. Если это полис единого образца (без серии, на листе, карте "
    "или выписке), цифр должно быть 16: проверьте, не пропущена ли или не лишняя ли цифра.",
    "The policy number has {count} digits. If this is a unified policy (no series: sheet, card "
    "or extract) it must have 16: check for a missing or extra digit.",
)
POLICY_SERIES_FORMAT = ProblemSpec(
    "policy_series_format",
    "Серия полиса старого образца — до 10 букв и цифр (можно с пробелом или дефисом). "
    "Проверьте серию на документе.",
    "An old-form policy series has up to 10 letters and digits (spaces and hyphens allowed). "
    "Check the series on the document.",
)
POLICY_SERIES_UNEXPECTED = ProblemSpec(
    "policy_series_unexpected",
    "У полиса единого образца нет серии: оставьте поле пустым, если серия не напечатана отдельно.",
    "A unified policy has no series: leave the field empty unless a series is printed separately.",
)

SNILS_FORMAT = ProblemSpec(
    "snils_format",
    "СНИЛС — 11 цифр, записывается как «123-456-789 01», а здесь {count_ru}. Сверьте номер с "
    "документом.",
    "A SNILS has 11 digits, written as “123-456-789 01”; this one has {count}. Compare it "
    "with the document.",
)
SNILS_CHECKSUM = ProblemSpec(
    "snils_checksum",
    "Контрольное число СНИЛС (две последние цифры) не сходится: одна из цифр прочитана или "
    "набрана неверно. Сверьте все 11 цифр с документом.",
    "The SNILS check number (the last two digits) does not match: a digit was misread or "
    "mistyped. Compare all 11 digits with the document.",
)
SNILS_NOT_CHECKED = ProblemSpec(
    "snils_not_checked",
    "У номеров СНИЛС до 001-001-998 контрольное число не проверяется. Сверьте номер с "
    "документом сами.",
    "SNILS numbers up to 001-001-998 have no checkable check number. Compare the number with "
    "the document yourself.",
)

CERT_SERIES_FORMAT = ProblemSpec(
    "birth_certificate_series_format",
    "Серия свидетельства должна выглядеть как «IV-МЮ»: римские цифры латиницей, дефис, две "
    "русские буквы. Проверьте серию на документе.",
    "The certificate series must look like “IV-МЮ”: a Roman numeral in Latin letters, a "
    "hyphen, two Russian letters. Check the series on the document.",
)
CERT_SERIES_ROMAN = ProblemSpec(
    "birth_certificate_series_roman",
    "Римское число в серии свидетельства записано неправильно (так римские числа не пишут, "
    "например «IIII» вместо «IV»). Проверьте серию на документе: обычно это «I»…«XXX».",
    "The Roman numeral in the certificate series is malformed (e.g. “IIII” instead of “IV”). "
    "Check the series on the document: usually it is “I”…“XXX”.",
)
CERT_NUMBER_FORMAT = ProblemSpec(
    "birth_certificate_number_format",
    "Номер свидетельства о рождении — 6 цифр, а здесь {count_ru}. Сверьте номер с документом "
    "(он напечатан внизу рядом с серией, часто красным).",
    "A birth certificate number has 6 digits; this one has {count}. Compare it with the "
    "document (printed at the bottom next to the series, often in red).",
)
CERT_NUMBER_SEVEN = ProblemSpec(
    "birth_certificate_number_seven_digits",
    "В номере свидетельства 7 цифр, а обычно их 6. Портал примет такой номер, но проверьте, "
    "нет ли лишней цифры.",
    "The certificate number has 7 digits; usually it has 6. The portal accepts it, but check "
    "for an extra digit.",
)
ACT_RECORD_FORMAT = ProblemSpec(
    "birth_act_record_number_format",
    "Номер записи акта о рождении — только цифры, не больше 22, а здесь {count_ru}. Сверьте "
    "номер со строкой «запись акта о рождении №».",
    "A birth act record number has digits only, at most 22; this one has {count}. Compare it "
    "with the line “запись акта о рождении №”.",
)
ACT_RECORD_SHORT = ProblemSpec(
    "birth_act_record_number_short",
    "Номера записей о рождении с 2019 года длинные (больше 10 цифр), а этот короткий. "
    "Проверьте, что номер переписан полностью.",
    "Birth records made since 2019 have long numbers (more than 10 digits); this one is short. "
    "Check that the whole number was copied.",
)

DATE_FORMAT = ProblemSpec(
    "date_format",
    "Не удалось прочитать дату в поле «{label}». Введите её как ДД.ММ.ГГГГ, например 12.03.2019.",
    "Could not read the date in “{label_en}”. Enter it as DD.MM.YYYY, e.g. 12.03.2019.",
)
DATE_NOT_REAL = ProblemSpec(
    "date_not_real",
    "В поле «{label}» дата, которой нет в календаре. Проверьте день и месяц по документу.",
    "“{label_en}” holds a date that does not exist. Check the day and month on the document.",
)
DATE_TOO_OLD = ProblemSpec(
    "date_too_old",
    "В поле «{label}» дата раньше 1900 года — скорее всего, ошибка в годе. Проверьте дату.",
    "“{label_en}” is before 1900, probably a wrong year. Check the date.",
)
DATE_IN_FUTURE = ProblemSpec(
    "date_in_future",
    "В поле «{label}» дата, которая ещё не наступила. Проверьте год и месяц.",
    "“{label_en}” is in the future. Check the year and month.",
)
CHILD_NOT_MINOR = ProblemSpec(
    "child_not_minor",
    "По этой дате рождения ребёнку уже исполнилось 18 лет, а заявление подаётся за "
    "несовершеннолетнего. Проверьте год рождения.",
    "By this date of birth the child is already 18, but the application is for a minor. Check "
    "the year of birth.",
)
ISSUED_BEFORE_BIRTH = ProblemSpec(
    "issued_before_birth",
    "Дата выдачи {document_ru} раньше даты рождения. Проверьте обе даты по документам.",
    "The {document_en} issue date is before the date of birth. Check both dates.",
)
EXPIRY_BEFORE_ISSUE = ProblemSpec(
    "expiry_before_issue",
    "Срок действия полиса заканчивается раньше даты его выдачи. Проверьте обе даты.",
    "The policy expires before its issue date. Check both dates.",
)
POLICY_EXPIRED = ProblemSpec(
    "policy_expired",
    "Срок действия полиса истёк. Проверьте дату; если она верна, полис нужно переоформить в "
    "страховой компании.",
    "The policy has expired. Check the date; if it is right, the policy must be reissued by "
    "the insurer.",
)

NAME_LATIN = ProblemSpec(
    "name_latin",
    "В поле «{label}» есть латинские буквы. Впишите значение русскими буквами, как в документе.",
    "“{label_en}” contains Latin letters. Enter it in Russian letters as in the document.",
)
NAME_INVALID_CHARS = ProblemSpec(
    "name_invalid_chars",
    "В поле «{label}» могут быть только русские буквы, дефис, пробел и апостроф. Уберите "
    "цифры и лишние знаки.",
    "“{label_en}” may contain only Russian letters, hyphen, space and apostrophe. Remove "
    "digits and other characters.",
)
NAME_FORMAT = ProblemSpec(
    "name_format",
    "В поле «{label}» дефис, пробел или апостроф стоит не на месте (в начале, в конце или два "
    "подряд). Проверьте написание.",
    "In “{label_en}” a hyphen, space or apostrophe is misplaced (at the start, at the end or "
    "doubled). Check the spelling.",
)
SEX_FORMAT = ProblemSpec(
    "sex_format",
    "Пол указывается буквой «М» (мужской) или «Ж» (женский). Проверьте поле.",
    "Sex is “М” (male) or “Ж” (female). Check the field.",
)

MISMATCH_SPECS: dict[str, ProblemSpec] = {
    "last_name": ProblemSpec(
        "mismatch_last_name",
        "Фамилия в свидетельстве о рождении и в полисе не совпадает. Сравните её в обоих "
        "документах: если ошибка в распознавании, исправьте; если документы действительно "
        "расходятся, полис нужно переоформить.",
        "The surname differs between the birth certificate and the policy. Compare both "
        "documents: fix a recognition error, or have the policy reissued if they really differ.",
    ),
    "first_name": ProblemSpec(
        "mismatch_first_name",
        "Имя в свидетельстве о рождении и в полисе не совпадает. Сравните его в обоих "
        "документах: если ошибка в распознавании, исправьте; если документы действительно "
        "расходятся, полис нужно переоформить.",
        "The name differs between the birth certificate and the policy. Compare both "
        "documents: fix a recognition error, or have the policy reissued if they really differ.",
    ),
    "patronymic": ProblemSpec(
        "mismatch_patronymic",
        "Отчество в свидетельстве о рождении и в полисе не совпадает. Сравните его в обоих "
        "документах: если ошибка в распознавании, исправьте; если документы действительно "
        "расходятся, полис нужно переоформить.",
        "The patronymic differs between the birth certificate and the policy. Compare both "
        "documents: fix a recognition error, or have the policy reissued if they really differ.",
    ),
    "birth_date": ProblemSpec(
        "mismatch_birth_date",
        "Дата рождения в свидетельстве о рождении и в полисе не совпадает. Сравните её в обоих "
        "документах: если ошибка в распознавании, исправьте; если документы действительно "
        "расходятся, полис нужно переоформить.",
        "The date of birth differs between the birth certificate and the policy. Compare both "
        "documents: fix a recognition error, or have the policy reissued if they really differ.",
    ),
}
POLICY_ISSUED_BEFORE_BIRTH = ProblemSpec(
    "policy_issued_before_birth",
    "Дата выдачи полиса раньше даты рождения ребёнка по свидетельству. Проверьте обе даты.",
    "The policy issue date is before the child's date of birth on the certificate. Check both "
    "dates.",
)
CERTIFICATE_ISSUED_BEFORE_BIRTH = ProblemSpec(
    "certificate_issued_before_birth",
    "Дата выдачи свидетельства о рождении раньше даты рождения. Проверьте обе даты.",
    "The birth certificate issue date is before the date of birth. Check both dates.",
)
CROSS_CHILD_NOT_MINOR = ProblemSpec(
    "child_not_minor",
    "По дате рождения в документах ребёнку уже исполнилось 18 лет, а заявление подаётся за "
    "несовершеннолетнего. Проверьте год рождения.",
    "By the date of birth in the documents the child is already 18, but the application is "
    "for a minor. Check the year of birth.",
)


# --- result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    """The verdict on one field value.

    Attributes:
        field: the field name (one of :data:`VALIDATED_FIELDS`).
        value: the value as given.
        normalized: the canonical form ("112-233-445 95", "2019-03-12", "IV-МЮ", "Иванова"),
            or None when the value could not be read at all.
        valid: True valid; False invalid (at least one blocking problem); None when the rules
            say the value cannot be checked (then a warning says so).
        problems: blocking problems and warnings, in Russian with English twins.
    """

    field: str
    value: str
    normalized: str | None
    valid: bool | None
    problems: tuple[Problem, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": self.value,
            "normalized": self.normalized,
            "valid": self.valid,
            "problems": [{"code": p.code, "message": p.message} for p in self.problems],
        }


# --- check digits ---------------------------------------------------------------------------


def _digits_only(text: str) -> str:
    return re.sub(r"[\s\-\u2010-\u2015\u2212]", "", text)


def enp_check_digit(first15: str) -> int:
    """The 16th digit of an ENP: Luhn over the first 15 (FOMS: odd positions doubled)."""
    if len(first15) != 15 or not first15.isascii() or not first15.isdigit():
        raise ValueError("enp_check_digit needs exactly 15 digits")
    total = 0
    for index, ch in enumerate(first15):
        digit = int(ch)
        if index % 2 == 0:  # positions 1, 3, ... 15 counted from the left
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_valid_enp(s: str) -> bool:
    """True for a 16-digit ENP whose check digit matches (spaces and hyphens ignored)."""
    digits = _digits_only(s)
    if len(digits) != 16 or not digits.isascii() or not digits.isdigit():
        return False
    return enp_check_digit(digits[:15]) == int(digits[15])


def snils_checksum(first9: str) -> int:
    """The SNILS check number (0..99) for the first nine digits (domain.md's rule)."""
    if len(first9) != 9 or not first9.isascii() or not first9.isdigit():
        raise ValueError("snils_checksum needs exactly 9 digits")
    total = sum(int(ch) * weight for ch, weight in zip(first9, range(9, 0, -1), strict=True))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    rest = total % 101
    return 0 if rest == 100 else rest


SNILS_CHECK_FROM = 1_001_998
"""Numbers up to 001-001-998 carry no checkable check number."""


def is_valid_snils(s: str) -> bool | None:
    """True/False by the check number; None for numbers up to 001-001-998 (not checked)."""
    digits = _digits_only(s)
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        return False
    if int(digits[:9]) <= SNILS_CHECK_FROM:
        return None
    return snils_checksum(digits[:9]) == int(digits[9:])


def format_snils(digits: str) -> str:
    """Write 11 SNILS digits as "112-233-445 95"."""
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:11]}"


# --- helpers --------------------------------------------------------------------------------


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _count_ru(n: int) -> str:
    return f"{n} {_plural(n, 'цифра', 'цифры', 'цифр')}"


class _Collector:
    """Gathers problems for one field, with its labels filled in."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.label, self.label_en = FIELD_LABELS[field]
        self.problems: list[Problem] = []

    def add(self, spec: ProblemSpec, severity: Severity = "blocking", **params: object) -> None:
        self.problems.append(
            Problem.of(spec, severity, label=self.label, label_en=self.label_en, **params)
        )

    def count(self, spec: ProblemSpec, n: int) -> None:
        self.add(spec, count=n, count_ru=_count_ru(n))

    @property
    def blocking(self) -> bool:
        return any(p.severity == "blocking" for p in self.problems)

    def result(
        self, value: str, normalized: str | None, valid: bool | None = True
    ) -> ValidationResult:
        if self.blocking:
            valid = False
        return ValidationResult(self.field, value, normalized, valid, tuple(self.problems))


def _clean_number(value: str) -> str:
    """Strip "№"/"N" prefixes, spaces and hyphens from a document number."""
    text = value.strip()
    text = re.sub(r"^(?:№|N[o°º]?\.?)\s*", "", text, flags=re.IGNORECASE)
    return _digits_only(text)


def _ctx(context: Mapping[str, str] | None, key: str) -> str:
    if context is None:
        return ""
    return (context.get(key) or "").strip()


# --- numbers --------------------------------------------------------------------------------


def _check_enp(c: _Collector, value: str, digits: str) -> ValidationResult:
    if len(digits) < 16:
        c.count(ENP_TOO_SHORT, len(digits))
    elif len(digits) > 16:
        c.count(ENP_TOO_LONG, len(digits))
    elif not is_valid_enp(digits):
        # Luhn catches any single wrong digit but cannot tell which one it is: every position
        # could be fixed by some digit, so the user re-checks all 16 (never auto-corrected).
        c.add(ENP_CHECKSUM)
    return c.result(value, digits)


def _validate_policy_number(
    value: str, today: date, context: Mapping[str, str] | None
) -> ValidationResult:
    c = _Collector("policy_number")
    digits = _clean_number(value)
    if not digits:
        c.add(FIELD_EMPTY)
        return c.result(value, None)
    if not digits.isascii() or not digits.isdigit():
        c.add(NOT_DIGITS)
        return c.result(value, None)
    form = _ctx(context, "policy_form")
    if form not in POLICY_FORMS:
        # Infer the form: a series means an old policy; 16 digits an ENP; 9 a temporary one.
        if _ctx(context, "policy_series"):
            form = "old"
        elif len(digits) == 16:
            form = "unified"
        elif len(digits) == 9:
            form = "temporary"
        else:
            form = "old"
            if len(digits) in (15, 17):
                c.add(
                    POLICY_MAYBE_ENP, "warning", count=len(digits), count_ru=_count_ru(len(digits))
                )
    if form in ENP_FORMS:
        return _check_enp(c, value, digits)
    if form == "temporary":
        if len(digits) != 9:
            c.count(TEMPORARY_LENGTH, len(digits))
        return c.result(value, digits)
    # Old regional policies: no check digit, formats vary by region; only the length is known.
    if len(digits) > 20:
        c.count(OLD_POLICY_TOO_LONG, len(digits))
    return c.result(value, digits)


def _validate_temporary(value: str) -> ValidationResult:
    c = _Collector("temporary_certificate_number")
    digits = _clean_number(value)
    if not digits:
        c.add(FIELD_EMPTY)
        return c.result(value, None)
    if not digits.isascii() or not digits.isdigit():
        c.add(NOT_DIGITS)
        return c.result(value, None)
    if len(digits) != 9:
        c.count(TEMPORARY_LENGTH, len(digits))
    return c.result(value, digits)


_POLICY_SERIES_RE = re.compile(r"^[0-9A-ZА-ЯЁ]+(?:[ -][0-9A-ZА-ЯЁ]+)*$")


def _validate_policy_series(value: str, context: Mapping[str, str] | None) -> ValidationResult:
    c = _Collector("policy_series")
    text = " ".join(value.split()).upper()
    text = re.sub(r"\s*[\-\u2010-\u2015\u2212]\s*", "-", text)
    if not text:
        # Unified policies have no series: an empty series is the normal case.
        return c.result(value, "")
    if _ctx(context, "policy_form") in ENP_FORMS:
        c.add(POLICY_SERIES_UNEXPECTED, "warning")
    if len(text) > 10 or not _POLICY_SERIES_RE.match(text):
        c.add(POLICY_SERIES_FORMAT)
        return c.result(value, None)
    return c.result(value, text)


def _validate_snils(value: str) -> ValidationResult:
    c = _Collector("snils")
    digits = _digits_only(value)
    if not digits:
        c.add(FIELD_EMPTY)
        return c.result(value, None)
    if not digits.isascii() or not digits.isdigit():
        c.add(NOT_DIGITS)
        return c.result(value, None)
    if len(digits) != 11:
        c.count(SNILS_FORMAT, len(digits))
        return c.result(value, None)
    normalized = format_snils(digits)
    verdict = is_valid_snils(digits)
    if verdict is None:
        c.add(SNILS_NOT_CHECKED, "warning")
    elif not verdict:
        c.add(SNILS_CHECKSUM)
    return c.result(value, normalized, verdict)


_SERIES_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.]+")
_SERIES_RE = re.compile(r"^[IVXLCDM]{1,6}-[А-ЯЁ]{2}$")


def normalize_certificate_series(value: str) -> str | None:
    """Bring an OCR'd or typed series to "IV-МЮ" form, or None if it cannot be split.

    The letter part is always two letters, so without a separator ("IVМЮ") the last two
    characters are the letters; with one ("IV МЮ", "IV–МЮ", "I V-МЮ") the split is at the last
    separator. Look-alikes are mapped per part (domain.md).
    """
    text = value.strip().strip(".,;:")
    if not text:
        return None
    pieces = [p for p in _SERIES_SEPARATORS.split(text) if p]
    if not pieces:
        return None
    if len(pieces) >= 2:
        numeral_raw, letters_raw = "".join(pieces[:-1]), pieces[-1]
    else:
        if len(pieces[0]) < 3:
            return None
        numeral_raw, letters_raw = pieces[0][:-2], pieces[0][-2:]
    return f"{roman_to_latin(numeral_raw)}-{series_letters_to_cyrillic(letters_raw)}"


def _validate_certificate_series(value: str) -> ValidationResult:
    c = _Collector("birth_certificate_series")
    if not value.strip():
        c.add(FIELD_EMPTY)
        return c.result(value, None)
    normalized = normalize_certificate_series(value)
    if normalized is None or not _SERIES_RE.match(normalized):
        c.add(CERT_SERIES_FORMAT)
        return c.result(value, None)
    # Decision: the regex alone admits "IIII" or "VX"; no real series is written so, and such
    # a reading is a misread that the registry will reject later, so it blocks here.
    if roman_value(normalized.split("-", 1)[0]) is None:
        c.add(CERT_SERIES_ROMAN)
    return c.result(value, normalized)


def _validate_certificate_number(value: str) -> ValidationResult:
    c = _Collector("birth_certificate_number")
    digits = _clean_number(value)
    if not digits:
        c.add(FIELD_EMPTY)
        return c.result(value, None)
    if not digits.isascii() or not digits.isdigit():
        c.add(NOT_DIGITS)
        return c.result(value, None)
    if len(digits) == 7:
        c.add(CERT_NUMBER_SEVEN, "warning")
    elif len(digits) != 6:
        c.count(CERT_NUMBER_FORMAT, len(digits))
    return c.result(value, digits)


_LONG_ACT_RECORDS_FROM = date(2019, 1, 1)


def _validate_act_record(value: str, context: Mapping[str, str] | None) -> ValidationResult:
    c = _Collector("birth_act_record_number")
    digits = _clean_number(value)
    if not digits:
        c.add(FIELD_EMPTY)
        return c.result(value, None)
    if not digits.isascii() or not digits.isdigit():
        c.add(NOT_DIGITS)
        return c.result(value, None)
    if len(digits) > 22:
        c.count(ACT_RECORD_FORMAT, len(digits))
        return c.result(value, digits)
    birth = _context_date(context, "birth_date")
    if birth is not None and birth >= _LONG_ACT_RECORDS_FROM and len(digits) <= 10:
        c.add(ACT_RECORD_SHORT, "warning")
    return c.result(value, digits)


# --- dates ----------------------------------------------------------------------------------


def _read_date(text: str) -> tuple[date | None, bool]:
    """(date, looked_like_a_date): the flag tells "no such day" from "not a date at all"."""
    parts = parse_date_parts(text)
    if parts is not None:
        try:
            return date(*parts), True
        except ValueError:
            return None, True
    return date_from_words(text), False


def _context_date(context: Mapping[str, str] | None, key: str) -> date | None:
    text = _ctx(context, key)
    return _read_date(text)[0] if text else None


def _eighteenth_birthday(birth: date) -> date:
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # 29 February
        return date(birth.year + 18, 3, 1)


_NO_EXPIRY_RE = re.compile(r"^(бессрочн\w*|без\s+срока|не\s+ограничен\w*|-+|—)$", re.IGNORECASE)


def _validate_date(
    field: str, value: str, today: date, context: Mapping[str, str] | None
) -> ValidationResult:
    c = _Collector(field)
    text = value.strip()
    if field == "policy_expiry_date" and (not text or _NO_EXPIRY_RE.match(text)):
        # Policies of citizens are valid "бессрочно": no expiry date is the normal case.
        return c.result(value, "")
    if not text:
        c.add(FIELD_EMPTY)
        return c.result(value, None)
    when, looked_like_date = _read_date(text)
    if when is None:
        c.add(DATE_NOT_REAL if looked_like_date else DATE_FORMAT)
        return c.result(value, None)
    normalized = when.isoformat()
    if when.year < 1900:
        c.add(DATE_TOO_OLD)
        return c.result(value, normalized)
    if field != "policy_expiry_date" and when > today:
        c.add(DATE_IN_FUTURE)
    if field == "birth_date" and when <= today and _eighteenth_birthday(when) <= today:
        c.add(CHILD_NOT_MINOR)
    if field in ("birth_certificate_issue_date", "policy_issue_date"):
        birth = _context_date(context, "birth_date")
        if birth is not None and when < birth:
            document = ("свидетельства", "certificate")
            if field == "policy_issue_date":
                document = ("полиса", "policy")
            c.add(ISSUED_BEFORE_BIRTH, document_ru=document[0], document_en=document[1])
    if field == "policy_expiry_date":
        issued = _context_date(context, "policy_issue_date")
        if issued is not None and when < issued:
            c.add(EXPIRY_BEFORE_ISSUE)
        elif when < today:
            c.add(POLICY_EXPIRED, "warning")
    return c.result(value, normalized)


# --- names and sex --------------------------------------------------------------------------

_NAME_RE = re.compile(r"^[А-ЯЁа-яё]+(?:[-' ][А-ЯЁа-яё]+)*$")
_CYRILLIC_OR_SEPARATOR_RE = re.compile(r"^[А-ЯЁа-яё' \-]+$")


def normalize_name(value: str) -> str:
    """Canonical spelling of a name part: look-alikes fixed, spaces collapsed, title case."""
    return name_case(normalize_name_chars(value))


def _validate_name(field: str, value: str) -> ValidationResult:
    c = _Collector(field)
    text = normalize_name_chars(value)
    if not text:
        if field == "patronymic":
            # Decision: a patronymic is given "if any" (при наличии): empty is valid.
            return c.result(value, "")
        c.add(FIELD_EMPTY)
        return c.result(value, None)
    if re.search(r"[A-Za-z]", text):
        c.add(NAME_LATIN)
        return c.result(value, None)
    if not _CYRILLIC_OR_SEPARATOR_RE.match(text):
        c.add(NAME_INVALID_CHARS)
        return c.result(value, None)
    if not _NAME_RE.match(text):
        c.add(NAME_FORMAT)
        return c.result(value, None)
    return c.result(value, name_case(text))


_SEX_WORDS: dict[str, str] = {
    "м": "М", "муж": "М", "мужской": "М", "мужск": "М", "m": "М", "male": "М", "1": "М",
    "ж": "Ж", "жен": "Ж", "женский": "Ж", "женск": "Ж", "f": "Ж", "female": "Ж", "2": "Ж",
}  # fmt: skip


def normalize_sex(value: str) -> str | None:
    """Read sex: "м", "муж.", "M", "1" → "М"; "ж", "жен.", "F", "2" → "Ж"; None otherwise."""
    key = value.strip().strip(".").casefold()
    return _SEX_WORDS.get(key)


def _validate_sex(value: str) -> ValidationResult:
    c = _Collector("sex")
    if not value.strip():
        c.add(FIELD_EMPTY)
        return c.result(value, None)
    normalized = normalize_sex(value)
    if normalized is None:
        c.add(SEX_FORMAT)
    return c.result(value, normalized)


# --- entry points ---------------------------------------------------------------------------

_Validator = Callable[[str, date, Mapping[str, str] | None], ValidationResult]

_VALIDATORS: dict[str, _Validator] = {
    "snils": lambda v, t, c: _validate_snils(v),
    "policy_number": _validate_policy_number,
    "policy_series": lambda v, t, c: _validate_policy_series(v, c),
    "birth_certificate_series": lambda v, t, c: _validate_certificate_series(v),
    "birth_certificate_number": lambda v, t, c: _validate_certificate_number(v),
    "birth_act_record_number": lambda v, t, c: _validate_act_record(v, c),
    "temporary_certificate_number": lambda v, t, c: _validate_temporary(v),
    "birth_date": lambda v, t, c: _validate_date("birth_date", v, t, c),
    "birth_certificate_issue_date": lambda v, t, c: _validate_date(
        "birth_certificate_issue_date", v, t, c
    ),
    "policy_issue_date": lambda v, t, c: _validate_date("policy_issue_date", v, t, c),
    "policy_expiry_date": lambda v, t, c: _validate_date("policy_expiry_date", v, t, c),
    "last_name": lambda v, t, c: _validate_name("last_name", v),
    "first_name": lambda v, t, c: _validate_name("first_name", v),
    "patronymic": lambda v, t, c: _validate_name("patronymic", v),
    "sex": lambda v, t, c: _validate_sex(v),
}


def validate_field(
    field: str,
    value: str,
    *,
    today: date | None = None,
    context: Mapping[str, str] | None = None,
) -> ValidationResult:
    """Check one field value by domain.md's rules.

    Args:
        field: one of :data:`VALIDATED_FIELDS`.
        value: the value as read or typed.
        today: the date to judge "future" and "under 18" against (default: today).
        context: other known fields: ``birth_date`` (for issue dates and act record numbers),
            ``policy_issue_date`` (for the expiry), ``policy_form`` (one of
            :data:`POLICY_FORMS`) and ``policy_series`` (for the policy number).

    Raises:
        UnknownFieldError: the field is not one of :data:`VALIDATED_FIELDS`.
    """
    validator = _VALIDATORS.get(field)
    if validator is None:
        raise UnknownFieldError(field=field, fields=", ".join(VALIDATED_FIELDS))
    return validator(value, today or date.today(), context)


# --- cross-checks ---------------------------------------------------------------------------


def _known(mapping: Mapping[str, str | None], key: str) -> str | None:
    value = mapping.get(key)
    return None if value is None else value.strip()


def cross_check(
    certificate: Mapping[str, str | None],
    policy: Mapping[str, str | None],
    today: date | None = None,
) -> tuple[Problem, ...]:
    """Check that the birth certificate and the policy describe the same minor child.

    Compares surname, name, patronymic (ignoring case, ё/е and Latin look-alikes) and the date
    of birth; checks that neither document was issued before the birth and that the child is
    under 18. A missing value (None) is not compared; an empty patronymic is compared (one
    document with a patronymic and one without is a mismatch). Every problem carries
    ``params`` ``field``, ``certificate_value`` and ``policy_value`` for the front end to show
    both readings.
    """
    today = today or date.today()
    problems: list[Problem] = []

    def add(
        spec: ProblemSpec, field: str, cert_value: str, policy_value: str, **extra: str
    ) -> None:
        problems.append(
            Problem.of(
                spec,
                "blocking",
                field=field,
                certificate_value=cert_value,
                policy_value=policy_value,
                **extra,
            )
        )

    for field in ("last_name", "first_name", "patronymic"):
        cert_value, policy_value = _known(certificate, field), _known(policy, field)
        if cert_value is None or policy_value is None:
            continue
        if field != "patronymic" and (not cert_value or not policy_value):
            continue  # an unread name is not a disagreement
        if not same_name(cert_value, policy_value):
            add(MISMATCH_SPECS[field], field, cert_value, policy_value)

    cert_birth_text = _known(certificate, "birth_date") or ""
    policy_birth_text = _known(policy, "birth_date") or ""
    cert_birth = _read_date(cert_birth_text)[0] if cert_birth_text else None
    policy_birth = _read_date(policy_birth_text)[0] if policy_birth_text else None
    if cert_birth is not None and policy_birth is not None and cert_birth != policy_birth:
        add(MISMATCH_SPECS["birth_date"], "birth_date", cert_birth_text, policy_birth_text)

    birth = cert_birth or policy_birth
    if birth is None:
        return tuple(problems)
    birth_text = birth.isoformat()

    policy_issue_text = _known(policy, "policy_issue_date") or ""
    policy_issue = _read_date(policy_issue_text)[0] if policy_issue_text else None
    if policy_issue is not None and policy_issue < birth:
        add(
            POLICY_ISSUED_BEFORE_BIRTH,
            "policy_issue_date",
            cert_birth_text,
            policy_issue_text,
            birth_date=birth_text,
        )

    cert_issue_text = _known(certificate, "birth_certificate_issue_date") or ""
    cert_issue = _read_date(cert_issue_text)[0] if cert_issue_text else None
    if cert_issue is not None and cert_issue < birth:
        add(
            CERTIFICATE_ISSUED_BEFORE_BIRTH,
            "birth_certificate_issue_date",
            cert_issue_text,
            "",
            birth_date=birth_text,
        )

    if _eighteenth_birthday(birth) <= today:
        add(
            CROSS_CHILD_NOT_MINOR,
            "birth_date",
            cert_birth_text,
            policy_birth_text,
            birth_date=birth_text,
        )
    return tuple(problems)


__all__ = [
    "FIELD_LABELS",
    "POLICY_FORMS",
    "VALIDATED_FIELDS",
    "UnknownFieldError",
    "ValidationResult",
    "cross_check",
    "enp_check_digit",
    "format_snils",
    "is_valid_enp",
    "is_valid_snils",
    "normalize_certificate_series",
    "normalize_name",
    "normalize_sex",
    "snils_checksum",
    "validate_field",
]
