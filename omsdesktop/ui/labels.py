"""User-visible names of sources and states, marked for Qt Linguist; field labels.

The strings are Russian (the source language); ``tr_`` looks them up in the installed
translator at display time, so the English UI shows the English ones. Field labels are not
here: they come from the field registry (``omsdesktop/forms/registry.py``), in both languages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QT_TRANSLATE_NOOP as _QT_TRANSLATE_NOOP
from PySide6.QtCore import QCoreApplication, QLocale

from omsdesktop.forms.registry import BY_EXTRACTED, BY_KEY, FieldDef, in_group
from omsdesktop.forms.registry import GROUPS as REGISTRY_GROUPS

# The same marker lupdate looks for, typed as returning the string it is given.
QT_TRANSLATE_NOOP = cast(Callable[[str, str], str], _QT_TRANSLATE_NOOP)

CTX = "Labels"


def tr_(text: str) -> str:
    """Translate a string marked with ``QT_TRANSLATE_NOOP("Labels", ...)``."""
    return QCoreApplication.translate(CTX, text)


def current_lang() -> str:
    """The interface language installed by ``ui/i18n.py`` (it sets the default locale)."""
    return "en" if QLocale().language() == QLocale.Language.English else "ru"


GROUPS: tuple[tuple[str, str, tuple[FieldDef, ...]], ...] = tuple(
    (title_ru, title_en, in_group(group)) for group, title_ru, title_en in REGISTRY_GROUPS
)
"""The form's sections from the field registry: (Russian title, English title, fields)."""

FIELDS: tuple[FieldDef, ...] = tuple(f for _, _, fields in GROUPS for f in fields)
FIELD_BY_NAME: dict[str, FieldDef] = BY_KEY

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


def field_label(name: str, lang: str | None = None) -> str:
    """A field's label (draft key or extraction key) in the interface language."""
    spec = BY_KEY.get(name) or BY_EXTRACTED.get(name)
    return spec.label(lang or current_lang()) if spec is not None else name
