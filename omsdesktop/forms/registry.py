"""The one table of the application's fields.

Every place that lists fields reads this table: the readers' outputs, the merge of the two
documents, drafts, the validators' context, the batch report, the window's labels and the
portal payload. A field has one key in drafts (``child.last_name``), one key in extraction
(``last_name``), the documents that carry it, its Russian and English labels, its validator and
the other fields that validator needs, its key on the portal, and how two readings of it are
compared (``same_value``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from omsdesktop.forms.model import DocumentKind
from omsdesktop.forms.normalize import parse_date
from omsdesktop.text import fold, same_name

Group = Literal["child", "certificate", "policy", "applicant"]
Kind = Literal["text", "name", "date", "digits", "snils", "sex", "policy_form", "insurer"]
Compare = Literal["name", "date", "digits", "text"]

CERT = DocumentKind.BIRTH_CERTIFICATE
POLICY = DocumentKind.OMS_POLICY


@dataclass(frozen=True)
class FieldDef:
    """One field of the application.

    Attributes:
        key: the field's key in drafts, the CLI and the testers' driver (``child.last_name``).
        extracted: its key in an extracted document (``last_name``), None if only typed.
        documents: the documents that print it (both for the child's identity).
        group: the form section it is shown in.
        label_ru, label_en: its label.
        kind: how it is edited and shown (``date``, ``sex``, ``policy_form`` …).
        validator: the ``validate_field`` rule, None for free text.
        context: what the validator needs: ``(context name, draft key)`` pairs.
        portal_key: its path in the portal's payload (``birth_certificate.series``).
        compare: how two readings are compared: ``name`` (case, ё/е and Latin look-alikes
            ignored), ``date`` (the same day however written), ``digits``, ``text`` (case and
            spaces ignored).
        required: the portal requires it.
        blank_counts: an empty reading is a value (a patronymic «при наличии»: one document
            with it and one without disagree), not an unread field.
    """

    key: str
    extracted: str | None
    documents: frozenset[DocumentKind]
    group: Group
    label_ru: str
    label_en: str
    kind: Kind = "text"
    validator: str | None = None
    context: tuple[tuple[str, str], ...] = ()
    portal_key: str = ""
    compare: Compare = "text"
    required: bool = False
    blank_counts: bool = False

    def label(self, lang: str = "ru") -> str:
        return self.label_en if lang == "en" else self.label_ru

    def long_label(self, lang: str = "ru") -> str:
        """The label with its section, for lists outside the form: «Свидетельство: серия»."""
        section, label = _SECTION_NAMES[self.group][lang == "en"], self.label(lang)
        if label[1:2].islower():
            label = label[0].lower() + label[1:]
        return f"{section}: {label}"

    @property
    def shared(self) -> bool:
        """Printed on both documents: the merge chooses between two readings."""
        return len(self.documents) > 1


def _f(
    key: str,
    extracted: str | None,
    documents: tuple[DocumentKind, ...],
    label_ru: str,
    label_en: str,
    **kw: object,
) -> FieldDef:
    group = kw.pop("group", None) or {
        "child": "child",
        "cert": "certificate",
        "policy": "policy",
    }.get(key.split(".")[0], "applicant")
    kw.setdefault("portal_key", key)
    return FieldDef(key, extracted, frozenset(documents), group, label_ru, label_en, **kw)  # type: ignore[arg-type]


_BIRTH = (("birth_date", "child.birth_date"),)

FIELDS: tuple[FieldDef, ...] = (
    # The child (the surname, names and date of birth are printed on both documents).
    _f("child.last_name", "last_name", (CERT, POLICY), "Фамилия", "Surname",
       kind="name", validator="last_name", compare="name", required=True),
    _f("child.first_name", "first_name", (CERT, POLICY), "Имя", "Name",
       kind="name", validator="first_name", compare="name", required=True),
    _f("child.patronymic", "patronymic", (CERT, POLICY), "Отчество", "Patronymic",
       kind="name", validator="patronymic", compare="name", blank_counts=True),
    _f("child.birth_date", "birth_date", (CERT, POLICY), "Дата рождения", "Date of birth",
       kind="date", validator="birth_date", compare="date", required=True),
    _f("policy.sex", "sex", (POLICY,), "Пол", "Sex", kind="sex", validator="sex", group="child"),
    _f("child.snils", None, (), "СНИЛС ребёнка", "Child's SNILS",
       kind="snils", validator="snils", compare="digits"),
    # The birth certificate.
    _f("cert.series", "birth_certificate_series", (CERT,), "Серия", "Series",
       validator="birth_certificate_series", portal_key="birth_certificate.series"),
    _f("cert.number", "birth_certificate_number", (CERT,), "Номер", "Number",
       kind="digits", validator="birth_certificate_number", compare="digits",
       portal_key="birth_certificate.number"),
    _f("cert.issue_date", "birth_certificate_issue_date", (CERT,), "Дата выдачи", "Issue date",
       kind="date", validator="birth_certificate_issue_date", context=_BIRTH, compare="date",
       portal_key="birth_certificate.issue_date"),
    _f("cert.act_record_number", "birth_act_record_number", (CERT,), "Номер записи акта",
       "Act record number", kind="digits", validator="birth_act_record_number",
       context=_BIRTH, compare="digits", portal_key="birth_certificate.act_record_number"),
    _f("cert.birth_place", "birth_place", (CERT,), "Место рождения", "Place of birth",
       portal_key="birth_certificate.birth_place"),
    # The policy.
    _f("policy.form", "policy_form", (POLICY,), "Форма полиса", "Policy form",
       kind="policy_form"),
    _f("policy.series", "policy_series", (POLICY,), "Серия полиса", "Policy series",
       validator="policy_series", context=(("policy_form", "policy.form"),)),
    _f("policy.number", "policy_number", (POLICY,), "Номер полиса", "Policy number",
       kind="digits", validator="policy_number", compare="digits", required=True,
       context=(("policy_form", "policy.form"), ("policy_series", "policy.series"))),
    _f("policy.issue_date", "policy_issue_date", (POLICY,), "Дата выдачи полиса",
       "Policy issue date", kind="date", validator="policy_issue_date", context=_BIRTH,
       compare="date"),
    _f("policy.expiry_date", "policy_expiry_date", (POLICY,), "Действует до", "Valid until",
       kind="date", validator="policy_expiry_date", compare="date",
       context=(("policy_issue_date", "policy.issue_date"), ("birth_date", "child.birth_date"))),
    _f("policy.insurer", "insurer", (POLICY,), "Страховая компания", "Insurer", kind="insurer"),
    # The applicant (typed: the documents do not carry them).
    _f("applicant.full_name", None, (), "ФИО заявителя", "Applicant's full name"),
    _f("applicant.snils", None, (), "СНИЛС заявителя", "Applicant's SNILS",
       kind="snils", validator="snils", compare="digits"),
)  # fmt: skip

GROUPS: tuple[tuple[Group, str, str], ...] = (
    ("child", "Ребёнок", "Child"),
    ("certificate", "Свидетельство о рождении", "Birth certificate"),
    ("policy", "Полис ОМС", "OMS policy"),
    ("applicant", "Заявитель (родитель)", "Applicant (parent)"),
)
"""The form's sections in display order: (group, Russian label, English label)."""

_SECTION_NAMES: dict[str, tuple[str, str]] = {
    "child": ("Ребёнок", "Child"),
    "certificate": ("Свидетельство", "Certificate"),
    "policy": ("Полис", "Policy"),
    "applicant": ("Заявитель", "Applicant"),
}

BY_KEY: dict[str, FieldDef] = {f.key: f for f in FIELDS}
BY_EXTRACTED: dict[str, FieldDef] = {f.extracted: f for f in FIELDS if f.extracted}
DRAFT_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
"""Every field a draft may hold; values are strings, dates ``YYYY-MM-DD``."""


def fields_of(document: DocumentKind) -> tuple[FieldDef, ...]:
    """The fields a document prints, in the table's order."""
    return tuple(f for f in FIELDS if document in f.documents)


BIRTH_CERTIFICATE_FIELDS: tuple[str, ...] = tuple(
    f.extracted for f in fields_of(CERT) if f.extracted is not None
)
"""The extraction keys a birth certificate reader returns."""
OMS_POLICY_FIELDS: tuple[str, ...] = tuple(
    f.extracted for f in fields_of(POLICY) if f.extracted is not None
)
"""The extraction keys a policy reader returns."""


def in_group(group: Group) -> tuple[FieldDef, ...]:
    return tuple(f for f in FIELDS if f.group == group)


def field(key: str) -> FieldDef:
    """The field with this draft key or extraction key; KeyError names the known keys."""
    found = BY_KEY.get(key) or BY_EXTRACTED.get(key)
    if found is None:
        raise KeyError(f"unknown field {key!r}; fields: {', '.join(DRAFT_KEYS)}")
    return found


def _as_date(text: str) -> date | None:
    return parse_date(text)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def same_value(f: FieldDef, a: str, b: str) -> bool:
    """Do two readings of ``f`` say the same thing (the one «same value» rule)?"""
    if f.compare == "name":
        return same_name(a, b)
    if f.compare == "date":
        da, db = _as_date(a), _as_date(b)
        if da is not None and db is not None:
            return da == db
        return fold(a) == fold(b)
    if f.compare == "digits":
        return _digits(a) == _digits(b)
    return " ".join(fold(a).split()) == " ".join(fold(b).split())


def validation_context(f: FieldDef, values: Mapping[str, str | None]) -> dict[str, str]:
    """The other fields ``f``'s validator needs, from draft values by draft key."""
    return {name: values.get(key) or "" for name, key in f.context}


__all__ = [
    "BIRTH_CERTIFICATE_FIELDS",
    "BY_EXTRACTED",
    "BY_KEY",
    "DRAFT_KEYS",
    "FIELDS",
    "GROUPS",
    "OMS_POLICY_FIELDS",
    "FieldDef",
    "field",
    "fields_of",
    "in_group",
    "same_value",
    "validation_context",
]
