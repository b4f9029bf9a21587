"""Typed portal errors: stable codes, Russian and English messages, no personal data.

``transient`` errors leave a submission in the outbox (it is retried by ``outbox flush`` with
the same idempotency key); the others are final answers of the portal.
"""

from __future__ import annotations

from typing import ClassVar

from omsdesktop.errors import OmsError


class PortalError(OmsError):
    code = "portal_error"
    transient: ClassVar[bool] = True
    message_ru = "Ошибка обмена с порталом. Повторите позже."
    message_en = "Error talking to the portal. Try again later."


class PortalUnreachableError(PortalError):
    code = "portal_unreachable"
    exit_code = 75  # EX_TEMPFAIL: queued, try again later
    message_ru = (
        "Портал недоступен (нет соединения). Заявление сохранено в очереди и будет отправлено "
        "командой omsdesktop outbox flush, когда связь появится. Повторно его заполнять не нужно."
    )
    message_en = (
        "The portal is unreachable (no connection). The application is queued and will be sent "
        "by omsdesktop outbox flush once the connection is back. No need to fill it in again."
    )


class PortalConnectionLostError(PortalUnreachableError):
    """The connection broke mid-request: the portal may or may not have done the work."""

    code = "portal_connection_lost"
    message_ru = (
        "Связь с порталом прервалась во время отправки. Заявление осталось в очереди; "
        "повторная отправка (omsdesktop outbox flush) не создаст дубликат."
    )
    message_en = (
        "The connection to the portal broke while sending. The application stays queued; "
        "sending it again (omsdesktop outbox flush) will not create a duplicate."
    )


class PortalTimeoutError(PortalError):
    code = "portal_timeout"
    exit_code = 75
    message_ru = (
        "Портал не ответил вовремя. Заявление осталось в очереди; повторная отправка "
        "(omsdesktop outbox flush) не создаст дубликат."
    )
    message_en = (
        "The portal did not answer in time. The application stays queued; sending it again "
        "(omsdesktop outbox flush) will not create a duplicate."
    )


class PortalUnavailableError(PortalError):
    code = "portal_unavailable"
    exit_code = 75
    message_ru = (
        "Портал временно не принимает заявления (перегружен или на обслуживании). Заявление "
        "осталось в очереди; отправьте его позже командой omsdesktop outbox flush."
    )
    message_en = (
        "The portal is temporarily not accepting applications (busy or under maintenance). "
        "The application stays queued; send it later with omsdesktop outbox flush."
    )


class PortalBadResponseError(PortalError):
    code = "portal_bad_response"
    exit_code = 75
    message_ru = (
        "Портал прислал непонятный ответ. Заявление осталось в очереди; повторите отправку "
        "позже (дубликата не будет). Если ошибка повторяется, сообщите в поддержку."
    )
    message_en = (
        "The portal sent an unreadable answer. The application stays queued; send it again "
        "later (no duplicate will be created). If this persists, contact support."
    )


class AuthFailedError(PortalError):
    code = "auth_failed"
    exit_code = 77  # EX_NOPERM
    message_ru = (
        "Портал не принял токен доступа. Сохраните действующий токен командой "
        "omsdesktop portal-token и повторите (заявление осталось в очереди)."
    )
    message_en = (
        "The portal refused the access token. Store a valid token with omsdesktop portal-token "
        "and retry (the application stays queued)."
    )


class PortalTokenMissingError(PortalError):
    code = "portal_token_missing"
    exit_code = 77
    message_ru = (
        "Не задан токен доступа к порталу {portal}. Сохраните его командой "
        "omsdesktop portal-token --portal {portal} или задайте OMSDESKTOP_PORTAL_TOKEN."
    )
    message_en = (
        "No access token for the portal {portal}. Store it with omsdesktop portal-token "
        "--portal {portal} or set OMSDESKTOP_PORTAL_TOKEN."
    )


class InsecurePortalUrlError(PortalError):
    code = "portal_insecure_url"
    transient = False
    exit_code = 2
    message_ru = (
        "Адрес портала {portal} не защищён: нужен https://. Без шифрования (http://) можно "
        "обращаться только к учебному порталу на этом компьютере (127.0.0.1, localhost)."
    )
    message_en = (
        "The portal address {portal} is not secure: https:// is required. Plain http:// is "
        "allowed only for the training portal on this computer (127.0.0.1, localhost)."
    )


