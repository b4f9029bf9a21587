"""A driver of the real main window for tests (the ``omsdesktop_app`` fixture's object).

It works the window as a user does: a document goes in through the slot's public loading path
(the one «Открыть файл…» and a drop use), fields are typed into their editors with key presses,
buttons are clicked with the mouse, a confirmation box is answered by clicking its button. It
waits on the window's signals and on what the window shows (``qtbot.waitSignal`` and
``qtbot.waitUntil``), never by sleeping, and it never touches private attributes.

Field keys are the draft keys (:data:`omsdesktop.storage.model.DRAFT_FIELDS`). A field's value
is the draft's form of it: dates ``YYYY-MM-DD``, SNILS ``123-456-789 01``, sex ``M``/``F``.

Timeouts of this API are in seconds (Qt's own are in milliseconds).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from os import PathLike
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from omsdesktop.forms.model import DocumentKind
from omsdesktop.storage.model import DRAFT_FIELDS
from omsdesktop.ui.services import Services

if TYPE_CHECKING:
    from omsdesktop.portal.sandbox import SandboxServer
    from omsdesktop.ui.document_slot import DocumentSlot
    from omsdesktop.ui.main_window import MainWindow

DOCUMENT_NAMES = {
    DocumentKind.BIRTH_CERTIFICATE: "birth certificate",
    DocumentKind.OMS_POLICY: "OMS policy",
}
START_TIMEOUT = 60.0  # imports of the pipeline and opening the database
SAVE_TIMEOUT = 30.0
PORTAL_TIMEOUT = 30.0
CLOSE_TIMEOUT = 60.0
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ------------------------------------------------------------------------------------ errors


class DriverError(AssertionError):
    """The window did not do what the test asked (an assertion failure, not a crash)."""


class UnknownFieldError(DriverError, KeyError):
    """A key that is not a draft field."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"unknown field key {key!r}; the known keys are: {', '.join(DRAFT_FIELDS)}"
        )

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0])


class DocumentNotReadError(DriverError, TimeoutError):
    """A loaded document was not read (time out, an error shown, a poor photo, wrong kind)."""


class FieldNotEditableError(DriverError):
    """The field's editor refuses input (a sent application is read-only)."""


class SaveError(DriverError):
    """The draft did not reach the database."""


class SubmitError(DriverError):
    """Sending did not start or ended without a submission (the reason the window shows)."""


# ----------------------------------------------------------------------------- the status


@dataclass(frozen=True)
class SubmissionStatus:
    """The application's state on the portal as the window shows it.

    Attributes:
        state: ``sent`` (the portal accepted it), ``queued`` (no connection: in the outbox)
            or ``failed`` (the portal refused the data).
        portal_status: ``under_review``, ``needs_clarification``, ``approved``, ``rejected``
            (None while queued or refused).
        request_number: the portal's request number, once sent.
        reason: the portal's reason (a refusal or a clarification).
        fields_to_fix: draft keys the portal asks to correct.
        panel_text: the text of the submission panel (what the user reads).
        submission: the window's own submission object, for anything else.
    """

    state: str
    portal_status: str | None
    request_number: str | None
    reason: str | None
    fields_to_fix: tuple[str, ...]
    panel_text: str
    submission: Any


# ----------------------------------------------------------------------------- the driver


class _PortalTarget:
    """The portal address the window sends to (set by :meth:`AppDriver.submit`)."""

    def __init__(self) -> None:
        self.url: str | None = None

    def __call__(self, settings: Any) -> str:
        from omsdesktop.portal.config import check_portal_url, resolve_portal_url

        return check_portal_url(self.url or resolve_portal_url(settings.portal_url))


def _test_portal(url: str) -> Any:
    """The real HTTP client, with short retries (a loopback sandbox answers at once)."""
    from omsdesktop.portal.client import HttpPortalClient, RetryPolicy
    from omsdesktop.portal.config import resolve_token

    retry = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.05)
    return HttpPortalClient(url, resolve_token(url), retry=retry, timeout=10.0)


def isolate_qsettings(folder: str) -> None:
    """Window geometry (QSettings) goes to ``folder``, not the tester's profile."""
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, folder)


def build_services(database_url: str, *, operator: str = "tester", **changes: Any) -> Services:
    """Services for a test window: this database, the real OCR, the real HTTP portal client
    with short retries; the portal address is the one given to :meth:`AppDriver.submit`."""
    from omsdesktop.settings import Settings

    settings = Settings(database_url=database_url, operator=operator)
    values: dict[str, Any] = {
        "portal_url": _PortalTarget(),
        "portal_factory": _test_portal,
        "outbox_interval_ms": 1_000,
    }
    values.update(changes)
    return Services(settings=settings, **values)


