"""The session's own refusals (stable codes, Russian and English, no personal data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from omsdesktop.errors import OmsError
from omsdesktop.forms.registry import BY_KEY
from omsdesktop.forms.validators import ValidationResult


class InvalidApplicationError(OmsError):
    """A field breaks a rule: the application is not sent (the portal would refuse it, and
    every refusal counts against the portal's limit of applications per family)."""

    code = "invalid_application"
    exit_code = 65
    message_ru = (
        "Заявление не отправлено: исправьте поля — {fields}. Подсказка у каждого поля "
        "объясняет, что не так."
    )
    message_en = (
        "The application was not sent: fix these fields — {fields_en}. The hint at each field "
        "says what is wrong."
    )

    def __init__(self, detail: str = "", *, keys: Sequence[str], **params: object) -> None:
        super().__init__(detail, **params)
        self.keys = tuple(keys)

    @classmethod
    def of(
        cls, keys: Sequence[str], results: Mapping[str, ValidationResult]
    ) -> InvalidApplicationError:
        labels = [BY_KEY[k] for k in keys]
        return cls(
            ", ".join(keys),
            keys=keys,
            fields=", ".join(f"«{f.label_ru}»" for f in labels),
            fields_en=", ".join(f"“{f.label_en}”" for f in labels),
        )


class NothingToSendError(OmsError):
    code = "nothing_to_send"
    exit_code = 65
    message_ru = "Заявление пустое: сначала загрузите документы или заполните поля."
    message_en = "The application is empty: load the documents or fill in the fields first."


class InvalidValueError(OmsError):
    """A script set a value that breaks the field's rule: nothing was saved."""

    code = "invalid_value"
    exit_code = 65
    message_ru = "Поле «{label}» не сохранено: {problem}"
    message_en = "“{label_en}” was not saved: {problem_en}"

    @classmethod
    def of(cls, key: str, verdict: ValidationResult) -> InvalidValueError:
        f = BY_KEY[key]
        blocking = [p for p in verdict.problems if p.severity == "blocking"]
        problem = blocking[0] if blocking else None
        return cls(
            key,
            label=f.label_ru,
            label_en=f.label_en,
            problem=problem.message if problem else "значение не подходит.",
            problem_en=(problem.message_en or problem.message) if problem else "invalid value.",
        )
