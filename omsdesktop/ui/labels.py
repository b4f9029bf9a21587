"""User-visible names of fields, sources and states, marked for Qt Linguist.

The strings are Russian (the source language); ``tr_`` looks them up in the installed
translator at display time, so the English UI shows the English ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import QT_TRANSLATE_NOOP as _QT_TRANSLATE_NOOP
from PySide6.QtCore import QCoreApplication

# The same marker lupdate looks for, typed as returning the string it is given.
QT_TRANSLATE_NOOP = cast(Callable[[str, str], str], _QT_TRANSLATE_NOOP)

CTX = "Labels"


def tr_(text: str) -> str:
    """Translate a string marked with ``QT_TRANSLATE_NOOP("Labels", ...)``."""
    return QCoreApplication.translate(CTX, text)


@dataclass(frozen=True)
class FieldSpec:
    """One field of the application form.

    Attributes:
        name: the draft field name (``child.last_name``).
        label: its label (Russian source, translated on display).
        validator: the ``validate_field`` name, or None when the value is free text.
        kind: ``text``, ``date``, ``snils``, ``sex``, ``policy_form`` or ``insurer``.
        certificate, policy: the field's name in an extracted certificate / policy, if any.
    """

    name: str
    label: str
    validator: str | None = None
    kind: str = "text"
    certificate: str | None = None
    policy: str | None = None


GROUPS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        QT_TRANSLATE_NOOP("Labels", "Ребёнок"),
        (
            FieldSpec(
                "child.last_name",
                QT_TRANSLATE_NOOP("Labels", "Фамилия"),
                "last_name",
                certificate="last_name",
                policy="last_name",
            ),
            FieldSpec(
                "child.first_name",
                QT_TRANSLATE_NOOP("Labels", "Имя"),
                "first_name",
                certificate="first_name",
                policy="first_name",
            ),
            FieldSpec(
                "child.patronymic",
                QT_TRANSLATE_NOOP("Labels", "Отчество"),
                "patronymic",
                certificate="patronymic",
                policy="patronymic",
            ),
            FieldSpec(
                "child.birth_date",
                QT_TRANSLATE_NOOP("Labels", "Дата рождения"),
                "birth_date",
                "date",
                certificate="birth_date",
                policy="birth_date",
            ),
            FieldSpec("policy.sex", QT_TRANSLATE_NOOP("Labels", "Пол"), "sex", "sex", policy="sex"),
            FieldSpec(
                "child.snils", QT_TRANSLATE_NOOP("Labels", "СНИЛС ребёнка"), "snils", "snils"
            ),
        ),
    ),
    (
        QT_TRANSLATE_NOOP("Labels", "Свидетельство о рождении"),
        (
            FieldSpec(
                "cert.series",
                QT_TRANSLATE_NOOP("Labels", "Серия"),
                "birth_certificate_series",
                certificate="birth_certificate_series",
            ),
            FieldSpec(
                "cert.number",
                QT_TRANSLATE_NOOP("Labels", "Номер"),
                "birth_certificate_number",
                certificate="birth_certificate_number",
            ),
            FieldSpec(
                "cert.issue_date",
                QT_TRANSLATE_NOOP("Labels", "Дата выдачи"),
                "birth_certificate_issue_date",
                "date",
                certificate="birth_certificate_issue_date",
            ),
            FieldSpec(
                "cert.act_record_number",
                QT_TRANSLATE_NOOP("Labels", "Номер записи акта"),
                "birth_act_record_number",
                certificate="birth_act_record_number",
            ),
            FieldSpec(
                "cert.birth_place",
                QT_TRANSLATE_NOOP("Labels", "Место рождения"),
                certificate="birth_place",
            ),
        ),
    ),
    (
        QT_TRANSLATE_NOOP("Labels", "Полис ОМС"),
        (
            FieldSpec(
                "policy.form",
                QT_TRANSLATE_NOOP("Labels", "Форма полиса"),
                None,
                "policy_form",
                policy="policy_form",
            ),
            FieldSpec(
                "policy.series",
                QT_TRANSLATE_NOOP("Labels", "Серия полиса"),
                "policy_series",
                policy="policy_series",
            ),
            FieldSpec(
                "policy.number",
                QT_TRANSLATE_NOOP("Labels", "Номер полиса"),
                "policy_number",
                policy="policy_number",
            ),
            FieldSpec(
                "policy.issue_date",
                QT_TRANSLATE_NOOP("Labels", "Дата выдачи полиса"),
                "policy_issue_date",
                "date",
                policy="policy_issue_date",
            ),
            FieldSpec(
                "policy.expiry_date",
                QT_TRANSLATE_NOOP("Labels", "Действует до"),
                "policy_expiry_date",
                "date",
                policy="policy_expiry_date",
            ),
            FieldSpec(
                "policy.insurer",
                QT_TRANSLATE_NOOP("Labels", "Страховая компания"),
                None,
                "insurer",
                policy="insurer",
            ),
        ),
    ),
    (
        QT_TRANSLATE_NOOP("Labels", "Заявитель (родитель)"),
        (
            FieldSpec("applicant.full_name", QT_TRANSLATE_NOOP("Labels", "ФИО заявителя")),
            FieldSpec(
                "applicant.snils", QT_TRANSLATE_NOOP("Labels", "СНИЛС заявителя"), "snils", "snils"
            ),
        ),
    ),
)

FIELDS: tuple[FieldSpec, ...] = tuple(spec for _, specs in GROUPS for spec in specs)
FIELD_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}

SOURCE_NAMES: dict[str, str] = {
    "barcode": QT_TRANSLATE_NOOP("Labels", "штрихкод"),
    "ocr": QT_TRANSLATE_NOOP("Labels", "распознано"),
    "typed": QT_TRANSLATE_NOOP("Labels", "введено"),
}

POLICY_FORM_NAMES: dict[str, str] = {
    "unified": QT_TRANSLATE_NOOP("Labels", "единого образца (бумажный)"),
    "card": QT_TRANSLATE_NOOP("Labels", "пластиковая карта"),
    "electronic": QT_TRANSLATE_NOOP("Labels", "электронный"),
    "old": QT_TRANSLATE_NOOP("Labels", "старого образца"),
    "temporary": QT_TRANSLATE_NOOP("Labels", "временное свидетельство"),
}

SEX_NAMES: dict[str, str] = {
    "М": QT_TRANSLATE_NOOP("Labels", "мужской"),
    "Ж": QT_TRANSLATE_NOOP("Labels", "женский"),
}

DOCUMENT_NAMES: dict[str, str] = {
    "birth_certificate": QT_TRANSLATE_NOOP("Labels", "Свидетельство о рождении"),
    "oms_policy": QT_TRANSLATE_NOOP("Labels", "Полис ОМС"),
}

PORTAL_STATUS_NAMES: dict[str, str] = {
    "under_review": QT_TRANSLATE_NOOP("Labels", "на проверке"),
    "needs_clarification": QT_TRANSLATE_NOOP("Labels", "нужно уточнить данные"),
    "approved": QT_TRANSLATE_NOOP("Labels", "одобрено"),
    "rejected": QT_TRANSLATE_NOOP("Labels", "отклонено"),
}

SUBMISSION_STATE_NAMES: dict[str, str] = {
    "queued": QT_TRANSLATE_NOOP("Labels", "в очереди, будет отправлено"),
    "sent": QT_TRANSLATE_NOOP("Labels", "принято порталом"),
    "failed": QT_TRANSLATE_NOOP("Labels", "не принято порталом"),
}

DRAFT_STATE_NAMES: dict[str, str] = {
    "editing": QT_TRANSLATE_NOOP("Labels", "черновик"),
    "queued": QT_TRANSLATE_NOOP("Labels", "в очереди на отправку"),
    "submitted": QT_TRANSLATE_NOOP("Labels", "отправлено"),
}


def field_label(name: str) -> str:
    spec = FIELD_BY_NAME.get(name)
    return tr_(spec.label) if spec is not None else name
