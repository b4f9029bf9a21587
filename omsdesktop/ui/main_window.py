"""The main window: a view of one :class:`~omsdesktop.session.ApplicationSession`.

The session owns the application (documents, merged fields, edits, the draft, attachments,
submission); the window shows it and forwards what the user does. The session's events reach
the window through a queued signal, whatever thread sent them. Every blocking session call
(saving, attaching, opening, sending, asking the portal) runs through
:class:`~omsdesktop.ui.worker.WorkerPool`. Widgets are built in ``window_layout.py``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QWidget,
)

from omsdesktop.errors import OmsError
from omsdesktop.forms.model import DocumentKind
from omsdesktop.forms.registry import BY_KEY, DRAFT_KEYS
from omsdesktop.session import ApplicationSession, Event
from omsdesktop.settings import Settings
from omsdesktop.ui.document_slot import DocumentSlot, SlotDocument
from omsdesktop.ui.form import ApplicationForm, Reading
from omsdesktop.ui.labels import DOCUMENT_NAMES, tr_
from omsdesktop.ui.panels import CropPanel, NoticeBar, SubmissionPanel
from omsdesktop.ui.services import Services
from omsdesktop.ui.window_drafts import DraftActions
from omsdesktop.ui.window_layout import (
    build_actions,
    build_widgets,
    restore_geometry,
    show_help,
)
from omsdesktop.ui.window_portal import PortalActions
from omsdesktop.ui.worker import WorkerPool

if TYPE_CHECKING:
    from omsdesktop.storage.store import Store

log = logging.getLogger(__name__)

CERT = DocumentKind.BIRTH_CERTIFICATE
POLICY = DocumentKind.OMS_POLICY


class _SessionBridge(QObject):
    """Carries the session's events into the GUI thread: direct from the GUI thread, queued
    from a worker or the autosaver (Qt's automatic connection)."""

    changed = Signal(object)


class MainWindow(QMainWindow):
    """Signals:
    storeReady(): the draft database is open.
    draftSaved(int): edits reached the database (the new version).
    draftLoaded(str): a stored draft is on screen.
    submissionChanged(object): a Submission was shown (sent, queued, failed, polled).
    """

    storeReady = Signal()
    draftSaved = Signal(int)
    draftLoaded = Signal(str)
    submissionChanged = Signal(object)

    # Widgets and actions, built by ``window_layout``.
    steps: QLabel
    certificate_slot: DocumentSlot
    policy_slot: DocumentSlot
    notice: NoticeBar
    submission_panel: SubmissionPanel
    crop_panel: CropPanel
    form: ApplicationForm
    form_scroll: QScrollArea
    save_state: QLabel
    busy_bar: QProgressBar
    save_button: QPushButton
    send_button: QPushButton
    new_action: QAction
    open_certificate_action: QAction
    open_policy_action: QAction
    paste_action: QAction
    drafts_action: QAction
    batch_action: QAction
    settings_action: QAction
    quit_action: QAction
    save_action: QAction
    send_action: QAction
    status_action: QAction
    flush_action: QAction
    help_action: QAction

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.pool = WorkerPool(self)
        self.store: Store | None = None
        self.session = ApplicationSession(None)
        self.batch_dialog: Any = None  # BatchDialog, once opened
        self.drafts = DraftActions(self)
        self.portal = PortalActions(self)
        self.closing = False
        self._closed = False
        self._waiting_to_close = False
        self._bridge = _SessionBridge(self)
        self._bridge.changed.connect(self._on_event)
        self._unsubscribe = self.session.subscribe(self._bridge.changed.emit)

        self.setWindowTitle(self.tr("Полис ОМС ребёнка — заявление"))
        self.setObjectName("mainWindow")
        build_widgets(self)
        build_actions(self)
        restore_geometry(self)

        self.outbox_timer = QTimer(self)
        self.outbox_timer.setInterval(services.outbox_interval_ms)
        self.outbox_timer.timeout.connect(self.flush_outbox)
        self._warm_step = 0
        for slot in self.slots():
            slot.setEnabled(False)
        # A short delay: the window is painted first, then the imports run.
        QTimer.singleShot(30, self._warm_up)

    def _warm_up(self) -> None:
        """Import what the jobs need, in the GUI thread (see ``ui/warmup.py``), then start."""
        from omsdesktop.ui.warmup import STEPS, preload_step

        if self.closing:
            return
        try:
            preload_step(self._warm_step)
        except ImportError as exc:
            log.error("a module could not be imported: %s", exc.name)
        self._warm_step += 1
        if self._warm_step < len(STEPS):
            QTimer.singleShot(0, self._warm_up)
            return
        for slot in self.slots():
            slot.setEnabled(True)
        if self.form.focused_field() is None:
            self.certificate_slot.open_button.setFocus()  # the first step, for the keyboard
        self._open_store()

    @property
    def lang(self) -> str:
        return self.services.settings.language

    @property
    def draft_id(self) -> str | None:
        return self.session.draft_id

    def slots(self) -> tuple[DocumentSlot, DocumentSlot]:
        return (self.certificate_slot, self.policy_slot)

    def slot(self, kind: DocumentKind) -> DocumentSlot:
        return self.certificate_slot if kind is CERT else self.policy_slot

    # ------------------------------------------------------------------------------ database

    def _open_store(self) -> None:
        services = self.services
        self.pool.run(
            lambda progress, cancelled: services.open_store(services.settings),
            name="open-store",
            on_result=self._store_opened,
            on_error=self._store_failed,
        )

    def _store_opened(self, store: Store) -> None:
        if self.closing:
            store.close()
            return
        self.store = store
        self.session.attach_store(store)
        self.save_state.setText(self.tr("Черновик сохраняется автоматически."))
        self.update_buttons()
        self.storeReady.emit()
        if self.session.has_unsaved:
            self.drafts.save_in_background()
        self.outbox_timer.start()
        self.flush_outbox()

    def _store_failed(self, exc: OmsError) -> None:
        self.save_state.setText(self.tr("База черновиков недоступна: черновик не сохраняется."))
        self.notice.show_notice(
            "error",
            exc.message(self.lang),  # type: ignore[arg-type]
            [(self.tr("Открыть настройки…"), self.open_settings)],
        )

    # ---------------------------------------------------------------------- session → screen

    def _on_event(self, event: Event) -> None:
        if self._closed:
            return
        if event.kind == "fields":
            self._show_fields(event.keys)
        elif event.kind == "documents":
            self._show_fields(DRAFT_KEYS)
        elif event.kind == "saved" and event.version is not None:
            self.drafts.saved(event.version)
        elif event.kind == "save_failed" and event.error is not None:
            self.drafts.save_failed(event.error)
        elif event.kind == "submission" and self.session.submission is not None:
            # A submit, a queue flush or a status poll of this window shows its own result,
            # with its notice first; other changes are shown here.
            if not self.portal.busy:
                self.portal.show_submission(self.session.submission)
        elif event.kind == "draft":
            self._show_editable()

    def _show_fields(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            view = self.session.view(key)
            readings = [
                Reading(kind.value, view.readings[kind].value)
                for kind in (CERT, POLICY)
                if kind in view.readings
            ]
            self.form.set_readings(key, readings, view.disputed, refresh=False)
            if view.typed and self.form.value(key) == view.value:
                continue  # the user's own edit, already in the editor
            self.form.set_field(
                key,
                view.value,
                source=view.source,
                confidence=view.confidence,
                needs_review=view.needs_review,
                refresh=False,
            )
        self.form.refresh_all()
        self._update_review_summary()
        focused = self.form.focused_field()
        if focused is not None:
            self.field_focused(focused)  # the crops of the field being looked at may be new

    def _show_editable(self) -> None:
        editable = self.session.editable
        self.form.set_read_only(not editable)
        for slot in self.slots():
            slot.set_read_only(not editable)
        self.update_buttons()

    # ------------------------------------------------------------------------------ documents

    def paste_into_slot(self) -> None:
        """Ctrl+Shift+V: into the slot the focus is in, else the first one still empty."""
        focus = self.focusWidget()
        for slot in self.slots():
            if focus is not None and slot.isAncestorOf(focus):
                slot.paste()
                return
        for slot in self.slots():
            if slot.document is None and not slot.busy:
                slot.paste()
                return
        self.certificate_slot.paste()

    def wrong_kind(self, source: DocumentSlot, document: SlotDocument) -> None:
        target = self.policy_slot if source is self.certificate_slot else self.certificate_slot
        target.adopt(document)

    def document_cleared(self, kind: DocumentKind) -> None:
        self.session.clear_document(kind)

    def document_ready(self, document: SlotDocument) -> None:
        kind = document.result.kind
        if kind not in (CERT, POLICY) or not self.session.editable:
            return
        self.session.set_document(kind, document.fields, image=document.image, dpi=document.dpi)
        self.drafts.save_in_background()
        self.statusBar().showMessage(
            self.tr("Документ прочитан: %1").replace("%1", tr_(DOCUMENT_NAMES[kind.value])), 5000
        )

    def field_focused(self, name: str) -> None:
        from omsdesktop.ui.images import crop, to_qimage

        spec = BY_KEY[name]
        crops = []
        for kind in (CERT, POLICY):
            document = self.session.document(kind)
            extracted = spec.extracted if kind in spec.documents else None
            self.slot(kind).highlight(extracted if document is not None else None)
            if document is None or document.image is None or extracted is None:
                continue
            value = document.fields.get(extracted)
            if value is None or value.box is None:
                continue
            crops.append(
                (tr_(DOCUMENT_NAMES[kind.value]), to_qimage(crop(document.image, value.box)))
            )
        self.crop_panel.show_crops(name, crops)

    def go_to_field(self, name: str) -> None:
        self.form.focus_field(name)
        self.form_scroll.ensureWidgetVisible(self.form.editor(name))

    # ---------------------------------------------------------------------------------- drafts

    def field_edited(self, name: str, value: Any) -> None:
        if not self.session.editable:
            return
        self.session.edit(name, value)
        if self.session.draft_id is None:
            self.drafts.save_in_background()  # the first edit creates the draft
        else:
            self.save_state.setText(self.tr("Сохраняю…"))
        self._update_review_summary()

    # The drafts and the portal parts of the view (``window_drafts``, ``window_portal``).

    def save_now(self) -> None:
        self.drafts.save_now()

    def new_application(self) -> None:
        self.drafts.new_application()

    def open_drafts(self) -> None:
        self.drafts.open_drafts()

    def open_draft(self, draft_id: str) -> None:
        self.drafts.open_draft(draft_id)

    def open_batch(self) -> None:
        self.drafts.open_batch()

    def submit(self) -> None:
        self.portal.submit()

    def flush_outbox(self) -> None:
        self.portal.flush_outbox()

    def refresh_status(self) -> None:
        self.portal.refresh_status()

    # -------------------------------------------------------------------------------- settings

    def open_settings(self) -> None:
        from omsdesktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.services, self)
        if dialog.exec():
            new: Settings = dialog.result_settings()
            old = self.services.settings
            self.services = self.services.with_settings(new)
            notes = []
            if new.language != old.language:
                notes.append(self.tr("Язык сменится после перезапуска программы."))
            if new.database_url != old.database_url:
                notes.append(self.tr("Новая база черновиков будет открыта после перезапуска."))
            text = self.tr("Настройки сохранены.")
            if notes:
                text += " " + " ".join(notes)
            self.notice.show_notice("info", text)

    def show_help(self) -> None:
        show_help(self)

    # --------------------------------------------------------------------------------- helpers

    def _update_review_summary(self) -> None:
        count = self.form.review_count()
        if count:
            self.statusBar().showMessage(
                self.tr("Проверьте поля, выделенные жёлтым: %n", "", count)
            )

    def update_buttons(self) -> None:
        if not hasattr(self, "send_action"):
            return
        ready = self.store is not None
        editing = self.session.editable
        self.send_button.setEnabled(ready and editing and not self.portal.submitting)
        self.send_action.setEnabled(ready and editing and not self.portal.submitting)
        self.save_button.setEnabled(ready and editing)
        self.save_action.setEnabled(ready and editing)
        self.drafts_action.setEnabled(ready)
        self.status_action.setEnabled(ready and self.session.draft_id is not None)

    def _show_error(self, exc: OmsError) -> None:
        self.notice.show_notice("error", exc.message(self.lang))  # type: ignore[arg-type]

    def _quiet_error(self, exc: OmsError) -> None:
        self.statusBar().showMessage(exc.message(self.lang), 10000)  # type: ignore[arg-type]

    # ---------------------------------------------------------------------------------- closing

    @property
    def closed(self) -> bool:
        return self._closed

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        if not self.closing:
            self.closing = True
            self.outbox_timer.stop()
            QSettings("omsdesktop", "omsdesktop").setValue("main/geometry", self.saveGeometry())
            for slot in self.slots():
                slot.cancel()
            self.pool.cancel_all()
        if self.pool.active_count:
            # Wait for the running jobs to stop (cancelled ones stop at their next check);
            # the window stays responsive and closes itself when they are done.
            event.ignore()
            self.statusBar().showMessage(self.tr("Завершаю работу: останавливаю обработку…"))
            if not self._waiting_to_close:
                self._waiting_to_close = True
                self.pool.busyChanged.connect(self._close_when_idle)
            return
        self._finish_close()
        event.accept()

    def _close_when_idle(self, busy: bool) -> None:
        if not busy and not self._closed:
            self._finish_close()
            self.close()

    def _finish_close(self) -> None:
        self._unsubscribe()
        try:
            self.session.close()  # writes what is pending: a few milliseconds
        except OmsError:
            log.warning("pending edits could not be written at exit")
        if self.store is not None:
            self.store.close()
            self.store = None
        for slot in self.slots():
            slot.cleanup()
        self._closed = True
