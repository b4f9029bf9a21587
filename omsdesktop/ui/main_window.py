"""The main window: two document slots, the prefilled form, drafts and sending.

The window is the only place that ties the pieces together; it holds no data of its own beyond
what is on screen. Every slow step (opening the database, reading documents, saving, sending,
asking the portal) runs through :class:`~omsdesktop.ui.worker.WorkerPool`; the autosaver's own
thread reports back through a signal bridge.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from omsdesktop.errors import OmsError
from omsdesktop.forms.model import DocumentKind
from omsdesktop.settings import Settings
from omsdesktop.ui.document_slot import DocumentSlot, SlotDocument
from omsdesktop.ui.form import ApplicationForm, Reading
from omsdesktop.ui.labels import DOCUMENT_NAMES, FIELD_BY_NAME, FIELDS, tr_
from omsdesktop.ui.panels import CropPanel, NoticeBar, SubmissionPanel
from omsdesktop.ui.services import Services
from omsdesktop.ui.worker import WorkerPool

log = logging.getLogger(__name__)

CERT = DocumentKind.BIRTH_CERTIFICATE
POLICY = DocumentKind.OMS_POLICY


class _SaverBridge(QObject):
    """Carries the autosaver's callbacks (its own thread) into the GUI thread."""

    saved = Signal(int)
    failed = Signal(object)


