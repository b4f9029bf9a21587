"""The two status layers of an EPGU order, named in plain Russian (no Qt: the window, the CLI
and the outbox read the same table).

Layer 1, the *processing code*: what the portal did with the pushed archive (``NEW`` before any
archive, ``FILES_VERIFICATION`` … ``DONE``, or a refusal such as ``VALIDATION_ERROR``).
Layer 2, the order's numeric ``statusId`` once the portal has made an order of it: the portal's
own codes (0, 17, 21, 2, 24) and then the department's own codes.

The department's codes come with the service's specification; 3, 4 and 15 below are what the
sandbox uses (3 and 4 are the portal's usual «исполнено» and «отказ»). An unknown code is shown
as «статус ведомства N» and counts as still under review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from omsdesktop.storage.model import PortalStatus

CodeKind = Literal["waiting", "in_progress", "done", "refused", "later"]


@dataclass(frozen=True)
class ProcessingCode:
    """One processing code: its Russian and English names and what it means for the draft."""

    code: str
    name_ru: str
    name_en: str
    kind: CodeKind


PROCESSING_CODES: dict[str, ProcessingCode] = {
    c.code: c
    for c in (
        ProcessingCode(
            "NEW",
            "заявление создано, архив ещё не загружен",
            "order reserved, no archive yet",
            "waiting",
        ),
        ProcessingCode(
            "FILES_VERIFICATION", "портал проверяет файлы", "checking the files", "in_progress"
        ),
        ProcessingCode(
            "FILES_VERIFICATION_SUCCESS", "файлы проверены", "files checked", "in_progress"
        ),
        ProcessingCode(
            "FILES_VERIFICATION_FAILED",
            "файлы не прошли проверку",
            "the files failed the check",
            "refused",
        ),
        ProcessingCode(
            "RETRY", "портал повторит обработку", "the portal will process it again", "in_progress"
        ),
        ProcessingCode(
            "DONE", "заявление сформировано на портале", "the application is filed", "done"
        ),
        ProcessingCode(
            "OK", "заявление сформировано на портале", "the application is filed", "done"
        ),
        ProcessingCode(
            "VALIDATION_ERROR",
            "ошибка в данных заявления",
            "the application's data are wrong",
            "refused",
        ),
        ProcessingCode(
            "REQ_NOT_FOUND",
            "в архиве нет файла заявления",
            "no application file in the archive",
            "refused",
        ),
        ProcessingCode(
            "MPC_NOT_FOUND",
            "в архиве нет обязательного служебного файла",
            "a required service file is missing",
            "refused",
        ),
        ProcessingCode(
            "REQ_VERIFY_FAILED",
            "подпись файла заявления не прошла проверку",
            "the application file's signature failed",
            "refused",
        ),
        ProcessingCode(
            "LIMITATION_EXCEPTION",
            "превышен лимит заявлений, повторим позже",
            "over the portal's limit, later",
            "later",
        ),
        ProcessingCode(
            "INTERNAL_ERROR", "внутренняя ошибка портала", "the portal's internal error", "later"
        ),
        ProcessingCode(
            "CREATE_ORDER_FORBIDDEN",
            "портал запретил создавать заявление",
            "the portal forbids this application",
            "refused",
        ),
    )
}
"""Layer 1, by code."""

STATUS_NAMES: dict[int, tuple[str, str]] = {
    0: ("черновик", "draft"),
    17: ("зарегистрировано на портале", "registered on the portal"),
    21: ("отправлено в ведомство", "sent to the department"),
    2: ("получено ведомством", "received by the department"),
    24: ("ошибка отправки в ведомство", "could not be sent to the department"),
    # The department's own codes (the sandbox's; the real ones come with the service).
    3: ("исполнено: полис прикреплён", "done: the policy is attached"),
    4: ("отказ", "refused"),
    15: ("требуются уточнения", "needs clarification"),
}
"""Layer 2, by ``statusId``: (Russian, English)."""

APPROVED_STATUS_IDS: frozenset[int] = frozenset({3})
REJECTED_STATUS_IDS: frozenset[int] = frozenset({4})
CLARIFY_STATUS_IDS: frozenset[int] = frozenset({15})
FINAL_STATUS_IDS: frozenset[int] = APPROVED_STATUS_IDS | REJECTED_STATUS_IDS


def processing_name(code: str | None, lang: str = "ru") -> str:
    """The code in plain words (an unknown code is shown as it is)."""
    if not code:
        return "ещё не известно" if lang == "ru" else "not known yet"
    known = PROCESSING_CODES.get(code)
    if known is None:
        return code
    return known.name_en if lang == "en" else known.name_ru


def status_name(status_id: int | None, lang: str = "ru") -> str:
    if status_id is None:
        return "ещё нет" if lang == "ru" else "none yet"
    known = STATUS_NAMES.get(status_id)
    if known is None:
        return f"статус ведомства {status_id}" if lang == "ru" else f"department status {status_id}"
    return known[1] if lang == "en" else known[0]


def code_kind(code: str | None) -> CodeKind:
    known = PROCESSING_CODES.get(code or "")
    return known.kind if known is not None else "in_progress"


def is_refusal(code: str | None) -> bool:
    """The portal refused the pushed archive: the draft must be corrected and filed again."""
    return code_kind(code) == "refused"


def portal_status_of(code: str | None, status_id: int | None) -> PortalStatus:
    """Both layers folded into the four statuses the rest of the program knows."""
    if is_refusal(code):
        return "rejected"
    if status_id in APPROVED_STATUS_IDS:
        return "approved"
    if status_id in REJECTED_STATUS_IDS:
        return "rejected"
    if status_id in CLARIFY_STATUS_IDS:
        return "needs_clarification"
    return "under_review"


def describe(code: str | None, status_id: int | None, lang: str = "ru") -> str:
    """Both layers in one line: «обработка: …; статус: …»."""
    if lang == "en":
        return f"processing: {processing_name(code, lang)}; status: {status_name(status_id, lang)}"
    return f"обработка: {processing_name(code)}; статус: {status_name(status_id)}"
