"""Typed scanner errors: what went wrong at the scanner and what the operator should do.

Every backend maps its own failures (SANE status codes, eSCL HTTP answers and scanner states,
WIA HRESULTs, a worker process that died) onto these classes, so the window and the CLI show
the same clear message whatever the scanner. Messages never contain personal data; the
``detail`` (logged, never shown) names the backend's own code.
"""

from __future__ import annotations

from typing import Any

from omsdesktop.errors import CancelledError, Lang, OmsError


class ScannerError(OmsError):
    """Base of every scanner failure."""

    code = "scanner_error"
    exit_code = 1
    message_ru = (
        "Сканер сообщил об ошибке. Посмотрите на экран или индикаторы сканера, выключите и "
        "включите его и повторите сканирование."
    )
    message_en = (
        "The scanner reported an error. Check the scanner's display or lights, switch it off "
        "and on, and scan again."
    )


class ScannerBusyError(ScannerError):
    code = "scanner_busy"
    message_ru = (
        "Сканер занят: он выполняет другое задание или им пользуется другая программа или "
        "другой компьютер. Дождитесь окончания, закройте другие программы сканирования и "
        "повторите."
    )
    message_en = (
        "The scanner is busy with another job, program or computer. Wait until it finishes, "
        "close other scanning programs and try again."
    )


class ScannerJammedError(ScannerError):
    code = "scanner_jammed"
    message_ru = (
        "В автоподатчике сканера застряла бумага. Откройте крышку податчика, аккуратно "
        "извлеките лист, положите документы заново и повторите сканирование."
    )
    message_en = (
        "Paper is jammed in the document feeder. Open the feeder cover, remove the sheet "
        "carefully, reload the documents and scan again."
    )


class ScannerOutOfPaperError(ScannerError):
    code = "scanner_no_paper"
    message_ru = (
        "В автоподатчике нет документов. Положите листы в податчик (лицевой стороной, как "
        "показано на сканере) или выберите сканирование со стекла."
    )
    message_en = (
        "The document feeder is empty. Load the sheets into the feeder (face as shown on the "
        "scanner) or choose to scan from the glass."
    )


class ScannerCoverOpenError(ScannerError):
    code = "scanner_cover_open"
    message_ru = "Крышка сканера или автоподатчика открыта. Закройте её и повторите сканирование."
    message_en = "The scanner or feeder cover is open. Close it and scan again."


class ScannerDisconnectedError(ScannerError):
    code = "scanner_disconnected"
    message_ru = (
        "Связь со сканером прервалась во время сканирования. Проверьте кабель USB или сеть и "
        "питание сканера, затем повторите сканирование."
    )
    message_en = (
        "The connection to the scanner was lost during the scan. Check the USB cable or the "
        "network and the scanner's power, then scan again."
    )


class ScannerUnreachableError(ScannerError):
    code = "scanner_unreachable"
    message_ru = (
        "Сканер не отвечает. Проверьте, что он включён и подключён (кабель USB или та же сеть, "
        "что у компьютера), и обновите список сканеров."
    )
    message_en = (
        "The scanner does not answer. Check that it is on and connected (USB cable, or the same "
        "network as this computer), and refresh the scanner list."
    )


class ScannerNotFoundError(ScannerError):
    code = "scanner_not_found"
    message_ru = (
        "Выбранный сканер не найден: его отключили, выключили или у него сменился адрес. "
        "Обновите список сканеров и выберите сканер заново."
    )
    message_en = (
        "The chosen scanner was not found: it was disconnected, switched off, or its address "
        "changed. Refresh the scanner list and choose it again."
    )


class NoScannersFoundError(ScannerError):
    code = "no_scanners"
    message_ru = (
        "Сканеры не найдены. Проверьте: сканер включён и подключён кабелем USB или к той же "
        "сети, что компьютер; установлен драйвер сканера (в Linux — пакет SANE и драйвер "
        "производителя, в Windows — драйвер WIA с сайта производителя); сетевой сканер "
        "поддерживает AirScan/eSCL, а брандмауэр не блокирует его — тогда укажите его адрес "
        "вручную. {hints}"
    )
    message_en = (
        "No scanners found. Check that the scanner is on and connected by USB or to the same "
        "network as this computer; that its driver is installed (SANE and the vendor's driver "
        "on Linux, the vendor's WIA driver on Windows); that a network scanner supports "
        "AirScan/eSCL and no firewall blocks it — then give its address by hand. {hints}"
    )

    def __init__(self, detail: str = "", **params: Any) -> None:
        params.setdefault("hints", "")
        super().__init__(detail, **params)

    def message(self, lang: Lang = "ru") -> str:
        return super().message(lang).strip()


