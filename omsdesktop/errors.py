"""Typed errors with stable codes and bilingual messages.

Every failure a user can meet is an :class:`OmsError` subclass. The class carries a stable
``code`` (used by the CLI's JSON and by tests) and message templates in Russian (first) and
English. Front ends call :meth:`OmsError.message`; they never show a traceback.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

Lang = Literal["ru", "en"]


class OmsError(Exception):
    """Base of every expected failure.

    Subclasses set ``code``, ``message_ru`` and ``message_en``. Templates may use
    ``str.format`` fields filled from the keyword arguments given to the constructor.
    Never put personal data (names, numbers) into those arguments: messages may be logged.
    """

    code: ClassVar[str] = "error"
    exit_code: ClassVar[int] = 1
    message_ru: ClassVar[str] = "Произошла ошибка. Повторите действие."
    message_en: ClassVar[str] = "Something went wrong. Please try again."

    def __init__(self, detail: str = "", **params: Any) -> None:
        self.detail = detail
        self.params = params
        super().__init__(f"{self.code}: {detail}" if detail else self.code)

    def message(self, lang: Lang = "ru") -> str:
        template = self.message_ru if lang == "ru" else self.message_en
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return template

    def to_json(self, lang: Lang = "ru") -> dict[str, str]:
        return {"code": self.code, "message": self.message(lang)}


class UsageError(OmsError):
    code = "usage"
    exit_code = 2
    message_ru = "Неверные параметры команды: {what}"
    message_en = "Invalid command arguments: {what}"


class InternalError(OmsError):
    """Wraps an unexpected exception so the user still gets a message, not a traceback."""

    code = "internal_error"
    message_ru = (
        "Внутренняя ошибка программы при обработке файла. Попробуйте другой файл или "
        "сообщите в поддержку."
    )
    message_en = "Internal error while processing the file. Try another file or contact support."


class CancelledError(OmsError):
    """The user (or the caller's ``cancelled()`` callback) stopped a long job.

    The one cancellation error of every layer: file intake, straightening, reading a document,
    preparing an attachment, batch intake. Its exit status is the shell's for Ctrl-C.
    """

    code = "cancelled"
    exit_code = 130
    message_ru = "Действие отменено. Чтобы продолжить, запустите его снова."
    message_en = "The action was cancelled. Start it again to continue."


class UnknownFieldError(OmsError):
    """A field name that is not one of the application's (a typo in a script or a test)."""

    code = "unknown_field"
    exit_code = 2
    message_ru = "Неизвестное поле «{field}». Допустимые поля: {fields}."
    message_en = "Unknown field “{field}”. Known fields: {fields}."