class PortalRejectedError(PortalError):
    """The portal refused the data; nothing was created there. ``reason`` is its message."""

    code = "portal_rejected"
    transient = False
    exit_code = 1
    message_ru = "Портал отклонил заявление: {reason}. Исправьте данные и отправьте снова."
    message_en = "The portal rejected the application: {reason}. Fix the data and send again."

    def __init__(
        self,
        detail: str = "",
        *,
        reason: str,
        portal_code: str = "",
        fields: tuple[str, ...] = (),
    ) -> None:
        super().__init__(detail, reason=reason)
        self.reason = reason
        self.portal_code = portal_code
        self.fields = fields


class PortalDuplicateError(PortalRejectedError):
    code = "portal_duplicate"
    message_ru = (
        "На портале уже есть заявление с этим полисом, оно на проверке: {reason}. Повторно "
        "подавать не нужно, дождитесь ответа по первому заявлению."
    )
    message_en = (
        "The portal already has an application with this policy under review: {reason}. "
        "Do not file again; wait for the answer to the first one."
    )


class PortalNotFoundError(PortalError):
    code = "portal_not_found"
    transient = False
    message_ru = "Портал не нашёл заявление {portal_id}. Проверьте адрес портала в настройках."
    message_en = "The portal has no application {portal_id}. Check the portal address."


class NotSubmittedError(PortalError):
    code = "not_submitted"
    transient = False
    message_ru = (
        "Черновик {draft_id} ещё не отправлялся на портал. Отправьте его: omsdesktop submit."
    )
    message_en = "Draft {draft_id} has not been sent yet. Send it with omsdesktop submit."


class AttachmentTooLargeError(PortalError):
    code = "attachment_too_large"
    transient = False
    message_ru = (
        "Скан документа не удаётся уменьшить до {limit_mb} МБ без потери читаемости. "
        "Отсканируйте документ заново с разрешением 200–300 dpi."
    )
    message_en = (
        "The document scan cannot be reduced to {limit_mb} MB without losing legibility. "
        "Scan the document again at 200–300 dpi."
    )


class PortalOutcomeUnknownError(PortalConnectionLostError):
    """A request that changes the portal (reserve an order, push an archive) got no answer.

    The portal may or may not have done it. There is no idempotency key in the EPGU API, so it
    is never simply repeated: the outbox asks the portal what the order holds first.
    """

    code = "portal_outcome_unknown"
    message_ru = (
        "Портал не ответил, приняв ли запрос. Заявление осталось в очереди; перед повторной "
        "отправкой программа спросит портал о состоянии заявления, дубликата не будет."
    )
    message_en = (
        "The portal did not say whether it took the request. The application stays queued; "
        "before sending again the program asks the portal about it, so no duplicate is filed."
    )


class PortalLimitError(PortalUnavailableError):
    """429 or LIMITATION_EXCEPTION past the retries: the portal's limits, try later."""

    code = "portal_limit"
    message_ru = (
        "Портал ограничил число запросов (не более 20 заявлений по услуге за 10 минут от "
        "одного пользователя). Заявление осталось в очереди и уйдёт позже само."
    )
    message_en = (
        "The portal limited the requests (at most 20 applications per service per user in 10 "
        "minutes). The application stays queued and will be sent later."
    )


class PortalApiMismatchError(PortalError):
    """A queued submission speaks another API than the adapter it was given."""

    code = "portal_api_mismatch"
    exit_code = 75
    message_ru = (
        "Заявление поставлено в очередь для протокола «{expected}», а программа настроена на "
        "«{actual}». Верните настройку portal.api или отправьте очередь с --api {expected}."
    )
    message_en = (
        "The application was queued for the «{expected}» API, but the program is set to "
        "«{actual}». Restore the portal.api setting or flush with --api {expected}."
    )


class EpguNotConfiguredError(PortalError):
    """The EPGU service and target codes are settings the organisation must supply."""

    code = "epgu_not_configured"
    transient = False
    exit_code = 78  # EX_CONFIG
    message_ru = (
        "Не заданы коды услуги и цели ЕПГУ (portal.service_code, portal.target_code). В "
        "открытом каталоге услуги для прикрепления полиса ОМС пока нет: коды выдаются "
        "организации при регистрации её услуги. Укажите их в настройках."
    )
    message_en = (
        "The EPGU service and target codes are not set (portal.service_code, "
        "portal.target_code). The public catalogue has no service for attaching an OMS policy "
        "yet: the organisation gets the codes when its service is registered."
    )


class ArchiveInvalidError(PortalError):
    """The application XML or the archive broke our schema: nothing is sent."""

    code = "archive_invalid"
    transient = False
    exit_code = 65
    message_ru = "Заявление не отправлено: архив не прошёл проверку ({reason})."
    message_en = "The application was not sent: the archive failed the check ({reason})."

    def __init__(self, detail: str = "", *, reason: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(detail, reason=reason)
        self.reason = reason
        self.fields = fields