class ScannerDriverCrashedError(ScannerError):
    code = "scanner_driver_crashed"
    message_ru = (
        "Драйвер сканера аварийно завершился. Программа продолжает работать. Выключите и "
        "включите сканер, переподключите кабель и повторите; если ошибка повторяется, "
        "переустановите драйвер сканера."
    )
    message_en = (
        "The scanner driver crashed; the program is still running. Switch the scanner off and "
        "on, reconnect the cable and try again; if it happens again, reinstall the driver."
    )


class ScannerNotRespondingError(ScannerError):
    code = "scanner_not_responding"
    message_ru = (
        "Сканер или его драйвер перестал отвечать, сканирование прервано. Выключите и "
        "включите сканер и повторите."
    )
    message_en = (
        "The scanner or its driver stopped responding and the scan was stopped. Switch the "
        "scanner off and on and try again."
    )


class ScanCancelledError(ScannerError, CancelledError):
    """A cancelled scan: a :class:`CancelledError` like every other cancellation, and a
    :class:`ScannerError` so the scan worker sends it across its process boundary by code."""

    code = "scan_cancelled"
    exit_code = 130
    message_ru = "Сканирование отменено."
    message_en = "Scanning was cancelled."


class ScannerAccessDeniedError(ScannerError):
    code = "scanner_access_denied"
    message_ru = (
        "Нет доступа к сканеру. В Linux добавьте пользователя в группу «scanner» (или "
        "«lp») и войдите в систему заново; у сетевого сканера проверьте, не требует ли он "
        "пароль или разрешения на панели."
    )
    message_en = (
        "Access to the scanner was denied. On Linux add the user to the 'scanner' (or 'lp') "
        "group and log in again; for a network scanner check whether it needs a password or "
        "approval on its panel."
    )


class ScanOptionUnsupportedError(ScannerError):
    code = "scan_option_unsupported"
    exit_code = 2
    message_ru = "Сканер не поддерживает {what}. Доступно: {available}."
    message_en = "The scanner does not support {what}. Available: {available}."


class FeederUnavailableError(ScannerError):
    code = "scanner_no_feeder"
    exit_code = 2
    message_ru = "У этого сканера нет автоподатчика документов. Сканируйте со стекла."
    message_en = "This scanner has no document feeder. Scan from the glass."


class ScannerBackendUnavailableError(ScannerError):
    code = "scanner_backend_unavailable"
    message_ru = "Сканеры этого типа здесь недоступны: {why}"
    message_en = "Scanners of this kind are not available here: {why}"


class ScannerDataError(ScannerError):
    code = "scanner_bad_data"
    message_ru = (
        "Сканер прислал изображение, которое не удалось прочитать. Повторите сканирование; "
        "если ошибка повторяется, выберите в настройках сканера другой формат (JPEG или PNG)."
    )
    message_en = (
        "The scanner sent an image that could not be read. Scan again; if it happens again, "
        "choose another format (JPEG or PNG) in the scanner settings."
    )


class UnknownDeviceIdError(ScannerError):
    code = "scanner_bad_id"
    exit_code = 2
    message_ru = (
        "Неверный идентификатор сканера. Он начинается с типа подключения: «sane:…», "
        "«escl:http://…» или «wia:…». Список: omsdesktop scan --list"
    )
    message_en = (
        "Invalid scanner id. It starts with the connection type: 'sane:...', "
        "'escl:http://...' or 'wia:...'. List: omsdesktop scan --list"
    )


def _all_subclasses(cls: type[ScannerError]) -> list[type[ScannerError]]:
    out: list[type[ScannerError]] = [cls]
    for sub in cls.__subclasses__():
        out.extend(_all_subclasses(sub))
    return out


def error_from_code(
    code: str, detail: str = "", params: dict[str, Any] | None = None
) -> ScannerError:
    """Rebuild a typed error sent across a process boundary by its stable code."""
    for cls in _all_subclasses(ScannerError):
        if cls.code == code:
            return cls(detail, **(params or {}))
    return ScannerError(detail or code)