class MainWindow(QMainWindow):
    """Signals:
    storeReady(): the draft database is open.
    draftSaved(int): an autosave reached the database (the new version).
    submissionChanged(object): a Submission was shown (sent, queued, failed, polled).
    """

    storeReady = Signal()
    draftSaved = Signal(int)
    draftLoaded = Signal(str)
    submissionChanged = Signal(object)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.pool = WorkerPool(self)
        self.store: Any = None  # Store, once open
        self.draft_id: str | None = None
        self.draft_state = "editing"
        self.saver: Any = None  # AutoSaver
        self._creating = False
        self._pending_edits: dict[str, Any] = {}
        self._pending_attachments: dict[str, SlotDocument] = {}
        self._documents: dict[DocumentKind, SlotDocument] = {}
        self._typed: set[str] = set()
        self._submitting = False
        self._flushing = False
        self._closing = False
        self._closed = False
        self._waiting_to_close = False
        self.batch_dialog: Any = None  # BatchDialog, once opened
        self._bridge = _SaverBridge(self)
        self._bridge.saved.connect(self._saved)
        self._bridge.failed.connect(self._save_failed)

        self.setWindowTitle(self.tr("Полис ОМС ребёнка — заявление"))
        self.setObjectName("mainWindow")
        self._build()
        self._build_actions()
        self._restore_geometry()

        self.outbox_timer = QTimer(self)
        self.outbox_timer.setInterval(services.outbox_interval_ms)
        self.outbox_timer.timeout.connect(self.flush_outbox)
        self._warm_step = 0
        self._ready = False
        for slot in self.slots():
            slot.setEnabled(False)
        # A short delay: the window is painted first, then the imports run.
        QTimer.singleShot(30, self._warm_up)

    def _warm_up(self) -> None:
        """Import what the jobs need, in the GUI thread (see ``ui/warmup.py``), then start."""
        from omsdesktop.ui.warmup import STEPS, preload_step

        if self._closing:
            return
        try:
            preload_step(self._warm_step)
        except ImportError as exc:
            log.error("a module could not be imported: %s", exc.name)
        self._warm_step += 1
        if self._warm_step < len(STEPS):
            QTimer.singleShot(0, self._warm_up)
            return
        self._ready = True
        for slot in self.slots():
            slot.setEnabled(True)
        if self.form.focused_field() is None:
            self.certificate_slot.open_button.setFocus()  # the first step, for the keyboard
        self._open_store()

    # --------------------------------------------------------------------------------- layout

    @property
    def lang(self) -> str:
        return self.services.settings.language

    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.setSpacing(4)
        self.steps = QLabel(
            self.tr(
                "1. Загрузите свидетельство о рождении и полис ОМС (файл, перетаскивание или "
                "вставка).   2. Проверьте поля справа: жёлтые — обязательно.   "
                "3. Нажмите «Отправить на портал»."
            ),
            central,
        )
        self.steps.setWordWrap(True)
        self.steps.setStyleSheet("color: #3e4c59;")
        outer.addWidget(self.steps)

        splitter = QSplitter(Qt.Orientation.Horizontal, central)
        splitter.setChildrenCollapsible(False)
        left = QSplitter(Qt.Orientation.Vertical, splitter)
        left.setChildrenCollapsible(False)
        self.certificate_slot = DocumentSlot(CERT, self.pool, lambda: self.services, left)
        self.policy_slot = DocumentSlot(POLICY, self.pool, lambda: self.services, left)
        for slot in self.slots():
            slot.setMinimumHeight(220)
            slot.documentReady.connect(self._document_ready)
            slot.documentCleared.connect(lambda s=slot: self._document_cleared(s.kind))
            slot.wrongKind.connect(lambda doc, s=slot: self._wrong_kind(s, doc))
            slot.settingsRequested.connect(self.open_settings)

        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(4)
        self.notice = NoticeBar(right)
        right_layout.addWidget(self.notice)
        self.submission_panel = SubmissionPanel(right)
        self.submission_panel.refreshRequested.connect(self.refresh_status)
        self.submission_panel.fieldRequested.connect(self._go_to_field)
        right_layout.addWidget(self.submission_panel)
        self.crop_panel = CropPanel(right)
        right_layout.addWidget(self.crop_panel)
        self.form = ApplicationForm(self.lang, right)
        self.form.fieldEdited.connect(self._field_edited)
        self.form.fieldFocused.connect(self._field_focused)
        scroll = QScrollArea(right)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setAccessibleName(self.tr("Поля заявления"))
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.form_scroll = scroll
        right_layout.addWidget(scroll, 1)

        bottom = QHBoxLayout()
        self.save_state = QLabel(self.tr("Открываю базу черновиков…"), right)
        self.save_state.setObjectName("saveState")
        bottom.addWidget(self.save_state, 1)
        self.busy_bar = QProgressBar(right)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(140)
        self.busy_bar.setAccessibleName(self.tr("Идёт отправка"))
        self.busy_bar.hide()
        bottom.addWidget(self.busy_bar)
        self.save_button = QPushButton(self.tr("Сохранить"), right)
        self.save_button.setAccessibleName(self.tr("Сохранить черновик"))
        self.save_button.setToolTip(self.tr("Черновик сохраняется сам при каждой правке (Ctrl+S)"))
        self.save_button.clicked.connect(self.save_now)
        bottom.addWidget(self.save_button)
        self.send_button = QPushButton(self.tr("Отправить на портал"), right)
        self.send_button.setAccessibleName(self.tr("Отправить заявление на портал"))
        self.send_button.setToolTip(self.tr("Отправить заявление (Ctrl+Enter)"))
        self.send_button.setDefault(False)
        self.send_button.setStyleSheet("font-weight: bold;")
        self.send_button.clicked.connect(self.submit)
        bottom.addWidget(self.send_button)
        right_layout.addLayout(bottom)

        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        splitter.setSizes([600, 720])
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(self.tr("Готово к работе"))
        self._update_buttons()

        QWidget.setTabOrder(self.certificate_slot.open_button, self.certificate_slot.paste_button)
        QWidget.setTabOrder(self.certificate_slot.paste_button, self.policy_slot.open_button)
        QWidget.setTabOrder(self.policy_slot.open_button, self.policy_slot.paste_button)

    def slots(self) -> tuple[DocumentSlot, DocumentSlot]:
        return (self.certificate_slot, self.policy_slot)

    def slot(self, kind: DocumentKind) -> DocumentSlot:
        return self.certificate_slot if kind is CERT else self.policy_slot

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&Файл"))
        app_menu = menu.addMenu(self.tr("&Заявление"))
        help_menu = menu.addMenu(self.tr("&Справка"))

        def action(
            text: str,
            slot: Callable[[], Any],
            shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        ) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.new_action = action(self.tr("Новое заявление"), self.new_application, "Ctrl+N")
        self.open_certificate_action = action(
            self.tr("Открыть свидетельство о рождении…"),
            self.certificate_slot.open_dialog,
            QKeySequence.StandardKey.Open,
        )
        self.open_policy_action = action(
            self.tr("Открыть полис ОМС…"), self.policy_slot.open_dialog, "Ctrl+Shift+O"
        )
        self.paste_action = action(
            self.tr("Вставить снимок из буфера обмена"), self.paste_into_slot, "Ctrl+Shift+V"
        )
        self.drafts_action = action(self.tr("Черновики…"), self.open_drafts, "Ctrl+D")
        self.batch_action = action(self.tr("Пакетная обработка…"), self.open_batch)
        self.settings_action = action(self.tr("Настройки…"), self.open_settings, "Ctrl+,")
        self.quit_action = action(self.tr("Выход"), self.close, QKeySequence.StandardKey.Quit)
        for act in (
            self.new_action,
            self.open_certificate_action,
            self.open_policy_action,
            self.paste_action,
            self.drafts_action,
            self.batch_action,
            self.settings_action,
            self.quit_action,
        ):
            file_menu.addAction(act)
        file_menu.insertSeparator(self.drafts_action)
        file_menu.insertSeparator(self.quit_action)

        self.save_action = action(self.tr("Сохранить черновик"), self.save_now, "Ctrl+S")
        self.send_action = action(self.tr("Отправить на портал"), self.submit, "Ctrl+Return")
        self.send_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.status_action = action(self.tr("Обновить состояние"), self.refresh_status, "F5")
        self.flush_action = action(self.tr("Отправить очередь сейчас"), self.flush_outbox)
        for act in (self.save_action, self.send_action, self.status_action, self.flush_action):
            app_menu.addAction(act)
        self.help_action = action(self.tr("Как пользоваться"), self.show_help, "F1")
        help_menu.addAction(self.help_action)
        self._update_buttons()

    def _restore_geometry(self) -> None:
        settings = QSettings("omsdesktop", "omsdesktop")
        geometry = settings.value("main/geometry")
        if geometry is not None and not self.restoreGeometry(geometry):
            geometry = None
        if geometry is None:
            screen = self.screen().availableGeometry() if self.screen() else None
            width, height = 1280, 740
            if screen is not None:
                width = min(width, screen.width())
                height = min(height, screen.height())
            self.resize(width, height)

    # ------------------------------------------------------------------------------ database

    def _open_store(self) -> None:
        services = self.services

        def job(progress, cancelled):
            return services.open_store(services.settings)

        self.pool.run(
            job, name="open-store", on_result=self._store_opened, on_error=self._store_failed
        )

    def _store_opened(self, store: Any) -> None:
        if self._closing:
            store.close()
            return
        self.store = store
        self.save_state.setText(self.tr("Черновик сохраняется автоматически."))
        self._update_buttons()
        self.storeReady.emit()
        if self._pending_edits and self.draft_id is None:
            self._create_draft()
        self.outbox_timer.start()
        self.flush_outbox()

    def _store_failed(self, exc: OmsError) -> None:
        self.save_state.setText(self.tr("База черновиков недоступна: черновик не сохраняется."))
        self.notice.show_notice(
            "error",
            exc.message(self.lang),  # type: ignore[arg-type]
            [(self.tr("Открыть настройки…"), self.open_settings)],
        )

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

    def _wrong_kind(self, source: DocumentSlot, document: SlotDocument) -> None:
        target = self.policy_slot if source is self.certificate_slot else self.certificate_slot
        target.adopt(document, source.take_moved_temp_dir())

    def _document_cleared(self, kind: DocumentKind) -> None:
        self._documents.pop(kind, None)

    def _document_ready(self, document: SlotDocument) -> None:
        kind = document.result.kind
        if kind not in (CERT, POLICY):
            return
        self._documents[kind] = document
        self._apply_documents()
        self._pending_attachments[kind.value] = document
        self._store_attachments()
        self.statusBar().showMessage(
            self.tr("Документ прочитан: %1").replace("%1", tr_(DOCUMENT_NAMES[kind.value])), 5000
        )

    def _apply_documents(self) -> None:
        from omsdesktop.forms.application import merge_fields
        from omsdesktop.storage.mapping import fields_from_documents

        cert = self._documents[CERT].fields if CERT in self._documents else {}
        policy = self._documents[POLICY].fields if POLICY in self._documents else {}
        draft_fields = fields_from_documents(cert, policy)
        disputed: set[str] = set()
        if cert and policy:
            _merged, problems = merge_fields(cert, policy)
            disputed = {
                str(p.params.get("field"))
                for p in problems
                if p.code.startswith("mismatch_") and p.params.get("field")
            }
        changed: dict[str, Any] = {}
        for spec in FIELDS:
            readings = []
            if spec.certificate and spec.certificate in cert:
                readings.append(Reading("birth_certificate", cert[spec.certificate].value))
            if spec.policy and spec.policy in policy:
                readings.append(Reading("oms_policy", policy[spec.policy].value))
            disagreement = (
                spec.certificate in disputed
                and len(readings) == 2
                and spec.name.startswith("child.")
            )
            self.form.set_readings(spec.name, readings, disagreement, refresh=False)
            item = draft_fields.get(spec.name)
            if item is None or spec.name in self._typed:
                continue
            review = item.needs_review or disagreement
            self.form.set_field(
                spec.name,
                item.value,
                source=item.source,
                confidence=item.confidence,
                needs_review=review,
                refresh=False,
            )
            changed[spec.name] = (item.value, item.source, item.confidence, review)
        self.form.refresh_all()
        self._persist(changed)
        self._update_review_summary()
        focused = self.form.focused_field()
        if focused is not None:
            self._field_focused(focused)  # the crops of the field being looked at are new

    def _field_focused(self, name: str) -> None:
        from omsdesktop.ui.images import crop, to_qimage

        spec = FIELD_BY_NAME[name]
        crops = []
        for kind, extracted in ((CERT, spec.certificate), (POLICY, spec.policy)):
            slot = self.slot(kind)
            document = self._documents.get(kind)
            slot.highlight(extracted if document is not None else None)
            if document is None or extracted is None or document.image is None:
                continue
            value = document.fields.get(extracted)
            if value is None or value.box is None:
                continue
            crops.append(
                (tr_(DOCUMENT_NAMES[kind.value]), to_qimage(crop(document.image, value.box)))
            )
        self.crop_panel.show_crops(name, crops)

    def _go_to_field(self, name: str) -> None:
        self.form.focus_field(name)
        editor = self.form.editor(name)
        self.form_scroll.ensureWidgetVisible(editor)

    # ---------------------------------------------------------------------------------- drafts

    def _field_edited(self, name: str, value: Any) -> None:
        self._typed.add(name)
        self._persist({name: (value, "typed", 1.0, False)})
        self._update_review_summary()

    def _persist(self, changes: dict[str, tuple[Any, str, float, bool]]) -> None:
        if not changes or self.draft_state != "editing":
            return
        if self.saver is not None:
            for name, (value, source, confidence, review) in changes.items():
                self.saver.edit(
                    name, value, source=source, confidence=confidence, needs_review=review
                )
            self.save_state.setText(self.tr("Сохраняю…"))
            return
        self._pending_edits.update(changes)
        if self.store is not None and not self._creating:
            self._create_draft()

    def _create_draft(self) -> None:
        from omsdesktop.storage.model import DraftField

        store = self.store
        snapshot = dict(self._pending_edits)
        self._pending_edits.clear()
        self._creating = True
        fields = {
            name: DraftField(value, source, confidence, review)
            for name, (value, source, confidence, review) in snapshot.items()
        }

        def job(progress, cancelled):
            return store.create_draft(fields=fields)

        def created(draft: Any) -> None:
            self._creating = False
            self._start_draft(draft)
            self._persist(dict(self._pending_edits))
            self._pending_edits.clear()
            self._store_attachments()
            self.draftSaved.emit(draft.version)
            self._saved(draft.version)

        def failed(exc: OmsError) -> None:
            self._creating = False
            self._pending_edits = {**snapshot, **self._pending_edits}
            self._show_error(exc)

        self.pool.run(job, name="create-draft", on_result=created, on_error=failed)

    def _start_draft(self, draft: Any) -> None:
        from omsdesktop.storage.autosave import AutoSaver

        self.draft_id = draft.id
        self.draft_state = draft.state
        if draft.state == "editing":
            bridge = self._bridge
            self.saver = AutoSaver(
                self.store,
                draft.id,
                draft.version,
                on_saved=bridge.saved.emit,
                on_error=bridge.failed.emit,
            )
        self._update_buttons()

    def _saved(self, version: int) -> None:
        self.save_state.setText(
            self.tr("Черновик сохранён в %1.").replace("%1", datetime.now().strftime("%H:%M:%S"))
        )
        if self.notice.kind == "conflict":
            self.notice.hide()
        self.draftSaved.emit(version)

    def _save_failed(self, exc: OmsError) -> None:
        from omsdesktop.storage.errors import ConflictError, DatabaseUnavailableError

        if isinstance(exc, ConflictError):
            self.save_state.setText(
                self.tr("Правки не сохранены: черновик изменён на другом месте.")
            )
            self.notice.show_notice(
                "warning",
                exc.message(self.lang),  # type: ignore[arg-type]
                [
                    (self.tr("Записать мои правки поверх"), self.keep_my_edits),
                    (self.tr("Открыть их версию"), self.reload_draft),
                ],
                closable=False,
            )
            self.notice.kind = "conflict"
        elif isinstance(exc, DatabaseUnavailableError):
            self.save_state.setText(
                self.tr("База черновиков недоступна, повторю попытку сама. Правки не потеряны.")
            )
        else:
            self._show_error(exc)

    def keep_my_edits(self) -> None:
        """After a conflict: write this desk's pending edits on top of the other desk's."""
        store, saver, draft_id = self.store, self.saver, self.draft_id
        if saver is None or draft_id is None:
            return

        def job(progress, cancelled):
            version = store.get_draft(draft_id).version
            saver.rebase(version)
            return saver.flush()

        def done(version: int) -> None:
            self.notice.hide()
            self._saved(version)

        self.pool.run(job, name="rebase", on_result=done, on_error=self._save_failed)

    def reload_draft(self) -> None:
        if self.draft_id is not None:
            self.notice.hide()
            self.open_draft(self.draft_id)

    def save_now(self) -> None:
        if self.store is None:
            return
        if self.saver is None:
            if self.draft_id is None and not self._creating:
                values = {
                    n: (v, self.form.state(n).source, self.form.state(n).confidence, False)
                    for n, v in self.form.values().items()
                    if v
                }
                self._pending_edits.update(values)
                self._create_draft()
            return
        saver = self.saver
        self.pool.run(
            lambda progress, cancelled: saver.flush(),
            name="save",
            on_result=self._saved,
            on_error=self._save_failed,
        )

    def new_application(self) -> None:
        self._leave_draft()
        for slot in self.slots():
            slot.clear()
        self._documents.clear()
        self.form.clear()
        self.form.set_read_only(False)
        for slot in self.slots():
            slot.set_read_only(False)
        self.submission_panel.hide()
        self.notice.hide()
        self.crop_panel.show_hint()
        self.save_state.setText(self.tr("Новое заявление. Черновик сохраняется автоматически."))
        self._update_buttons()

    def _leave_draft(self) -> None:
        saver, self.saver = self.saver, None
        self.draft_id = None
        self.draft_state = "editing"
        self._typed.clear()
        self._pending_edits.clear()
        self._pending_attachments.clear()
        if saver is not None:
            self.pool.run(
                lambda progress, cancelled: saver.close(),
                name="close-saver",
                on_error=self._show_error,
            )

    def open_drafts(self) -> None:
        if self.store is None:
            return
        from omsdesktop.ui.drafts_dialog import DraftsDialog

        dialog = DraftsDialog(self.store, self.pool, self, self.lang)
        accepted = dialog.exec()
        if self.draft_id is not None and self.draft_id in dialog.deleted_ids:
            self.new_application()  # the draft on screen is gone
        if accepted and dialog.chosen_id:
            self.open_draft(dialog.chosen_id)

    def open_batch(self) -> None:
        """«Пакетная обработка…»: a folder of scans → drafts and a report."""
        from omsdesktop.ui.batch_dialog import BatchDialog

        if self.batch_dialog is None:
            self.batch_dialog = BatchDialog(self.services, self.pool, self)
        self.batch_dialog.show()
        self.batch_dialog.raise_()
        self.batch_dialog.activateWindow()

    def open_draft(self, draft_id: str) -> None:
        """Resume a stored draft: its fields, its scans and its portal state."""
        store = self.store
        saver, self.saver = self.saver, None

        def job(progress, cancelled):
            from omsdesktop.ui.images import decode_image, to_qimage

            if saver is not None:
                # After a conflict the saver is stopped and close() drops its pending edits
                # (the user chose the other desk's version); otherwise it writes them first.
                saver.close()
            draft = store.get_draft(draft_id)
            images = {}
            for info in store.list_attachments(draft_id):
                if info.media_type.startswith("image/"):
                    decoded = decode_image(store.attachment_data(info.id))
                    if decoded is not None:
                        images[info.document] = to_qimage(decoded)
            submission = store.latest_submission(draft_id)
            return draft, images, submission

        self.pool.run(
            job, name="open-draft", on_result=self._draft_opened, on_error=self._show_error
        )

    def _draft_opened(self, loaded: tuple[Any, dict[str, Any], Any]) -> None:
        draft, images, submission = loaded
        for slot in self.slots():
            slot.clear()
        self._documents.clear()
        self._typed.clear()
        self._pending_edits.clear()
        self._pending_attachments.clear()
        self.form.clear()
        for name in self.form.names():
            item = draft.fields.get(name)
            if item is not None:
                self.form.set_field(
                    name,
                    item.value,
                    source=item.source,
                    confidence=item.confidence,
                    needs_review=item.needs_review,
                    refresh=False,
                )
        self.form.refresh_all()
        for kind in (CERT, POLICY):
            image = images.get(kind.value)
            if image is not None:
                self.slot(kind).show_stored(image, self.tr("Снимок из черновика"))
        self._start_draft(draft)
        editable = draft.state == "editing"
        self.form.set_read_only(not editable)
        for slot in self.slots():
            slot.set_read_only(not editable)
        if submission is not None:
            self._show_submission(submission)
        else:
            self.submission_panel.hide()
        self.save_state.setText(self.tr("Черновик открыт."))
        self.crop_panel.show_hint()
        self._update_buttons()
        self._update_review_summary()
        self.draftLoaded.emit(draft.id)

    # ----------------------------------------------------------------------------- attachments

    def _store_attachments(self) -> None:
        if self.store is None or self.draft_id is None or self.draft_state != "editing":
            return
        pending, self._pending_attachments = self._pending_attachments, {}
        store, draft_id = self.store, self.draft_id
        for role, document in pending.items():
            image = document.image
            if image is None:
                continue
            page = document.result.page
            dpi = page.dpi if page is not None else None

            def job(progress, cancelled, role=role, image=image, dpi=dpi):
                from omsdesktop.portal.attachments import prepare_attachment

                prepared = prepare_attachment(image, dpi, progress=progress, cancelled=cancelled)
                for info in store.list_attachments(draft_id):
                    if info.document == role:
                        store.delete_attachment(info.id)
                return store.add_attachment(
                    draft_id,
                    document=role,
                    data=prepared.data,
                    media_type=prepared.media_type,
                    width=prepared.width,
                    height=prepared.height,
                    dpi=prepared.dpi,
                )

            self.pool.run(job, name=f"attach-{role}", on_error=self._show_error)

    # ------------------------------------------------------------------------------ submitting

    def submit(self) -> None:
        if self.store is None or self._submitting:
            return
        if self.draft_state != "editing":
            self.notice.show_notice(
                "info", self.tr("Это заявление уже отправлено или стоит в очереди на отправку.")
            )
            return
        if self.draft_id is None or self.saver is None:
            self.notice.show_notice(
                "warning",
                self.tr("Сначала загрузите документы или заполните поля заявления."),
            )
            return
        problems = self.form.problem_count()
        if problems:
            answer = QMessageBox.question(
                self,
                self.tr("Отправить с ошибками?"),
                self.tr(
                    "В заявлении есть поля с ошибками: %1. Портал, скорее всего, вернёт "
                    "заявление. Всё равно отправить?"
                ).replace("%1", str(problems)),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            portal_url = self.services.portal_url(self.services.settings)
        except OmsError as exc:
            self._show_error(exc)
            return
        store, saver, draft_id = self.store, self.saver, self.draft_id
        factory = self.services.portal_factory

        def job(progress, cancelled):
            from omsdesktop.portal.outbox import submit_draft

            version = saver.flush()
            adapter = factory(portal_url)
            try:
                return submit_draft(
                    store, adapter, draft_id, portal_url=portal_url, expected_version=version
                )
            finally:
                adapter.close()

        self._submitting = True
        self.busy_bar.show()
        self.save_state.setText(self.tr("Отправляю заявление на портал…"))
        self._update_buttons()
        self.pool.run(
            job,
            name="submit",
            on_result=self._submitted,
            on_error=self._submit_failed,
            on_done=self._submit_done,
        )

    def _submit_done(self) -> None:
        self._submitting = False
        self.busy_bar.hide()
        self._update_buttons()

    def _submitted(self, outcome: Any) -> None:
        submission = outcome.submission
        self._show_submission(submission)
        if outcome.sent:
            self.notice.show_notice(
                "ok",
                self.tr("Заявление принято порталом. Номер запроса: %1.").replace(
                    "%1", submission.request_number or "—"
                ),
            )
        elif outcome.queued:
            self.notice.show_notice(
                "warning",
                self.tr(
                    "Портал сейчас недоступен. Заявление в очереди и будет отправлено "
                    "автоматически, как только появится связь. Программу можно не закрывать."
                ),
            )
        else:
            message = outcome.error.message(self.lang) if outcome.error is not None else ""
            self.notice.show_notice("error", message)

    def _submit_failed(self, exc: OmsError) -> None:
        from omsdesktop.storage.errors import ConflictError

        if isinstance(exc, ConflictError):
            self._save_failed(exc)
            return
        self._show_error(exc)
        self.save_state.setText(self.tr("Заявление не отправлено."))

    def _show_submission(self, submission: Any) -> None:
        self.submission_panel.show_submission(submission)
        self.form.set_portal_fix(set(submission.fields_to_fix))
        state = submission.state
        if submission.draft_id == self.draft_id:
            if state in ("queued", "sent"):
                self.draft_state = "queued" if state == "queued" else "submitted"
                saver, self.saver = self.saver, None
                if saver is not None:
                    self.pool.run(lambda p, c: saver.close(), name="close-saver")
                self.form.set_read_only(True)
                for slot in self.slots():
                    slot.set_read_only(True)
                self.save_state.setText(
                    self.tr("Заявление отправлено: изменить его нельзя.")
                    if state == "sent"
                    else self.tr("Заявление ждёт отправки в очереди.")
                )
            elif state == "failed":
                self._reopen_after_refusal()
        self._update_buttons()
        self.submissionChanged.emit(submission)

    def _reopen_after_refusal(self) -> None:
        """The portal refused the data: the draft is editable again, from its new version."""
        store, draft_id = self.store, self.draft_id
        saver, self.saver = self.saver, None

        def job(progress, cancelled):
            if saver is not None:
                saver.close()
            return store.get_draft(draft_id)

        def reopened(draft: Any) -> None:
            self._start_draft(draft)
            self.form.set_read_only(draft.state != "editing")
            for slot in self.slots():
                slot.set_read_only(draft.state != "editing")

        self.pool.run(job, name="reopen", on_result=reopened, on_error=self._show_error)

    def flush_outbox(self) -> None:
        """Send what waits in the queue (timer, or the menu)."""
        # Not while this window sends: the submission it queues is being sent right now.
        if self.store is None or self._flushing or self._closing or self._submitting:
            return
        store, factory = self.store, self.services.portal_factory

        def job(progress, cancelled):
            from omsdesktop.portal.outbox import flush_outbox

            if not store.pending_submissions():
                return None
            return flush_outbox(store, factory, progress=progress, cancelled=cancelled)

        def done(report: Any) -> None:
            if report is None:
                return
            for outcome in report.outcomes:
                if outcome.submission.draft_id == self.draft_id:
                    self._show_submission(outcome.submission)
                    if outcome.sent:
                        self.notice.show_notice(
                            "ok",
                            self.tr(
                                "Связь появилась: заявление из очереди принято порталом. "
                                "Номер запроса: %1."
                            ).replace("%1", outcome.submission.request_number or "—"),
                        )
            if report.sent:
                self.statusBar().showMessage(
                    self.tr("Отправлено из очереди: %1").replace("%1", str(report.sent)), 10000
                )

        def finished() -> None:
            self._flushing = False

        self._flushing = True
        self.pool.run(
            job, name="flush-outbox", on_result=done, on_error=self._quiet_error, on_done=finished
        )

    def refresh_status(self) -> None:
        if self.store is None or self.draft_id is None:
            return
        store, draft_id, factory = self.store, self.draft_id, self.services.portal_factory

        def job(progress, cancelled):
            from omsdesktop.portal.outbox import poll_status

            submission = store.latest_submission(draft_id)
            if submission is None or submission.state != "sent":
                return submission
            adapter = factory(submission.portal_url)
            try:
                return poll_status(store, adapter, draft_id)
            finally:
                adapter.close()

        def done(submission: Any) -> None:
            if submission is not None:
                self._show_submission(submission)

        self.pool.run(job, name="poll-status", on_result=done, on_error=self._show_error)

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
        QMessageBox.information(
            self,
            self.tr("Как пользоваться"),
            self.tr(
                "1. Слева загрузите свидетельство о рождении и полис ОМС: «Открыть файл…» "
                "(Ctrl+O и Ctrl+Shift+O), перетащите файл в окно или вставьте снимок из буфера "
                "(Ctrl+Shift+V).\n"
                "2. Если снимок плохой, программа подскажет, как переснять. Можно продолжить "
                "кнопкой «Использовать всё равно».\n"
                "3. Проверьте поля справа. Жёлтые поля прочитаны неуверенно или расходятся в "
                "документах: сравните их с фрагментом документа над формой.\n"
                "4. Черновик сохраняется сам (Ctrl+S — сохранить сейчас). Список черновиков — "
                "Ctrl+D.\n"
                "5. «Отправить на портал» (Ctrl+Enter). Без связи заявление встанет в очередь и "
                "уйдёт само."
            ),
        )

    # --------------------------------------------------------------------------------- helpers

    def _update_review_summary(self) -> None:
        count = self.form.review_count()
        if count:
            self.statusBar().showMessage(
                self.tr("Проверьте поля, выделенные жёлтым: %n", "", count)
            )

    def _update_buttons(self) -> None:
        if not hasattr(self, "send_action"):
            return
        ready = self.store is not None
        editing = self.draft_state == "editing"
        self.send_button.setEnabled(ready and editing and not self._submitting)
        self.send_action.setEnabled(ready and editing and not self._submitting)
        self.save_button.setEnabled(ready and editing)
        self.save_action.setEnabled(ready and editing)
        self.drafts_action.setEnabled(ready)
        self.status_action.setEnabled(ready and self.draft_id is not None)

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
        if not self._closing:
            self._closing = True
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
        saver, self.saver = self.saver, None
        if saver is not None:
            try:
                saver.close()  # writes what is pending: a few milliseconds
            except OmsError:
                log.warning("pending edits could not be written at exit")
        if self.store is not None:
            self.store.close()
            self.store = None
        for slot in self.slots():
            slot.cleanup()
        self._closed = True