class AppDriver:
    """The real main window, driven like a user.

    Build it with :meth:`start` (the ``omsdesktop_app`` fixture does) and end it with
    :meth:`close`.
    """

    def __init__(
        self,
        qtbot: Any,
        services: Services,
        *,
        sandbox: Callable[[], SandboxServer] | None = None,
    ) -> None:
        self._qtbot = qtbot
        self._services = services
        self._sandbox = sandbox
        self._window: MainWindow | None = None
        self._loaded: dict[DocumentKind, str] = {}  # kind → the path given, still to be read
        self._read: dict[DocumentKind, Any] = {}  # kind → the document the slot reported
        self._submissions: list[Any] = []

    # ------------------------------------------------------------------------- life cycle

    @classmethod
    def start(
        cls,
        qtbot: Any,
        services: Services,
        *,
        sandbox: Callable[[], SandboxServer] | None = None,
        timeout: float = START_TIMEOUT,
    ) -> AppDriver:
        """Show a main window on ``services`` and wait until its draft database is open."""
        driver = cls(qtbot, services, sandbox=sandbox)
        driver._open_window(timeout)
        return driver

    def _open_window(self, timeout: float) -> None:
        from omsdesktop.ui.main_window import MainWindow

        window = MainWindow(self._services)
        window.resize(1366, 768)
        self._window = window
        self._loaded.clear()
        self._read.clear()
        self._submissions.clear()
        for kind in DOCUMENT_NAMES:
            slot = window.slot(kind)
            slot.documentReady.connect(self._on_document_ready)
            slot.documentCleared.connect(lambda kind=kind: self._read.pop(kind, None))
            slot.busyChanged.connect(lambda busy, kind=kind: self._on_busy(kind, busy))
        window.submissionChanged.connect(self._submissions.append)
        try:
            with self._qtbot.waitSignal(window.storeReady, timeout=_ms(timeout)):
                window.show()
        except self._qtbot.TimeoutError:
            raise DriverError(
                f"the window did not open its draft database within {timeout:g} s; it shows: "
                f"{self._shown_messages()!r}"
            ) from None
        self._qtbot.waitUntil(lambda: all(s.isEnabled() for s in self._slots()), timeout=5_000)

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Close the window as the user does and wait until its jobs have stopped."""
        window = self._window
        if window is None:
            return
        if window.isVisible():
            window.close()  # the window may wait for its jobs before it really closes
            self._qtbot.waitUntil(lambda: not window.isVisible(), timeout=_ms(timeout))
        window.pool.wait_threads(_ms(timeout))
        self._window = None

    def restart(self, timeout: float = START_TIMEOUT) -> None:
        """Close the window and open a new one on the same database (a program restart)."""
        self.close()
        self._open_window(timeout)

    @property
    def window(self) -> MainWindow:
        """The main window itself (for what this API does not cover)."""
        if self._window is None:
            raise DriverError("the window is closed")
        return self._window

    @property
    def services(self) -> Services:
        return self._services

    @property
    def sandbox(self) -> SandboxServer:
        """The loopback sandbox portal of this test, started on first use."""
        if self._sandbox is None:
            raise DriverError("this driver was started without a sandbox portal")
        return self._sandbox()

    @property
    def sandbox_url(self) -> str:
        """The address of :attr:`sandbox` (``http://127.0.0.1:<port>``)."""
        return self.sandbox.url

    # -------------------------------------------------------------------------- documents

    def load_certificate(self, path: str | PathLike[str]) -> None:
        """Put a file into the birth-certificate slot (as «Открыть файл…» or a drop does).

        Returns at once; :meth:`wait_until_read` waits for the reading.
        """
        self._load(DocumentKind.BIRTH_CERTIFICATE, path)

    def load_policy(self, path: str | PathLike[str]) -> None:
        """Put a file into the OMS-policy slot; see :meth:`load_certificate`."""
        self._load(DocumentKind.OMS_POLICY, path)

    def _load(self, kind: DocumentKind, path: str | PathLike[str]) -> None:
        from os import fspath

        slot = self.window.slot(kind)
        if not slot.open_button.isEnabled():
            raise DriverError(
                f"the {DOCUMENT_NAMES[kind]} slot takes no file now (a sent application's "
                "documents cannot be replaced)"
            )
        self._read.pop(kind, None)
        self._loaded[kind] = fspath(path)
        slot.load_path(fspath(path))

    def _on_busy(self, kind: DocumentKind, busy: bool) -> None:
        # A file put in by the window's own controls (open dialog, paste, scan, drop) is
        # waited for as well.
        if busy and kind not in self._loaded:
            self._read.pop(kind, None)
            self._loaded[kind] = "opened in the window"

    def _on_document_ready(self, document: Any) -> None:
        window = self._window
        if window is None:
            return
        for kind in DOCUMENT_NAMES:
            if window.slot(kind).document is document:
                self._read[kind] = document
                self._loaded.pop(kind, None)

    def wait_until_read(self, timeout: float = 120.0, *, use_anyway: bool = False) -> None:
        """Wait until every document put into a slot (by this driver, or by the window's own
        «Открыть файл…», «Вставить», «Сканировать» or a drop) has been read and its fields are
        in the form.

        A poor photo stops at the quality banner: with ``use_anyway=True`` the driver clicks
        «Использовать всё равно» (as a user who decides to go on), else it raises at once.
        Raises :class:`DocumentNotReadError` naming the document and what its slot shows.
        """
        if not self._loaded and not self._read:
            raise DriverError("nothing to wait for: call load_certificate() or load_policy()")
        stuck: list[str] = []

        def done() -> bool:
            stuck.clear()
            for kind in list(self._loaded):
                slot = self.window.slot(kind)
                if slot.busy:
                    continue
                if use_anyway and slot.use_anyway_button.isVisible():
                    self._qtbot.mouseClick(slot.use_anyway_button, Qt.MouseButton.LeftButton)
                    continue
                stuck.append(self._not_read(kind, "was not read"))
                del self._loaded[kind]  # reported once; a new load waits afresh
            return not self._loaded or bool(stuck)

        try:
            self._qtbot.waitUntil(done, timeout=_ms(timeout))
        except self._qtbot.TimeoutError:
            waiting = [
                self._not_read(kind, f"was not read within {timeout:g} s") for kind in self._loaded
            ]
            raise DocumentNotReadError("; ".join(waiting)) from None
        if stuck:
            raise DocumentNotReadError("; ".join(stuck))

    def _not_read(self, kind: DocumentKind, what: str) -> str:
        slot = self.window.slot(kind)
        shown = _slot_messages(slot)
        text = f"the {DOCUMENT_NAMES[kind]} ({self._loaded.get(kind)}) {what}"
        return text + (f"; its slot shows: {shown!r}" if shown else "")

    def document_read(self, kind: str) -> bool:
        """Whether the slot ``birth_certificate`` / ``oms_policy`` holds a read document."""
        return DocumentKind(kind) in self._read

    # ----------------------------------------------------------------------------- fields

    def field_keys(self) -> tuple[str, ...]:
        return DRAFT_FIELDS

    def field(self, key: str) -> str:
        """The field's current value in the draft's form (``""`` when empty)."""
        self._check_key(key)
        return self.window.form.values().get(key) or ""

    def fields(self) -> dict[str, str]:
        """Every field's value (see :meth:`field`)."""
        values = self.window.form.values()
        return {key: values.get(key) or "" for key in DRAFT_FIELDS}

    def shown(self, key: str) -> str:
        """What the field's editor shows (a date as ``ДД.ММ.ГГГГ``, sex as its Russian name)."""
        editor = self._editor(key)
        return editor.currentText() if isinstance(editor, QComboBox) else editor.text()

    def needs_review(self, key: str) -> bool:
        """Whether the field is tinted for the user to check (unsure reading, disagreement,
        a validator's error, or the portal asking to fix it)."""
        return bool(self._editor(key).property("review"))

    def set_field(self, key: str, value: str) -> str:
        """Type ``value`` into the field's editor (click, select all, type; a list is moved
        with the arrow keys), as a user corrects a field. Returns the field's new value.

        Dates may be given as ``YYYY-MM-DD`` (typed as ``ДД.ММ.ГГГГ``); a list field takes
        its code (``M``) or its shown name. ``""`` empties the field.
        """
        editor = self._editor(key)
        if not editor.isEnabled() or (isinstance(editor, QLineEdit) and editor.isReadOnly()):
            raise FieldNotEditableError(
                f"field {key!r} cannot be edited now (the application was sent or is queued)"
            )
        self._reveal(editor)
        if isinstance(editor, QComboBox):
            # Tabbed into, not clicked: a click opens the drop-down list (a popup that grabs
            # the keyboard); the arrow keys change a closed list as the user's would.
            editor.setFocus(Qt.FocusReason.TabFocusReason)
            self._choose(key, editor, value)
        else:
            self._qtbot.mouseClick(editor, Qt.MouseButton.LeftButton)
            self._type(editor, value)
        return self.field(key)

    def _type(self, editor: QLineEdit, value: str) -> None:
        text = value
        if _ISO_DATE.match(value):
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                pass
            else:
                text = f"{parsed.day:02d}.{parsed.month:02d}.{parsed.year:04d}"
        if editor.inputMask():
            text = "".join(ch for ch in text if ch.isalnum())  # the mask puts its separators
        self._qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        if not text:
            self._qtbot.keyClick(editor, Qt.Key.Key_Backspace)
            return
        type_text(editor, text)
        completer = editor.completer()
        popup = completer.popup() if completer is not None else None
        if popup is not None and popup.isVisible():
            self._qtbot.keyClick(popup, Qt.Key.Key_Escape)

    def _choose(self, key: str, combo: QComboBox, value: str) -> None:
        target = combo.findData(value or None) if value else 0
        if target < 0:
            target = combo.findText(value)
        if target < 0:
            options = [
                f"{combo.itemData(i)} ({combo.itemText(i)})"
                for i in range(combo.count())
                if combo.itemData(i)
            ]
            raise DriverError(f"field {key!r} has no choice {value!r}; the choices: {options}")
        step = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
        for _ in range(abs(target - combo.currentIndex())):
            self._qtbot.keyClick(combo, step)

    def _editor(self, key: str) -> QLineEdit | QComboBox:
        self._check_key(key)
        return self.window.form.editor(key)

    def _check_key(self, key: str) -> None:
        if key not in DRAFT_FIELDS:
            raise UnknownFieldError(key)

    @staticmethod
    def _reveal(widget: QWidget) -> None:
        parent = widget.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(widget)

    # ----------------------------------------------------------------------------- saving

    def save_draft(self, timeout: float = SAVE_TIMEOUT) -> str:
        """Click «Сохранить» and wait until the database holds what the form shows (and the
        scans of the read documents). Returns the draft's id."""
        window = self.window
        if not window.save_button.isEnabled():
            raise SaveError(
                "«Сохранить» is disabled (the database is not open, or the application was "
                f"sent); the window shows: {self._shown_messages()!r}"
            )
        try:
            with self._qtbot.waitSignal(window.draftSaved, timeout=_ms(timeout)):
                self._qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
        except self._qtbot.TimeoutError:
            raise SaveError(
                f"no save within {timeout:g} s; the window shows: {self._shown_messages()!r}"
            ) from None
        return self._wait_persisted(timeout)

    def _wait_persisted(self, timeout: float) -> str:
        """The id of the draft holding the form's values and the read documents' scans."""
        from omsdesktop.storage.store import Store

        database_url = self._services.settings.database_url
        found: list[str] = []
        differences: list[str] = []
        with Store.open(database_url, operator="omsdesktop-driver") as store:

            def persisted() -> bool:
                values = self.window.form.values()
                roles = {kind.value for kind in self._read}
                differences.clear()
                draft_id = self.window.draft_id  # the draft the window's session follows
                for summary in store.list_drafts():
                    if summary.id != draft_id:
                        continue
                    draft = store.get_draft(summary.id)
                    stored = {name: item.value for name, item in draft.fields.items()}
                    diff = [
                        name
                        for name, value in values.items()
                        if (stored.get(name) or None) != (value or None)
                    ]
                    attached = {info.document for info in store.list_attachments(summary.id)}
                    if not diff and roles <= attached:
                        found.append(summary.id)
                        return True
                    differences.append(
                        f"draft {summary.id}: fields differ {diff}, "
                        f"scans missing {sorted(roles - attached)}"
                    )
                return False

            try:
                self._qtbot.waitUntil(persisted, timeout=_ms(timeout))
            except self._qtbot.TimeoutError:
                raise SaveError(
                    f"the database does not hold what the form shows after {timeout:g} s: "
                    f"{differences or 'no draft at all'}; the window shows: "
                    f"{self._shown_messages()!r}"
                ) from None
        return found[0]

    # -------------------------------------------------------------------------- the portal

    def submit(
        self,
        portal_url: str | None = None,
        *,
        confirm: bool = False,
        timeout: float = PORTAL_TIMEOUT,
    ) -> SubmissionStatus:
        """Click «Отправить на портал» and wait for the portal's answer.

        ``portal_url`` defaults to :attr:`sandbox_url`. The driver first waits until the
        autosave has stored the form and the scans. When the window does not send (fields with
        errors, nothing filled in) :class:`SubmitError` carries what it shows. A question box
        the window opens meanwhile (such as «Отправить с ошибками?») is answered «Нет», which
        raises :class:`SubmitError`, or «Да» with ``confirm=True``.
        """
        window = self.window
        target = self._services.portal_url
        if not isinstance(target, _PortalTarget):
            raise DriverError("submit() needs services from build_services()")
        target.url = portal_url or self.sandbox_url
        if not window.send_button.isEnabled():
            raise SubmitError(
                "«Отправить на портал» is disabled (already sent or queued, or the database is "
                f"not open); the window shows: {self._shown_messages()!r}"
            )
        self._wait_persisted(timeout)
        seen = len(self._submissions)
        with self._answer_question(confirm) as asked:
            self._qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
        if asked and not confirm:
            raise SubmitError(
                f"the window asked {asked[0]!r} and the driver answered «Нет»; pass "
                "confirm=True to send anyway"
            )
        if len(self._submissions) == seen and window.send_button.isEnabled():
            raise SubmitError(
                f"sending did not start; the window shows: {self._shown_messages()!r}"
            )
        try:
            self._qtbot.waitUntil(
                lambda: len(self._submissions) > seen or window.send_button.isEnabled(),
                timeout=_ms(timeout),
            )
        except self._qtbot.TimeoutError:
            raise SubmitError(
                f"no answer within {timeout:g} s; the window shows: {self._shown_messages()!r}"
            ) from None
        if len(self._submissions) == seen:
            raise SubmitError(
                f"sending ended without a submission; the window shows: {self._shown_messages()!r}"
            )
        return self._status(self._submissions[-1])

    def status(self, timeout: float = PORTAL_TIMEOUT) -> SubmissionStatus:
        """«Обновить состояние» (F5): ask the portal and return what the window then shows."""
        window = self.window
        if not self._submissions:
            raise DriverError("nothing was submitted from this window yet: call submit() first")
        if not window.status_action.isEnabled():
            raise DriverError("«Обновить состояние» is disabled (no draft on screen)")
        try:
            with self._qtbot.waitSignal(window.submissionChanged, timeout=_ms(timeout)) as blocker:
                window.status_action.trigger()  # the menu item (F5)
        except self._qtbot.TimeoutError:
            raise DriverError(
                f"the portal's status did not come within {timeout:g} s; the window shows: "
                f"{self._shown_messages()!r}"
            ) from None
        return self._status(blocker.args[0])

    def _status(self, submission: Any) -> SubmissionStatus:
        panel = self.window.submission_panel
        shown = "\n".join(
            label.text() for label in panel.findChildren(QLabel) if not label.isHidden()
        )
        return SubmissionStatus(
            state=submission.state,
            portal_status=submission.portal_status,
            request_number=submission.request_number,
            reason=submission.reason,
            fields_to_fix=tuple(submission.fields_to_fix),
            panel_text=shown,
            submission=submission,
        )

    @contextmanager
    def _answer_question(self, confirm: bool) -> Iterator[list[str]]:
        """Answer a question box the window opens during the block (Yes if ``confirm``)."""
        asked: list[str] = []

        def answer() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                return
            asked.append(box.text())
            wanted = QMessageBox.StandardButton.Yes if confirm else QMessageBox.StandardButton.No
            button = box.button(wanted) or box.escapeButton()
            if button is not None:
                self._qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

        timer = QTimer()
        timer.setInterval(20)
        timer.timeout.connect(answer)
        timer.start()
        try:
            yield asked
        finally:
            timer.stop()

    # ---------------------------------------------------------------------------- helpers

    def _slots(self) -> tuple[DocumentSlot, DocumentSlot]:
        return (self.window.certificate_slot, self.window.policy_slot)

    def _shown_messages(self) -> list[str]:
        """Messages the window shows the user (the notice bar, the save state, the slots)."""
        window = self.window
        texts = []
        for name in ("noticeBar", "saveState"):
            widget = window.findChild(QWidget, name)
            if widget is None or widget.isHidden():
                continue
            labels = [widget] if isinstance(widget, QLabel) else widget.findChildren(QLabel)
            texts += [label.text() for label in labels if label.text()]
        for slot in self._slots():
            texts += _slot_messages(slot)
        return texts


def _slot_messages(slot: DocumentSlot) -> list[str]:
    texts = []
    if not slot.banner.isHidden() and slot.banner_text.text():
        texts.append(slot.banner_text.text())
    if not slot.status.isHidden() and slot.status.text():
        texts.append(slot.status.text())
    return texts


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` into ``widget`` as key presses (QTest.keyClicks cannot type Cyrillic)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
