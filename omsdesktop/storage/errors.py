"""Typed storage errors (stable codes, Russian and English messages, no personal data)."""

from __future__ import annotations

from typing import Any

from omsdesktop.errors import OmsError
from omsdesktop.errors import UnknownFieldError as UnknownFieldError  # one for every layer


class StorageError(OmsError):
    code = "storage_error"
    message_ru = "Ошибка базы данных черновиков. Повторите действие."
    message_en = "Draft database error. Please try again."


class DatabaseUnavailableError(StorageError):
    code = "database_unavailable"
    exit_code = 69
    message_ru = (
        "База данных черновиков недоступна ({where}). Проверьте адрес базы в настройках или "
        "в OMSDESKTOP_DATABASE_URL, сеть и права доступа, затем повторите."
    )
    message_en = (
        "The draft database is unavailable ({where}). Check the database address in the "
        "settings or OMSDESKTOP_DATABASE_URL, the network and permissions, then try again."
    )


class DatabaseTooNewError(StorageError):
    code = "database_too_new"
    exit_code = 69
    message_ru = (
        "База данных создана более новой версией программы. Обновите программу на этом рабочем "
        "месте."
    )
    message_en = "The database was created by a newer version of the program. Update the program."


class DraftNotFoundError(StorageError):
    code = "draft_not_found"
    message_ru = "Черновик {draft_id} не найден. Проверьте номер: omsdesktop draft list."
    message_en = "Draft {draft_id} not found. Check the id: omsdesktop draft list."


class AttachmentNotFoundError(StorageError):
    code = "attachment_not_found"
    message_ru = "Вложение {attachment_id} не найдено."
    message_en = "Attachment {attachment_id} not found."


class ConflictError(StorageError):
    """Another desk saved the draft after this one loaded it (optimistic locking).

    Nothing was written. ``unsaved`` holds the edits that were not saved (the caller keeps them
    on screen); ``current_version`` is the version now in the database.
    """

    code = "conflict"
    exit_code = 3
    message_ru = (
        "Черновик уже изменили на другом рабочем месте ({operator}). Ваши правки не записаны, "
        "но не потеряны: они остались на экране. Откройте черновик заново, сравните с новой "
        "версией и внесите свои правки ещё раз."
    )
    message_en = (
        "The draft was changed at another desk ({operator}). Your edits were not written but "
        "are not lost: they are still on screen. Reopen the draft, compare it with the new "
        "version and enter your edits again."
    )

    def __init__(
        self,
        detail: str = "",
        *,
        draft_id: str,
        current_version: int,
        operator: str,
        unsaved: Any = None,
    ) -> None:
        super().__init__(detail, draft_id=draft_id, operator=operator)
        self.draft_id = draft_id
        self.current_version = current_version
        self.unsaved = unsaved


class DraftLockedError(StorageError):
    code = "draft_locked"
    exit_code = 3
    message_ru = (
        "Черновик уже передан на отправку или отправлен на портал, изменить его нельзя. "
        "Если нужно исправить данные, дождитесь ответа портала."
    )
    message_en = (
        "The draft is queued for sending or already sent; it cannot be changed. "
        "Wait for the portal's answer if the data need fixing."
    )


class AlreadySubmittedError(StorageError):
    code = "already_submitted"
    exit_code = 3
    message_ru = (
        "Это заявление уже отправлено или стоит в очереди на отправку. Повторно его не "
        "отправляют: смотрите состояние командой omsdesktop status."
    )
    message_en = (
        "This application is already sent or queued. It is never sent twice: "
        "see its state with omsdesktop status."
    )


class EncryptionKeyMismatchError(StorageError):
    code = "encryption_key_mismatch"
    exit_code = 69
    message_ru = (
        "Ключ шифрования на этом рабочем месте не подходит к базе данных. Данные не повреждены. "
        "Установите ключ, которым база была создана (см. docs/storage-and-privacy.md, раздел "
        "о ключе), и повторите."
    )
    message_en = (
        "This desk's encryption key does not match the database. The data are intact. Install "
        "the key the database was created with (see docs/storage-and-privacy.md) and retry."
    )


class EncryptionKeyUnavailableError(StorageError):
    code = "encryption_key_unavailable"
    exit_code = 69
    message_ru = (
        "Не удалось прочитать или создать ключ шифрования ({where}). Проверьте права на папку "
        "данных программы и повторите."
    )
    message_en = (
        "Could not read or create the encryption key ({where}). Check the permissions of the "
        "program's data folder and try again."
    )


class DataCorruptedError(StorageError):
    code = "data_corrupted"
    message_ru = (
        "Зашифрованные данные черновика повреждены или изменены вне программы. "
        "Восстановите базу из резервной копии или создайте черновик заново."
    )
    message_en = (
        "Encrypted draft data are damaged or were changed outside the program. Restore the "
        "database from a backup or create the draft again."
    )
